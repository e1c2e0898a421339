#pragma once
// The pure node interface (sans-IO). A driver hands a node its inputs, each with `now`, and
// interprets the effects it writes into `out`. A node never reads a clock, never draws
// randomness except from the seed it is given, never starts a thread, never throws out of a
// step.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "effects.hpp"
#include "message.hpp"

namespace millpond {

struct InitInfo {
    NodeId node_id;
    std::vector<NodeId> node_ids;  // every node, in the test's order; same list for all
    std::uint64_t seed = 0;        // for the node's own Rng stream
    // What the node had synced to its simulated disk before it was killed; empty on first
    // start. A restarted node is a fresh object: this is all it keeps.
    std::map<std::string, std::string> disk;
    // 0 on first start, k after the k-th restart. A design may fold it into ids it hands out
    // (msg_ids restart at 1 in a fresh process).
    std::int32_t incarnation = 0;
};

class Node {
  public:
    virtual ~Node() = default;

    // The first input, exactly once. The driver answers Maelstrom's `init` with `init_ok`.
    virtual void on_init(const InitInfo& init, Instant now_us, Out& out) = 0;
    // Any message but init.
    virtual void on_message(Message&& message, Instant now_us, Out& out) = 0;
    // A timer set with Out::set_timer reached its deadline and was not cancelled or replaced.
    virtual void on_timer(const std::string& key, Instant now_us, Out& out) = 0;
};

// Shared by both drivers: if `message` is Maelstrom's init, validate it, call on_init and
// append the init_ok reply; otherwise pass it to on_message. Returns false, with an error
// reply (code 12) in `out`, when an init body is malformed.
// `restart` carries the disk and incarnation of a restarted node (null on first start).
bool dispatch_message(Node& node, Message&& message, std::uint64_t seed, Instant now_us,
                      Out& out, const InitInfo* restart = nullptr);

}  // namespace millpond
