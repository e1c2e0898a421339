#pragma once
// One run of `millpond test`'s options, judged: the workload built from the options, the
// simulation with Maelstrom's four services, the workload checker (or :valid? :unknown when
// the run aborted), and Maelstrom's composed result tree. `millpond test`, `sweep` and
// `figures` all go through here, so they cannot drift apart in how a run becomes a verdict.

#include <vector>

#include "checkers/edn.hpp"
#include "run_options.hpp"
#include "simulation.hpp"

namespace millpond::sim {

struct JudgedRun {
    RunOutcome outcome;
    edn::Value workload_result;  // the :workload entry
    edn::Value results;          // the whole tree, :valid? merged
};

// REQUIRES: options parsed by parse_test_args (a known workload and backend).
JudgedRun run_and_judge(const RunOptions& options);

// Latency of every :ok client op (completion time - invocation time), in history order.
std::vector<Instant> ok_latencies_us(const history::History& history);

}  // namespace millpond::sim
