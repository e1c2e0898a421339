#pragma once
// Maelstrom 0.2.3 writes kafka histories that lose the final phase (fixtures INDEX.md, spec
// §10): in history.edn the final :assign ops carry integer keys (the checker saw strings) and
// the final ok polls carry a bare [[:poll]] (the checker saw their results). Judged as stored,
// a valid run looks :unseen. history.txt, which Maelstrom writes beside it (tab-separated
// process, type, f, value, error; one line per op, in the same order), holds the true values.
// This module notices such a file and, when history.txt is there and lines up, puts the values
// back.

#include <cstdint>
#include <string>

#include "history.hpp"

namespace millpond::checkers {

struct RepairReport {
    bool lossy = false;     // the history shows 0.2.3's final-phase loss
    bool repaired = false;  // ...and every lossy op was restored from history.txt
    std::int64_t lossy_ops = 0;
    std::string note;  // one sentence for the user; empty when the history is not lossy
};

// How many ops look lossy: ok polls with a bare [[:poll]], and assigns with integer keys in a
// history whose other kafka ops use string keys.
std::int64_t count_lossy_ops(const history::History& history);

// Detects the loss and, if history.txt sits beside history_path and agrees with the history op
// by op (same count, process, type and f), replaces the value of every lossy op with the one
// history.txt records. All or nothing: if any lossy op cannot be restored, the history is left
// as it was and the note says why.
RepairReport repair_maelstrom_history(history::History& history, const std::string& history_path);

}  // namespace millpond::checkers
