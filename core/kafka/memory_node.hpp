#pragma once
// Kafka log, design "memory": one node holds everything.
//
// Protocol. Every request is answered from this node's own memory in the step it arrives: a
// send appends to the key's log and returns the new offset; a poll reads up to the poll cap
// from each requested offset; a commit raises each key's committed offset; a list reads them.
//
// Invariant. Each key's log has dense offsets 0, 1, 2, ... and only grows, so an offset once
// returned always names the same message; a committed offset only moves forward (a commit
// lower than the current one is ignored and still acknowledged, because the committed offset
// already covers it).
//
// Cost. Zero server-to-server messages: one request in, one reply out, per client RPC.
//
// Partition. Unaffected: Maelstrom never partitions clients, and this node talks to nobody.
// It is correct only as the single node of a test: with several nodes each would keep its own
// unrelated logs (so clients of different nodes would see different messages at one offset).
//
// Faults beyond Maelstrom. drop, duplicate and slow touch only server-to-server messages, of
// which this design has none; pause only delays answers; skew changes nothing (it reads no
// clock). kill is fatal by design: the log lives only in memory, so a restarted node starts
// from empty logs, forgets acknowledged sends (:lost-write) and hands their offsets out again
// (:inconsistent-offsets). millpond's kill sweep shows it on every one of 100 seeds.

#include "../handler_node.hpp"
#include "log_store.hpp"

namespace millpond::kafka {

class MemoryNode final : public HandlerNode {
  public:
    MemoryNode();

  private:
    void on_send(Message& request, Out& out);
    void on_poll(Message& request, Out& out);
    void on_commit_offsets(Message& request, Out& out);
    void on_list_committed_offsets(Message& request, Out& out);

    LogStore store_;
};

}  // namespace millpond::kafka
