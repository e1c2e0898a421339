#include "protocol.hpp"

#include <algorithm>

#include "../assert.hpp"
#include "../body.hpp"

namespace millpond::kafka {

namespace {

const json& message_of(const json* msg) { return *msg; }
const json& message_of(const json& msg) { return msg; }

template <typename Run>
json::array_t offset_pairs_of(Offset offset, const Run& run) {
    MP_ASSERT_GE(offset, 0);
    json::array_t pairs;
    pairs.reserve(run.size());
    for (const auto& msg : run) {
        // Built in its place: a pair built apart and moved in costs a move and a destroy more.
        auto& pair = pairs.emplace_back(json::value_t::array).get_ref<json::array_t&>();
        pair.reserve(2);
        pair.emplace_back(offset++);
        pair.emplace_back(message_of(msg));
    }
    MP_ASSERT_EQ(pairs.size(), run.size());
    return pairs;
}

}  // namespace

SendRequest parse_send(const json& body) {
    SendRequest request{require_string(body, "key"), require_field(body, "msg")};
    MP_ASSERT(body.is_object());
    return request;
}

const json::object_t& require_offsets(const json& body) {
    const auto& offsets = require_object(body, "offsets").get_ref<const json::object_t&>();
    for (const auto& [key, value] : offsets) {
        if (!value.is_number_integer())
            throw MalformedRequest("offset of key '" + key + "' must be an integer");
        if (value.get<Offset>() < 0)
            throw MalformedRequest("offset of key '" + key + "' must not be negative");
    }
    return offsets;
}

json::object_t take_offsets(json& body) {
    require_offsets(body);
    auto offsets = body.find("offsets");
    MP_ASSERT(offsets != body.end() && offsets->is_object());
    return std::move(offsets->get_ref<json::object_t&>());
}

std::map<std::string, Offset> parse_offsets(const json& body) {
    const json::object_t& offsets = require_offsets(body);
    std::map<std::string, Offset> result;
    // A JSON object iterates in the map's own key order, so each key goes in at the end with
    // no search.
    for (const auto& [key, value] : offsets)
        result.emplace_hint(result.end(), key, value.get<Offset>());
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
    // Built field by field: nlohmann's initializer-list form (json::object() too) allocates a
    // temporary array per field, and every send pays for this body.
    json body(json::value_t::object);
    append_field(body, "offset", offset);
    append_field(body, "type", "send_ok");
    return body;
}

json commit_offsets_ok_body() {
    json body(json::value_t::object);
    append_field(body, "type", "commit_offsets_ok");
    return body;
}

json list_committed_offsets_ok_body(const std::map<std::string, Offset>& offsets) {
    json::object_t object;
    // Same key order as the JSON object: each key goes in at the end with no search.
    for (const auto& [key, offset] : offsets) {
        MP_ASSERT_GE(offset, 0);
        object.emplace_hint(object.end(), key, offset);
    }
    MP_ASSERT_EQ(object.size(), offsets.size());
    json body(json::value_t::object);
    append_field(body, "offsets", std::move(object));
    append_field(body, "type", "list_committed_offsets_ok");
    return body;
}

json::array_t offset_pairs(Offset offset, std::span<const json> run) {
    return offset_pairs_of(offset, run);
}

json::array_t offset_pairs(Offset offset, const std::vector<const json*>& run) {
    return offset_pairs_of(offset, run);
}

std::size_t PollReplyBuilder::room() const {
    MP_ASSERT_LE(total_, kPollMessagesMax);
    return std::min(kPollMessagesPerKeyMax, kPollMessagesMax - total_);
}

void PollReplyBuilder::add(const std::string& key, Offset offset,
                           const std::vector<const json*>& run) {
    MP_ASSERT_LE(run.size(), room());
    if (!run.empty()) add_pairs(key, offset_pairs(offset, run));
}

void PollReplyBuilder::add(const std::string& key, Offset offset, std::span<const json> run) {
    MP_ASSERT_LE(run.size(), room());
    if (!run.empty()) add_pairs(key, offset_pairs(offset, run));
}

void PollReplyBuilder::add_pairs(const std::string& key, json::array_t pairs) {
    const std::size_t count = pairs.size();
    // Callers add keys in ascending order, so the hint makes this an append.
    auto& msgs = msgs_.get_ref<json::object_t&>();
    const std::size_t keys_before = msgs.size();
    msgs.emplace_hint(msgs.end(), key, std::move(pairs));
    MP_ASSERT_EQ(msgs.size(), keys_before + 1);  // no key twice
    total_ += count;
}

json PollReplyBuilder::finish() {
    MP_ASSERT(msgs_.is_object());
    json body(json::value_t::object);
    append_field(body, "msgs", std::move(msgs_));
    append_field(body, "type", "poll_ok");
    return body;
}

Message reply_handle(const Message& request) {
    json body(json::value_t::object);
    const std::int64_t msg_id = body_int_or_missing(request.body, "msg_id");
    if (msg_id >= 0) body.emplace("msg_id", msg_id);
    MP_ASSERT(body.is_object());
    return Message{request.src, request.dest, std::move(body)};
}

}  // namespace millpond::kafka
