#pragma once
// Test support: drives one service directly through on_message and checks the envelope of
// every reply (sent back to the requester, in_reply_to = the request's msg_id, no msg_id of
// its own), so each test only looks at the body.

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/node.hpp"

namespace millpond::sim::testing {

class ServiceHarness {
  public:
    ServiceHarness(std::unique_ptr<Node> service, NodeId name, std::uint64_t seed = 1)
        : service_(std::move(service)), name_(std::move(name)) {
        Out out(name_);
        service_->on_init(InitInfo{name_, {"n1", "n2", "n3"}, seed, {}, 0}, 0, out);
        EXPECT_TRUE(out.effects().empty());
    }

    // Sends `body` from `src` (with the next msg_id when add_msg_id and the body is an object
    // without one) and returns the reply body, or nullopt when the service stayed silent.
    std::optional<json> call(const NodeId& src, json body, bool add_msg_id = true) {
        json expected_in_reply_to = nullptr;
        if (body.is_object()) {
            if (add_msg_id && !body.contains("msg_id")) body["msg_id"] = next_msg_id_++;
            if (body.contains("msg_id")) expected_in_reply_to = body["msg_id"];
        }
        Out out(name_);
        now_us_ += 1000;
        service_->on_message(Message{src, name_, std::move(body)}, now_us_, out);
        std::optional<json> reply;
        for (Effect& effect : out.effects()) {
            auto* send = std::get_if<SendEffect>(&effect);
            if (send == nullptr) continue;
            EXPECT_FALSE(reply.has_value()) << "more than one reply";
            EXPECT_EQ(send->message.src, name_);
            EXPECT_EQ(send->message.dest, src);
            json& reply_body = send->message.body;
            const auto in_reply_to = reply_body.find("in_reply_to");
            EXPECT_TRUE(in_reply_to != reply_body.end()) << reply_body.dump();
            if (in_reply_to != reply_body.end()) {
                EXPECT_EQ(*in_reply_to, expected_in_reply_to);
            }
            EXPECT_FALSE(reply_body.contains("msg_id")) << reply_body.dump();
            reply = std::move(reply_body);
        }
        last_logs_.clear();
        for (const Effect& effect : out.effects())
            if (const auto* log = std::get_if<LogEffect>(&effect)) last_logs_.push_back(log->line);
        return reply;
    }

    // The reply, which must exist; its in_reply_to is removed so tests compare bodies whole.
    json ask(const NodeId& src, json body) {
        std::optional<json> reply = call(src, std::move(body));
        EXPECT_TRUE(reply.has_value());
        if (!reply) return json();
        reply->erase("in_reply_to");
        return std::move(*reply);
    }

    json read(const NodeId& src, const json& key) {
        return ask(src, {{"type", "read"}, {"key", key}});
    }
    json write(const NodeId& src, const json& key, const json& value) {
        return ask(src, {{"type", "write"}, {"key", key}, {"value", value}});
    }
    json cas(const NodeId& src, const json& key, const json& from, const json& to) {
        return ask(src, {{"type", "cas"}, {"key", key}, {"from", from}, {"to", to}});
    }

    Node& service() { return *service_; }
    const std::vector<std::string>& last_logs() const { return last_logs_; }

  private:
    std::unique_ptr<Node> service_;
    NodeId name_;
    std::int64_t next_msg_id_ = 1;
    Instant now_us_ = 0;
    std::vector<std::string> last_logs_;
};

inline json read_ok(const json& value) { return {{"type", "read_ok"}, {"value", value}}; }
inline json write_ok() { return {{"type", "write_ok"}}; }
inline json cas_ok() { return {{"type", "cas_ok"}}; }
inline json error(int code, const std::string& text) {
    return {{"type", "error"}, {"code", code}, {"text", text}};
}
inline json key_missing() { return error(20, "key does not exist"); }

}  // namespace millpond::sim::testing
