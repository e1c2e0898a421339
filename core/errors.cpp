#include "errors.hpp"

#include <array>

namespace millpond {

namespace {

constexpr std::array<ErrorInfo, 11> kErrors{{
    {0, "timeout", false},
    {1, "node-not-found", true},
    {10, "not-supported", true},
    {11, "temporarily-unavailable", true},
    {12, "malformed-request", true},
    {13, "crash", false},
    {14, "abort", true},
    {20, "key-does-not-exist", true},
    {21, "key-already-exists", true},
    {22, "precondition-failed", true},
    {30, "txn-conflict", true},
}};

}  // namespace

ErrorInfo error_info(int code) {
    for (const auto& entry : kErrors)
        if (entry.code == code) return entry;
    return {code, "unknown", false};
}

json error_body(ErrorCode code, std::string text, MsgId in_reply_to) {
    json body = {{"type", "error"}, {"code", static_cast<int>(code)}, {"text", std::move(text)}};
    if (in_reply_to >= 0) set_body_int(body, "in_reply_to", in_reply_to);
    return body;
}

}  // namespace millpond
