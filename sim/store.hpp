#pragma once
// Writing a run to the store the way Maelstrom lays it out (spec §6.1):
// store/<workload>/<run-id>/ plus the links store/latest, store/current and
// store/<workload>/latest. The directory is written under a temporary name and renamed into
// place, so a run is either fully there or not at all.

#include <string>
#include <vector>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"
#include "checkers/journal.hpp"
#include "core/message.hpp"

namespace millpond::sim {

struct StoredRun {
    std::string workload;
    std::string run_id;  // e.g. 20261121T180405.123Z-s7
    const history::History* history = nullptr;
    const journal::Journal* journal = nullptr;  // may be null
    const edn::Value* results = nullptr;
    std::vector<std::pair<NodeId, std::vector<std::string>>> node_logs;
    nlohmann::json test;   // test.json: options, seed, fingerprint, repro line
    std::string console;   // jepsen.log: what the run printed
};

// Returns the run's directory, or throws std::runtime_error with a one-line reason.
std::string write_run(const std::string& store_dir, const StoredRun& run);

// Maelstrom's history.txt: process, type, f, value (and error) separated by tabs.
void write_history_txt(std::ostream& out, const history::History& history);

// Writes results.edn and results.json into `directory` (atomically, file by file).
void write_results(const std::string& directory, const edn::Value& results);

}  // namespace millpond::sim
