#include "codec.hpp"

#include <limits>

#include "core/assert.hpp"

namespace millpond::maelstrom {

namespace {

// nlohmann's messages start with "[json.exception.parse_error.101] "; the tag is noise for a
// person reading a node log.
std::string without_exception_tag(std::string text) {
    if (!text.empty() && text.front() == '[') {
        const auto end = text.find("] ");
        if (end != std::string::npos) text.erase(0, end + 2);
    }
    return text;
}

// A body id field (msg_id, in_reply_to): absent is fine; otherwise it must be an integer in
// [0, 2^63).
std::string check_id_field(const json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end()) return {};
    const json& value = *it;
    if (value.is_number_unsigned()) {
        if (value.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return std::string("body field '") + field + "' is out of range: " + value.dump();
        }
        return {};
    }
    if (value.is_number_integer()) {
        if (value.get<std::int64_t>() < 0)
            return std::string("body field '") + field + "' must not be negative: " + value.dump();
        return {};
    }
    return std::string("body field '") + field + "' must be an integer, got " + value.type_name() +
           " " + value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string validate_body(const json& body) {
    if (!body.is_object()) return std::string("body must be an object, got ") + body.type_name();
    auto type_it = body.find("type");
    if (type_it == body.end()) return "body has no 'type'";
    if (!type_it->is_string())
        return std::string("body field 'type' must be a string, got ") + type_it->type_name();
    if (std::string problem = check_id_field(body, "msg_id"); !problem.empty()) return problem;
    return check_id_field(body, "in_reply_to");
}

DecodedLine decode_line(std::string_view line) {
    DecodedLine decoded;
    json envelope;
    try {
        envelope = parse_json(line);
    } catch (const json::exception& error) {
        decoded.problem = "not JSON: " + without_exception_tag(error.what());
        return decoded;
    }
    if (!envelope.is_object()) {
        decoded.problem = std::string("message must be a JSON object, got ") + envelope.type_name();
        return decoded;
    }
    // Anything the envelope lacks is reported by field, in envelope order, so the first
    // problem a reader sees is the first one in the line.
    for (const char* field : {"src", "dest"}) {
        auto it = envelope.find(field);
        if (it == envelope.end()) {
            decoded.problem = std::string("message has no '") + field + "'";
            return decoded;
        }
        if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
            decoded.problem = std::string("message field '") + field +
                              "' must be a non-empty string, got " + it->type_name();
            return decoded;
        }
    }
    auto body_it = envelope.find("body");
    if (body_it == envelope.end()) {
        decoded.problem = "message has no 'body'";
        return decoded;
    }
    // Maelstrom's network stamps every delivered message with an integer `id`; it means
    // nothing to a node, but anything else in that slot is not a Maelstrom message.
    if (auto id_it = envelope.find("id"); id_it != envelope.end() && !id_it->is_number_integer()) {
        decoded.problem =
            std::string("message field 'id' must be an integer, got ") + id_it->type_name();
        return decoded;
    }
    decoded.message.src = envelope["src"].get<std::string>();
    decoded.message.dest = envelope["dest"].get<std::string>();
    decoded.message.body = std::move(*body_it);
    decoded.problem = validate_body(decoded.message.body);
    decoded.status = decoded.problem.empty() ? DecodeStatus::kOk : DecodeStatus::kBadBody;
    MP_ASSERT(!decoded.message.src.empty());
    return decoded;
}

std::string encode_message(const Message& message) {
    MP_ASSERT(!message.body.is_discarded());
    // json::dump of a string gives the quoted, escaped form; building the envelope by hand
    // fixes the key order to Maelstrom's own (src, dest, body) and avoids copying the body.
    constexpr auto kReplace = json::error_handler_t::replace;
    std::string line = R"({"src":)";
    line += json(message.src).dump(-1, ' ', false, kReplace);
    line += R"(,"dest":)";
    line += json(message.dest).dump(-1, ' ', false, kReplace);
    line += R"(,"body":)";
    line += message.body.dump(-1, ' ', false, kReplace);
    line += '}';
    return line;
}

}  // namespace millpond::maelstrom
