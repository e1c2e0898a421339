#pragma once
// A convenient base for node designs: register a handler per message type, reply, and call
// other participants with continuations, as with Maelstrom's Go library, but every action is
// an effect. It routes replies to the RPC helper, answers unknown request types with error 10
// and malformed ones (a MalformedRequest thrown by a handler) with error 12.

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "body.hpp"
#include "errors.hpp"
#include "node.hpp"
#include "rpc.hpp"

namespace millpond {

// Where the reply to a request goes: its source and msg_id (-1: it had none). A request
// converts to it, so a design that answers later keeps this instead of the request's body.
struct ReplyTo {
    ReplyTo(const Message& request)  // NOLINT(google-explicit-constructor): see above
        : dest(request.src), request_msg_id(body_int_or_missing(request.body, "msg_id")) {}

    NodeId dest;
    MsgId request_msg_id;
};

class HandlerNode : public Node {
  public:
    void on_init(const InitInfo& init, Instant now_us, Out& out) final;
    void on_message(Message&& message, Instant now_us, Out& out) final;
    void on_timer(const std::string& key, Instant now_us, Out& out) final;

  protected:
    using Handler = std::function<void(Message& request, Instant now_us, Out& out)>;

    // REQUIRES: called from the constructor or on_start, once per type.
    void handle(std::string type, Handler handler);

    // By rvalue: a body built for the reply is handed on, never moved into a copy of itself.
    void reply(Out& out, ReplyTo to, json&& body);
    void reply_error(Out& out, ReplyTo to, ErrorCode code, std::string text);
    MsgId rpc(Out& out, NodeId dest, json&& body, Instant now_us, Instant timeout_us,
              Rpc::Callback callback) {
        return rpc_.call(out, std::move(dest), std::move(body), now_us, timeout_us,
                         std::move(callback));
    }

    // After init: id() and node_ids() are known.
    virtual void on_start(Instant /*now_us*/, Out& /*out*/) {}
    // Timers the design set itself (not the RPC helper's).
    virtual void on_own_timer(const std::string& key, Instant /*now_us*/, Out& out) {
        out.log("unexpected timer " + key);
    }

    const NodeId& id() const { return id_; }
    const std::vector<NodeId>& node_ids() const { return node_ids_; }
    std::uint64_t seed() const { return seed_; }
    // 0 on first start, k after the k-th restart (the simulator's kill fault).
    std::int32_t incarnation() const { return incarnation_; }
    // What the node had synced to its disk before its last kill (empty on first start).
    const std::map<std::string, std::string>& disk_at_start() const { return disk_at_start_; }
    const Rpc& rpc_helper() const { return rpc_; }

  private:
    NodeId id_;
    std::vector<NodeId> node_ids_;
    std::uint64_t seed_ = 0;
    std::int32_t incarnation_ = 0;
    std::map<std::string, std::string> disk_at_start_;
    Rpc rpc_;
    // By registration order; a design registers a few types, and every delivered request
    // looks its type up: a scan that compares lengths first beats a tree's memcmp at each node.
    std::vector<std::pair<std::string, Handler>> handlers_;
};

}  // namespace millpond
