#include "maelstrom_repair.hpp"

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <utility>
#include <vector>

#include "core/assert.hpp"

namespace millpond::checkers {

namespace {

bool is_bare_ok_poll(const history::Op& op) {
    if (op.type != history::OpType::kOk || op.f != "poll" || !op.value.is_sequential())
        return false;
    for (const auto& mop : op.value.items())
        if (mop.is_sequential() && mop.size() == 1 && mop.items()[0].is_keyword("poll"))
            return true;
    return false;
}

bool has_integer_key(const history::Op& op) {
    if (op.f != "assign" || !op.value.is_sequential()) return false;
    for (const auto& key : op.value.items())
        if (key.is_int()) return true;
    return false;
}

// Maelstrom's kafka keys are strings everywhere else; integer keys are only a loss when the
// rest of the history uses strings (a Jepsen history with integer keys throughout is fine).
bool uses_string_keys(const history::History& history) {
    for (const auto& op : history) {
        if (!op.value.is_sequential()) continue;
        if (op.f == "assign") {
            for (const auto& key : op.value.items())
                if (key.is_string()) return true;
        } else if (op.f == "send") {
            for (const auto& mop : op.value.items())
                if (mop.is_sequential() && mop.size() >= 2 && mop.items()[1].is_string())
                    return true;
        }
    }
    return false;
}

std::vector<std::size_t> lossy_positions(const history::History& history) {
    std::vector<std::size_t> positions;
    const bool string_keys = uses_string_keys(history);
    for (std::size_t i = 0; i < history.size(); ++i) {
        const auto& op = history[i];
        if (is_bare_ok_poll(op) || (string_keys && has_integer_key(op))) positions.push_back(i);
    }
    return positions;
}

struct TxtLine {
    std::string process;
    std::string type;
    std::string f;
    std::string value;
};

std::optional<std::vector<TxtLine>> read_txt(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::vector<TxtLine> lines;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty()) continue;
        std::vector<std::string> columns;
        std::size_t start = 0;
        while (true) {
            const std::size_t tab = line.find('\t', start);
            columns.push_back(line.substr(start, tab == std::string::npos ? tab : tab - start));
            if (tab == std::string::npos) break;
            start = tab + 1;
        }
        TxtLine parsed;
        if (columns.size() >= 4) {
            parsed = TxtLine{columns[0], columns[1], columns[2], columns[3]};
        }
        lines.push_back(std::move(parsed));  // a short line stays empty and will not match
    }
    return lines;
}

std::string process_text(const history::Op& op) {
    return op.process == history::kNemesisProcess ? ":nemesis" : std::to_string(op.process);
}

std::string describe(std::int64_t assigns, std::int64_t polls) {
    return std::to_string(assigns + polls) +
           " final-phase op(s) lost their values: " + std::to_string(assigns) +
           " assign(s) with integer keys, " + std::to_string(polls) + " ok poll(s) with no results";
}

}  // namespace

std::int64_t count_lossy_ops(const history::History& history) {
    return static_cast<std::int64_t>(lossy_positions(history).size());
}

RepairReport repair_maelstrom_history(history::History& history, const std::string& history_path) {
    RepairReport report;
    const std::vector<std::size_t> positions = lossy_positions(history);
    if (positions.empty()) return report;
    report.lossy = true;
    report.lossy_ops = static_cast<std::int64_t>(positions.size());
    std::int64_t assigns = 0, polls = 0;
    for (std::size_t i : positions) (history[i].f == "assign" ? assigns : polls)++;
    const std::string what = "history.edn looks like a lossy Maelstrom 0.2.3 kafka history (" +
                             describe(assigns, polls) + ")";
    const std::string consequence =
        ", so the verdict is on the lossy file: messages only the final polls returned will "
        "look unseen";

    const std::filesystem::path txt_path =
        std::filesystem::path(history_path).parent_path() / "history.txt";
    const auto txt = read_txt(txt_path.string());
    if (!txt) {
        report.note = what + "; there is no history.txt beside it" + consequence;
        return report;
    }
    if (txt->size() != history.size()) {
        report.note = what + "; history.txt beside it has " + std::to_string(txt->size()) +
                      " ops where history.edn has " + std::to_string(history.size()) + consequence;
        return report;
    }
    std::vector<std::pair<std::size_t, edn::Value>> restored;
    for (std::size_t i : positions) {
        const history::Op& op = history[i];
        const TxtLine& line = (*txt)[i];
        const std::string where = "history.txt line " + std::to_string(i + 1);
        if (line.process != process_text(op) ||
            line.type != ":" + std::string(history::op_type_name(op.type)) ||
            line.f != ":" + op.f) {
            report.note =
                what + "; " + where + " is not the same op as history.edn's" + consequence;
            return report;
        }
        edn::ParseError error;
        auto value = edn::parse(line.value, &error);
        if (!value || !value->is_sequential()) {
            report.note = what + "; " + where + " has a value that does not parse (" +
                          error.message + ")" + consequence;
            return report;
        }
        history::Op candidate = op;
        candidate.value = *value;
        if (is_bare_ok_poll(candidate) || has_integer_key(candidate)) {
            report.note = what + "; " + where + " has lost the value too" + consequence;
            return report;
        }
        restored.emplace_back(i, std::move(*value));
    }
    for (auto& [i, value] : restored) history[i].value = std::move(value);
    MP_ASSERT_EQ(restored.size(), positions.size());
    report.repaired = true;
    report.note = what + "; restored all of them from history.txt beside it";
    return report;
}

}  // namespace millpond::checkers
