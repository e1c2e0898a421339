#pragma once
// The anomalies a results.edn reports, each with the history ops that prove it.
//
// Jepsen's kafka checker names some proofs directly (lost-write's :writer and :max-read,
// poll-skip's :ops) but others only by key and offset (inconsistent-offsets, duplicate) or by
// message (unseen). For those, the ops are found in the history: the first ok op that observed
// each conflicting [offset message] pair, or the ok send of an unseen message. A report links
// each anomaly to a Lamport diagram cropped around exactly these ops.
//
// For workloads other than kafka (a real Maelstrom store of lin-kv, broadcast, ...) the
// anomalies are the entries of an invalid :workload result, with the op maps found inside.

#include <cstdint>
#include <string>
#include <vector>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"

namespace millpond::report {

struct Evidence {
    std::int64_t op_index = 0;  // the op's :index in the history (as results.edn names it)
    std::string role;           // what the op shows, e.g. "writer", "polled offset 3 = 7"
};

struct Anomaly {
    std::string kind;             // "inconsistent-offsets", or the :workload entry's name
    std::int64_t kind_count = 0;  // how many of this kind results.edn reports (0: unknown)
    edn::Value detail;            // the error as results.edn gives it
    std::vector<Evidence> evidence;  // at most kEvidenceMax, in results order, no duplicates
};

inline constexpr std::size_t kEvidenceMax = 8;

// The anomalies of an invalid :workload result, in results.edn's order: up to `per_kind_max`
// errors of each bad error type (each kind's first error first). Empty for a valid result.
std::vector<Anomaly> list_anomalies(const edn::Value& results, const history::History& history,
                                    std::size_t per_kind_max);

}  // namespace millpond::report
