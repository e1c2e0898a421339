#include "sim/services/lin_kv.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <tuple>
#include <vector>

#include "sim/services/service_test_support.hpp"

namespace millpond::sim {
namespace {

using testing::cas_ok;
using testing::error;
using testing::key_missing;
using testing::read_ok;
using testing::ServiceHarness;
using testing::write_ok;

ServiceHarness make_lin_kv() { return ServiceHarness(std::make_unique<LinKv>(), "lin-kv"); }

TEST(LinKv, ReadOfMissingKeyIsError20) {
    auto kv = make_lin_kv();
    EXPECT_EQ(kv.read("n1", "x"), key_missing());
}

TEST(LinKv, WriteThenReadAndOverwrite) {
    auto kv = make_lin_kv();
    EXPECT_EQ(kv.write("n1", "x", 1), write_ok());
    EXPECT_EQ(kv.read("n2", "x"), read_ok(1));
    EXPECT_EQ(kv.write("n2", "x", json::array({1, "two"})), write_ok());
    EXPECT_EQ(kv.read("n1", "x"), read_ok(json::array({1, "two"})));
    EXPECT_EQ(kv.read("n1", "y"), key_missing());
}

TEST(LinKv, CasMatchMismatchAndMissing) {
    auto kv = make_lin_kv();
    EXPECT_EQ(kv.cas("n1", "x", 1, 2), key_missing());
    EXPECT_EQ(kv.read("n1", "x"), key_missing());
    kv.write("n1", "x", 1);
    EXPECT_EQ(kv.cas("n1", "x", 1, 2), cas_ok());
    EXPECT_EQ(kv.read("n1", "x"), read_ok(2));
    EXPECT_EQ(kv.cas("n1", "x", 1, 3), error(22, "current value 2 is not 1"));
    EXPECT_EQ(kv.read("n1", "x"), read_ok(2));
}

TEST(LinKv, CasErrorTextPrintsBothValuesLikeClojure) {
    auto kv = make_lin_kv();
    kv.write("n1", "s", "a");
    EXPECT_EQ(kv.cas("n1", "s", "b", "c"), error(22, "current value \"a\" is not \"b\""));
    kv.write("n1", "v", json::array({1, nullptr, 1.5}));
    EXPECT_EQ(kv.cas("n1", "v", nullptr, 1), error(22, "current value [1 nil 1.5] is not nil"));
}

TEST(LinKv, CasCreateIfNotExists) {
    auto kv = make_lin_kv();
    json create = {
        {"type", "cas"}, {"key", "x"}, {"from", 7}, {"to", 8}, {"create_if_not_exists", true}};
    EXPECT_EQ(kv.ask("n1", create), cas_ok());
    EXPECT_EQ(kv.read("n1", "x"), read_ok(8));
    // On an existing key the flag changes nothing: from must still match.
    EXPECT_EQ(kv.ask("n1", create), error(22, "current value 8 is not 7"));

    json not_create = create;
    not_create["key"] = "y";
    not_create["create_if_not_exists"] = false;
    EXPECT_EQ(kv.ask("n1", not_create), key_missing());
    // Clojure truthiness: 0 is true.
    not_create["create_if_not_exists"] = 0;
    EXPECT_EQ(kv.ask("n1", not_create), cas_ok());
    EXPECT_EQ(kv.read("n1", "y"), read_ok(8));
    not_create["key"] = "z";
    not_create["create_if_not_exists"] = nullptr;
    EXPECT_EQ(kv.ask("n1", not_create), key_missing());
}

TEST(LinKv, KeysAndValuesCompareStructurallyWithClojureNumbers) {
    auto kv = make_lin_kv();
    const json key = json::parse(R"({"b": [1, 2], "a": null})");
    kv.write("n1", key, "structured");
    EXPECT_EQ(kv.read("n1", json::parse(R"({"a": null, "b": [1, 2]})")), read_ok("structured"));
    EXPECT_EQ(kv.read("n1", json::parse(R"({"a": null, "b": [1, 2.0]})")), key_missing());

    // Parsed 1 is unsigned in nlohmann, a built 1 signed; both are Clojure's Long 1.
    kv.write("n1", json::parse("1"), "long");
    EXPECT_EQ(kv.read("n1", json(1)), read_ok("long"));
    EXPECT_EQ(kv.read("n1", json(1.0)), key_missing());
    EXPECT_EQ(kv.read("n1", "1"), key_missing());
    kv.write("n1", 1.0, "double");
    EXPECT_EQ(kv.read("n1", 1), read_ok("long"));
    EXPECT_EQ(kv.read("n1", 1.0), read_ok("double"));

    kv.write("n1", "v", 1);
    EXPECT_EQ(kv.cas("n1", "v", 1.0, 2), error(22, "current value 1 is not 1.0"));
    EXPECT_EQ(kv.cas("n1", "v", json::parse("1"), 2), cas_ok());
}

TEST(LinKv, UnknownOrShapelessRequestsGetNoReply) {
    auto kv = make_lin_kv();
    EXPECT_FALSE(kv.call("n1", {{"type", "delete"}, {"key", "x"}}).has_value());
    EXPECT_FALSE(kv.call("n1", {{"type", 5}, {"key", "x"}}).has_value());
    EXPECT_FALSE(kv.call("n1", {{"key", "x"}}).has_value());
    EXPECT_FALSE(kv.call("n1", json::array({"read"})).has_value());
    EXPECT_FALSE(kv.call("n1", "read").has_value());
    EXPECT_FALSE(kv.call("n1", {{"type", "read_ok"}, {"in_reply_to", 1}}).has_value());
    EXPECT_EQ(kv.last_logs().size(), 1u);
    // Nothing was created on the way.
    EXPECT_TRUE(kv.call("n1", {{"type", "read"}, {"key", "x"}}).has_value());
}

// Maelstrom reads fields with keyword lookups: a missing field is nil, not a malformed request.
TEST(LinKv, MissingFieldsReadAsNullLikeMaelstrom) {
    auto kv = make_lin_kv();
    EXPECT_EQ(kv.ask("n1", {{"type", "read"}}), key_missing());
    ASSERT_EQ(kv.last_logs().size(), 1u);
    EXPECT_NE(kv.last_logs()[0].find("'key'"), std::string::npos) << kv.last_logs()[0];
    EXPECT_EQ(kv.ask("n1", {{"type", "write"}, {"value", 5}}), write_ok());
    EXPECT_EQ(kv.read("n1", nullptr), read_ok(5));
    EXPECT_TRUE(kv.last_logs().empty());
    EXPECT_EQ(kv.ask("n1", {{"type", "write"}, {"key", "k"}}), write_ok());
    EXPECT_EQ(kv.read("n1", "k"), read_ok(nullptr));
    EXPECT_EQ(kv.ask("n1", {{"type", "cas"}, {"key", "k"}, {"to", 3}}), cas_ok());
    EXPECT_EQ(kv.read("n1", "k"), read_ok(3));
}

TEST(LinKv, InReplyToIsTheRequestMsgIdOrNull) {
    auto kv = make_lin_kv();
    // The harness checks in_reply_to against what it sent and that there is no msg_id.
    EXPECT_TRUE(kv.call("n1", {{"type", "read"}, {"key", 1}, {"msg_id", 41}}).has_value());
    EXPECT_TRUE(kv.call("n1", {{"type", "read"}, {"key", 1}}, false).has_value());
    EXPECT_TRUE(kv.call("n1", {{"type", "read"}, {"key", 1}, {"msg_id", "x"}}).has_value());
    auto reply = kv.call("n2", {{"type", "write"}, {"key", 1}, {"value", 2}, {"msg_id", 7}});
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(*reply, json::parse(R"({"type":"write_ok","in_reply_to":7})"));
}

// RapidCheck: any sequence of requests gets exactly the replies a plain map would give. The
// model keys its map by the canonical text of the key, an independent notion of equality.
const json::array_t& pool() {
    static const json::array_t values = {
        json(1),  json::parse("1"), json(1.0),          json("1"),
        json(-1), json(nullptr),    json::parse("[1]"), json::parse(R"({"a":1})"),
        json(2),  json(true),
    };
    return values;
}

RC_GTEST_PROP(LinKvProperty, BehavesLikeAPlainMap, ()) {
    const auto size = static_cast<int>(pool().size());
    const auto ops = *rc::gen::container<std::vector<std::tuple<int, int, int, int>>>(
        rc::gen::tuple(rc::gen::inRange(0, 4), rc::gen::inRange(0, 5), rc::gen::inRange(0, size),
                       rc::gen::inRange(0, size)));
    ServiceHarness kv(std::make_unique<LinKv>(), "lin-kv");
    std::map<std::string, json> model;
    for (const auto& [kind, key_at, a_at, b_at] : ops) {
        const json& key = pool()[static_cast<std::size_t>(key_at)];
        const json& a = pool()[static_cast<std::size_t>(a_at)];
        const json& b = pool()[static_cast<std::size_t>(b_at)];
        const std::string model_key = key.dump();
        auto it = model.find(model_key);
        json request = {{"type", "read"}, {"key", key}};
        if (kind == 1) request = {{"type", "write"}, {"key", key}, {"value", a}};
        if (kind >= 2) {
            request = {{"type", "cas"}, {"key", key}, {"from", a}, {"to", b}};
            if (kind == 3) request["create_if_not_exists"] = true;
        }
        std::optional<json> reply = kv.call("n1", request);
        RC_ASSERT(reply.has_value());
        const std::string type = (*reply)["type"];
        if (kind == 0) {
            if (it == model.end()) {
                RC_ASSERT((*reply)["code"] == 20);
            } else {
                RC_ASSERT(type == "read_ok");
                RC_ASSERT((*reply)["value"].dump() == it->second.dump());
            }
        } else if (kind == 1) {
            RC_ASSERT(type == "write_ok");
            model[model_key] = a;
        } else if (it == model.end()) {
            if (kind == 3) {
                RC_ASSERT(type == "cas_ok");
                model[model_key] = b;
            } else {
                RC_ASSERT((*reply)["code"] == 20);
            }
        } else if (it->second.dump() == a.dump()) {
            RC_ASSERT(type == "cas_ok");
            it->second = b;
        } else {
            RC_ASSERT((*reply)["code"] == 22);
        }
    }
}

}  // namespace
}  // namespace millpond::sim
