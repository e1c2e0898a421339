#pragma once
// The shape shared by Maelstrom's services (service.clj `service-thread`): a participant that
// answers each request on its own, in arrival order, and sets no timers. The reply goes back to
// the request's src with `in_reply_to` = the request's msg_id (null when it had none, copied
// as-is when it is not an integer) and no msg_id of its own. A request the service cannot
// handle gets no reply at all, since Maelstrom's service thread throws, logs
// "Error in service worker!" and moves on; the caller times out.
//
// The simulator calls on_init once with node_id = the service's name; there is no init message.
// A later on_init (a node sent the service an init message) is logged and ignored.

#include <optional>
#include <string>

#include "core/node.hpp"

namespace millpond::sim {

class ServiceNode : public Node {
  public:
    void on_init(const InitInfo& init, Instant now_us, Out& out) final;
    void on_message(Message&& message, Instant now_us, Out& out) final;
    // REQUIRES: never called; services set no timers.
    void on_timer(const std::string& key, Instant now_us, Out& out) final;

    const NodeId& id() const { return id_; }

  protected:
    // The reply body (without in_reply_to) to `request`, or nullopt for no reply. May move
    // fields out of the request's body.
    virtual std::optional<json> on_request(Message& request, Out& out) = 0;
    // After on_init stored the id; services that draw randomness seed their Rng here.
    virtual void on_start(const InitInfo& /*init*/) {}

  private:
    NodeId id_;
    bool initialized_ = false;
};

}  // namespace millpond::sim
