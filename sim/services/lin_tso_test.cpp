#include "sim/services/lin_tso.hpp"

#include <gtest/gtest.h>

#include "sim/services/service_test_support.hpp"

namespace millpond::sim {
namespace {

using testing::ServiceHarness;

TEST(LinTso, CountsFromZeroAcrossAllCallers) {
    ServiceHarness tso(std::make_unique<LinTso>(), "lin-tso");
    EXPECT_EQ(tso.ask("n1", {{"type", "ts"}}), json::parse(R"({"type":"ts_ok","ts":0})"));
    EXPECT_EQ(tso.ask("n2", {{"type", "ts"}}), json::parse(R"({"type":"ts_ok","ts":1})"));
    EXPECT_EQ(tso.ask("n1", {{"type", "ts"}, {"extra", 1}}),
              json::parse(R"({"type":"ts_ok","ts":2})"));
    for (int expected = 3; expected < 100; ++expected)
        ASSERT_EQ(tso.ask("n3", {{"type", "ts"}})["ts"], expected);
}

TEST(LinTso, OtherRequestsGetNoReplyAndTakeNoTimestamp) {
    ServiceHarness tso(std::make_unique<LinTso>(), "lin-tso");
    EXPECT_FALSE(tso.call("n1", {{"type", "read"}, {"key", "x"}}).has_value());
    EXPECT_FALSE(tso.call("n1", {{"type", "ts_ok"}, {"ts", 3}}).has_value());
    EXPECT_FALSE(tso.call("n1", json::array()).has_value());
    EXPECT_EQ(tso.ask("n1", {{"type", "ts"}})["ts"], 0);
}

TEST(LinTso, RepliesInReplyToTheRequest) {
    ServiceHarness tso(std::make_unique<LinTso>(), "lin-tso");
    auto reply = tso.call("c4", {{"type", "ts"}, {"msg_id", 12}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(*reply, json::parse(R"({"type":"ts_ok","ts":0,"in_reply_to":12})"));
    reply = tso.call("c4", {{"type", "ts"}}, false);
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(*reply, json::parse(R"({"type":"ts_ok","ts":1,"in_reply_to":null})"));
}

}  // namespace
}  // namespace millpond::sim
