#pragma once
// The codec: the only place in millpond where JSON meets bytes. One stdin line becomes one
// Message, one Message becomes one stdout line. It checks the envelope Maelstrom promises
// (object; string `src`, `dest`; `body` present; optional integer `id`, dropped) and, apart
// from that, enough of the body to tell a request that Maelstrom would call malformed (error
// 12) from one the node must interpret. Field-level checks of a particular RPC stay with the
// node that owns it.

#include <string>
#include <string_view>

#include "core/message.hpp"

namespace millpond::maelstrom {

enum class DecodeStatus {
    kOk,           // `message` is set and its body passed validate_body
    kBadEnvelope,  // not JSON, or not a usable envelope: nobody to answer; `message` is empty
    kBadBody,      // the envelope is fine (src and dest are usable) but the body is malformed
};

struct DecodedLine {
    DecodeStatus status = DecodeStatus::kBadEnvelope;
    Message message;      // kOk and kBadBody: the envelope's src, dest and body
    std::string problem;  // kBadEnvelope and kBadBody: what is wrong, one line, no newline
};

// Decodes one line (without its '\n'; a trailing '\r' is tolerated as JSON whitespace).
// Never throws, whatever the bytes.
DecodedLine decode_line(std::string_view line);

// What is wrong with a message body, or "" when it is fine: the body must be an object with a
// string `type`; `msg_id` and `in_reply_to`, when present, must be non-negative integers that
// fit in 64 bits (core treats a negative id as "missing", so one cannot be answered anyway).
std::string validate_body(const json& body);

// One JSON line, without the trailing '\n': {"src":..,"dest":..,"body":..} in that key order;
// keys inside the body are sorted (nlohmann's std::map), so the bytes depend only on the
// value. Never contains a raw newline: JSON escapes control characters in strings. Bytes
// that are not UTF-8 are replaced by U+FFFD instead of throwing.
std::string encode_message(const Message& message);

}  // namespace millpond::maelstrom
