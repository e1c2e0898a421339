#include "lamport.hpp"

#include <fcntl.h>
#include <gvc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string_view>

#include "core/assert.hpp"
#include "sim/report/evidence.hpp"
#include "sim/report/plots.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#define MILLPOND_LSAN 1
#endif

namespace millpond::lamport {

namespace fs = std::filesystem;

namespace {

constexpr const char* kClientColour = "#81BFFC";
constexpr const char* kErrorColour = "#FF1E90";
constexpr const char* kServerColour = "#000000";
constexpr const char* kInfoColour = "#D96918";  // Maelstrom's orange, for cuts and :info
constexpr const char* kNemesisColour = "#FFB347";
constexpr std::size_t kLabelChars = 48;
// Events kept before and after an op's own span, so the messages leading to it show.
constexpr std::int64_t kMarginEvents = 20;

// ---------------------------------------------------------------------------------------------
// Reading the journal. A run of 10^6 events is about 150 MB of JSON lines; parsing each with
// nlohmann::json costs seconds, so lines are scanned by hand and bodies stay text until drawn.

class LineScanner {
  public:
    explicit LineScanner(std::string_view line) : text_(line) {}

    bool ok() const { return ok_; }
    std::size_t position() const { return position_; }

    void skip_space() {
        while (position_ < text_.size() && (text_[position_] == ' ' || text_[position_] == '\t' ||
                                            text_[position_] == '\r'))
            ++position_;
    }
    bool expect(char c) {
        skip_space();
        if (position_ < text_.size() && text_[position_] == c) {
            ++position_;
            return true;
        }
        ok_ = false;
        return false;
    }
    bool peek(char c) {
        skip_space();
        return position_ < text_.size() && text_[position_] == c;
    }
    // A JSON string; escapes are decoded through nlohmann (they never occur in practice).
    std::string string() {
        skip_space();
        if (position_ >= text_.size() || text_[position_] != '"') {
            ok_ = false;
            return {};
        }
        const std::size_t start = position_;
        skip_string();
        if (!ok_) return {};
        std::string_view raw = text_.substr(start + 1, position_ - start - 2);
        if (raw.find('\\') == std::string_view::npos) return std::string(raw);
        try {
            return nlohmann::json::parse(text_.substr(start, position_ - start)).get<std::string>();
        } catch (const std::exception&) {
            ok_ = false;
            return {};
        }
    }
    std::int64_t integer() {
        skip_space();
        bool negative = false;
        if (position_ < text_.size() && text_[position_] == '-') {
            negative = true;
            ++position_;
        }
        const std::size_t start = position_;
        std::int64_t value = 0;
        while (position_ < text_.size() && text_[position_] >= '0' && text_[position_] <= '9') {
            value = value * 10 + (text_[position_] - '0');
            ++position_;
        }
        if (position_ == start || position_ - start > 18) ok_ = false;
        return negative ? -value : value;
    }
    // Skips any JSON value; returns its [start, end) range.
    std::pair<std::size_t, std::size_t> skip_value() {
        skip_space();
        const std::size_t start = position_;
        int depth = 0;
        while (position_ < text_.size()) {
            const char c = text_[position_];
            if (c == '"') {
                skip_string();
                if (!ok_) return {start, position_};
            } else if (c == '{' || c == '[') {
                ++depth;
                ++position_;
            } else if (c == '}' || c == ']') {
                if (depth == 0) break;
                --depth;
                ++position_;
            } else if (c == ',' && depth == 0) {
                break;
            } else {
                ++position_;
            }
            if (depth == 0 && (c == '"' || c == '}' || c == ']')) break;
        }
        if (depth != 0 || position_ == start) ok_ = false;
        return {start, position_};
    }

  private:
    void skip_string() {
        ++position_;  // the opening quote
        while (position_ < text_.size()) {
            const char c = text_[position_++];
            if (c == '\\') {
                ++position_;
            } else if (c == '"') {
                return;
            }
        }
        ok_ = false;
    }

    std::string_view text_;
    std::size_t position_ = 0;
    bool ok_ = true;
};

class Interner {
  public:
    explicit Interner(std::vector<std::string>* names) : names_(names) {}
    std::int32_t id(const std::string& name) {
        auto it = ids_.find(name);
        if (it != ids_.end()) return it->second;
        const auto id = static_cast<std::int32_t>(names_->size());
        names_->push_back(name);
        ids_.emplace(name, id);
        return id;
    }

  private:
    std::vector<std::string>* names_;
    std::map<std::string, std::int32_t, std::less<>> ids_;
};

bool read_file(const fs::path& path, std::string* text, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *error = path.string() + ": cannot read";
        return false;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
        *error = path.string() + ": read failed";
        return false;
    }
    *text = std::move(buffer).str();
    return true;
}

bool parse_journal(const fs::path& path, Run* run, std::string* error) {
    if (!read_file(path, &run->journal_text, error)) return false;
    const std::string& text = run->journal_text;
    Interner participants(&run->participants);
    Interner types(&run->types);
    std::size_t line_start = 0;
    std::size_t line_number = 0;
    while (line_start < text.size()) {
        std::size_t line_end = text.find('\n', line_start);
        if (line_end == std::string::npos) line_end = text.size();
        ++line_number;
        std::string_view line(text.data() + line_start, line_end - line_start);
        auto fail = [&](const std::string& problem) {
            *error = path.string() + ":" + std::to_string(line_number) + ": " + problem;
            return false;
        };
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
            line_start = line_end + 1;
            continue;
        }
        LineScanner scan(line);
        Event event;
        unsigned seen = 0;
        scan.expect('{');
        while (scan.ok() && !scan.peek('}')) {
            if (seen != 0 && !scan.expect(',')) break;
            const std::string key = scan.string();
            if (!scan.expect(':')) break;
            if (key == "kind") {
                const std::string kind = scan.string();
                if (kind == "send") {
                    event.kind = journal::EventKind::kSend;
                } else if (kind == "recv") {
                    event.kind = journal::EventKind::kRecv;
                } else if (kind == "drop") {
                    event.kind = journal::EventKind::kDrop;
                } else {
                    return fail("unknown kind '" + kind + "'");
                }
                seen |= 1;
            } else if (key == "time_us") {
                event.time_us = scan.integer();
                seen |= 2;
            } else if (key == "id") {
                event.message_id = scan.integer();
                seen |= 4;
            } else if (key == "src") {
                event.src = participants.id(scan.string());
                seen |= 8;
            } else if (key == "dest") {
                event.dest = participants.id(scan.string());
                seen |= 16;
            } else if (key == "type") {
                event.type = types.id(scan.string());
                seen |= 32;
            } else if (key == "body") {
                auto [start, end] = scan.skip_value();
                event.body_offset = line_start + start;
                event.body_length = static_cast<std::uint32_t>(end - start);
                seen |= 64;
            } else {
                scan.skip_value();
                seen |= 128;
            }
        }
        if (!scan.ok() || !scan.expect('}')) return fail("not a journal line (bad JSON)");
        if ((seen & 63) != 63)
            return fail("journal line lacks one of kind, time_us, id, src, dest, type");
        if (event.message_id < 0) return fail("negative message id");
        run->events.push_back(event);
        line_start = line_end + 1;
    }
    return true;
}

nlohmann::json body_of(const Run& run, const Event& event) {
    if (event.body_length == 0) return nlohmann::json();
    try {
        return nlohmann::json::parse(
            std::string_view(run.journal_text).substr(event.body_offset, event.body_length));
    } catch (const std::exception&) {
        return nlohmann::json();
    }
}

// ---------------------------------------------------------------------------------------------
// Text helpers.

// Cuts at a UTF-8 character boundary and marks the cut as Maelstrom does.
std::string shorten(const std::string& text, std::size_t chars_max) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
        if (chars == chars_max) return text.substr(0, i) + "…";
        ++chars;
    }
    return text;
}

// A DOT double-quoted string. Backslashes are doubled so that Graphviz's escapes (\n, \N, \G)
// never fire on message content.
std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += ' ';
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// Maelstrom's label: the body type, then the error text or the rest of the body as EDN.
std::string message_label(const std::string& type, const nlohmann::json& body) {
    std::string rest;
    if (body.is_object()) {
        if (type == "error" && body.contains("text") && body["text"].is_string()) {
            rest = body["text"].get<std::string>();
        } else {
            nlohmann::json trimmed = body;
            trimmed.erase("type");
            trimmed.erase("msg_id");
            trimmed.erase("in_reply_to");
            rest = edn::write(edn::from_json(trimmed, true));
        }
    }
    return shorten(rest.empty() ? type : type + " " + rest, kLabelChars);
}

bool has_digit(const std::string& name) {
    return std::any_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Maelstrom's column order: names with digits by letter prefix then number (so c before n),
// names without digits (services) last, alphabetically.
bool column_before(const std::string& a, const std::string& b) {
    auto key = [](const std::string& name) {
        if (!has_digit(name)) return std::make_tuple(1, name, std::int64_t{0}, name);
        const std::size_t digit = name.find_first_of("0123456789");
        std::int64_t number = 0;
        std::size_t i = digit;
        while (i < name.size() && name[i] >= '0' && name[i] <= '9' && number < 1'000'000'000'000)
            number = number * 10 + (name[i++] - '0');
        return std::make_tuple(0, name.substr(0, digit), number, name);
    };
    return key(a) < key(b);
}

std::optional<std::int64_t> parse_int(const std::string& text) {
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t value = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::string format_ms(std::int64_t time_us) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%lld.%03lld ms", static_cast<long long>(time_us / 1000),
                  static_cast<long long>(time_us % 1000));
    return buffer;
}

// ---------------------------------------------------------------------------------------------
// Windows.

struct Segment {
    std::int64_t first = 0;  // 0-based, inclusive
    std::int64_t last = 0;
};

// The ops that prove the first anomaly results.edn reports (see report/evidence.hpp), and the
// anomaly's name.
std::vector<std::int64_t> first_anomaly_ops(const Run& run, std::string* name) {
    std::vector<std::int64_t> indices;
    if (!run.results) return indices;
    const auto anomalies = report::list_anomalies(*run.results, run.history, 1);
    for (const auto& anomaly : anomalies) {
        if (anomaly.evidence.empty()) continue;
        for (const auto& evidence : anomaly.evidence) indices.push_back(evidence.op_index);
        *name = ":" + anomaly.kind;
        break;
    }
    return indices;
}

struct OpSpan {
    const history::Op* invoke = nullptr;
    const history::Op* completion = nullptr;
    std::int64_t invoke_position = 0;      // position in the history vector
    std::int64_t completion_position = -1;
};

std::optional<OpSpan> op_span(const Run& run, const history::Pairs& pairs, std::int64_t index) {
    for (std::size_t i = 0; i < run.history.size(); ++i) {
        if (run.history[i].index != index) continue;
        std::int64_t invoke = static_cast<std::int64_t>(i);
        if (run.history[i].type != history::OpType::kInvoke && pairs.invocation_of[i] >= 0)
            invoke = pairs.invocation_of[i];
        OpSpan span;
        span.invoke = &run.history[static_cast<std::size_t>(invoke)];
        span.invoke_position = invoke;
        span.completion_position = pairs.completion_of[static_cast<std::size_t>(invoke)];
        if (span.completion_position >= 0)
            span.completion = &run.history[static_cast<std::size_t>(span.completion_position)];
        return span;
    }
    return std::nullopt;
}

// Sorts, merges and caps segments to `events_max` events in all.
std::vector<Segment> normalize(std::vector<Segment> segments, std::int64_t events_max) {
    std::sort(segments.begin(), segments.end(),
              [](const Segment& a, const Segment& b) { return a.first < b.first; });
    std::vector<Segment> merged;
    for (const auto& segment : segments) {
        if (!merged.empty() && segment.first <= merged.back().last + 1) {
            merged.back().last = std::max(merged.back().last, segment.last);
        } else {
            merged.push_back(segment);
        }
    }
    std::vector<Segment> capped;
    std::int64_t budget = events_max;
    for (const auto& segment : merged) {
        if (budget <= 0) break;
        capped.push_back({segment.first, std::min(segment.last, segment.first + budget - 1)});
        budget -= capped.back().last - capped.back().first + 1;
    }
    return capped;
}

// An op's span in events: journal events in its time span (history entries for a bare
// history), widened by a margin. A span longer than its share keeps its head and its tail, so
// both the invocation and the completion stay in view.
void add_op_segments(const Run& run, const OpSpan& span, std::int64_t share,
                     std::vector<Segment>* segments) {
    const auto total = run.has_journal ? static_cast<std::int64_t>(run.events.size())
                                       : static_cast<std::int64_t>(run.history.size());
    if (total == 0) return;
    std::int64_t first = 0;
    std::int64_t last = 0;
    if (run.has_journal) {
        const std::int64_t from_us = span.invoke->time_ns / 1000;
        const std::int64_t to_us =
            (span.completion ? span.completion->time_ns : span.invoke->time_ns) / 1000;
        auto begin = std::partition_point(run.events.begin(), run.events.end(),
                                          [&](const Event& e) { return e.time_us < from_us; });
        auto end = std::partition_point(run.events.begin(), run.events.end(),
                                        [&](const Event& e) { return e.time_us <= to_us; });
        first = begin - run.events.begin();
        last = std::max(first, static_cast<std::int64_t>(end - run.events.begin()) - 1);
    } else {
        first = span.invoke_position;
        last = span.completion_position >= 0 ? span.completion_position : first;
    }
    first = std::max<std::int64_t>(0, first - kMarginEvents);
    last = std::min(total - 1, last + kMarginEvents);
    share = std::max<std::int64_t>(share, 4 * kMarginEvents);
    if (last - first + 1 > share) {
        segments->push_back({first, first + share / 2 - 1});
        segments->push_back({last - share / 2 + 1, last});
    } else {
        segments->push_back({first, last});
    }
}

// Events a window around `ops` ops may hold: every op keeps at least its own share (head and
// tail, see add_op_segments), however many ops an anomaly names.
std::int64_t ops_budget(const WindowOptions& options, std::size_t ops) {
    return std::max(options.events_max, static_cast<std::int64_t>(ops) * 4 * kMarginEvents);
}

// For a run too long to draw whole and with no anomaly: the window starting a little before
// the first fault period that cut messages (a drop inside it), else before the first fault.
// Returns the fault's description, or "" when the run had none.
std::string first_fault(const Run& run, std::vector<Segment>* segments, std::int64_t events_max) {
    const auto periods = report::nemesis_periods(run.history);
    if (periods.empty()) return "";
    const report::NemesisPeriod* chosen = &periods.front();
    std::int64_t cut = 0;
    std::int64_t first_drop = -1;
    if (run.has_journal) {
        for (const auto& period : periods) {
            auto begin = std::partition_point(
                run.events.begin(), run.events.end(),
                [&](const Event& e) { return e.time_us < period.start_ns / 1000; });
            std::int64_t drops = 0;
            for (auto e = begin; e != run.events.end() && e->time_us <= period.end_ns / 1000; ++e) {
                if (e->kind != journal::EventKind::kDrop) continue;
                if (drops++ == 0) first_drop = e - run.events.begin();
            }
            if (drops > 0) {
                chosen = &period;
                cut = drops;
                break;
            }
        }
    }
    std::int64_t at = 0;
    if (run.has_journal) {
        at = std::partition_point(run.events.begin(), run.events.end(),
                                  [&](const Event& e) {
                                      return e.time_us < chosen->start_ns / 1000;
                                  }) -
             run.events.begin();
    } else {
        while (at < static_cast<std::int64_t>(run.history.size()) &&
               run.history[static_cast<std::size_t>(at)].time_ns < chosen->start_ns)
            ++at;
    }
    const auto total = run.has_journal ? static_cast<std::int64_t>(run.events.size())
                                       : static_cast<std::int64_t>(run.history.size());
    std::int64_t first = at - events_max / 10;
    // A cut far into a long fault: the cut messages matter more than the fault's first row.
    if (first_drop >= first + events_max - kMarginEvents) first = first_drop - events_max / 2;
    first = std::max<std::int64_t>(0, std::min(first, total - events_max));
    segments->push_back({first, std::min(total, first + events_max) - 1});
    return chosen->label + " at " + format_ms(chosen->start_ns / 1000) +
           (cut > 0 ? " (" + std::to_string(cut) + " messages cut while it lasted)" : "");
}

// ---------------------------------------------------------------------------------------------
// Filters.

bool mentions_key(const nlohmann::json& body, const std::string& key) {
    if (!body.is_object()) return false;
    auto same = [&](const nlohmann::json& value) {
        if (value.is_string()) return value.get<std::string>() == key;
        if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>()) == key;
        return false;
    };
    if (body.contains("key") && same(body["key"])) return true;
    for (const char* field : {"offsets", "msgs"}) {
        if (body.contains(field) && body[field].is_object() && body[field].contains(key))
            return true;
    }
    if (body.contains("keys") && body["keys"].is_array()) {
        for (const auto& item : body["keys"])
            if (same(item)) return true;
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// DOT. Layout for dot: an invisible spine of one node per row fixes the rows' order; every
// point of a row shares the spine node's rank (rank=same); each lifeline is one chain of its
// points from a header name to a footer name. Flat invisible edges in the header fix the
// columns' order, and the heavy lifeline chains keep them straight.

struct Point {
    std::string name;
    std::int32_t column = 0;
};

struct Row {
    std::vector<Point> points;
    std::string band_label;  // non-empty: a band across all lifelines
    std::string band_colour;
    std::string band_tooltip;
};

class DotWriter {
  public:
    explicit DotWriter(std::vector<std::string> columns) : columns_(std::move(columns)) {}

    std::size_t column_count() const { return columns_.size(); }

    std::size_t add_row() {
        rows_.emplace_back();
        return rows_.size() - 1;
    }
    std::string add_point(std::size_t row, std::int32_t column) {
        std::string name = "e" + std::to_string(row) + "_" + std::to_string(column);
        for (const auto& point : rows_[row].points)
            if (point.column == column) return name;
        rows_[row].points.push_back({name, column});
        return name;
    }
    void add_band(std::size_t row, const std::string& label, const std::string& colour,
                  const std::string& tooltip) {
        rows_[row].band_label = label;
        rows_[row].band_colour = colour;
        rows_[row].band_tooltip = tooltip;
        add_point(row, 0);
        add_point(row, static_cast<std::int32_t>(columns_.size()) - 1);
    }
    // `span_rows`: how many rows the edge crosses; dot pays one virtual node per row crossed.
    void add_edge(std::string line, std::int64_t span_rows) {
        edges_.push_back(std::move(line));
        crossed_rows_ += std::max<std::int64_t>(1, span_rows);
    }
    // Roughly the node count of dot's coordinate phase: every lifeline and every arrow has a
    // (virtual) node in each row it crosses.
    std::int64_t layout_cost() const {
        return static_cast<std::int64_t>(rows_.size() * columns_.size()) + crossed_rows_;
    }

    // Rows are 22 pt apart and columns 170 pt; positions are given explicitly so that a window
    // too large for dot's coordinate phase (whose cost grows with every rank an arrow spans)
    // renders with the same geometry through the pinned-position engine.
    std::string finish(const std::string& caption, const std::string& engine) const {
        constexpr int kRowPt = 22;
        constexpr int kColumnPt = 170;
        const auto rows = static_cast<int>(rows_.size());
        auto pos = [&](int column, int row) {
            // Graphviz's y grows upwards; row -1 is the header, `rows` the footer.
            return ", pos=\"" + std::to_string(column * kColumnPt) + "," +
                   std::to_string((rows - row) * kRowPt) + "!\"";
        };
        std::string out;
        out.reserve(256 * (rows_.size() + edges_.size()) + 4096);
        out += "digraph lamport {\n";
        out += "  graph [layout=" + engine +
               ", newrank=true, mclimit=0.01, nslimit=1, nslimit1=1, searchsize=5, "
               "remincross=false, nodesep=0.9, ranksep=0.16, splines=line, "
               "outputorder=edgesfirst, fontname=\"Helvetica\", fontsize=12, labelloc=b, "
               "labeljust=l, bgcolor=white, label=" +
               quoted(caption) + "];\n";
        out += "  node [shape=point, width=0.05, height=0.05, color=\"#bbbbbb\", label=\"\"];\n";
        out += "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.6];\n";
        // Header and footer names; the spine sits left of the first column.
        for (const char* end : {"h", "f"}) {
            const int row = end[0] == 'h' ? -1 : rows;
            out += "  { rank=same; s" + std::string(end) + " [style=invis" + pos(-1, row) + "];";
            for (std::size_t c = 0; c < columns_.size(); ++c) {
                out += " " + std::string(end) + std::to_string(c) +
                       " [shape=plaintext, fontname=\"Helvetica\", fontsize=12, fontcolor=" +
                       (end[0] == 'h' ? "\"#000000\"" : "\"#aaaaaa\"") +
                       ", label=" + quoted(columns_[c]) + pos(static_cast<int>(c), row) + "];";
            }
            out += " }\n";
            out += "  s" + std::string(end);
            for (std::size_t c = 0; c < columns_.size(); ++c)
                out += " -> " + std::string(end) + std::to_string(c);
            out += " [style=invis];\n";
        }
        // Rows.
        std::string previous = "sh";
        for (std::size_t r = 0; r < rows_.size(); ++r) {
            const auto row = static_cast<int>(r);
            const std::string spine = "s" + std::to_string(r);
            out += "  { rank=same; " + spine + " [style=invis" + pos(-1, row) + "];";
            for (const auto& point : rows_[r].points)
                out += " " + point.name + " [" + pos(point.column, row).substr(2) + "];";
            out += " }\n";
            out += "  " + previous + " -> " + spine + " [style=invis];\n";
            previous = spine;
        }
        out += "  " + previous + " -> sf [style=invis];\n";
        // Lifelines.
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            out += "  h" + std::to_string(c);
            for (const auto& row : rows_) {
                for (const auto& point : row.points)
                    if (point.column == static_cast<std::int32_t>(c)) out += " -> " + point.name;
            }
            out += " -> f" + std::to_string(c) +
                   " [arrowhead=none, color=\"#cccccc\", weight=100];\n";
        }
        // Bands.
        for (std::size_t r = 0; r < rows_.size(); ++r) {
            const Row& row = rows_[r];
            if (row.band_label.empty()) continue;
            const std::string left = "e" + std::to_string(r) + "_0";
            const std::string right =
                "e" + std::to_string(r) + "_" + std::to_string(columns_.size() - 1);
            if (left == right) {
                out += "  " + left + " [shape=box, style=filled, fillcolor=" +
                       quoted(row.band_colour) + ", fontsize=10, label=" + quoted(row.band_label) +
                       ", tooltip=" + quoted(row.band_tooltip) + "];\n";
            } else {
                // xlabel, not label: dot gives a labelled edge inside one rank a label node
                // in the rank above, and Graphviz 2.42 then double-frees that rank's node list
                // when an arrow with a label crosses it (render_svg). An xlabel is placed after
                // the layout and makes no node.
                out += "  " + left + " -> " + right + " [arrowhead=none, penwidth=7, color=" +
                       quoted(row.band_colour) + ", xlabel=" + quoted(row.band_label) +
                       ", fontsize=10, tooltip=" + quoted(row.band_tooltip) +
                       ", class=\"band\"];\n";
            }
        }
        for (const auto& edge : edges_) out += edge;
        out += "}\n";
        return out;
    }

  private:
    std::vector<std::string> columns_;
    std::vector<Row> rows_;
    std::vector<std::string> edges_;
    std::int64_t crossed_rows_ = 0;
};

// The row of a point named e<row>_<column>.
std::int64_t row_of_point(const std::string& name) {
    MP_ASSERT(name.size() > 1 && name[0] == 'e');
    return std::stoll(name.substr(1));
}

std::string edge_line(const std::string& from, const std::string& to, const std::string& colour,
                      const std::string& label, const std::string& tooltip,
                      const std::string& css_class, const std::string& id, bool dropped,
                      bool highlighted) {
    std::string line = "  " + from + " -> " + to + " [color=" + quoted(colour) +
                       ", fontcolor=" + quoted(colour == kClientColour ? "#1f5f9f" : colour) +
                       ", label=" + quoted(label) + ", tooltip=" + quoted(tooltip) +
                       ", class=" + quoted(css_class) + ", id=" + quoted(id);
    // A lost message ends in a cross where it would have been delivered (Graphviz has no cross
    // arrowhead: a bar plus a head label).
    if (dropped) line += ", style=dashed, arrowhead=tee, headlabel=\"✕\", labelfontsize=14";
    if (highlighted) line += ", penwidth=2.5";
    return line + "];\n";
}

std::string nemesis_label(const history::Op& op) {
    return shorten("nemesis " + op.f + " " + edn::write(op.value), 80);
}

// The window's rows as event indices (0-based), with gaps marked by -1.
std::vector<std::int64_t> window_events(const std::vector<Segment>& segments) {
    std::vector<std::int64_t> events;
    for (std::size_t s = 0; s < segments.size(); ++s) {
        if (s > 0) events.push_back(-1);
        for (std::int64_t e = segments[s].first; e <= segments[s].last; ++e) events.push_back(e);
    }
    return events;
}

std::string window_caption(const Diagram& diagram, std::int64_t gaps) {
    std::string caption = diagram.window + "\n";
    const std::int64_t drawn_range = diagram.last_event - diagram.first_event + 1;
    caption += (diagram.client_ops_only ? "history entries " : "events ") +
               std::to_string(diagram.first_event) + ".." + std::to_string(diagram.last_event) +
               " of " + std::to_string(diagram.total_events) + " shown; " +
               std::to_string(diagram.total_events - diagram.shown_events) + " left out";
    if (diagram.first_event == 0) {
        caption = diagram.window + "\nno events in the window; " +
                  std::to_string(diagram.total_events) + " left out";
    } else if (drawn_range != diagram.shown_events || gaps > 0) {
        caption += " (" + std::to_string(drawn_range - diagram.shown_events) +
                   " inside the range: init messages, filters, gaps)";
    }
    if (diagram.client_ops_only)
        caption += "\nno network journal: client operations only, invocation to completion";
    return caption;
}

}  // namespace

// -------------------------------------------------------------------------------------------------

std::optional<Run> load_run(const std::string& path, std::string* error) {
    MP_ASSERT(error != nullptr);
    Run run;
    std::error_code ec;
    fs::path history_path;
    if (fs::is_directory(path, ec)) {
        run.directory = path;
        history_path = fs::path(path) / "history.edn";
    } else if (fs::is_regular_file(path, ec)) {
        history_path = path;
        run.directory = fs::path(path).parent_path().string();
        if (run.directory.empty()) run.directory = ".";
    } else {
        *error = path + ": no such store directory or history file";
        return std::nullopt;
    }
    const bool bare_file = !fs::is_directory(path, ec);
    if (fs::exists(history_path, ec)) {
        history::ReadError read_error;
        auto history = history::read_history(history_path.string(), &read_error);
        if (!history) {
            *error = history_path.string() +
                     (read_error.line ? ":" + std::to_string(read_error.line) : std::string()) +
                     ": " + read_error.message;
            return std::nullopt;
        }
        run.history = std::move(*history);
    } else if (bare_file) {
        *error = history_path.string() + ": cannot read";
        return std::nullopt;
    }
    const fs::path journal_path = fs::path(run.directory) / "net-journal.jsonl";
    if (!bare_file && fs::exists(journal_path, ec)) {
        if (!parse_journal(journal_path, &run, error)) return std::nullopt;
        run.has_journal = true;
    } else if (!fs::exists(history_path, ec)) {
        *error = path + ": neither history.edn nor net-journal.jsonl";
        return std::nullopt;
    }
    const fs::path results_path = fs::path(run.directory) / "results.edn";
    if (fs::exists(results_path, ec)) {
        std::string text;
        if (!read_file(results_path, &text, error)) return std::nullopt;
        edn::ParseError parse_error;
        auto results = edn::parse(text, &parse_error);
        if (!results) {
            *error = results_path.string() + ":" + std::to_string(parse_error.line) + ": " +
                     parse_error.message;
            return std::nullopt;
        }
        run.results = std::move(*results);
    }
    return run;
}

std::optional<Diagram> build_diagram(const Run& run, const WindowOptions& options,
                                     std::string* error) {
    MP_ASSERT(error != nullptr);
    MP_ASSERT_GT(options.events_max, 0);
    Diagram diagram;
    diagram.client_ops_only = !run.has_journal;
    const auto total = run.has_journal ? static_cast<std::int64_t>(run.events.size())
                                       : static_cast<std::int64_t>(run.history.size());
    diagram.total_events = total;
    const history::Pairs pairs = history::pair_ops(run.history);

    // Which events.
    std::vector<Segment> segments;
    std::set<std::int64_t> highlighted_ops;  // history positions of invocations
    if (options.from_event || options.to_event) {
        const std::int64_t from = options.from_event.value_or(1);
        const std::int64_t to = options.to_event.value_or(from + options.events_max - 1);
        if (from < 1 || to < from || from > total) {
            *error = "--from-event/--to-event " + std::to_string(from) + ".." +
                     std::to_string(to) + " outside the run's " + std::to_string(total) +
                     " events";
            return std::nullopt;
        }
        segments.push_back({from - 1, std::min(to, total) - 1});
        diagram.window = "events " + std::to_string(from) + ".." + std::to_string(to);
        // An explicit range is drawn whole; the cap is for windows millpond chooses.
        segments = normalize(std::move(segments), total);
    } else if (options.around_op || !options.around_ops.empty()) {
        std::vector<std::int64_t> around = options.around_ops;
        if (options.around_op) around.insert(around.begin(), *options.around_op);
        std::vector<OpSpan> spans;
        for (std::int64_t index : around) {
            auto span = op_span(run, pairs, index);
            if (!span) {
                *error = "--around-op " + std::to_string(index) +
                         ": no op with that :index in the history";
                return std::nullopt;
            }
            spans.push_back(*span);
        }
        const std::int64_t share = options.events_max / static_cast<std::int64_t>(spans.size());
        for (const auto& span : spans) {
            add_op_segments(run, span, share, &segments);
            highlighted_ops.insert(span.invoke_position);
        }
        if (spans.size() == 1) {
            const OpSpan& span = spans.front();
            diagram.window =
                "around op " + std::to_string(span.invoke->index) + " (process " +
                std::to_string(span.invoke->process) + " :" + span.invoke->f + ", invoked at " +
                format_ms(span.invoke->time_ns / 1000) +
                (span.completion
                     ? ", :" + std::string(history::op_type_name(span.completion->type)) +
                           " at " + format_ms(span.completion->time_ns / 1000)
                     : std::string(", never completed")) +
                ")";
        } else {
            std::string names;
            for (const auto& span : spans)
                names += (names.empty() ? "" : ", ") + std::to_string(span.invoke->index);
            diagram.window = "around ops " + names;
        }
        segments = normalize(std::move(segments), ops_budget(options, spans.size()));
    } else {
        std::string anomaly;
        const auto indices = first_anomaly_ops(run, &anomaly);
        std::vector<OpSpan> spans;
        for (std::int64_t index : indices) {
            auto span = op_span(run, pairs, index);
            if (span) spans.push_back(*span);
        }
        std::string fault;
        if (!spans.empty()) {
            const std::int64_t share = options.events_max / static_cast<std::int64_t>(spans.size());
            std::string names;
            for (const auto& span : spans) {
                add_op_segments(run, span, share, &segments);
                highlighted_ops.insert(span.invoke_position);
                names += (names.empty() ? "" : ", ") + std::to_string(span.invoke->index);
            }
            diagram.window = "around the first anomaly, " + anomaly + " (ops " + names + ")";
        } else if (total > options.events_max && !(fault = first_fault(run, &segments,
                                                                        options.events_max))
                                                         .empty()) {
            diagram.window = "around the first fault, " + fault;
        } else if (total > 0) {
            segments.push_back({0, std::min(total, options.events_max) - 1});
            diagram.window = "the first " + std::to_string(segments.back().last + 1) + " events";
        }
        segments = normalize(std::move(segments), ops_budget(options, spans.size()));
    }
    if (!options.node.empty()) diagram.window += "; only messages to or from " + options.node;
    if (!options.key.empty()) diagram.window += "; only messages mentioning key " + options.key;
    if (!segments.empty()) {
        diagram.first_event = segments.front().first + 1;
        diagram.last_event = segments.back().last + 1;
    }
    const std::vector<std::int64_t> rows = window_events(segments);

    // Which of those are drawn, and the columns they use.
    std::vector<std::int64_t> send_of_message;  // message id -> send event index, or -1
    if (run.has_journal) {
        for (std::size_t i = 0; i < run.events.size(); ++i) {
            const Event& event = run.events[i];
            if (event.kind != journal::EventKind::kSend) continue;
            const auto id = static_cast<std::size_t>(event.message_id);
            if (id >= send_of_message.size()) send_of_message.resize(id + 1, -1);
            send_of_message[id] = static_cast<std::int64_t>(i);
        }
    }
    auto send_event = [&](const Event& event) -> const Event* {
        const auto id = static_cast<std::size_t>(event.message_id);
        if (id >= send_of_message.size() || send_of_message[id] < 0) return nullptr;
        return &run.events[static_cast<std::size_t>(send_of_message[id])];
    };
    auto drawn = [&](std::int64_t e) -> bool {
        if (run.has_journal) {
            const Event& event = run.events[static_cast<std::size_t>(e)];
            const std::string& type = run.types[static_cast<std::size_t>(event.type)];
            if (type == "init" || type == "init_ok") return false;
            if (!options.node.empty() &&
                run.participants[static_cast<std::size_t>(event.src)] != options.node &&
                run.participants[static_cast<std::size_t>(event.dest)] != options.node)
                return false;
            if (!options.key.empty()) {
                const Event* send =
                    event.kind == journal::EventKind::kSend ? &event : send_event(event);
                if (!send || !mentions_key(body_of(run, *send), options.key)) return false;
            }
            return true;
        }
        const history::Op& op = run.history[static_cast<std::size_t>(e)];
        if (!op.is_client()) return true;
        if (!options.node.empty() && "p" + std::to_string(op.process) != options.node)
            return false;
        if (!options.key.empty() &&
            edn::write(op.value).find("\"" + options.key + "\"") == std::string::npos)
            return false;
        return true;
    };
    std::vector<std::string> names;
    std::vector<char> row_drawn(rows.size(), 0);
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r] < 0 || !drawn(rows[r])) continue;
        row_drawn[r] = 1;
        ++diagram.shown_events;
        if (run.has_journal) {
            const Event& event = run.events[static_cast<std::size_t>(rows[r])];
            names.push_back(run.participants[static_cast<std::size_t>(event.src)]);
            names.push_back(run.participants[static_cast<std::size_t>(event.dest)]);
        } else {
            const history::Op& op = run.history[static_cast<std::size_t>(rows[r])];
            names.push_back(op.is_client() ? "p" + std::to_string(op.process) : "system");
            names.push_back("system");
        }
    }
    std::sort(names.begin(), names.end(), column_before);
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (names.empty()) names.push_back(run.has_journal ? "(no messages)" : "system");
    diagram.columns = names;
    std::map<std::string, std::int32_t> column_of;
    for (std::size_t c = 0; c < names.size(); ++c)
        column_of[names[c]] = static_cast<std::int32_t>(c);

    // Nemesis ops, as bands placed before the first event at or after their time.
    std::vector<const history::Op*> nemesis;
    for (const auto& op : run.history)
        if (!op.is_client() && op.type != history::OpType::kInvoke) nemesis.push_back(&op);
    std::size_t nemesis_next = 0;
    auto event_time_us = [&](std::int64_t e) {
        return run.has_journal ? run.events[static_cast<std::size_t>(e)].time_us
                               : run.history[static_cast<std::size_t>(e)].time_ns / 1000;
    };

    DotWriter dot(names);
    std::vector<std::int64_t> row_of_event;  // parallel to `rows`
    std::map<std::int64_t, std::string> point_of_event;
    std::int64_t gaps = 0;
    std::size_t before_row = 0;
    bool has_before_row = false;
    if (run.has_journal) {
        // Messages sent before the window start from this row.
        before_row = dot.add_row();
        has_before_row = true;
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r] < 0) {
            const std::int64_t left_out = rows[r + 1] - rows[r - 1] - 1;
            const std::size_t row = dot.add_row();
            ++gaps;
            dot.add_band(row, "… " + std::to_string(left_out) + " events left out …",
                         kInfoColour, "events not in the window");
            continue;
        }
        const std::int64_t time_us = event_time_us(rows[r]);
        while (nemesis_next < nemesis.size() &&
               nemesis[nemesis_next]->time_ns / 1000 <= time_us) {
            const history::Op& op = *nemesis[nemesis_next++];
            if (op.time_ns / 1000 < event_time_us(segments.front().first) && r == 0) continue;
            const std::size_t row = dot.add_row();
            dot.add_band(row, nemesis_label(op), kNemesisColour,
                         "nemesis :" + op.f + " " + edn::write(op.value) + " at " +
                             format_ms(op.time_ns / 1000));
        }
        if (!row_drawn[r]) continue;
        const std::size_t row = dot.add_row();
        if (run.has_journal) {
            const Event& event = run.events[static_cast<std::size_t>(rows[r])];
            const std::string& at = run.participants[static_cast<std::size_t>(
                event.kind == journal::EventKind::kSend ? event.src : event.dest)];
            point_of_event[rows[r]] = dot.add_point(row, column_of.at(at));
        } else {
            const history::Op& op = run.history[static_cast<std::size_t>(rows[r])];
            if (!op.is_client()) {
                dot.add_band(row, nemesis_label(op), kNemesisColour, edn::write(op.value));
                continue;
            }
            const std::string at = op.type == history::OpType::kInvoke
                                       ? "p" + std::to_string(op.process)
                                       : "system";
            point_of_event[rows[r]] = dot.add_point(row, column_of.at(at));
        }
    }

    // Arrows.
    std::set<std::int64_t> highlighted_messages;
    if (run.has_journal && !highlighted_ops.empty()) {
        // The op's request is the message its client sent at the invocation's time with the
        // op's type; its reply is the next message to that client.
        for (std::int64_t position : highlighted_ops) {
            const history::Op& op = run.history[static_cast<std::size_t>(position)];
            const std::int64_t at_us = op.time_ns / 1000;
            auto e = std::partition_point(run.events.begin(), run.events.end(),
                                          [&](const Event& x) { return x.time_us < at_us; });
            for (; e != run.events.end() && e->time_us == at_us; ++e) {
                if (e->kind != journal::EventKind::kSend || !run.is_client_name(e->src) ||
                    run.types[static_cast<std::size_t>(e->type)] != op.f)
                    continue;
                highlighted_messages.insert(e->message_id);
                for (auto reply = e + 1; reply != run.events.end(); ++reply) {
                    if (reply->kind == journal::EventKind::kSend && reply->dest == e->src) {
                        highlighted_messages.insert(reply->message_id);
                        break;
                    }
                }
                break;
            }
        }
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows[r] < 0 || !row_drawn[r]) continue;
        const std::int64_t e = rows[r];
        if (run.has_journal) {
            const Event& event = run.events[static_cast<std::size_t>(e)];
            if (event.kind == journal::EventKind::kSend) continue;
            const std::string& src = run.participants[static_cast<std::size_t>(event.src)];
            const std::string& dest = run.participants[static_cast<std::size_t>(event.dest)];
            const std::string& type = run.types[static_cast<std::size_t>(event.type)];
            const Event* send = send_event(event);
            Arrow arrow;
            arrow.message_id = event.message_id;
            arrow.src = src;
            arrow.dest = dest;
            arrow.end_event = e + 1;
            arrow.dropped = event.kind == journal::EventKind::kDrop;
            arrow.highlighted = highlighted_messages.count(event.message_id) > 0;
            std::string from;
            if (send) {
                const auto send_index = static_cast<std::int64_t>(send - run.events.data());
                auto it = point_of_event.find(send_index);
                if (it != point_of_event.end()) {
                    from = it->second;
                    arrow.start_event = send_index + 1;
                }
            }
            if (from.empty()) {
                MP_ASSERT(has_before_row);
                from = dot.add_point(before_row, column_of.at(src));
            }
            const nlohmann::json body = send ? body_of(run, *send) : nlohmann::json();
            const char* colour = type == "error"                                 ? kErrorColour
                                 : run.is_client_name(event.src) ||
                                           run.is_client_name(event.dest) ? kClientColour
                                                                          : kServerColour;
            const std::string tooltip = src + " → " + dest + " " +
                                        (body.is_null() ? "{\"type\":\"" + type + "\"}" : body.dump()) +
                                        (arrow.dropped ? " (dropped)" : "");
            const std::string& to = point_of_event.at(e);
            dot.add_edge(edge_line(from, to, colour, message_label(type, body), tooltip,
                                   arrow.dropped ? "drop" : "delivery",
                                   "m" + std::to_string(event.message_id), arrow.dropped,
                                   arrow.highlighted),
                         row_of_point(to) - row_of_point(from));
            diagram.arrows.push_back(std::move(arrow));
        } else {
            const history::Op& op = run.history[static_cast<std::size_t>(e)];
            if (!op.is_client() || op.type != history::OpType::kInvoke) continue;
            const std::int64_t done = pairs.completion_of[static_cast<std::size_t>(e)];
            auto it = done >= 0 ? point_of_event.find(done) : point_of_event.end();
            if (it == point_of_event.end()) continue;
            const history::Op& completion = run.history[static_cast<std::size_t>(done)];
            Arrow arrow;
            arrow.message_id = op.index;
            arrow.src = "p" + std::to_string(op.process);
            arrow.dest = "system";
            arrow.start_event = e + 1;
            arrow.end_event = done + 1;
            arrow.highlighted = highlighted_ops.count(e) > 0;
            const char* colour = completion.type == history::OpType::kOk     ? kClientColour
                                 : completion.type == history::OpType::kFail ? kErrorColour
                                                                             : kInfoColour;
            const std::string label =
                ":" + op.f + " " + edn::write(op.value) + " → :" +
                std::string(history::op_type_name(completion.type)) + " " +
                edn::write(completion.value);
            dot.add_edge(edge_line(point_of_event.at(e), it->second, colour,
                                   shorten(label, kLabelChars),
                                   edn::write(history::op_to_edn(op)) + " → " +
                                       edn::write(history::op_to_edn(completion)),
                                   "op", "op" + std::to_string(op.index), false,
                                   arrow.highlighted),
                         row_of_point(it->second) - row_of_point(point_of_event.at(e)));
            diagram.arrows.push_back(std::move(arrow));
        }
    }
    // dot's coordinate phase grows faster than linearly; past this many (virtual) nodes it takes
    // seconds, so larger windows keep the same pinned geometry under the "nop" engine.
    constexpr std::int64_t kDotCostMax = 2500;
    diagram.engine = dot.layout_cost() <= kDotCostMax ? "dot" : "nop";
    diagram.dot = dot.finish(window_caption(diagram, gaps), diagram.engine);
    return diagram;
}

namespace {

const char* engine_of(Agraph_t* graph) {
    char* layout = agget(graph, const_cast<char*>("layout"));
    return layout && std::strcmp(layout, "nop") == 0 ? "nop" : "dot";
}

// The layout itself, in the calling process.
bool render_svg_here(const std::string& dot, std::string* svg, std::string* error) {
    MP_ASSERT(svg != nullptr && error != nullptr);
#ifdef MILLPOND_LSAN
    // Graphviz keeps caches and plugin state for the life of the process by design.
    __lsan_disable();
#endif
    // Layout warnings (e.g. about overlapping labels) are noise for a generated graph.
    agseterr(AGERR);
    agseterrf([](char*) { return 0; });
    bool ok = false;
    // One Graphviz context per process, never freed: Graphviz 2.42's pango plugin keeps a
    // font cache across contexts, and a second gvContext() after gvFreeContext() reads freed
    // memory (AddressSanitizer shows it in textspan_size). render_svg calls this in a fresh
    // child each time, so each child makes its own.
    static GVC_t* const context = gvContext();
    Agraph_t* graph = agmemread(dot.c_str());
    if (!graph) {
        *error = "Graphviz could not parse the diagram";
    } else if (gvLayout(context, graph, engine_of(graph)) != 0) {
        *error = "Graphviz dot layout failed";
    } else {
        char* data = nullptr;
        unsigned int length = 0;
        if (gvRenderData(context, graph, "svg", &data, &length) != 0 || !data) {
            *error = "Graphviz could not render SVG";
        } else {
            svg->assign(data, length);
            ok = true;
        }
        gvFreeRenderData(data);
        gvFreeLayout(context, graph);
    }
    if (graph) agclose(graph);
#ifdef MILLPOND_LSAN
    __lsan_enable();
#endif
    return ok;
}

// Writes all of `bytes` to `fd`; false if the reader went away.
bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
    return true;
}

}  // namespace

bool render_svg(const std::string& dot, std::string* svg, std::string* error) {
    MP_ASSERT(svg != nullptr && error != nullptr);
    // The child answers on a pipe: 'S' and the SVG, or 'E' and the error line.
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        *error = std::string("could not start Graphviz: pipe: ") + std::strerror(errno);
        return false;
    }
    const pid_t child = ::fork();
    if (child < 0) {
        *error = std::string("could not start Graphviz: fork: ") + std::strerror(errno);
        ::close(pipe_fds[0]);
        ::close(pipe_fds[1]);
        return false;
    }
    if (child == 0) {
        ::close(pipe_fds[0]);
        std::string drawn, problem;
        const bool ok = render_svg_here(dot, &drawn, &problem);
        const bool sent = write_all(pipe_fds[1], ok ? "S" : "E") &&
                          write_all(pipe_fds[1], ok ? drawn : problem);
        // _exit: no atexit handlers, no flushing of stdio buffers the parent still owns.
        ::_exit(sent ? 0 : 3);
    }
    ::close(pipe_fds[1]);
    std::string answer;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t got = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        answer.append(buffer, static_cast<std::size_t>(got));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFSIGNALED(status)) {
        *error = "Graphviz crashed laying out the diagram (signal " +
                 std::to_string(WTERMSIG(status)) + ", " + strsignal(WTERMSIG(status)) + ")";
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || answer.empty()) {
        *error = "Graphviz failed laying out the diagram (exit status " +
                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")";
        return false;
    }
    if (answer[0] == 'E') {
        *error = answer.substr(1);
        return false;
    }
    MP_ASSERT(answer[0] == 'S');
    svg->assign(answer, 1, std::string::npos);
    return true;
}

int run_lamport_command(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
    WindowOptions options;
    std::string input;
    std::string output;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "-h" || arg == "--help") {
            out << "Usage: millpond lamport STORE_DIR|HISTORY.edn [--from-event A --to-event B "
                   "| --around-op N[,M...]] [--node ID] [--key K] [-o FILE.svg|FILE.dot]\n"
                   "Draws a Lamport diagram of a window of a stored run to STORE_DIR/messages.svg "
                   "(or -o).\nDefault window: around the ops that prove the first anomaly; for a "
                   "valid run the\nwhole run up to 2000 events, else 2000 events from just before "
                   "the first fault.\nWorks on a real Maelstrom store directory or a bare "
                   "history.edn too (no network\njournal: client operations only).\n";
            return 0;
        }
        const bool takes_value = arg == "--from-event" || arg == "--to-event" ||
                                 arg == "--around-op" || arg == "--node" || arg == "--key" ||
                                 arg == "-o" || arg == "--out";
        if (!takes_value) {
            if (!arg.empty() && arg[0] == '-') {
                err << "millpond lamport: unknown option " << arg << "\n";
                return 254;
            }
            if (!input.empty()) {
                err << "millpond lamport: more than one input (" << input << ", " << arg << ")\n";
                return 254;
            }
            input = arg;
            continue;
        }
        if (i + 1 >= args.size()) {
            err << "millpond lamport: " << arg << ": missing value\n";
            return 254;
        }
        const std::string& value = args[++i];
        if (arg == "--node") {
            options.node = value;
        } else if (arg == "--key") {
            options.key = value;
        } else if (arg == "-o" || arg == "--out") {
            output = value;
        } else if (arg == "--around-op") {
            // One op, or several separated by commas (an anomaly's ops).
            std::size_t start = 0;
            while (start <= value.size()) {
                std::size_t comma = value.find(',', start);
                if (comma == std::string::npos) comma = value.size();
                const auto number = parse_int(value.substr(start, comma - start));
                if (!number) {
                    err << "millpond lamport: --around-op: not an op :index (or a comma-separated "
                           "list of them): '"
                        << value << "'\n";
                    return 254;
                }
                options.around_ops.push_back(*number);
                start = comma + 1;
            }
        } else {
            const auto number = parse_int(value);
            if (!number) {
                err << "millpond lamport: " << arg << ": not a non-negative integer: '" << value
                    << "'\n";
                return 254;
            }
            if (arg == "--from-event") options.from_event = number;
            if (arg == "--to-event") options.to_event = number;
        }
    }
    if (input.empty()) {
        err << "millpond lamport: missing STORE_DIR (or history.edn)\n";
        return 254;
    }
    if (!options.around_ops.empty() && (options.from_event || options.to_event)) {
        err << "millpond lamport: --around-op and --from-event/--to-event exclude each other\n";
        return 254;
    }
    std::string error;
    auto run = load_run(input, &error);
    if (!run) {
        err << "millpond lamport: " << error << "\n";
        return 254;
    }
    auto diagram = build_diagram(*run, options, &error);
    if (!diagram) {
        err << "millpond lamport: " << error << "\n";
        return 254;
    }
    if (output.empty()) output = (fs::path(run->directory) / "messages.svg").string();
    std::string content = diagram->dot;
    const bool as_dot = output.size() >= 4 && output.compare(output.size() - 4, 4, ".dot") == 0;
    if (!as_dot && !render_svg(diagram->dot, &content, &error)) {
        err << "millpond lamport: " << error << "\n";
        return 255;
    }
    std::ofstream file(output, std::ios::binary | std::ios::trunc);
    file << content;
    file.close();
    if (!file) {
        err << "millpond lamport: " << output << ": cannot write\n";
        return 254;
    }
    if (diagram->client_ops_only)
        out << "no network journal: drawing client operations only (invocation to completion)\n";
    out << diagram->window << "\n";
    out << (diagram->client_ops_only ? "history entries " : "events ") << diagram->first_event
        << ".." << diagram->last_event << " of " << diagram->total_events << " shown ("
        << diagram->shown_events << " drawn, " << diagram->arrows.size() << " arrows); "
        << diagram->total_events - diagram->shown_events << " left out\n";
    out << "wrote " << output << "\n";
    return 0;
}

}  // namespace millpond::lamport
