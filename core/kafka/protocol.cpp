#include "protocol.hpp"

#include <algorithm>

#include "../assert.hpp"
#include "../body.hpp"

namespace millpond::kafka {

SendRequest parse_send(const json& body) {
    SendRequest request{require_string(body, "key"), require_field(body, "msg")};
    MP_ASSERT(body.is_object());
    return request;
}

std::map<std::string, Offset> parse_offsets(const json& body) {
    const json& offsets = require_object(body, "offsets");
    std::map<std::string, Offset> result;
    for (const auto& [key, value] : offsets.items()) {
        if (!value.is_number_integer())
            throw MalformedRequest("offset of key '" + key + "' must be an integer");
        const Offset offset = value.get<Offset>();
        if (offset < 0) throw MalformedRequest("offset of key '" + key + "' must not be negative");
        result.emplace(key, offset);
    }
    MP_ASSERT_EQ(result.size(), offsets.size());
    return result;
}

std::vector<std::string> parse_keys(const json& body) {
    const json& keys = require_array(body, "keys");
    std::vector<std::string> result;
    result.reserve(keys.size());
    for (const auto& key : keys) {
        if (!key.is_string()) throw MalformedRequest("field 'keys' must hold strings");
        result.push_back(key.get<std::string>());
    }
    std::sort(result.begin(), result.end());
    result.erase(std::unique(result.begin(), result.end()), result.end());
    MP_ASSERT_LE(result.size(), keys.size());
    return result;
}

json send_ok_body(Offset offset) {
    MP_ASSERT_GE(offset, 0);
    // Built field by field: nlohmann's initializer-list form allocates a temporary array per
    // field, and every send pays for this body.
    json body = json::object();
    body.emplace("type", "send_ok");
    body.emplace("offset", offset);
    return body;
}

json commit_offsets_ok_body() { return {{"type", "commit_offsets_ok"}}; }

json list_committed_offsets_ok_body(const std::map<std::string, Offset>& offsets) {
    json object = json::object();
    for (const auto& [key, offset] : offsets) {
        MP_ASSERT_GE(offset, 0);
        object[key] = offset;
    }
    return {{"type", "list_committed_offsets_ok"}, {"offsets", std::move(object)}};
}

std::size_t PollReplyBuilder::room() const {
    MP_ASSERT_LE(total_, kPollMessagesMax);
    return std::min(kPollMessagesPerKeyMax, kPollMessagesMax - total_);
}

void PollReplyBuilder::add(const std::string& key, Offset offset,
                           const std::vector<const json*>& run) {
    MP_ASSERT_LE(run.size(), room());
    MP_ASSERT(!msgs_.contains(key));
    if (run.empty()) return;
    json pairs = json::array();
    pairs.get_ref<json::array_t&>().reserve(run.size());
    for (const json* msg : run) {
        json pair = json::array();
        auto& items = pair.get_ref<json::array_t&>();
        items.reserve(2);
        items.emplace_back(offset++);
        items.emplace_back(*msg);
        pairs.get_ref<json::array_t&>().push_back(std::move(pair));
    }
    msgs_.emplace(key, std::move(pairs));
    total_ += run.size();
}

json PollReplyBuilder::finish() {
    MP_ASSERT(msgs_.is_object());
    json body = json::object();
    body.emplace("type", "poll_ok");
    body.emplace("msgs", std::move(msgs_));
    return body;
}

Message reply_handle(const Message& request) {
    json body = json::object();
    const std::int64_t msg_id = body_int_or_missing(request.body, "msg_id");
    if (msg_id >= 0) body["msg_id"] = msg_id;
    MP_ASSERT(body.is_object());
    return Message{request.src, request.dest, std::move(body)};
}

}  // namespace millpond::kafka
