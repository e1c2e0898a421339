#pragma once
// The message model: Maelstrom's envelope. Bodies are nlohmann's JSON everywhere, in the
// simulator too, so the exact wire contract is exercised offline. Move bodies; never copy them
// on a hot path.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "body_allocator.hpp"
#include "sorted_fields.hpp"

namespace millpond {

// nlohmann's JSON with its objects kept in a sorted vector (see sorted_fields.hpp): the same
// library, API, member order and wire bytes as nlohmann::json, and far less allocation.
using json = nlohmann::basic_json<SortedFields, std::vector, std::string, bool, std::int64_t,
                                  std::uint64_t, double, BodyAllocator>;
using NodeId = std::string;
using MsgId = std::int64_t;
// Microseconds. In the simulator since the start of the run; under Maelstrom since the
// adapter started. Never decreases between two inputs to the same node.
using Instant = std::int64_t;

struct Message {
    NodeId src;
    NodeId dest;
    json body;
};

// JSON text longer than this is parsed through nlohmann::json (see parse_json).
inline constexpr std::size_t kDirectParseBytesMax = 4096;

// json::parse for text from outside (a Maelstrom line): the same value, the same exceptions.
// An object's keys arrive in whatever order the writer chose, and a SortedFields insertion out
// of key order moves every member after it, so building a large object in random order is
// quadratic: 10,000 shuffled keys take 165 ms where std::map takes 3 ms, and 50,000 take 4 s.
// Longer text is therefore parsed into nlohmann::json, whose std::map sorts as it goes, and
// converted member by member in key order, where each insertion is an append. Text up to
// kDirectParseBytesMax cannot hold more than about a thousand members (2 ms at worst), so it
// is parsed directly, with no copy.
inline json parse_json(std::string_view text) {
    if (text.size() <= kDirectParseBytesMax) return json::parse(text);
    return json(nlohmann::json::parse(text));
}

// The body's field, or nullptr when absent or the body is not an object. By string_view:
// operator[] would build a std::string and insert a missing field.
inline const json* body_field(const json& body, std::string_view field) {
    const auto* fields = body.get_ptr<const json::object_t*>();
    if (fields == nullptr) return nullptr;
    auto it = fields->find(field);
    return it == fields->end() ? nullptr : &it->second;
}

// body[field] = value, as operator[] does (an existing field is overwritten), without a
// std::string key for the search or a json value to move in. REQUIRES: body is an object.
inline void set_body_int(json& body, std::string_view field, std::int64_t value) {
    body.get_ref<json::object_t&>().assign_sorted<std::int64_t>({{field, value}});
}

// A message's ids in one pass: body["in_reply_to"] = in_reply_to (unless it is negative: not a
// reply) and body["msg_id"] = msg_id. Every message a node sends comes through here or
// set_body_int. REQUIRES: body is an object.
inline void set_body_ids(json& body, std::int64_t in_reply_to, std::int64_t msg_id) {
    auto& fields = body.get_ref<json::object_t&>();
    if (in_reply_to < 0)
        fields.assign_sorted<std::int64_t>({{"msg_id", msg_id}});
    else
        fields.assign_sorted<std::int64_t>({{"in_reply_to", in_reply_to}, {"msg_id", msg_id}});
}

// Adds `field` to a body, the value constructed in place from `value` (as emplace would: the
// same json type). Built in key order, each field is an append with one comparison; out of
// order it is still right, only moved down to its place. Like emplace, it keeps an existing
// field. REQUIRES: body is an object.
template <typename Value>
void append_field(json& body, std::string_view field, Value&& value) {
    auto& fields = body.get_ref<json::object_t&>();
    fields.emplace(std::piecewise_construct, std::forward_as_tuple(field),
                   std::forward_as_tuple(std::forward<Value>(value)));
}

// The body's "type", or "" when absent or not a string. The view lives as long as the body
// and its "type" field do; every delivered message asks, so it does not copy.
inline std::string_view body_type_view(const json& body) {
    const json* type_field = body_field(body, "type");
    if (type_field == nullptr) return {};
    const auto* type = type_field->get_ptr<const json::string_t*>();
    return type == nullptr ? std::string_view() : std::string_view(*type);
}
inline std::string body_type(const json& body) { return std::string(body_type_view(body)); }

// The body's integer field, or -1 when absent or not an integer (ids are never negative).
inline std::int64_t body_int_or_missing(const json& body, std::string_view field) {
    const json* value = body_field(body, field);
    if (value == nullptr || !value->is_number_integer()) return -1;
    return value->get<std::int64_t>();
}

}  // namespace millpond
