#include "message.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <map>
#include <string>
#include <vector>

namespace millpond {
namespace {

// body_field finds what a std::map would, on body-like fields and on awkward keys.
TEST(BodyField, FindsEachFieldAndNothingElse) {
    const std::vector<std::string> probes = {"",    "type", "msg",    "msg_id", "msgs", "m",
                                             "in_reply_to", "offset", "offsets", "zzz",
                                             std::string("\0a", 2), "\x80", "\xff", "a\xff"};
    // Below and above kScannedFieldsMax, so both the scan and the search are checked.
    for (const std::size_t extra : {std::size_t{0}, kScannedFieldsMax + 4}) {
        std::map<std::string, int> model = {{"type", 1}, {"msg", 2}, {"msgs", 3}, {"in_reply_to", 4},
                                            {"", 5}, {"\xff", 6}, {std::string("\0a", 2), 7}};
        for (std::size_t i = 0; i < extra; ++i) model.emplace("k" + std::to_string(i), 0);
        json body(json::value_t::object);
        for (const auto& [key, value] : model) body[key] = value;
        for (const auto& probe : probes) {
            const json* found = body_field(body, probe);
            auto expected = model.find(probe);
            ASSERT_EQ(found != nullptr, expected != model.end()) << "key '" << probe << "'";
            if (found != nullptr) {
                EXPECT_EQ(*found, expected->second) << "key '" << probe << "'";
            }
        }
    }
    EXPECT_EQ(body_field(json::array({1, 2}), "type"), nullptr);
}

// An object of `count` members written in descending key order, padded past the direct
// parse when `long_text`.
std::string descending_object(int count) {
    std::string text = "{";
    for (int i = count - 1; i >= 0; --i)
        text += "\"k" + std::to_string(i) + "\":[" + std::to_string(i) + ",{\"b\":1,\"a\":2}]" +
                (i > 0 ? "," : "");
    return text + "}";
}

// Short or long, parse_json gives exactly what json::parse gives: members in key order, the
// same values, nested objects sorted too.
TEST(ParseJson, LongAndShortTextParseAsJsonParseDoes) {
    for (const int count : {3, 2000}) {
        const std::string text = descending_object(count);
        EXPECT_EQ(text.size() > kDirectParseBytesMax, count == 2000);
        const json parsed = parse_json(text);
        EXPECT_EQ(parsed, json::parse(text)) << count;
        EXPECT_EQ(parsed.dump(), json::parse(text).dump()) << count;
        ASSERT_EQ(parsed.size(), static_cast<std::size_t>(count));
        std::string previous;
        for (auto it = parsed.begin(); it != parsed.end(); ++it) {
            EXPECT_LT(previous, it.key());
            previous = it.key();
            EXPECT_EQ(it.value()[1].begin().key(), "a");
        }
        EXPECT_EQ(parsed.at("k1")[0], 1);
    }
}

// A long text that is not JSON fails as json::parse fails, with the same exception type.
TEST(ParseJson, LongMalformedTextThrowsJsonsParseError) {
    std::string text = descending_object(2000);
    text.back() = ',';
    ASSERT_GT(text.size(), kDirectParseBytesMax);
    EXPECT_THROW(parse_json(text), json::parse_error);
    EXPECT_THROW(parse_json(text.substr(0, 100)), json::parse_error);
}

TEST(SetBodyInt, InsertsOrOverwritesAsOperatorBracketDoes) {
    json body = {{"type", "send_ok"}, {"msg_id", "not yet"}};
    json expected = body;
    set_body_int(body, "in_reply_to", 7);
    set_body_int(body, "msg_id", 9);
    expected["in_reply_to"] = std::int64_t{7};
    expected["msg_id"] = std::int64_t{9};
    EXPECT_EQ(body, expected);
    EXPECT_TRUE(body["msg_id"].is_number_integer() && !body["msg_id"].is_number_unsigned());
}

// Bodies of every shape a node replies with: fields before, between and after the two ids, one
// id already present, and a request with no msg_id (in_reply_to < 0: not set).
TEST(SetBodyIds, SetsBothIdsAsOperatorBracketDoes) {
    const std::vector<json> bodies = {
        json::object(),
        {{"type", "send_ok"}, {"offset", 3}},
        {{"type", "error"}, {"code", 11}, {"text", "x"}},
        {{"type", "poll_ok"}, {"msgs", {{"k", {{0, 1}}}}}},
        {{"type", "echo_ok"}, {"echo", "e"}, {"msg_id", "stale"}},
        {{"type", "x"}, {"in_reply_to", 1}, {"a", 0}, {"z", 0}},
        {{"in_reply_to", 0}, {"j", 0}, {"msg_id", 0}},
    };
    for (const json& original : bodies) {
        for (const std::int64_t in_reply_to : {std::int64_t{-1}, std::int64_t{7}}) {
            json body = original;
            set_body_ids(body, in_reply_to, 9);
            json expected = original;
            if (in_reply_to >= 0) expected["in_reply_to"] = in_reply_to;
            expected["msg_id"] = std::int64_t{9};
            EXPECT_EQ(body, expected) << original.dump() << " " << in_reply_to;
            EXPECT_EQ(body.dump(), expected.dump());
        }
    }
}

TEST(AppendField, BuildsWhatEmplaceBuildsInAnyOrder) {
    json appended(json::value_t::object);
    append_field(appended, "have", std::int64_t{3});
    append_field(appended, "key", std::string("k"));
    append_field(appended, "type", "kafka_send");
    append_field(appended, "msg", json(5));  // out of key order: still placed right
    json emplaced(json::value_t::object);
    emplaced.emplace("type", "kafka_send");
    emplaced.emplace("msg", json(5));
    emplaced.emplace("key", std::string("k"));
    emplaced.emplace("have", std::int64_t{3});
    EXPECT_EQ(appended, emplaced);
    EXPECT_EQ(appended.dump(), emplaced.dump());
    EXPECT_FALSE(appended["have"].is_number_unsigned());
}

}  // namespace
}  // namespace millpond
