#include "kv_no_cas.hpp"

#include <algorithm>

#include "../../assert.hpp"
#include "../../body.hpp"

namespace millpond::kafka::zoo {

namespace {

constexpr const char* kService = "lin-kv";

std::string log_key(const std::string& key) { return "log/" + key; }

// The stored array, [] for a key the service does not have, nullopt when the read failed.
std::optional<json> read_log(const json& response) {
    if (body_type(response) == "read_ok" && response["value"].is_array()) return response["value"];
    if (body_int_or_missing(response, "code") == static_cast<int>(ErrorCode::kKeyDoesNotExist))
        return json::array();
    return std::nullopt;
}

}  // namespace

KvNoCasNode::KvNoCasNode() {
    handle("send",
           [this](Message& request, Instant now_us, Out& out) { on_send(request, now_us, out); });
    handle("poll",
           [this](Message& request, Instant now_us, Out& out) { on_poll(request, now_us, out); });
    handle("commit_offsets",
           [this](Message& request, Instant, Out& out) { on_commit_offsets(request, out); });
    handle("list_committed_offsets", [this](Message& request, Instant, Out& out) {
        on_list_committed_offsets(request, out);
    });
}

void KvNoCasNode::on_send(Message& request, Instant now_us, Out& out) {
    SendRequest send = parse_send(request.body);
    rpc(out, kService, {{"type", "read"}, {"key", log_key(send.key)}}, now_us, kServiceTimeoutUs,
        [this, handle = reply_handle(request), key = send.key, msg = std::move(send.msg)](
            json&& read_response, Instant read_now_us, Out& read_out) {
            std::optional<json> log = read_log(read_response);
            if (!log) {
                reply_error(read_out, handle, ErrorCode::kTemporarilyUnavailable, "read failed");
                return;
            }
            const auto offset = static_cast<Offset>(log->size());
            log->push_back(msg);
            // THE BUG: a blind write of what was read plus one message. Another send's write
            // between the read and this write is overwritten.
            rpc(read_out, kService, {{"type", "write"}, {"key", log_key(key)}, {"value", *log}},
                read_now_us, kServiceTimeoutUs,
                [this, handle, offset](json&& write_response, Instant, Out& write_out) {
                    if (body_type(write_response) == "write_ok") {
                        reply(write_out, handle, send_ok_body(offset));
                    } else {
                        reply_error(write_out, handle, ErrorCode::kCrash, "write failed");
                    }
                });
        });
}

void KvNoCasNode::on_poll(Message& request, Instant now_us, Out& out) {
    auto op = std::make_shared<PollOp>();
    op->handle = reply_handle(request);
    const std::map<std::string, Offset> offsets = parse_offsets(request.body);
    op->reads_remaining = offsets.size();
    for (const auto& [key, asked] : offsets) {
        rpc(out, kService, {{"type", "read"}, {"key", log_key(key)}}, now_us, kServiceTimeoutUs,
            [this, op, key, asked](json&& response, Instant, Out& reply_out) {
                // A failed read leaves the key out: "nothing new".
                if (std::optional<json> log = read_log(response)) {
                    json pairs = json::array();
                    for (Offset o = asked; o < static_cast<Offset>(log->size()) &&
                                           pairs.size() < kPollMessagesPerKeyMax;
                         ++o)
                        pairs.push_back(json::array({o, (*log)[static_cast<std::size_t>(o)]}));
                    if (!pairs.empty()) op->msgs[key] = std::move(pairs);
                }
                MP_ASSERT_GT(op->reads_remaining, 0u);
                if (--op->reads_remaining == 0)
                    reply(reply_out, op->handle, {{"type", "poll_ok"}, {"msgs", std::move(op->msgs)}});
            });
    }
    if (offsets.empty()) reply(out, op->handle, {{"type", "poll_ok"}, {"msgs", json::object()}});
}

void KvNoCasNode::on_commit_offsets(Message& request, Out& out) {
    reply(out, request, commits_.commit(request.body));
}

void KvNoCasNode::on_list_committed_offsets(Message& request, Out& out) {
    reply(out, request, commits_.list(request.body));
}

}  // namespace millpond::kafka::zoo
