#include "slot_heap.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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
