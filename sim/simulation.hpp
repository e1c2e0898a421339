#pragma once
// One deterministic run: nodes, services and Maelstrom's clients behind a simulated network,
// driven by a single event queue. See simulation.cpp for the life cycle.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"
#include "checkers/journal.hpp"
#include "core/node.hpp"
#include "run_options.hpp"
#include "workload.hpp"

namespace millpond::sim {

using NodeFactory = std::function<std::unique_ptr<Node>(const NodeId& id)>;
using ServiceFactory = std::function<std::unique_ptr<Node>(const std::string& name)>;

struct RunOutcome {
    history::History history;
    journal::Journal journal;
    std::uint64_t fingerprint = 0;
    // Per participant (nodes and services), its log lines: node-logs/<id>.log.
    std::vector<std::pair<NodeId, std::vector<std::string>>> node_logs;
    // Schema violations and other client-side exceptions, for Maelstrom's :exceptions.
    std::vector<std::string> exceptions;
    // Non-empty when the run could not complete (init failed, a node threw, a budget hit).
    std::string aborted;
    std::uint64_t events_processed = 0;
    Instant end_time_us = 0;
};

// REQUIRES: options.nodes non-empty, concurrency > 0. `services` names the services to start
// (Maelstrom starts all four whatever the workload).
RunOutcome run_simulation(const RunOptions& options, Workload& workload,
                          const NodeFactory& make_node, const std::vector<std::string>& services,
                          const ServiceFactory& make_service);

}  // namespace millpond::sim
