#pragma once
// The RPC helper: allocates msg_ids, keeps one continuation per pending request, and times
// each out through a timer, so node code reads like Maelstrom's Go library while staying a
// pure state machine. A reply that arrives after its timeout is dropped, as Maelstrom's own
// clients do.

#include <functional>
#include <map>
#include <string>

#include "effects.hpp"
#include "message.hpp"

namespace millpond {

class Rpc {
  public:
    // Called with the reply body, or with a synthesised error body of code 0 (timeout).
    using Callback = std::function<void(json&& reply, Instant now_us, Out& out)>;

    static constexpr const char* kTimerPrefix = "rpc:";

    // Sends `body` (a msg_id is added) to dest and arms a timeout of timeout_us.
    MsgId call(Out& out, NodeId dest, json&& body, Instant now_us, Instant timeout_us,
               Callback callback);

    // If `message` is a reply (has in_reply_to), consumes it: runs the continuation when one
    // is pending, drops it otherwise, and returns true. Returns false for requests.
    bool on_reply(Message& message, Instant now_us, Out& out);

    // If `key` is one of this helper's timers, times the request out and returns true.
    bool on_timer(const std::string& key, Instant now_us, Out& out);

    // Fresh msg_id for any outgoing message of this node (requests and replies share it).
    MsgId next_msg_id() { return next_msg_id_++; }
    // A restarted node (incarnation k) numbers from k * 2^32 + 1, so its msg_ids never repeat
    // those of its earlier lives: a peer that deduplicates by (sender, msg_id) stays right.
    void start_incarnation(std::int32_t incarnation) {
        next_msg_id_ = (static_cast<MsgId>(incarnation) << 32) + 1;
    }
    std::size_t pending_count() const { return pending_.size(); }

  private:
    static std::string timer_key(MsgId id);

    MsgId next_msg_id_ = 1;
    std::map<MsgId, Callback> pending_;
};

}  // namespace millpond
