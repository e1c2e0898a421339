#include "node.hpp"

#include "errors.hpp"

namespace millpond {

bool dispatch_message(Node& node, Message&& message, std::uint64_t seed, Instant now_us,
                      Out& out, const InitInfo* restart) {
    if (body_type_view(message.body) != "init") {
        node.on_message(std::move(message), now_us, out);
        return true;
    }
    const json& body = message.body;
    const std::int64_t msg_id = body_int_or_missing(body, "msg_id");
    auto bad = [&](std::string text) {
        out.send(message.src, error_body(ErrorCode::kMalformedRequest, std::move(text), msg_id));
        return false;
    };
    auto id_it = body.find("node_id");
    if (id_it == body.end() || !id_it->is_string()) return bad("init needs a string 'node_id'");
    auto ids_it = body.find("node_ids");
    if (ids_it == body.end() || !ids_it->is_array())
        return bad("init needs an array 'node_ids'");
    InitInfo init;
    init.node_id = id_it->get<std::string>();
    for (const auto& id : *ids_it) {
        if (!id.is_string()) return bad("init 'node_ids' must hold strings");
        init.node_ids.push_back(id.get<std::string>());
    }
    init.seed = seed;
    if (restart != nullptr) {
        init.disk = restart->disk;
        init.incarnation = restart->incarnation;
    }
    node.on_init(init, now_us, out);
    json reply = {{"type", "init_ok"}};
    if (msg_id >= 0) reply["in_reply_to"] = msg_id;
    out.send(message.src, std::move(reply));
    return true;
}

}  // namespace millpond
