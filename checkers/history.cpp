#include "history.hpp"

#include <fstream>
#include <map>
#include <sstream>

#include "core/assert.hpp"

namespace millpond::history {

std::string_view op_type_name(OpType type) {
    switch (type) {
        case OpType::kInvoke: return "invoke";
        case OpType::kOk: return "ok";
        case OpType::kFail: return "fail";
        case OpType::kInfo: return "info";
    }
    return "?";
}

const edn::Value* Op::find_extra(std::string_view key) const {
    for (const auto& [name, value] : extra)
        if (name == key) return &value;
    return nullptr;
}

void Op::set_extra(std::string_view key, edn::Value value) {
    for (auto& [name, existing] : extra) {
        if (name == key) {
            existing = std::move(value);
            return;
        }
    }
    extra.emplace_back(std::string(key), std::move(value));
}

edn::Value op_to_edn(const Op& op) {
    edn::Entries entries;
    entries.reserve(6 + op.extra.size());
    entries.emplace_back(edn::Value::keyword("index"), op.index);
    entries.emplace_back(edn::Value::keyword("time"), op.time_ns);
    entries.emplace_back(edn::Value::keyword("type"),
                         edn::Value::keyword(std::string(op_type_name(op.type))));
    entries.emplace_back(edn::Value::keyword("process"),
                         op.process == kNemesisProcess ? edn::Value::keyword("nemesis")
                                                       : edn::Value(op.process));
    entries.emplace_back(edn::Value::keyword("f"), edn::Value::keyword(op.f));
    entries.emplace_back(edn::Value::keyword("value"), op.value);
    for (const auto& [name, value] : op.extra)
        entries.emplace_back(edn::Value::keyword(name), value);
    return edn::Value::map(std::move(entries));
}

std::optional<Op> op_from_edn(const edn::Value& value, std::string* problem) {
    auto fail = [&](std::string text) -> std::optional<Op> {
        if (problem) *problem = std::move(text);
        return std::nullopt;
    };
    if (!value.is_map()) return fail("an op must be a map");
    Op op;
    bool has_type = false, has_process = false, has_f = false;
    for (const auto& [key, item] : value.entries()) {
        if (!key.is_keyword()) return fail("op keys must be keywords, got " + edn::write(key));
        const std::string& name = key.as_string();
        if (name == "index") {
            if (!item.is_int()) return fail(":index must be an integer");
            op.index = item.as_int();
        } else if (name == "time") {
            if (!item.is_int()) return fail(":time must be an integer");
            op.time_ns = item.as_int();
        } else if (name == "type") {
            if (item.is_keyword("invoke")) op.type = OpType::kInvoke;
            else if (item.is_keyword("ok")) op.type = OpType::kOk;
            else if (item.is_keyword("fail")) op.type = OpType::kFail;
            else if (item.is_keyword("info")) op.type = OpType::kInfo;
            else return fail(":type must be :invoke, :ok, :fail or :info, got " + edn::write(item));
            has_type = true;
        } else if (name == "process") {
            if (item.is_int()) op.process = item.as_int();
            else if (item.is_keyword("nemesis")) op.process = kNemesisProcess;
            else return fail(":process must be an integer or :nemesis, got " + edn::write(item));
            if (op.process < 0 && !item.is_keyword()) return fail(":process must not be negative");
            has_process = true;
        } else if (name == "f") {
            if (!item.is_keyword() && !item.is_string())
                return fail(":f must be a keyword, got " + edn::write(item));
            op.f = item.as_string();
            has_f = true;
        } else if (name == "value") {
            op.value = item;
        } else {
            op.extra.emplace_back(name, item);
        }
    }
    if (!has_type) return fail("op has no :type");
    if (!has_process) return fail("op has no :process");
    if (!has_f) return fail("op has no :f");
    return op;
}

void write_history(std::ostream& out, const History& history) {
    std::string line;
    for (const auto& op : history) {
        line.clear();
        edn::write(line, op_to_edn(op));
        line.push_back('\n');
        out << line;
    }
}

std::optional<History> parse_history(std::string_view text, ReadError* error) {
    auto fail = [&](std::size_t line, std::string message) -> std::optional<History> {
        if (error) {
            error->line = line;
            error->message = std::move(message);
        }
        return std::nullopt;
    };
    History history;
    bool saw_index = false;
    std::size_t line_number = 0;
    std::size_t start = 0;
    // A file that is one big vector of ops (some tools write that) is accepted too.
    std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '[') {
        edn::ParseError parse_error;
        auto all = edn::parse(text, &parse_error);
        if (!all) return fail(parse_error.line, parse_error.message);
        for (const auto& item : all->items()) {
            std::string problem;
            auto op = op_from_edn(item, &problem);
            if (!op) return fail(1, problem);
            history.push_back(std::move(*op));
        }
        for (std::size_t i = 0; i < history.size(); ++i) history[i].index = static_cast<std::int64_t>(i);
        return history;
    }
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        ++line_number;
        std::string_view line = text.substr(start, end - start);
        start = end + 1;
        if (line.find_first_not_of(" \t\r,") == std::string_view::npos) {
            if (end == text.size()) break;
            continue;
        }
        edn::ParseError parse_error;
        auto value = edn::parse(line, &parse_error);
        if (!value) {
            std::string message = parse_error.message;
            if (parse_error.message.rfind("unexpected end of input", 0) == 0 ||
                parse_error.message.rfind("unterminated", 0) == 0)
                message = "truncated op (" + message + ")";
            return fail(line_number, "column " + std::to_string(parse_error.column) + ": " + message);
        }
        std::string problem;
        auto op = op_from_edn(*value, &problem);
        if (!op) return fail(line_number, problem);
        if (value->find("index")) saw_index = true;
        history.push_back(std::move(*op));
        if (end == text.size()) break;
    }
    if (!saw_index)
        for (std::size_t i = 0; i < history.size(); ++i) history[i].index = static_cast<std::int64_t>(i);
    return history;
}

std::optional<History> read_history(const std::string& path, ReadError* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) {
            error->line = 0;
            error->message = "cannot open " + path;
        }
        return std::nullopt;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return parse_history(buffer.str(), error);
}

Pairs pair_ops(const History& history) {
    Pairs pairs;
    pairs.completion_of.assign(history.size(), -1);
    pairs.invocation_of.assign(history.size(), -1);
    std::map<std::int64_t, std::int64_t> open_by_process;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const Op& op = history[i];
        if (op.type == OpType::kInvoke) {
            open_by_process[op.process] = static_cast<std::int64_t>(i);
            continue;
        }
        auto it = open_by_process.find(op.process);
        if (it == open_by_process.end()) continue;  // a completion with no invocation
        pairs.completion_of[it->second] = static_cast<std::int64_t>(i);
        pairs.invocation_of[i] = it->second;
        open_by_process.erase(it);
    }
    return pairs;
}

}  // namespace millpond::history
