#pragma once
// Comparing two runs of the same seed event by event: the first place their journals or
// histories part ways, printed both ways. Backs `millpond test --check-determinism`.

#include <optional>
#include <string>

#include "simulation.hpp"

namespace millpond::sim {

struct Divergence {
    std::string where;   // e.g. "journal event 1234" or "history op 56"
    std::string first;   // that event in the first run
    std::string second;  // ...and in the second ("<none>" when one run ended earlier)
};

// nullopt when the two runs are identical (same journal, history and fingerprint).
std::optional<Divergence> first_divergence(const RunOutcome& a, const RunOutcome& b);

}  // namespace millpond::sim
