#pragma once
// zoo/owner-unsorted — the bug: the owner of a key is computed over the node list in the
// order this node learnt it (itself first, then the others as init listed them) instead of
// over the sorted list. Every node then agrees with itself but not with the others: with two
// nodes, for half of the keys each node believes it is the owner, and for the other half each
// believes the other one is. Each keeps its own log of those keys.
//
// The anomaly it must produce: :inconsistent-offsets (two different messages acknowledged or
// polled at the same offset of one key, one from each node's log), usually with :lost-write
// or :unseen beside it. Two nodes with clients on both suffice; no faults needed.

#include "forward_node.hpp"

namespace millpond::kafka::zoo {

class OwnerUnsortedNode final : public ForwardNode {
  protected:
    std::vector<NodeId> owner_order() const override {
        std::vector<NodeId> ids{id()};
        for (const auto& other : node_ids())
            if (other != id()) ids.push_back(other);
        return ids;
    }
};

}  // namespace millpond::kafka::zoo
