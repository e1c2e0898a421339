#pragma once
// An ok poll's highest offset per key, handed from the kafka client that read the reply to the
// workload's observe(), so that observe() does not read every [offset msg] pair again.
//
// observe() needs each ok poll's highest polled offset per key (Jepsen's op->max-poll-offsets,
// for track-key-offsets and poll-unseen). The client has just computed exactly that while it
// checked the reply. Reading it back out of the history value was a second pass over pairs
// that sit scattered in shared memory: 1.5 % of a 5-node run's instructions and about 3.7 % of
// its time (session 13's profile). So the client notes the offsets together with the value it
// completes the poll with; the simulator records that completion and calls observe() at once,
// and observe() uses the note only for that very value (the same shared object, which
// copy-on-write keeps unchanged while the note holds it). Anything else -- a note left by a
// poll that ended in an error, a value made elsewhere -- is read the slow way, so the note
// changes what a run costs, never what it computes.

#include <cstdint>
#include <utility>
#include <vector>

#include "checkers/edn.hpp"

namespace millpond::sim {

class PolledOffsetsNote {
  public:
    // (key, highest offset) per key of the poll, in the value's key order; -1 for a key that
    // came back with an empty list.
    using KeyOffsets = std::vector<std::pair<std::int64_t, std::int64_t>>;

    // Keeps `offsets` as what `value` says, until take(). Replaces any earlier note.
    void note(const edn::Value& value, const KeyOffsets& offsets) {
        value_ = value;
        offsets_.assign(offsets.begin(), offsets.end());
    }

    // When the note was made for `value` itself, swaps its offsets into *offsets and returns
    // true; otherwise returns false and leaves *offsets alone. Either way the note is spent.
    bool take(const edn::Value& value, KeyOffsets* offsets) {
        const bool same = value_.shares_parts_with(value);
        if (same) offsets->swap(offsets_);
        value_ = edn::Value();
        return same;
    }

  private:
    edn::Value value_;  // nil when there is no note
    KeyOffsets offsets_;
};

}  // namespace millpond::sim
