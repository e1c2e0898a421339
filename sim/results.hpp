#pragma once
// Composing Maelstrom's result tree (spec §6.2) and the human summary printed after a run.

#include <optional>
#include <string>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"
#include "checkers/journal.hpp"

namespace millpond::sim {

// {:exceptions :stats :availability [:net] :workload :valid?}; :net only with a journal.
// `exceptions` are client-side exception texts (schema violations), counted by text.
edn::Value compose_results(const history::History& history, const journal::Journal* journal,
                           const edn::Value& workload_result,
                           std::optional<double> availability,
                           const std::vector<std::string>& exceptions);

// 0 valid, 1 invalid, 2 unknown.
int exit_code_for(const edn::Value& valid);

// Jepsen's closing line for a verdict.
std::string verdict_line(const edn::Value& valid);

// The number at `path` in a result tree (ints read as doubles), or `fallback` when absent.
double number_at(const edn::Value& tree, std::initializer_list<const char*> path,
                 double fallback = 0);

// How many of one anomaly type (an entry of :error-types) a workload result reports: the
// entry's :count, or for :unseen (shaped {:unseen {key count}}) the sum over keys; 0 if none.
std::int64_t anomaly_count(const edn::Value& workload_result, const edn::Value& type);

// A few lines: op counts, availability, msgs-per-op, the workload's anomalies.
std::string summarize(const edn::Value& results);

}  // namespace millpond::sim
