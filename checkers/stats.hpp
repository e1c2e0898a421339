#pragma once
// The two checkers every Maelstrom workload composes beside its own: :stats (spec §6.3) and
// :availability (spec §6.4). Both read only op types and :f, never values.

#include <optional>

#include "edn.hpp"
#include "history.hpp"

namespace millpond::checkers {

// Jepsen's stats, as Maelstrom wraps it: client completions only (invocations and nemesis ops
// are not counted), {:valid? :count :ok-count :fail-count :info-count :by-f {f {...}}}, :by-f
// sorted by f. An f is valid iff it has at least one :ok. The top-level :valid? merges every f
// except :crash and :debug-topic-partitions, which always end :info by design (they still show
// in :by-f with their own :valid?).
edn::Value check_stats(const history::History& history);

// {:valid? :ok-fraction}: ok-fraction = number of :ok ops / number of :invoke ops over the
// whole history (1 when there are no invocations), written as Maelstrom writes it (a Java float,
// so 0.99961066, not 0.9996106...). min_fraction: nullopt for --availability unset (always
// valid), 1.0 for `total`, otherwise the fraction that must be reached (ok-fraction >= it).
edn::Value check_availability(const history::History& history, std::optional<double> min_fraction);

// A double rounded to float precision and spelled as Java's Float.toString would (the shortest
// decimal that reads back as the same float), held as the double of that decimal so the EDN
// writer prints the same digits.
double as_java_float(double value);

}  // namespace millpond::checkers
