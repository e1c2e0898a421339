#pragma once
// zoo/offset-restart — the bug: the owner keeps its messages on disk and reads them back after
// a kill, but its next-offset counter lives only in memory and restarts from zero. The first
// sends after a restart are given offsets that already hold acknowledged messages, and
// overwrite them.
//
// The anomaly it must produce: :inconsistent-offsets (offset 0 of a key acknowledged for one
// message before the kill and for another after it), usually with :lost-write (the
// overwritten messages are never polled again). Needs the kill fault on an owner after it
// appended, and a send to the same key after the restart.

#include "forward_node.hpp"

namespace millpond::kafka::zoo {

class OffsetRestartNode final : public ForwardNode {
  protected:
    Offset next_offset_recovered(const std::map<Offset, json>& /*log*/) const override {
        return 0;
    }
};

}  // namespace millpond::kafka::zoo
