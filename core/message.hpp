#pragma once
// The message model: Maelstrom's envelope. Bodies are nlohmann::json everywhere, in the
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

namespace millpond {

using json = nlohmann::json;
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

// Up to this many keys, find_string_key scans instead of searching.
inline constexpr std::size_t kScannedKeysMax = 8;

// map.find(key) for a std::map keyed by std::string (sorted bytewise, as std::less does). A
// message body has a handful of fields and every delivered message is asked for several, while
// the map's search calls memcmp at each node of its descent and once more to confirm; the scan
// compares a key's first byte and length first, and stops at the first key that sorts past it.
// It starts from the end when the key sorts at least as late as the last key's first byte:
// "type", asked of every message, is nearly always a body's last field.
template <typename Map>
typename Map::const_iterator find_string_key(const Map& map, std::string_view key) {
    if (map.size() > kScannedKeysMax) return map.find(key);
    if (map.empty()) return map.end();
    // An empty string's first byte counts as '\0' (what its c_str() holds): the least byte,
    // as the order has it.
    const auto first_byte = [](std::string_view text) {
        return text.empty() ? 0 : static_cast<unsigned char>(text.front());
    };
    const auto first = first_byte(key);
    const auto matches = [&key](const std::string& candidate) {
        return candidate.size() == key.size() &&
               std::memcmp(candidate.data(), key.data(), key.size()) == 0;
    };
    auto last = std::prev(map.end());
    if (first >= first_byte(last->first)) {
        for (auto it = last;; --it) {
            const auto candidate_first = first_byte(it->first);
            if (candidate_first < first) break;  // this key and every earlier one sort before
            if (candidate_first == first && matches(it->first)) return it;
            if (it == map.begin()) break;
        }
        return map.end();
    }
    for (auto it = map.begin(); it != map.end(); ++it) {
        const auto candidate_first = first_byte(it->first);
        if (candidate_first > first) break;  // this key and every later one sort after `key`
        if (candidate_first == first && matches(it->first)) return it;
    }
    return map.end();
}

// The body's field, or nullptr when absent or the body is not an object. By string_view: a
// const char* key would be measured again at every comparison, and operator[] would build a
// std::string and insert a missing field.
inline const json* body_field(const json& body, std::string_view field) {
    const auto* fields = body.get_ptr<const json::object_t*>();
    if (fields == nullptr) return nullptr;
    auto it = find_string_key(*fields, field);
    return it == fields->end() ? nullptr : &it->second;
}

// body[field] = value, as operator[] does (an existing field is overwritten), without a
// std::string key for the search or a json value to move in: every message a node sends gets
// its msg_id this way. REQUIRES: body is an object.
inline void set_body_int(json& body, std::string_view field, std::int64_t value) {
    auto& fields = body.get_ref<json::object_t&>();
    // One descent: a lower_bound followed by a hinted insertion compares twice more. The field
    // is nearly always absent, so the node emplace builds before searching is nearly never
    // wasted.
    auto [it, inserted] = fields.emplace(std::piecewise_construct, std::forward_as_tuple(field),
                                         std::forward_as_tuple(value));
    if (!inserted) it->second = value;
}

// Adds `field` to a body built in key order: it sorts after every field already there, so the
// hint makes this an append (one comparison where emplace searches), and the value is
// constructed in its node from `value` (as emplace would: the same json type). Out of order it
// is still right, only slower; like emplace, it keeps an existing field.
// REQUIRES: body is an object.
template <typename Value>
void append_field(json& body, std::string_view field, Value&& value) {
    auto& fields = body.get_ref<json::object_t&>();
    fields.emplace_hint(fields.end(), std::piecewise_construct, std::forward_as_tuple(field),
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
