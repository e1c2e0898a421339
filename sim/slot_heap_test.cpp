#include "slot_heap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "event_queue.hpp"

namespace millpond::sim {
namespace {

std::vector<std::string> drain(SlotHeap<std::string>& heap) {
    std::vector<std::string> order;
    while (!heap.empty()) {
        order.push_back(std::move(heap.top()));
        heap.pop();
    }
    return order;
}

TEST(SlotHeap, EarliestFirstAndTiesInPushOrder) {
    SlotHeap<std::string> heap;
    heap.push(30, "c");
    heap.push(10, "a1");
    heap.push(20, "b");
    heap.push(10, "a2");
    heap.push(10, "a3");
    EXPECT_EQ(heap.size(), 5u);
    EXPECT_EQ(heap.top_time_us(), 10);
    EXPECT_EQ(drain(heap), (std::vector<std::string>{"a1", "a2", "a3", "b", "c"}));
}

TEST(SlotHeap, ReusedSlotsKeepTheOrder) {
    SlotHeap<std::string> heap;
    heap.push(5, "first");
    heap.push(7, "second");
    EXPECT_EQ(heap.top(), "first");
    heap.pop();  // frees a slot the next push takes
    heap.push(7, "third");
    heap.push(6, "before-second");
    EXPECT_EQ(drain(heap), (std::vector<std::string>{"before-second", "second", "third"}));
}

TEST(SlotHeap, TimesMayGoBackwardsBetweenPops) {
    // An inbox: a later send can arrive earlier than one already taken.
    SlotHeap<std::string> heap;
    heap.push(100, "slow");
    EXPECT_EQ(drain(heap), std::vector<std::string>{"slow"});
    heap.push(50, "fast");
    EXPECT_EQ(heap.top_time_us(), 50);
}

// The lanes must not change the order: many interleaved runs (more than there are lanes, so
// the heap is used too), random times and ties, pops in between; every pop must be the least
// (time, push order) left, as a plain sort of what is inside says.
TEST(SlotHeap, ManyInterleavedRunsComeOutInTimeThenPushOrder) {
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        Rng rng(seed);
        SlotHeap<std::uint64_t> heap;  // the payload is the push order
        std::vector<std::pair<Instant, std::uint64_t>> inside;
        std::vector<Instant> stream_last_us(12, 0);
        std::uint64_t pushed = 0;
        Instant now_us = 0;
        for (int step = 0; step < 3000; ++step) {
            if (rng.uniform(3) != 0) {
                // A push: most from a monotone stream, some at random times.
                const auto stream = static_cast<std::size_t>(rng.uniform(14));
                Instant time_us;
                if (stream < stream_last_us.size()) {
                    stream_last_us[stream] =
                        std::max(stream_last_us[stream], now_us) +
                        static_cast<Instant>(rng.uniform(4));  // 0: ties
                    time_us = stream_last_us[stream];
                } else {
                    time_us = now_us + static_cast<Instant>(rng.uniform(50));
                }
                heap.push(time_us, pushed);
                inside.emplace_back(time_us, pushed);
                ++pushed;
            } else if (!heap.empty()) {
                const auto least = std::min_element(inside.begin(), inside.end());
                ASSERT_EQ(heap.top_time_us(), least->first) << "seed " << seed;
                ASSERT_EQ(heap.top(), least->second) << "seed " << seed;
                now_us = least->first;
                inside.erase(least);
                heap.pop();
            }
            ASSERT_EQ(heap.size(), inside.size());
        }
    }
}

TEST(EventQueue, PopAdvancesTheClockAndKeepsFifoTies) {
    EventQueue<int> queue;
    queue.push(20, 1);
    queue.push(10, 2);
    queue.push(20, 3);
    auto entry = queue.pop();
    EXPECT_EQ(entry.payload, 2);
    EXPECT_EQ(queue.now_us(), 10);
    EXPECT_EQ(queue.pop().payload, 1);
    EXPECT_EQ(queue.pop().payload, 3);
    EXPECT_EQ(queue.now_us(), 20);
    EXPECT_TRUE(queue.empty());
}

TEST(EventQueueDeathTest, SchedulingInThePastIsAnAssertion) {
    EventQueue<int> queue;
    queue.push(20, 1);
    queue.pop();
    EXPECT_DEATH(queue.push(10, 2), "");
}

}  // namespace
}  // namespace millpond::sim
