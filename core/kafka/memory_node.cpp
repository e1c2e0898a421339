#include "memory_node.hpp"

#include "../assert.hpp"

namespace millpond::kafka {

MemoryNode::MemoryNode() {
    handle("send", [this](Message& request, Instant, Out& out) { on_send(request, out); });
    handle("poll", [this](Message& request, Instant, Out& out) { on_poll(request, out); });
    handle("commit_offsets",
           [this](Message& request, Instant, Out& out) { on_commit_offsets(request, out); });
    handle("list_committed_offsets", [this](Message& request, Instant, Out& out) {
        on_list_committed_offsets(request, out);
    });
}

void MemoryNode::on_send(Message& request, Out& out) {
    SendRequest send = parse_send(request.body);
    const Offset end_before = store_.end(send.key);
    const Offset offset = store_.append(send.key, std::move(send.msg));
    MP_ASSERT_EQ(offset, end_before);
    reply(out, request, send_ok_body(offset));
}

void MemoryNode::on_poll(Message& request, Out& out) {
    PollReplyBuilder builder;
    for (const auto& [key, offset_value] : require_offsets(request.body)) {
        const Offset offset = offset_value.get<Offset>();
        std::span<const json> run = store_.read(key, offset, builder.room());
        MP_ASSERT_LE(static_cast<Offset>(run.size()),
                     std::max<Offset>(0, store_.end(key) - offset));
        builder.add(key, offset, run);
    }
    reply(out, request, builder.finish());
}

void MemoryNode::on_commit_offsets(Message& request, Out& out) {
    for (const auto& [key, offset_value] : require_offsets(request.body)) {
        const Offset offset = offset_value.get<Offset>();
        const Offset committed = store_.commit(key, offset);
        MP_ASSERT_GE(committed, offset);
    }
    reply(out, request, commit_offsets_ok_body());
}

void MemoryNode::on_list_committed_offsets(Message& request, Out& out) {
    const std::vector<std::string> keys = parse_keys(request.body);
    std::map<std::string, Offset> offsets;
    for (const auto& key : keys) {
        if (auto committed = store_.committed(key)) offsets.emplace(key, *committed);
    }
    MP_ASSERT_LE(offsets.size(), keys.size());
    reply(out, request, list_committed_offsets_ok_body(offsets));
}

}  // namespace millpond::kafka
