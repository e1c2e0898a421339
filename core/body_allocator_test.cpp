#include "body_allocator.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <thread>
#include <vector>

#include "message.hpp"

namespace millpond {
namespace {

using body_pool::class_of;
using body_pool::free_blocks;
using body_pool::kClassBytes;
using body_pool::kPooledBytesMax;

TEST(BodyPool, SizesFallIntoTheSmallestClassThatHoldsThem) {
    EXPECT_EQ(class_of(1), 0u);
    EXPECT_EQ(class_of(kClassBytes), 0u);
    EXPECT_EQ(class_of(kClassBytes + 1), 1u);
    EXPECT_EQ(class_of(kPooledBytesMax), body_pool::kClassCount - 1);
}

// Live blocks never overlap, are 16-byte aligned and hold what was written into them, under
// any interleaving of allocations and frees of any size (pooled or not).
TEST(BodyPool, LiveBlocksAreDistinctAlignedAndKeepTheirBytes) {
    const bool ok = rc::check([] {
        struct Live {
            unsigned char* bytes;
            std::size_t size;
            unsigned char fill;
        };
        std::vector<Live> live;
        const int steps = *rc::gen::inRange(0, 300);
        for (int step = 0; step < steps; ++step) {
            if (!live.empty() && *rc::gen::inRange(0, 3) == 0) {
                const auto at = *rc::gen::inRange<std::size_t>(0, live.size());
                const Live block = live[at];
                for (std::size_t i = 0; i < block.size; ++i) RC_ASSERT(block.bytes[i] == block.fill);
                body_pool::deallocate(block.bytes, block.size);
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(at));
                continue;
            }
            const auto size = *rc::gen::inRange<std::size_t>(1, kPooledBytesMax + 64);
            auto* bytes = static_cast<unsigned char*>(body_pool::allocate(size));
            RC_ASSERT(reinterpret_cast<std::uintptr_t>(bytes) % kClassBytes == 0);
            for (const Live& other : live)
                RC_ASSERT(bytes + size <= other.bytes || other.bytes + other.size <= bytes);
            const auto fill = static_cast<unsigned char>(step);
            std::memset(bytes, fill, size);
            live.push_back({bytes, size, fill});
        }
        for (const Live& block : live) body_pool::deallocate(block.bytes, block.size);
    });
    EXPECT_TRUE(ok);
}

TEST(BodyPool, AFreedBlockIsReusedByTheNextAllocationOfItsClass) {
    if (!body_pool::kPooled) GTEST_SKIP() << "not pooled under AddressSanitizer";
    void* first = body_pool::allocate(40);
    body_pool::deallocate(first, 40);
    void* again = body_pool::allocate(48);  // the same 48-byte class
    EXPECT_EQ(again, first);
    body_pool::deallocate(again, 48);
}

// A thread's free blocks pass to the next thread when it ends, instead of being lost.
TEST(BodyPool, AnEndedThreadsBlocksGoToTheNextThread) {
    if (!body_pool::kPooled) GTEST_SKIP() << "not pooled under AddressSanitizer";
    constexpr std::size_t kBytes = 208;  // a class nothing else in this binary uses much
    constexpr int kBlocks = 500;
    std::set<void*> freed_by_first;
    std::thread first([&] {
        std::vector<void*> blocks;
        for (int i = 0; i < kBlocks; ++i) blocks.push_back(body_pool::allocate(kBytes));
        for (void* block : blocks) {
            freed_by_first.insert(block);
            body_pool::deallocate(block, kBytes);
        }
    });
    first.join();
    std::size_t reused = 0;
    std::size_t free_at_start = 0;
    std::thread second([&] {
        void* block = body_pool::allocate(kBytes);  // adopts the reserve
        free_at_start = free_blocks(class_of(kBytes)) + 1;
        reused += freed_by_first.count(block);
        body_pool::deallocate(block, kBytes);
    });
    second.join();
    EXPECT_EQ(reused, 1u);
    EXPECT_GE(free_at_start, static_cast<std::size_t>(kBlocks));
}

// Only values with nothing to free end without their destructor; strings, arrays, objects and
// binaries still run it (the sanitizer pass's leak check would catch one that did not).
TEST(BodyAllocator, OnlyValuesThatOwnNothingSkipTheirDestructor) {
    EXPECT_TRUE(owns_nothing(json()));
    EXPECT_TRUE(owns_nothing(json(true)));
    EXPECT_TRUE(owns_nothing(json(-3)));
    EXPECT_TRUE(owns_nothing(json(3u)));
    EXPECT_TRUE(owns_nothing(json(0.5)));
    EXPECT_FALSE(owns_nothing(json("")));
    EXPECT_FALSE(owns_nothing(json::array()));
    EXPECT_FALSE(owns_nothing(json::object()));
    EXPECT_FALSE(owns_nothing(json::binary({1, 2})));
    // Containers of every kind of value, emptied and destroyed through the allocator.
    for (int round = 0; round < 100; ++round) {
        json body = {{"a", nullptr},
                     {"b", "a string long enough to live on the heap, not in place"},
                     {"c", {1, "two", {{"three", 3.0}}, json::array(), json::binary({4})}},
                     {"d", true}};
        json copy = body;
        body.erase("b");
        copy["c"].erase(1);
        EXPECT_EQ(copy["c"].size(), 4u);
        EXPECT_EQ(body.size(), 3u);
    }
}

// Bodies built, copied and destroyed on many threads at once come out right.
TEST(BodyPool, BodiesOnManyThreadsStayIntact) {
    std::vector<std::thread> threads;
    std::vector<int> failures(4, 0);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([t, &failures] {
            for (int round = 0; round < 2000; ++round) {
                json body = {{"type", "poll_ok"}, {"msgs", {{"k" + std::to_string(t), {{round, t}}}}}};
                json copy = body;
                body = json();
                if (copy["msgs"]["k" + std::to_string(t)][0][0] != round) ++failures[t];
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace millpond
