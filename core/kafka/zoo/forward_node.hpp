#pragma once
// The bug zoo's plain design, correct: every zoo bug but kv-no-cas is this class with exactly
// one hook overridden, so the diff between a broken design and a working one is one function.
// It is not offered as a backend (owner is the tuned version of the same idea); it exists so
// that each zoo design can be read as "the plain design, except ...".
//
// Protocol. The owner of a key is sorted(node_ids)[fnv1a64(key) mod n]. A send at the owner
// appends to its log, writes the message to the owner's disk and syncs before answering; a send
// elsewhere is forwarded (zoo_send) and answered with the owner's offset. A poll answers owned
// keys from the log and forwards the other keys, one zoo_poll per owner. A restarted owner
// reads its log back from disk and continues after the highest offset it finds.
// Committed offsets are kept per node, in memory: Maelstrom's client never reads them back
// (spec §3.2), so they cannot change a verdict, and the zoo's bugs are all in the log.
//
// Invariant. Only the owner assigns offsets, from a counter that is always one past the
// highest offset it ever assigned (in memory, and recovered from the synced log after a
// kill), so offsets are dense and unique; a poll's run starts at the asked offset and is
// contiguous. A forwarded send is acknowledged only once the owner has appended and synced it.
//
// Faults. A forwarded send carries the forwarder's incarnation, and the owner answers a
// repeat of one it applied (the network may duplicate it) with the same reply instead of
// appending again; a lost forward is a timeout. So drop and duplicate leave the plain design
// valid, and a zoo design under them shows its own bug, not this one.
//
// Cost. 0 server messages for requests about owned keys, 2 per forward (and per owner a poll
// involves). Partition: a forward that times out (kForwardTimeoutUs) answers a send with 13
// (the owner may have appended) and leaves that key out of a poll's reply.

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "../../handler_node.hpp"
#include "../protocol.hpp"
#include "local_commits.hpp"

namespace millpond::kafka::zoo {

class ForwardNode : public HandlerNode {
  public:
    static constexpr Instant kForwardTimeoutUs = 1'000'000;

    ForwardNode();

  protected:
    // The hooks, each in its correct form. A zoo design overrides one of them.

    // The members in the order ownership indexes them: sorted, so every node agrees.
    virtual std::vector<NodeId> owner_order() const;
    // The first offset a poll returns when the client asks for `asked`: `asked` itself.
    virtual Offset first_offset_returned(Offset asked) const { return asked; }
    // A send for a key owned elsewhere: forward it and answer with the owner's offset.
    virtual void send_elsewhere(SendRequest send, Message& request, Instant now_us, Out& out);
    // The next offset after a restart, given the log read back from disk: one past its end.
    virtual Offset next_offset_recovered(const std::map<Offset, json>& log) const;
    // A key owned elsewhere that this node can answer a poll for without asking the owner
    // (appends to `pairs` and returns true), or false to forward: always forward.
    virtual bool poll_without_owner(const std::string& /*key*/, Offset /*asked*/,
                                    json& /*pairs*/) const {
        return false;
    }
    // Called after the owner appended (offset, msg) for key.
    virtual void on_appended(const std::string& /*key*/, Offset /*offset*/, const json& /*msg*/,
                             Instant /*now_us*/, Out& /*out*/) {}

    void on_start(Instant now_us, Out& out) override;

    const NodeId& owner(const std::string& key) const;
    bool owns(const std::string& key) const { return owner(key) == id(); }
    // Appends at this node (the owner, as far as the caller knows), durably.
    Offset append_owned(const std::string& key, json msg, Instant now_us, Out& out);
    // [[offset, msg], ...] of this node's log of key from the asked offset, contiguous.
    json owned_run(const std::string& key, Offset asked) const;
    // Forwards a send to `owner_id` and answers the client with the owner's offset.
    void forward_send(const NodeId& owner_id, SendRequest send, Message& request,
                      Instant now_us, Out& out);

  private:
    struct PollOp {
        Message handle;
        json msgs = json::object();
        std::size_t forwards_remaining = 0;
    };

    void on_send(Message& request, Instant now_us, Out& out);
    void on_poll(Message& request, Instant now_us, Out& out);
    void on_commit_offsets(Message& request, Out& out);
    void on_list_committed_offsets(Message& request, Out& out);
    void on_owner_send(Message& request, Instant now_us, Out& out);
    void on_owner_poll(Message& request, Out& out);
    void finish_poll(PollOp& op, Out& out);

    // Replies to the forwarded sends applied here, by (forwarder, its incarnation, msg_id).
    std::map<std::tuple<NodeId, std::int64_t, std::int64_t>, json> applied_sends_;
    std::vector<NodeId> owners_;
    std::map<std::string, std::map<Offset, json>> log_;  // owned keys: offset -> message
    std::map<std::string, Offset> next_offset_;
    LocalCommits commits_;
};

}  // namespace millpond::kafka::zoo
