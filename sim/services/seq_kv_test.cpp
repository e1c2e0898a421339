#include "sim/services/seq_kv.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>
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

ServiceHarness make_seq_kv(std::uint64_t seed) {
    return ServiceHarness(std::make_unique<SeqKv>(), "seq-kv", seed);
}

SeqKv& seq_kv_of(ServiceHarness& harness) { return static_cast<SeqKv&>(harness.service()); }

TEST(SeqKv, KvSemanticsMatchLinKvForOneClient) {
    auto kv = make_seq_kv(3);
    EXPECT_EQ(kv.read("n1", "x"), key_missing());
    EXPECT_EQ(kv.cas("n1", "x", 1, 2), key_missing());
    EXPECT_EQ(kv.write("n1", "x", 1), write_ok());
    EXPECT_EQ(kv.read("n1", "x"), read_ok(1));
    EXPECT_EQ(kv.cas("n1", "x", 1, 2), cas_ok());
    EXPECT_EQ(kv.cas("n1", "x", 1, 3), error(22, "current value 2 is not 1"));
    EXPECT_EQ(kv.ask("n1", {{"type", "cas"},
                            {"key", "y"},
                            {"from", 0},
                            {"to", 5},
                            {"create_if_not_exists", true}}),
              cas_ok());
    EXPECT_EQ(kv.read("n1", "y"), read_ok(5));
    EXPECT_FALSE(kv.call("n1", {{"type", "ts"}}).has_value());
}

// A client that just wrote is at the newest state, so it reads its own writes.
TEST(SeqKv, ReadYourWrites) {
    auto kv = make_seq_kv(11);
    for (int i = 0; i < 200; ++i) {
        const NodeId client = "n" + std::to_string(i % 3);
        ASSERT_EQ(kv.write(client, "x", i), write_ok());
        ASSERT_EQ(kv.read(client, "x"), read_ok(i));
    }
}

// With seed 2, n2 (which has observed nothing yet) picks state 0 and misses both writes; with
// seed 1 it picks state 1 and sees the first.
TEST(SeqKv, StaleReadHappensWithFixedSeed) {
    auto stale_by_one = make_seq_kv(1);
    stale_by_one.write("n1", "x", 1);
    stale_by_one.write("n1", "x", 2);
    EXPECT_EQ(stale_by_one.read("n2", "x"), read_ok(1));

    auto kv = make_seq_kv(2);
    kv.write("n1", "x", 1);
    kv.write("n1", "x", 2);
    EXPECT_EQ(kv.read("n2", "x"), key_missing());
    // n1 is at the newest state and can never see an older one.
    for (int i = 0; i < 50; ++i) ASSERT_EQ(kv.read("n1", "x"), read_ok(2));
}

// The picked state is uniform over [client index, last index]: with 3 states each is seen by
// about a third of the seeds.
TEST(SeqKv, StaleReadsAreUniformOverUnseenStates) {
    std::map<std::string, int> seen_count;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        auto kv = make_seq_kv(seed);
        kv.write("n1", "x", 1);
        kv.write("n1", "x", 2);
        ++seen_count[kv.read("n2", "x").dump()];
    }
    ASSERT_EQ(seen_count.size(), 3u);
    for (const auto& [reply, count] : seen_count) {
        EXPECT_GT(count, 70) << reply;
        EXPECT_LT(count, 130) << reply;
    }
}

// Repeated reads catch up: once a client picks the newest state it stays there.
TEST(SeqKv, RepeatedReadsCatchUp) {
    auto kv = make_seq_kv(5);
    for (int i = 1; i <= 20; ++i) kv.write("n1", "x", i);
    int previous = 0;
    for (int i = 0; i < 200; ++i) {
        const json reply = kv.read("n2", "x");
        const int value = reply["type"] == "read_ok" ? reply["value"].get<int>() : 0;
        ASSERT_GE(value, previous);
        previous = value;
    }
    EXPECT_EQ(previous, 20);
    EXPECT_EQ(seq_kv_of(kv).client_index("n2"), 20);
}

// Writes and cas only ever apply to the newest state: concurrent increment loops whose reads
// may be stale still never lose or repeat an increment.
TEST(SeqKv, SuccessfulWritesAreTotallyOrdered) {
    auto kv = make_seq_kv(17);
    kv.write("n0", "counter", 0);
    std::set<int> incremented_from;
    for (int round = 0; round < 3000; ++round) {
        const NodeId client = "n" + std::to_string(round % 4);
        const json seen = kv.read(client, "counter");
        ASSERT_EQ(seen["type"], "read_ok");
        const int value = seen["value"];
        const json reply = kv.cas(client, "counter", value, value + 1);
        if (reply == cas_ok()) {
            ASSERT_TRUE(incremented_from.insert(value).second) << "two increments from " << value;
        } else {
            ASSERT_EQ(reply["code"], 22) << reply.dump();
        }
    }
    ASSERT_GT(incremented_from.size(), 100u);
    const int increments = static_cast<int>(incremented_from.size());
    EXPECT_EQ(*incremented_from.rbegin(), increments - 1);
    kv.write("n9", "other", 0);  // moves n9 to the newest state
    EXPECT_EQ(kv.read("n9", "counter"), read_ok(increments));
}

// A request that leaves the picked state unchanged adds no state; one that would change it is
// rerun on the newest state, and its result is appended even if the rerun changes nothing.
TEST(SeqKv, OnlyRequestsThatChangeThePickedStateAppendOne) {
    auto kv = make_seq_kv(1);
    kv.write("n1", "x", 1);
    ASSERT_EQ(seq_kv_of(kv).last_index(), 1);
    EXPECT_EQ(kv.write("n1", "x", 1), write_ok());
    EXPECT_EQ(kv.cas("n1", "x", 1, 1), cas_ok());
    EXPECT_EQ(kv.cas("n1", "x", 5, 6), error(22, "current value 1 is not 5"));
    EXPECT_EQ(kv.read("n1", "x"), read_ok(1));
    EXPECT_EQ(seq_kv_of(kv).last_index(), 1);
    EXPECT_EQ(kv.write("n1", "x", 1.0), write_ok());  // 1.0 is not Clojure-equal to 1
    EXPECT_EQ(seq_kv_of(kv).last_index(), 2);

    // n2 (at state 0) cas-es x from 1 (true in state 1 only) while the newest holds 2.
    std::set<std::string> outcomes;
    for (std::uint64_t seed = 1; seed <= 100; ++seed) {
        auto fresh = make_seq_kv(seed);
        fresh.write("n1", "x", 1);
        fresh.write("n1", "x", 2);
        const json reply = fresh.cas("n2", "x", 1, 3);
        const std::int64_t last = seq_kv_of(fresh).last_index();
        if (reply == key_missing()) {
            EXPECT_EQ(last, 2);  // picked state 0
            outcomes.insert("picked 0");
        } else {
            ASSERT_EQ(reply, error(22, "current value 2 is not 1"));
            outcomes.insert(last == 3 ? "picked 1, rerun on newest" : "picked 2");
            EXPECT_EQ(seq_kv_of(fresh).client_index("n2"), last);
        }
        EXPECT_EQ(fresh.read("n1", "x"), read_ok(2));
    }
    EXPECT_EQ(outcomes.size(), 3u);
}

// With the ring full (last index 40, window [9, 40]), a picked index below the window wraps
// modulo 32 onto a state inside it; state s holds x = s here.
TEST(SeqKv, ClientFarBehindReadsAWrappedStateLikeMaelstromsRing) {
    auto kv = make_seq_kv(7);
    for (int s = 1; s <= 40; ++s) kv.write("n1", "x", s);
    const SeqKv& service = seq_kv_of(kv);
    ASSERT_EQ(service.last_index(), 40);
    for (std::int64_t picked = 0; picked <= 40; ++picked) {
        const std::int64_t expected = picked >= 9 ? picked : 9 + (picked - 9 + 32) % 32;
        const json* value = service.value_in_state("x", picked);
        ASSERT_NE(value, nullptr) << picked;
        EXPECT_EQ(*value, expected) << picked;
    }
    EXPECT_EQ(*service.value_in_state("x", 0), 32);
    EXPECT_EQ(*service.value_in_state("x", 8), 40);

    // Observed through requests: n2 never sees a value outside the window, never "missing",
    // and over some seeds its reads go backwards.
    bool went_back = false;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        auto fresh = make_seq_kv(seed);
        for (int s = 1; s <= 40; ++s) fresh.write("n1", "x", s);
        int previous = 0;
        for (int i = 0; i < 5; ++i) {
            const json reply = fresh.read("n2", "x");
            ASSERT_EQ(reply["type"], "read_ok") << seed;
            const int value = reply["value"];
            ASSERT_GE(value, 9);
            ASSERT_LE(value, 40);
            went_back = went_back || value < previous;
            previous = value;
        }
    }
    EXPECT_TRUE(went_back);
}

TEST(SeqKv, ManyWritesOverFewKeysStayCorrect) {
    auto kv = make_seq_kv(23);
    for (int i = 1; i <= 100000; ++i) {
        ASSERT_EQ(kv.write("n1", "k" + std::to_string(i % 3), i), write_ok());
        if (i % 100 == 0) {
            const json reply = kv.read("n2", "k0");
            ASSERT_EQ(reply["type"], "read_ok");
            ASSERT_GE(reply["value"].get<int>(), i - 3 * SeqKv::kStatesMax);
        }
    }
    EXPECT_EQ(seq_kv_of(kv).last_index(), 100000);
    EXPECT_EQ(kv.read("n1", "k1"), read_ok(100000));
    EXPECT_EQ(kv.read("n1", "k2"), read_ok(99998));
}

// Sequential consistency, checked against the total order of writes: each read returns the
// key's value in some state at or after the last state that client observed (its own write, or
// the earliest state consistent with its previous read). At most 31 writes keep every client
// inside the ring's window, where Maelstrom's quirk cannot apply.
RC_GTEST_PROP(SeqKvProperty, ClientsSeeAMonotonicPrefixOfOneWriteOrder, ()) {
    const auto seed = *rc::gen::arbitrary<std::uint64_t>();
    const auto ops = *rc::gen::container<std::vector<std::tuple<int, int, bool>>>(
        rc::gen::tuple(rc::gen::inRange(0, 3), rc::gen::inRange(0, 2), rc::gen::arbitrary<bool>()));
    auto kv = make_seq_kv(seed);
    std::vector<std::map<int, int>> states(1);  // the states in write order; value -1: missing
    std::map<int, std::size_t> observed;        // client -> earliest state it may read
    int writes = 0;
    for (const auto& [client, key, is_write] : ops) {
        const NodeId src = "n" + std::to_string(client);
        const std::string key_name = "k" + std::to_string(key);
        if (is_write && writes < SeqKv::kStatesMax - 1) {
            ++writes;
            RC_ASSERT(kv.write(src, key_name, writes) == write_ok());
            states.push_back(states.back());
            states.back()[key] = writes;
            observed[client] = states.size() - 1;
            continue;
        }
        const json reply = kv.read(src, key_name);
        const int value = reply["type"] == "read_ok" ? reply["value"].get<int>() : -1;
        std::size_t state = observed[client];
        auto value_in = [&](std::size_t s) {
            auto it = states[s].find(key);
            return it == states[s].end() ? -1 : it->second;
        };
        while (state < states.size() && value_in(state) != value) ++state;
        RC_ASSERT(state < states.size());
        observed[client] = state;
    }
}

// Whatever the lag, a read returns a value the key had in one of the last 32 states.
RC_GTEST_PROP(SeqKvProperty, ReadsComeFromTheRingWindow, ()) {
    const auto seed = *rc::gen::arbitrary<std::uint64_t>();
    const auto ops = *rc::gen::container<std::vector<std::pair<int, bool>>>(
        rc::gen::pair(rc::gen::inRange(0, 3), rc::gen::weightedOneOf<bool>({
                                                  {3, rc::gen::just(true)},
                                                  {1, rc::gen::just(false)},
                                              })));
    auto kv = make_seq_kv(seed);
    std::vector<int> history = {-1};  // x in each state
    for (const auto& [client, is_write] : ops) {
        const NodeId src = "n" + std::to_string(client);
        if (is_write) {
            const int value = static_cast<int>(history.size());
            RC_ASSERT(kv.write(src, "x", value) == write_ok());
            history.push_back(value);
            continue;
        }
        const json reply = kv.read(src, "x");
        const int value = reply["type"] == "read_ok" ? reply["value"].get<int>() : -1;
        const std::size_t window = history.size() > 32 ? history.size() - 32 : 0;
        RC_ASSERT(std::find(history.begin() + static_cast<std::ptrdiff_t>(window), history.end(),
                            value) != history.end());
    }
}

}  // namespace
}  // namespace millpond::sim
