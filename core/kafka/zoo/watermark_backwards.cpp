#include "watermark_backwards.hpp"

#include "../../assert.hpp"
#include "../../body.hpp"

namespace millpond::kafka::zoo {

namespace {
constexpr const char* kReplicate = "zoo_replicate";
}  // namespace

WatermarkBackwardsNode::WatermarkBackwardsNode() {
    handle(kReplicate, [this](Message& message, Instant, Out&) { on_replicate(message); });
}

void WatermarkBackwardsNode::on_appended(const std::string& key, Offset offset, const json& msg,
                                         Instant, Out& out) {
    // No msg_id: a broadcast nobody answers.
    for (const auto& node : node_ids())
        if (node != id())
            out.send(node, {{"type", kReplicate}, {"key", key}, {"offset", offset}, {"msg", msg}});
}

void WatermarkBackwardsNode::on_replicate(Message& message) {
    const std::string key = require_string(message.body, "key");
    const Offset offset = require_int(message.body, "offset");
    Replica& replica = replicas_[key];
    replica.msgs[offset] = message.body["msg"];
    // THE BUG: the last arrival, not the contiguous prefix, sets the watermark.
    replica.watermark = offset + 1;
    MP_ASSERT_GT(replica.watermark, offset);
}

bool WatermarkBackwardsNode::poll_without_owner(const std::string& key, Offset asked,
                                                json& pairs) const {
    auto replica = replicas_.find(key);
    if (replica == replicas_.end()) return false;
    // Everything below the watermark is taken to be there, so the map is walked as it is.
    for (auto it = replica->second.msgs.lower_bound(asked);
         it != replica->second.msgs.end() && it->first < replica->second.watermark &&
         pairs.size() < kPollMessagesPerKeyMax;
         ++it) {
        pairs.push_back(json::array({it->first, it->second}));
    }
    return true;
}

}  // namespace millpond::kafka::zoo
