#include "sim/services/lww_kv.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sim/services/service_test_support.hpp"

namespace millpond::sim {
namespace {

using testing::cas_ok;
using testing::error;
using testing::key_missing;
using testing::read_ok;
using testing::ServiceHarness;
using testing::write_ok;

ServiceHarness make_lww_kv(std::uint64_t seed) {
    return ServiceHarness(std::make_unique<LwwKv>(), "lww-kv", seed);
}

const LwwKv& lww_kv_of(ServiceHarness& harness) {
    return static_cast<const LwwKv&>(harness.service());
}

// One write lands on one replica; the merges are discarded, so reads keep missing it forever,
// about half the time. (Were the merges kept, a merge from the written replica would copy it
// within a few requests and every later read would see it.)
TEST(LwwKv, ReadAfterWriteMissesItHalfTheTimeForever) {
    auto kv = make_lww_kv(42);
    ASSERT_EQ(kv.write("n1", "x", 1), write_ok());
    int hits_early = 0;
    int hits_late = 0;
    for (int i = 0; i < 400; ++i) {
        const json reply = kv.read("n1", "x");
        ASSERT_TRUE(reply == read_ok(1) || reply == key_missing()) << reply.dump();
        if (reply == read_ok(1)) ++(i < 200 ? hits_early : hits_late);
    }
    EXPECT_GT(hits_early, 60);
    EXPECT_LT(hits_early, 140);
    EXPECT_GT(hits_late, 60);
    EXPECT_LT(hits_late, 140);
    const auto& replicas = lww_kv_of(kv).replicas();
    EXPECT_EQ(replicas[0].entries.size() + replicas[1].entries.size(), 1u);
}

// With seed 1 the read right after the write goes to the other replica; with seed 2 it does not.
TEST(LwwKv, ReadAfterWriteMissesWithFixedSeed) {
    auto missing = make_lww_kv(1);
    ASSERT_EQ(missing.write("n1", "x", 1), write_ok());
    EXPECT_EQ(missing.read("n1", "x"), key_missing());
    auto seen = make_lww_kv(2);
    ASSERT_EQ(seen.write("n1", "x", 1), write_ok());
    EXPECT_EQ(seen.read("n1", "x"), read_ok(1));
}

// Replicas diverge: each can hold a different value for a key, and reads flip between them.
TEST(LwwKv, ReplicasNeverConverge) {
    auto kv = make_lww_kv(9);
    for (int i = 0; i < 200; ++i) kv.write("n1", "x", i);
    const auto& replicas = lww_kv_of(kv).replicas();
    ASSERT_EQ(replicas[0].entries.size(), 1u);
    ASSERT_EQ(replicas[1].entries.size(), 1u);
    // Lamport clocks count each replica's writes; ts is the clock before the write.
    EXPECT_EQ(replicas[0].clock + replicas[1].clock, 200);
    for (const auto& replica : replicas)
        EXPECT_EQ(replica.entries.begin()->second.ts, replica.clock - 1);
    const json a = replicas[0].entries.begin()->second.value;
    const json b = replicas[1].entries.begin()->second.value;
    ASSERT_NE(a, b);
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) seen.insert(kv.read("n2", "x").dump());
    EXPECT_EQ(seen, (std::set<std::string>{read_ok(a).dump(), read_ok(b).dump()}));
}

TEST(LwwKv, CasIgnoresCreateIfNotExistsAndPrintsFromWithStr) {
    auto kv = make_lww_kv(5);
    json create = {
        {"type", "cas"}, {"key", "x"}, {"from", 1}, {"to", 2}, {"create_if_not_exists", true}};
    for (int i = 0; i < 20; ++i) ASSERT_EQ(kv.ask("n1", create), key_missing());
    // Twenty writes reach both replicas (for this seed), so every cas below sees "a".
    for (int i = 0; i < 20; ++i) kv.write("n1", "s", "a");
    ASSERT_EQ(lww_kv_of(kv).replicas()[0].entries.size(), 1u);
    ASSERT_EQ(lww_kv_of(kv).replicas()[1].entries.size(), 1u);
    EXPECT_EQ(kv.cas("n1", "s", "b", "c"), error(22, "current value \"a\" is not b"));
    EXPECT_EQ(kv.cas("n1", "s", nullptr, "c"), error(22, "current value \"a\" is not "));
    EXPECT_EQ(kv.cas("n1", "s", json::array({"b"}), "c"),
              error(22, "current value \"a\" is not [\"b\"]"));
    EXPECT_EQ(kv.cas("n1", "s", "a", "c"), cas_ok());
}

TEST(LwwKv, UnknownRequestsGetNoReply) {
    auto kv = make_lww_kv(5);
    EXPECT_FALSE(kv.call("n1", {{"type", "ts"}}).has_value());
    EXPECT_FALSE(kv.call("n1", 17).has_value());
}

}  // namespace
}  // namespace millpond::sim
