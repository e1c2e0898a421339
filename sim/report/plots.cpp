#include "plots.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/assert.hpp"
#include "markup.hpp"

namespace millpond::report {

namespace {

// Plot geometry in SVG pixels.
constexpr double kWidth = 900;
constexpr double kHeight = 380;
constexpr double kLeft = 70;
constexpr double kRight = 190;  // the legend lives here
constexpr double kTop = 34;
constexpr double kBottom = 48;
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kPlotHeight = kHeight - kTop - kBottom;

// Maelstrom's timeline colours: ok blue, info orange, fail pink.
const char* outcome_colour(history::OpType type) {
    switch (type) {
        case history::OpType::kOk: return "#3a7fd5";
        case history::OpType::kInfo: return "#f08c00";
        case history::OpType::kFail: return "#e8308c";
        case history::OpType::kInvoke: break;
    }
    return "#888888";
}

const char* period_colour(const std::string& kind) {
    if (kind == "partition") return "#f2a7a7";
    if (kind == "kill") return "#b7b7f0";
    if (kind == "pause") return "#f0dc9a";
    return "#cfcfcf";
}

const char* kSeriesColours[] = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b",
                                "#17becf", "#bcbd22", "#7f7f7f", "#d62728"};

std::string number(double value, int decimals = 1) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
    return buffer;
}

std::string escape(const std::string& text) { return escape_markup(text); }

// A step of 1, 2 or 5 times a power of ten giving at most `ticks_max` ticks over `range`.
double nice_step(double range, int ticks_max) {
    if (range <= 0) return 1;
    double step = std::pow(10.0, std::floor(std::log10(range / ticks_max)));
    for (double factor : {1.0, 2.0, 5.0, 10.0}) {
        if (range / (step * factor) <= ticks_max) return step * factor;
    }
    return step * 10;
}

struct Frame {
    double time_max_s = 1;
    double x(double time_s) const { return kLeft + time_s / time_max_s * kPlotWidth; }
};

double history_end_s(const history::History& history) {
    std::int64_t end_ns = 0;
    for (const auto& op : history) end_ns = std::max(end_ns, op.time_ns);
    return std::max(1e-3, static_cast<double>(end_ns) / 1e9);
}

void open_svg(std::string& out, const std::string& title, const std::string& css_class) {
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"" + css_class + "\" width=\"" +
           number(kWidth, 0) + "\" height=\"" + number(kHeight, 0) + "\" viewBox=\"0 0 " +
           number(kWidth, 0) + " " + number(kHeight, 0) +
           "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"11\">\n";
    out += "<title>" + escape(title) + "</title>\n";
    out += "<rect x=\"0\" y=\"0\" width=\"" + number(kWidth, 0) + "\" height=\"" +
           number(kHeight, 0) + "\" fill=\"white\"/>\n";
    out += "<text x=\"" + number(kLeft, 0) + "\" y=\"20\" font-size=\"14\" font-weight=\"bold\">" +
           escape(title) + "</text>\n";
}

// Shaded fault periods under the data, each with a tooltip.
void draw_periods(std::string& out, const Frame& frame,
                  const std::vector<NemesisPeriod>& periods) {
    for (const auto& period : periods) {
        const double x0 = frame.x(static_cast<double>(period.start_ns) / 1e9);
        const double x1 = frame.x(static_cast<double>(period.end_ns) / 1e9);
        out += "<rect class=\"nemesis nemesis-" + escape(period.kind) + "\" x=\"" + number(x0) +
               "\" y=\"" + number(kTop) + "\" width=\"" + number(std::max(1.0, x1 - x0)) +
               "\" height=\"" + number(kPlotHeight) + "\" fill=\"" + period_colour(period.kind) +
               "\" fill-opacity=\"0.45\"><title>" +
               escape(period.label + " from " + number(period.start_ns / 1e9, 3) + " s to " +
                      number(period.end_ns / 1e9, 3) + " s" +
                      (period.healed ? "" : " (not healed before the end)")) +
               "</title></rect>\n";
    }
}

void draw_time_axis(std::string& out, const Frame& frame) {
    const double bottom = kTop + kPlotHeight;
    out += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(bottom) + "\" x2=\"" +
           number(kLeft + kPlotWidth) + "\" y2=\"" + number(bottom) + "\" stroke=\"black\"/>\n";
    const double step = nice_step(frame.time_max_s, 10);
    const int decimals = step >= 1 ? 0 : step >= 0.1 ? 1 : 2;
    for (double t = 0; t <= frame.time_max_s + step * 1e-9; t += step) {
        const double x = frame.x(t);
        out += "<line x1=\"" + number(x) + "\" y1=\"" + number(bottom) + "\" x2=\"" + number(x) +
               "\" y2=\"" + number(bottom + 4) + "\" stroke=\"black\"/><text x=\"" + number(x) +
               "\" y=\"" + number(bottom + 16) + "\" text-anchor=\"middle\">" +
               number(t, decimals) + "</text>\n";
    }
    out += "<text x=\"" + number(kLeft + kPlotWidth / 2) + "\" y=\"" + number(kHeight - 8) +
           "\" text-anchor=\"middle\">time (s)</text>\n";
}

// Legend rows at the right, top to bottom.
class Legend {
  public:
    void add(std::string& out, const std::string& mark, const std::string& text) {
        const double y = kTop + 8 + 16 * rows_++;
        const double x = kLeft + kPlotWidth + 16;
        std::string shape = mark;
        // `mark` is drawn around (0, 0); move it into the row.
        out += "<g transform=\"translate(" + number(x + 6) + "," + number(y) + ")\">" + shape +
               "</g><text x=\"" + number(x + 18) + "\" y=\"" + number(y + 4) + "\">" +
               escape(text) + "</text>\n";
    }
    void add_periods(std::string& out, const std::vector<NemesisPeriod>& periods) {
        std::vector<std::string> kinds;
        for (const auto& period : periods)
            if (std::find(kinds.begin(), kinds.end(), period.kind) == kinds.end())
                kinds.push_back(period.kind);
        for (const auto& kind : kinds)
            add(out,
                "<rect x=\"-6\" y=\"-5\" width=\"12\" height=\"10\" fill=\"" +
                    std::string(period_colour(kind)) + "\" fill-opacity=\"0.45\"/>",
                kind);
    }

  private:
    int rows_ = 0;
};

// Point shapes by :f, each a path around (0, 0).
std::string shape(std::size_t f_number, const char* colour, double x, double y) {
    const std::string fill = std::string("fill=\"") + colour + "\"";
    switch (f_number % 5) {
        case 0: return "<circle cx=\"" + number(x) + "\" cy=\"" + number(y) + "\" r=\"2.2\" " + fill + "/>";
        case 1: return "<rect x=\"" + number(x - 2) + "\" y=\"" + number(y - 2) + "\" width=\"4\" height=\"4\" " + fill + "/>";
        case 2: return "<path d=\"M" + number(x) + "," + number(y - 2.6) + "l2.4,4.4h-4.8z\" " + fill + "/>";
        case 3: return "<path d=\"M" + number(x) + "," + number(y - 2.8) + "l2.8,2.8l-2.8,2.8l-2.8,-2.8z\" " + fill + "/>";
        default: return "<path d=\"M" + number(x - 2.4) + "," + number(y - 2.4) + "l4.8,4.8m0,-4.8l-4.8,4.8\" stroke=\"" + colour + "\" stroke-width=\"1.4\"/>";
    }
}

// The :f names of client ops, in order of first appearance.
std::vector<std::string> client_fs(const history::History& history) {
    std::vector<std::string> fs;
    for (const auto& op : history)
        if (op.is_client() && std::find(fs.begin(), fs.end(), op.f) == fs.end()) fs.push_back(op.f);
    return fs;
}

std::size_t position_of(const std::vector<std::string>& names, const std::string& name) {
    return static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

bool opens(const std::string& f, std::string* kind) {
    if (f.rfind("start-", 0) == 0) {
        *kind = f.substr(6);
        return true;
    }
    if (f == "kill" || f == "pause") {
        *kind = f;
        return true;
    }
    return false;
}

bool closes(const std::string& f, std::string* kind) {
    for (const char* prefix : {"stop-", "heal-", "un"}) {
        const std::string p = prefix;
        if (f.rfind(p, 0) == 0 && f.size() > p.size()) {
            *kind = f.substr(p.size());
            return true;
        }
    }
    if (f == "start" || f == "restart") {
        *kind = "kill";
        return true;
    }
    if (f == "resume") {
        *kind = "pause";
        return true;
    }
    return false;
}

}  // namespace

std::vector<NemesisPeriod> nemesis_periods(const history::History& history) {
    std::vector<NemesisPeriod> periods;
    std::int64_t end_ns = 0;
    for (const auto& op : history) end_ns = std::max(end_ns, op.time_ns);
    // Jepsen records each nemesis op twice (invocation and completion, both :info): an entry
    // with the same :f as the unpaired one before it is that op's completion.
    std::string pending_f;
    std::size_t last_closed = 0;
    bool closed_by_pending = false;
    for (const auto& op : history) {
        if (op.is_client()) continue;
        if (!pending_f.empty() && op.f == pending_f) {
            // A stop takes effect when it completes; keep the later time.
            if (closed_by_pending) periods[last_closed].end_ns = op.time_ns;
            pending_f.clear();
            continue;
        }
        pending_f = op.f;
        closed_by_pending = false;
        std::string kind;
        if (closes(op.f, &kind)) {
            for (std::size_t p = 0; p < periods.size(); ++p) {
                if (periods[p].kind != kind || periods[p].healed) continue;
                periods[p].end_ns = op.time_ns;
                periods[p].healed = true;
                last_closed = p;
                closed_by_pending = true;
                break;
            }
        } else {
            if (!opens(op.f, &kind)) kind = op.f;
            NemesisPeriod period;
            period.kind = kind;
            period.start_ns = op.time_ns;
            period.end_ns = end_ns;
            period.label = op.f + (op.value.is_nil() ? "" : " " + edn::write(op.value));
            periods.push_back(std::move(period));
        }
    }
    return periods;
}

std::string latency_raw_svg(const history::History& history) {
    const history::Pairs pairs = history::pair_ops(history);
    struct Point {
        double time_s;
        double latency_ms;
        std::size_t f_number;
        history::OpType type;
    };
    const std::vector<std::string> fs = client_fs(history);
    std::vector<Point> points;
    std::size_t ok_count = 0;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const history::Op& op = history[i];
        if (!op.is_client() || op.type != history::OpType::kInvoke) continue;
        const std::int64_t done = pairs.completion_of[i];
        if (done < 0) continue;
        const history::Op& completion = history[static_cast<std::size_t>(done)];
        points.push_back({static_cast<double>(op.time_ns) / 1e9,
                          static_cast<double>(completion.time_ns - op.time_ns) / 1e6,
                          position_of(fs, op.f), completion.type});
        if (completion.type == history::OpType::kOk) ++ok_count;
    }
    const std::size_t stride =
        points.size() > kLatencyPointsMax ? (ok_count + kLatencyPointsMax - 1) / kLatencyPointsMax
                                          : 1;
    double latency_min = 0;
    double latency_max = 0;
    bool zero_latency = false;
    for (const auto& point : points) {
        zero_latency = zero_latency || point.latency_ms <= 0;
        if (point.latency_ms <= 0) continue;
        latency_min = latency_min == 0 ? point.latency_ms : std::min(latency_min, point.latency_ms);
        latency_max = std::max(latency_max, point.latency_ms);
    }
    // Log scale over whole decades. Ops of 0 ms (clients have no latency) get a floor row of
    // their own, labelled 0, one decade below the fastest positive latency's decade.
    const double decade_positive = latency_min > 0 ? std::floor(std::log10(latency_min)) : -1;
    const double decade_low = zero_latency ? decade_positive - 1 : decade_positive;
    const double decade_high =
        std::max(decade_low + 1, latency_max > 0 ? std::ceil(std::log10(latency_max)) : 0);
    auto y_of = [&](double latency_ms) {
        const double decades = latency_ms > 0 ? std::clamp(std::log10(latency_ms),
                                                           decade_positive, decade_high)
                                              : decade_low;
        return kTop + kPlotHeight - (decades - decade_low) / (decade_high - decade_low) * kPlotHeight;
    };

    Frame frame;
    frame.time_max_s = history_end_s(history);
    const std::vector<NemesisPeriod> periods = nemesis_periods(history);
    std::string out;
    out.reserve(256 + points.size() / stride * 80);
    open_svg(out, "Raw latency", "plot latency-raw");
    draw_periods(out, frame, periods);
    for (double d = decade_low; d <= decade_high; d += 1) {
        const double y = zero_latency && d == decade_low ? y_of(0) : y_of(std::pow(10.0, d));
        const double value = std::pow(10.0, d);
        out += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(y) + "\" x2=\"" +
               number(kLeft + kPlotWidth) + "\" y2=\"" + number(y) +
               "\" stroke=\"#e4e4e4\"/><text x=\"" + number(kLeft - 6) + "\" y=\"" +
               number(y + 4) + "\" text-anchor=\"end\">" +
               (zero_latency && d == decade_low
                    ? std::string("0")
                    : number(value, value >= 1 ? 0 : static_cast<int>(-d))) +
               "</text>\n";
    }
    out += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(kTop) + "\" x2=\"" + number(kLeft) +
           "\" y2=\"" + number(kTop + kPlotHeight) + "\" stroke=\"black\"/>\n";
    out += "<text transform=\"translate(18," + number(kTop + kPlotHeight / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">latency (ms, log scale)</text>\n";
    draw_time_axis(out, frame);
    out += "<g class=\"points\">\n";
    std::size_t ok_seen = 0;
    std::size_t drawn = 0;
    for (const auto& point : points) {
        if (point.type == history::OpType::kOk && ok_seen++ % stride != 0) continue;
        out += shape(point.f_number, outcome_colour(point.type), frame.x(point.time_s),
                     y_of(point.latency_ms));
        out += '\n';
        ++drawn;
    }
    out += "</g>\n";
    Legend legend;
    for (auto type : {history::OpType::kOk, history::OpType::kInfo, history::OpType::kFail})
        legend.add(out, shape(0, outcome_colour(type), 0, 0),
                   std::string(history::op_type_name(type)));
    for (std::size_t f = 0; f < fs.size(); ++f)
        legend.add(out, shape(f, "#444444", 0, 0), ":" + fs[f]);
    legend.add_periods(out, periods);
    std::string caption = std::to_string(points.size()) + " completed ops";
    if (stride > 1)
        caption += "; 1 in " + std::to_string(stride) + " ok ops drawn (" + std::to_string(drawn) +
                   " points), every info and fail";
    out += "<text x=\"" + number(kLeft + kPlotWidth) + "\" y=\"20\" text-anchor=\"end\" fill=\"#555\">" +
           escape(caption) + "</text>\n";
    out += "</svg>\n";
    return out;
}

std::string rate_svg(const history::History& history) {
    Frame frame;
    frame.time_max_s = history_end_s(history);
    // One-second buckets as the plot's unit; long runs use Maelstrom's ten.
    const double bucket_s = frame.time_max_s > 300 ? 10 : 1;
    const auto buckets = static_cast<std::size_t>(std::ceil(frame.time_max_s / bucket_s));
    const std::vector<std::string> fs = client_fs(history);
    // (f, outcome) -> completions per bucket.
    std::map<std::pair<std::size_t, int>, std::vector<double>> series;
    for (const auto& op : history) {
        if (!op.is_client() || op.type == history::OpType::kInvoke) continue;
        auto& counts = series[{position_of(fs, op.f), static_cast<int>(op.type)}];
        counts.resize(std::max<std::size_t>(buckets, 1), 0);
        const auto bucket = std::min(counts.size() - 1,
                                     static_cast<std::size_t>(op.time_ns / 1e9 / bucket_s));
        counts[bucket] += 1.0 / bucket_s;
    }
    double rate_max = 1;
    for (const auto& [key, counts] : series)
        for (double rate : counts) rate_max = std::max(rate_max, rate);
    const double step = nice_step(rate_max, 6);
    const double top = std::ceil(rate_max / step) * step;
    auto y_of = [&](double rate) { return kTop + kPlotHeight - rate / top * kPlotHeight; };

    const std::vector<NemesisPeriod> periods = nemesis_periods(history);
    std::string out;
    open_svg(out, "Throughput", "plot rate");
    draw_periods(out, frame, periods);
    for (double r = 0; r <= top + step * 1e-9; r += step) {
        const double y = y_of(r);
        out += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(y) + "\" x2=\"" +
               number(kLeft + kPlotWidth) + "\" y2=\"" + number(y) +
               "\" stroke=\"#e4e4e4\"/><text x=\"" + number(kLeft - 6) + "\" y=\"" +
               number(y + 4) + "\" text-anchor=\"end\">" + number(r, step >= 1 ? 0 : 1) +
               "</text>\n";
    }
    out += "<line x1=\"" + number(kLeft) + "\" y1=\"" + number(kTop) + "\" x2=\"" + number(kLeft) +
           "\" y2=\"" + number(kTop + kPlotHeight) + "\" stroke=\"black\"/>\n";
    out += "<text transform=\"translate(18," + number(kTop + kPlotHeight / 2) +
           ") rotate(-90)\" text-anchor=\"middle\">completions per second</text>\n";
    draw_time_axis(out, frame);
    Legend legend;
    for (const auto& [key, counts] : series) {
        const auto& [f_number, type_number] = key;
        const auto type = static_cast<history::OpType>(type_number);
        const char* colour = kSeriesColours[f_number % std::size(kSeriesColours)];
        const char* dash = type == history::OpType::kOk     ? ""
                           : type == history::OpType::kInfo ? " stroke-dasharray=\"6,3\""
                                                            : " stroke-dasharray=\"2,2\"";
        std::string points;
        for (std::size_t b = 0; b < counts.size(); ++b) {
            const double mid_s = std::min(frame.time_max_s, (static_cast<double>(b) + 0.5) * bucket_s);
            points += (b ? " " : "") + number(frame.x(mid_s)) + "," + number(y_of(counts[b]));
        }
        const std::string name = ":" + fs[f_number] + " " +
                                 std::string(history::op_type_name(type));
        out += "<polyline class=\"series\" fill=\"none\" stroke=\"" + std::string(colour) +
               "\" stroke-width=\"1.6\"" + dash + " points=\"" + points + "\"><title>" +
               escape(name) + "</title></polyline>\n";
        legend.add(out,
                   "<line x1=\"-7\" y1=\"0\" x2=\"7\" y2=\"0\" stroke=\"" + std::string(colour) +
                       "\" stroke-width=\"2\"" + dash + "/>",
                   name);
    }
    legend.add_periods(out, periods);
    out += "<text x=\"" + number(kLeft + kPlotWidth) + "\" y=\"20\" text-anchor=\"end\" fill=\"#555\">" +
           escape(number(bucket_s, 0) + " s buckets") + "</text>\n";
    out += "</svg>\n";
    return out;
}

}  // namespace millpond::report
