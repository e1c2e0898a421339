#pragma once
// zoo/poll-off-by-one — the bug: a poll starts one past the offset the client asked for.
// The client's offset means "the next message I have not read", and this design reads it as
// "the last message I read", so the message at the asked offset is never returned.
//
// The anomaly it must produce: :poll-skip (a process polls offsets 0..2, then 4..: offset 3 of
// the key exists but its polls jumped over it) and, on a key polled from 0, :lost-write
// (offset 0 is acknowledged but no poll ever returns it while later offsets are read).
// One node suffices; no faults needed.

#include "forward_node.hpp"

namespace millpond::kafka::zoo {

class PollOffByOneNode final : public ForwardNode {
  protected:
    Offset first_offset_returned(Offset asked) const override { return asked + 1; }
};

}  // namespace millpond::kafka::zoo
