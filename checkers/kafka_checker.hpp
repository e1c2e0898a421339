#pragma once
// The kafka workload checker: Jepsen's `jepsen.tests.kafka` analysis as Maelstrom runs it
// (spec §3.4, §3.5, §10), written for speed (every pass is linear or n log n in the history;
// the realtime cycle search works on a compressed graph, so a 5-node, 32k-op run that Maelstrom
// never finished analysing takes well under a second).
//
// The result is Maelstrom's `:workload` map:
//   {:valid? :worst-realtime-lag :bad-error-types :error-types :info-txn-causes
//    <one key per error type> :notes}
// Each error type maps to {:count n :errs (...)}, cut down as Jepsen's condense-error does
// (§3.5), except :unseen, which keeps its own {:time :unseen :messages} shape. :notes (present
// only when non-empty) is millpond's: plain sentences saying where the history was odd and how
// millpond decided where Maelstrom's checker would have thrown (§10).
//
// Semantics follow Jepsen 0.3.7 (Maelstrom 0.2.4) where it differs from 0.3.1 (Maelstrom
// 0.2.3, which made the recorded fixture verdicts); on Maelstrom's own histories the verdicts
// agree. Where millpond deliberately differs, the .cpp says so next to the rule.
//
// Deterministic: keys and values are ordered by edn::Value's total order wherever Jepsen
// iterates a hash map or takes "any" element of a set; processes ascend; ops keep history order.

#include "edn.hpp"
#include "history.hpp"

namespace millpond::checkers {

// Checks a kafka history (client ops and nemesis ops together, as Maelstrom records it).
// Never throws and never asserts on bad input: a malformed op is skipped and noted.
edn::Value check_kafka(const history::History& history);

}  // namespace millpond::checkers
