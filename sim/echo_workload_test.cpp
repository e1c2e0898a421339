#include "echo_workload.hpp"

#include <gtest/gtest.h>

namespace millpond::sim {
namespace {

std::string problem(const char* body, std::initializer_list<const char*> fields) {
    return check_closed_schema(json::parse(body), fields);
}

TEST(ReplyProblem, TypeFirstThenTheClosedSchema) {
    EXPECT_EQ(reply_problem(json::parse(R"({"type":"echo_ok","echo":"x","in_reply_to":1})"),
                            "echo_ok", {"echo"}),
              "");
    EXPECT_EQ(reply_problem(json::parse(R"({"type":"error","in_reply_to":1})"), "echo_ok",
                            {"echo"}),
              "expected an echo_ok reply, got type \"error\"");
    EXPECT_EQ(reply_problem(json::parse(R"({"in_reply_to":1})"), "send_ok", {"offset"}),
              "expected a send_ok reply, got type null");
    // Not an object: named, not thrown.
    EXPECT_EQ(reply_problem(json::parse(R"([1])"), "echo_ok", {"echo"}),
              "expected an echo_ok reply, got type [1]");
    EXPECT_EQ(reply_problem(json::parse(R"({"type":"send_ok","in_reply_to":1})"), "send_ok",
                            {"offset"}),
              "reply is missing required key offset");
}

TEST(ClosedSchema, AcceptsExactlyTheAllowedKeys) {
    EXPECT_EQ(problem(R"({"type":"send_ok","offset":3,"in_reply_to":1,"msg_id":2})", {"offset"}),
              "");
    EXPECT_EQ(problem(R"({"type":"send_ok","offset":3,"in_reply_to":1})", {"offset"}), "");
}

TEST(ClosedSchema, ReportsInMaelstromsOrderOfPrecedence) {
    EXPECT_EQ(problem(R"([1])", {"offset"}), "reply body is not an object");
    // A missing required key comes first, in the order the fields are listed...
    EXPECT_EQ(problem(R"({"type":"x","zz":1,"in_reply_to":"a"})", {"offset", "msgs"}),
              "reply is missing required key offset");
    EXPECT_EQ(problem(R"({"type":"x","offset":1,"zz":1,"in_reply_to":"a"})", {"offset", "msgs"}),
              "reply is missing required key msgs");
    // ...then the first disallowed key in key order...
    EXPECT_EQ(problem(R"({"type":"x","offset":1,"zz":1,"aa":2})", {"offset"}),
              "reply has disallowed key aa");
    // ...then the ids.
    EXPECT_EQ(problem(R"({"type":"x","offset":1})", {"offset"}),
              "reply is missing required key in_reply_to");
    EXPECT_EQ(problem(R"({"type":"x","offset":1,"in_reply_to":"1"})", {"offset"}),
              "reply in_reply_to is not an integer");
    EXPECT_EQ(problem(R"({"type":"x","offset":1,"in_reply_to":1,"msg_id":1.5})", {"offset"}),
              "reply msg_id is not an integer");
}

TEST(ClosedSchema, AFieldMayBeOneOfTheAlwaysAllowedKeys) {
    EXPECT_EQ(problem(R"({"in_reply_to":1})", {"type"}), "reply is missing required key type");
    EXPECT_EQ(problem(R"({"type":"x","in_reply_to":1})", {"type"}), "");
}

}  // namespace
}  // namespace millpond::sim
