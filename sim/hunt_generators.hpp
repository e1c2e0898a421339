#pragma once
// RapidCheck generators for whole kafka runs as values: the workload's parameters (nodes,
// threads, latency, keys), a client script (which thread does what, when) and a fault
// schedule (each fault an event with a time, a kind, a target and a duration).
//
// Everything a later draw depends on is drawn first (threads after the thread count, targets
// after the node count), inside one gen::exec, so RapidCheck's shrinking stays valid: fewer
// nodes re-draw the targets among the nodes that are left. Message values are not drawn: the
// k-th send to a key sends k, so removing a send never leaves two sends of one value.

#include <cstdint>
#include <ostream>
#include <rapidcheck.h>
#include <vector>

#include "fault_schedule.hpp"
#include "run_options.hpp"

namespace millpond::sim {

struct RunShape {
    std::int32_t nodes_max = 4;            // 1 for the memory design
    std::int32_t ops_max = 40;
    std::int32_t faults_max = 3;
    std::vector<FaultKind> fault_kinds = {FaultKind::kPartition, FaultKind::kKill,
                                          FaultKind::kPause, FaultKind::kSlow};
};

// Runs like `base` (its backend, message faults, skew) with drawn nodes, threads, latency,
// keys, script and faults. The random fault schedules are off; the script ends the main
// phase one second after its last op or fault.
rc::Gen<RunOptions> gen_run(const RunOptions& base, const RunShape& shape);

// How RapidCheck prints a run in a failure report: as the scenario file that replays it.
void showValue(const RunOptions& run, std::ostream& out);

}  // namespace millpond::sim
