#include "results.hpp"

#include <map>

#include "checkers/net_checker.hpp"
#include "checkers/stats.hpp"
#include "checkers/validity.hpp"
#include "decimal_text.hpp"

namespace millpond::sim {

edn::Value compose_results(const history::History& history, const journal::Journal* journal,
                           const edn::Value& workload_result,
                           std::optional<double> availability,
                           const std::vector<std::string>& exceptions) {
    edn::Value results = edn::Value::map();
    // Jepsen's unhandled-exceptions checker is informational: always valid, listing each
    // exception class with a count and an example.
    edn::Value exceptions_result = edn::Value::map();
    exceptions_result.set_entry("valid?", true);
    if (!exceptions.empty()) {
        std::map<std::string, std::int64_t> counts;
        for (const auto& text : exceptions) ++counts[text];
        edn::Items items;
        for (const auto& [text, count] : counts) {
            edn::Value entry = edn::Value::map();
            entry.set_entry("class", edn::Value::symbol("clojure.lang.ExceptionInfo"));
            entry.set_entry("count", count);
            entry.set_entry("example", text);
            items.push_back(std::move(entry));
        }
        exceptions_result.set_entry("exceptions", edn::Value::vector(std::move(items)));
    }
    results.set_entry("exceptions", exceptions_result);
    results.set_entry("stats", checkers::check_stats(history));
    results.set_entry("availability", checkers::check_availability(history, availability));
    if (journal) results.set_entry("net", checkers::check_net(*journal, history));
    results.set_entry("workload", workload_result);
    edn::Items valids;
    for (const auto& [key, value] : results.entries())
        if (const edn::Value* valid = value.find("valid?")) valids.push_back(*valid);
    results.set_entry("valid?", checkers::merge_valid(std::span<const edn::Value>(valids)));
    return results;
}

int exit_code_for(const edn::Value& valid) {
    if (valid.kind() == edn::Kind::kBool) return valid.as_bool() ? 0 : 1;
    return 2;
}

std::string verdict_line(const edn::Value& valid) {
    if (valid.kind() == edn::Kind::kBool && valid.as_bool())
        return "Everything looks good! ヽ(‘ー`)ノ";
    if (valid.kind() == edn::Kind::kBool) return "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻";
    return "Errors occurred during analysis, but no anomalies found. ಠ~ಠ";
}

double number_at(const edn::Value& tree, std::initializer_list<const char*> path,
                 double fallback) {
    const edn::Value* node = &tree;
    for (const char* key : path) {
        node = node->find(key);
        if (!node) return fallback;
    }
    if (node->kind() == edn::Kind::kInt || node->kind() == edn::Kind::kDouble)
        return node->as_double();
    return fallback;
}

namespace {

std::int64_t int_at(const edn::Value& tree, std::initializer_list<const char*> path) {
    return static_cast<std::int64_t>(number_at(tree, path));
}

}  // namespace

std::int64_t anomaly_count(const edn::Value& workload_result, const edn::Value& type) {
    std::int64_t count = 0;
    if (const edn::Value* entry = workload_result.find(type.as_string())) {
        if (const edn::Value* c = entry->find("count"); c && c->is_int()) {
            count = c->as_int();
        } else if (const edn::Value* per_key = entry->find("unseen");
                   per_key && per_key->is_map()) {
            for (const auto& [key, n] : per_key->entries())
                if (n.is_int()) count += n.as_int();
        }
    }
    return count;
}

std::string summarize(const edn::Value& results) {
    std::string out;
    const std::int64_t ok = int_at(results, {"stats", "ok-count"});
    const std::int64_t fail = int_at(results, {"stats", "fail-count"});
    const std::int64_t info = int_at(results, {"stats", "info-count"});
    out += "ops: " + std::to_string(ok + fail + info) + " completed: " + std::to_string(ok) +
           " ok, " + std::to_string(fail) + " fail, " + std::to_string(info) + " info\n";
    out += "availability: " + fixed(number_at(results, {"availability", "ok-fraction"}, 1.0), 4) + "\n";
    if (results.find("net")) {
        out += "net: " + std::to_string(int_at(results, {"net", "all", "msg-count"})) + " msgs (" +
               std::to_string(int_at(results, {"net", "servers", "msg-count"})) +
               " between servers), msgs-per-op " +
               fixed(number_at(results, {"net", "all", "msgs-per-op"}, 0), 3) + " (servers " +
               fixed(number_at(results, {"net", "servers", "msgs-per-op"}, 0), 3) + ")\n";
    }
    if (const edn::Value* workload = results.find("workload")) {
        if (const edn::Value* types = workload->find("error-types"); types && types->size() > 0) {
            out += "anomalies:";
            for (const auto& type : types->items()) {
                const std::int64_t count = anomaly_count(*workload, type);
                out += " " + edn::write(type) + (count ? " " + std::to_string(count) : "");
            }
            out += "\n";
        }
        if (const edn::Value* notes = workload->find("notes"); notes && notes->is_sequential())
            for (const auto& note : notes->items())
                out += "note: " + (note.is_string() ? note.as_string() : edn::write(note)) + "\n";
        if (const edn::Value* errors = workload->find("errors"); errors && errors->size() > 0)
            out += "workload errors: " + std::to_string(errors->size()) + "\n";
    }
    return out;
}

}  // namespace millpond::sim
