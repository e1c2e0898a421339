#pragma once
// The message model: Maelstrom's envelope. Bodies are nlohmann::json everywhere, in the
// simulator too, so the exact wire contract is exercised offline. Move bodies; never copy them
// on a hot path.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

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

// The body's "type", or "" when absent or not a string. The view lives as long as the body
// and its "type" field do; every delivered message asks, so it does not copy.
inline std::string_view body_type_view(const json& body) {
    if (!body.is_object()) return {};
    auto it = body.find("type");
    if (it == body.end()) return {};
    const auto* type = it->get_ptr<const json::string_t*>();
    return type == nullptr ? std::string_view() : std::string_view(*type);
}
inline std::string body_type(const json& body) { return std::string(body_type_view(body)); }

// The body's integer field, or -1 when absent or not an integer (ids are never negative).
inline std::int64_t body_int_or_missing(const json& body, const char* field) {
    if (!body.is_object()) return -1;
    auto it = body.find(field);
    if (it == body.end() || !it->is_number_integer()) return -1;
    return it->get<std::int64_t>();
}

}  // namespace millpond
