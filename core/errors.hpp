#pragma once
// Maelstrom's error registry (resources/errors.edn). Codes 0-999 are Maelstrom's; any other
// code, or an unknown one, is indefinite: the operation may or may not have happened.

#include <string>
#include <string_view>

#include "message.hpp"

namespace millpond {

enum class ErrorCode : int {
    kTimeout = 0,
    kNodeNotFound = 1,
    kNotSupported = 10,
    kTemporarilyUnavailable = 11,
    kMalformedRequest = 12,
    kCrash = 13,
    kAbort = 14,
    kKeyDoesNotExist = 20,
    kKeyAlreadyExists = 21,
    kPreconditionFailed = 22,
    kTxnConflict = 30,
};

struct ErrorInfo {
    int code;
    std::string_view name;  // Maelstrom's keyword name, e.g. "precondition-failed"
    bool definite;
};

// The registry entry for `code`; unknown codes get name "unknown" and definite = false.
ErrorInfo error_info(int code);

// {"type":"error","in_reply_to":request_msg_id,"code":code,"text":text}
json error_body(ErrorCode code, std::string text, MsgId in_reply_to);

inline bool is_error_body(const json& body) { return body_type(body) == "error"; }

}  // namespace millpond
