#include "polled_pairs.hpp"

#include <gtest/gtest.h>

namespace millpond::sim {
namespace {

edn::Value expected_pair(std::int64_t offset, const json& msg) {
    return edn::Value::vector({edn::Value(offset), edn::from_json(msg, false)});
}

// The same (key, offset, msg) is one shared value; it always equals what a poll reply says.
TEST(PolledPairs, OnePairPerKeyOffsetAndMessageShared) {
    PolledPairs pairs;
    auto& key = pairs.key("7");
    EXPECT_EQ(key.name, edn::Value("7"));
    EXPECT_EQ(&pairs.key("7"), &key);

    const edn::Value first = pairs.pair(key, 3, json(std::int64_t{42}));
    const edn::Value again = pairs.pair(key, 3, json(std::int64_t{42}));
    EXPECT_EQ(first, expected_pair(3, json(42)));
    EXPECT_EQ(&first.items(), &again.items()) << "the second poll should share the first's pair";

    // Another key's offset 3 is another pair.
    auto& other = pairs.key("8");
    const edn::Value other_pair = pairs.pair(other, 3, json(std::int64_t{42}));
    EXPECT_NE(&other_pair.items(), &first.items());
}

// An unsigned JSON integer (what parsing a non-negative number gives) is the same EDN long.
TEST(PolledPairs, UnsignedAndSignedIntegersAreTheSameMessage) {
    PolledPairs pairs;
    auto& key = pairs.key("k");
    const edn::Value signed_pair = pairs.pair(key, 2, json(std::int64_t{5}));
    const edn::Value unsigned_pair = pairs.pair(key, 2, json(std::uint64_t{5}));
    EXPECT_EQ(unsigned_pair, expected_pair(2, json(std::uint64_t{5})));
    EXPECT_EQ(&signed_pair.items(), &unsigned_pair.items());
}

// A node that pairs an offset with another message is recorded as saying so.
TEST(PolledPairs, ADifferentMessageAtAnOffsetIsRecordedAsSent) {
    PolledPairs pairs;
    auto& key = pairs.key("k");
    const edn::Value first = pairs.pair(key, 0, json(std::int64_t{1}));
    const edn::Value changed = pairs.pair(key, 0, json(std::int64_t{2}));
    EXPECT_EQ(first, expected_pair(0, json(1)));
    EXPECT_EQ(changed, expected_pair(0, json(2)));
}

// Messages that are not plain integers, negative offsets and offsets past the kept range are
// converted as they come, never kept.
TEST(PolledPairs, AnythingElseIsConvertedAsItComes) {
    PolledPairs pairs;
    auto& key = pairs.key("k");
    for (const json& msg : {json("text"), json(1.5), json::array({1, 2}), json(nullptr)}) {
        const edn::Value a = pairs.pair(key, 1, msg);
        const edn::Value b = pairs.pair(key, 1, msg);
        EXPECT_EQ(a, expected_pair(1, msg)) << msg.dump();
        EXPECT_NE(&a.items(), &b.items()) << msg.dump();
    }
    for (const std::int64_t offset : {std::int64_t{-1}, PolledPairs::kMaxKeptOffset}) {
        const edn::Value a = pairs.pair(key, offset, json(std::int64_t{9}));
        EXPECT_EQ(a, expected_pair(offset, json(9)));
        EXPECT_NE(&a.items(), &pairs.pair(key, offset, json(std::int64_t{9})).items());
    }
    EXPECT_LE(key.slots.size(), 2u) << "only offset 1 may have been kept";
}

}  // namespace
}  // namespace millpond::sim
