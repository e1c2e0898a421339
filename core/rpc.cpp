#include "rpc.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <string_view>

#include "assert.hpp"
#include "errors.hpp"

namespace millpond {

MsgId Rpc::call(Out& out, NodeId dest, json&& body, Instant now_us, Instant timeout_us,
                Callback callback) {
    MP_ASSERT(body.is_object());
    MP_ASSERT_GT(timeout_us, 0);
    const MsgId id = next_msg_id();
    set_body_int(body, "msg_id", id);
    auto [it, inserted] = pending_.emplace(id, std::move(callback));
    MP_ASSERT(inserted);
    out.send(std::move(dest), std::move(body));
    out.set_timer(timer_key(id), now_us + timeout_us);
    return id;
}

bool Rpc::on_reply(Message& message, Instant now_us, Out& out) {
    const std::int64_t in_reply_to = body_int_or_missing(message.body, "in_reply_to");
    if (in_reply_to < 0) return false;
    auto it = pending_.find(in_reply_to);
    if (it == pending_.end()) return true;  // late or duplicate reply: nobody waits for it
    Callback callback = std::move(it->second);
    pending_.erase(it);
    out.cancel_timer(timer_key(in_reply_to));
    callback(std::move(message.body), now_us, out);
    return true;
}

// kTimerPrefix + std::to_string(id), written in place: every call and every reply build one.
std::string Rpc::timer_key(MsgId id) {
    constexpr std::string_view prefix = kTimerPrefix;
    std::array<char, prefix.size() + std::numeric_limits<MsgId>::digits10 + 2> key;
    std::copy(prefix.begin(), prefix.end(), key.begin());
    const auto [end, error] =
        std::to_chars(key.data() + prefix.size(), key.data() + key.size(), id);
    MP_ASSERT(error == std::errc());
    return std::string(key.data(), end);
}

bool Rpc::on_timer(const std::string& key, Instant now_us, Out& out) {
    if (key.rfind(kTimerPrefix, 0) != 0) return false;
    const MsgId id = std::stoll(key.substr(std::string(kTimerPrefix).size()));
    auto it = pending_.find(id);
    if (it == pending_.end()) return true;
    Callback callback = std::move(it->second);
    pending_.erase(it);
    json timeout = error_body(ErrorCode::kTimeout, "timed out", id);
    callback(std::move(timeout), now_us, out);
    return true;
}

}  // namespace millpond
