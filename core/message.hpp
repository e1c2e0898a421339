#pragma once
// The message model: Maelstrom's envelope. Bodies are nlohmann::json everywhere, in the
// simulator too, so the exact wire contract is exercised offline. Move bodies; never copy them
// on a hot path.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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

// The body's "type", or "" when absent or not a string.
inline std::string body_type(const json& body) {
    if (!body.is_object()) return {};
    auto it = body.find("type");
    if (it == body.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

// The body's integer field, or -1 when absent or not an integer (ids are never negative).
inline std::int64_t body_int_or_missing(const json& body, const char* field) {
    if (!body.is_object()) return -1;
    auto it = body.find(field);
    if (it == body.end() || !it->is_number_integer()) return -1;
    return it->get<std::int64_t>();
}

}  // namespace millpond
