#include "sim/services/service_node.hpp"

#include "core/assert.hpp"

namespace millpond::sim {

void ServiceNode::on_init(const InitInfo& init, Instant /*now_us*/, Out& out) {
    if (initialized_) {
        // Only reachable when a node sends an init message to a service and the driver routes
        // it through dispatch_message; Maelstrom's service would ignore it, so we keep our
        // state (and seed) rather than abort the run on a node's input.
        out.log("ignored a second init for " + id_ + " (node_id " + init.node_id + ")");
        return;
    }
    MP_ASSERT(!init.node_id.empty());
    id_ = init.node_id;
    initialized_ = true;
    on_start(init);
}

void ServiceNode::on_message(Message&& message, Instant /*now_us*/, Out& out) {
    MP_ASSERT(initialized_);
    MP_ASSERT_EQ(message.dest, id_);
    // Read before on_request, which may take the body apart.
    json in_reply_to = nullptr;
    if (message.body.is_object()) {
        auto it = message.body.find("msg_id");
        if (it != message.body.end()) in_reply_to = *it;
    }
    std::optional<json> reply = on_request(message, out);
    if (!reply) {
        const std::string type = body_type(message.body);
        out.log("no reply to " +
                (type.empty() ? std::string("a body without a string type") : "'" + type + "'") +
                " from " + message.src + ": " + id_ +
                " does not handle it (Maelstrom's service throws and stays silent)");
        return;
    }
    MP_ASSERT(reply->is_object());
    (*reply)["in_reply_to"] = std::move(in_reply_to);
    out.send(message.src, std::move(*reply));
}

void ServiceNode::on_timer(const std::string& key, Instant /*now_us*/, Out& /*out*/) {
    MP_ASSERT_EQ(key, std::string("<no timer: services set none>"));
}

}  // namespace millpond::sim
