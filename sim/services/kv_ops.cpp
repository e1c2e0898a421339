#include "sim/services/kv_ops.hpp"

#include <string>
#include <vector>

#include "core/assert.hpp"
#include "core/errors.hpp"

namespace millpond::sim {

namespace {

constexpr const char* kKeyMissingText = "key does not exist";

json error_reply(ErrorCode code, std::string text) {
    return {{"type", "error"}, {"code", static_cast<int>(code)}, {"text", std::move(text)}};
}

std::vector<const char*> fields_read(KvRequest request) {
    switch (request) {
        case KvRequest::kRead:
            return {"key"};
        case KvRequest::kWrite:
            return {"key", "value"};
        case KvRequest::kCas:
            return {"key", "from", "to"};
    }
    MP_ASSERT(false);
    return {};
}

const char* request_name(KvRequest request) {
    switch (request) {
        case KvRequest::kRead:
            return "read";
        case KvRequest::kWrite:
            return "write";
        case KvRequest::kCas:
            return "cas";
    }
    MP_ASSERT(false);
    return "";
}

}  // namespace

std::optional<KvRequest> kv_request_of(const json& body) {
    const std::string type = body_type(body);
    if (type == "read") return KvRequest::kRead;
    if (type == "write") return KvRequest::kWrite;
    if (type == "cas") return KvRequest::kCas;
    return std::nullopt;
}

void fill_missing_kv_fields(KvRequest request, Message& message, Out& out) {
    json& body = message.body;
    MP_ASSERT(body.is_object());
    std::string missing;
    for (const char* field : fields_read(request)) {
        if (body.contains(field)) continue;
        body[field] = nullptr;
        missing += missing.empty() ? "" : ", ";
        missing += std::string("'") + field + "'";
    }
    if (!missing.empty()) {
        out.log(std::string(request_name(request)) + " from " + message.src + " has no " + missing +
                "; read as null, as Maelstrom does");
    }
}

KvStep kv_step(KvRequest request, json& body, const json* current, KvFlavor flavor) {
    MP_ASSERT(body.is_object());
    KvStep step;
    switch (request) {
        case KvRequest::kRead:
            step.reply = current ? json{{"type", "read_ok"}, {"value", *current}}
                                 : error_reply(ErrorCode::kKeyDoesNotExist, kKeyMissingText);
            return step;
        case KvRequest::kWrite:
            step.reply = {{"type", "write_ok"}};
            step.written = &body.at("value");
            return step;
        case KvRequest::kCas: {
            const json& from = body.at("from");
            if (current == nullptr) {
                const auto create = body.find("create_if_not_exists");
                const bool creates = flavor == KvFlavor::kPersistent && create != body.end() &&
                                     clojure_truthy(*create);
                if (!creates) {
                    step.reply = error_reply(ErrorCode::kKeyDoesNotExist, kKeyMissingText);
                    return step;
                }
            } else if (!clojure_equal(from, *current)) {
                const std::string from_text =
                    flavor == KvFlavor::kPersistent ? clojure_pr_str(from) : clojure_str(from);
                step.reply = error_reply(
                    ErrorCode::kPreconditionFailed,
                    "current value " + clojure_pr_str(*current) + " is not " + from_text);
                return step;
            }
            step.reply = {{"type", "cas_ok"}};
            step.written = &body.at("to");
            return step;
        }
    }
    MP_ASSERT(false);
    return step;
}

bool kv_step_changes(const KvStep& step, const json* current) {
    if (step.written == nullptr) return false;
    return current == nullptr || !clojure_equal(*current, *step.written);
}

KvResult apply_kv_request(KvMap& map, KvRequest request, json& body) {
    json& key = body.at("key");
    auto it = map.find(key);
    const json* current = it == map.end() ? nullptr : &it->second;
    KvStep step = kv_step(request, body, current, KvFlavor::kPersistent);
    KvResult result{std::move(step.reply), kv_step_changes(step, current)};
    if (step.written != nullptr) {
        // Store even when unchanged: Clojure's assoc keeps the new value (-0.0 over 0.0).
        if (it == map.end()) {
            map.emplace(std::move(key), std::move(*step.written));
        } else {
            it->second = std::move(*step.written);
        }
    }
    return result;
}

}  // namespace millpond::sim
