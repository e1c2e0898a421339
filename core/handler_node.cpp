#include "handler_node.hpp"

#include <algorithm>

#include "assert.hpp"

namespace millpond {

void HandlerNode::on_init(const InitInfo& init, Instant now_us, Out& out) {
    id_ = init.node_id;
    node_ids_ = init.node_ids;
    seed_ = init.seed;
    incarnation_ = init.incarnation;
    rpc_.start_incarnation(init.incarnation);
    disk_at_start_ = init.disk;
    on_start(now_us, out);
}

void HandlerNode::handle(std::string type, Handler handler) {
    MP_ASSERT(std::none_of(handlers_.begin(), handlers_.end(),
                           [&](const auto& entry) { return entry.first == type; }));
    handlers_.emplace_back(std::move(type), std::move(handler));
}

void HandlerNode::on_message(Message&& message, Instant now_us, Out& out) {
    if (rpc_.on_reply(message, now_us, out)) return;
    const std::string_view type_view = body_type_view(message.body);
    auto it = std::find_if(handlers_.begin(), handlers_.end(),
                           [&](const auto& entry) { return entry.first == type_view; });
    if (it == handlers_.end()) {
        const std::string type = body_type(message.body);
        if (body_int_or_missing(message.body, "msg_id") >= 0) {
            reply_error(out, message, ErrorCode::kNotSupported,
                        type.empty() ? "body has no string 'type'"
                                     : "message type '" + type + "' is not supported");
        } else {
            out.log("ignoring message of type '" + type + "' from " + message.src);
        }
        return;
    }
    try {
        it->second(message, now_us, out);
    } catch (const MalformedRequest& error) {
        // The handler may have moved the body's fields away; the handler's own key names it.
        reply_error(out, message, ErrorCode::kMalformedRequest,
                    "malformed " + it->first + ": " + error.what());
    }
}

void HandlerNode::on_timer(const std::string& key, Instant now_us, Out& out) {
    if (rpc_.on_timer(key, now_us, out)) return;
    on_own_timer(key, now_us, out);
}

void HandlerNode::reply(Out& out, ReplyTo to, json&& body) {
    MP_ASSERT(body.is_object());
    set_body_ids(body, to.request_msg_id, rpc_.next_msg_id());
    out.send(std::move(to.dest), std::move(body));
}

void HandlerNode::reply_error(Out& out, ReplyTo to, ErrorCode code, std::string text) {
    reply(out, std::move(to), error_body(code, std::move(text), -1));
}

}  // namespace millpond
