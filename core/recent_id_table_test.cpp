#include "recent_id_table.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace millpond {
namespace {

// The rule the owner design kept with a std::map: insert, and past the capacity erase the
// lowest entry, reporting its id.
std::optional<std::int64_t> model_insert(std::map<std::int64_t, std::string>& model,
                                         std::size_t capacity, std::int64_t id,
                                         const std::string& value) {
    model.emplace(id, value);
    if (model.size() <= capacity) return std::nullopt;
    const std::int64_t lowest = model.begin()->first;
    model.erase(model.begin());
    return lowest;
}

// Ids as a forwarder's msg_ids reach an owner: mostly rising, sometimes a few places back
// (network reordering), sometimes far back or repeated (a late duplicate), across evictions
// and the cut of the evicted prefix (small capacities make both frequent).
RC_GTEST_PROP(RecentIdTableProperty, AgreesWithAnEvictingStdMap, ()) {
    const auto capacity = static_cast<std::size_t>(*rc::gen::inRange(1, 12));
    RecentIdTable<std::string> table(capacity);
    std::map<std::int64_t, std::string> model;
    std::int64_t next_id = *rc::gen::inRange<std::int64_t>(-5, 5);
    const int steps = *rc::gen::inRange(0, 300);
    for (int step = 0; step < steps; ++step) {
        std::int64_t id = next_id;
        switch (*rc::gen::inRange(0, 4)) {
            case 0:  // a few places back
                id -= *rc::gen::inRange<std::int64_t>(1, 4);
                break;
            case 1:  // anywhere before
                id -= *rc::gen::inRange<std::int64_t>(0, 40);
                break;
            default:  // the next ones
                next_id += *rc::gen::inRange<std::int64_t>(1, 3);
        }
        const std::string* found = table.find(id);
        const auto model_found = model.find(id);
        RC_ASSERT((found == nullptr) == (model_found == model.end()));
        if (found != nullptr) {
            RC_ASSERT(*found == model_found->second);
        } else {
            // A value long enough to own heap memory, so an evicted one's freeing is exercised.
            const std::string value = "value-of-id-" + std::to_string(id) + "-at-step-" +
                                      std::to_string(step);
            RC_ASSERT(table.insert(id, value) == model_insert(model, capacity, id, value));
        }
        RC_ASSERT(table.size() == model.size());
    }
    for (const auto& [id, value] : model) {
        const std::string* found = table.find(id);
        RC_ASSERT(found != nullptr);
        RC_ASSERT(*found == value);
    }
}

TEST(RecentIdTable, EvictsTheLowestOnceFullAndForgetsIt) {
    RecentIdTable<int> table(3);
    EXPECT_EQ(table.find(1), nullptr);
    EXPECT_EQ(table.insert(10, 100), std::nullopt);
    EXPECT_EQ(table.insert(12, 120), std::nullopt);
    EXPECT_EQ(table.insert(11, 110), std::nullopt);  // out of order, placed between
    EXPECT_EQ(table.insert(13, 130), std::optional<std::int64_t>(10));
    EXPECT_EQ(table.find(10), nullptr);
    ASSERT_NE(table.find(11), nullptr);
    EXPECT_EQ(*table.find(11), 110);
    EXPECT_EQ(*table.find(13), 130);
    // An id below everything held is evicted at once, as the std::map rule did.
    EXPECT_EQ(table.insert(5, 50), std::optional<std::int64_t>(5));
    EXPECT_EQ(table.find(5), nullptr);
    EXPECT_EQ(table.size(), 3u);
    const auto& constant = table;
    EXPECT_EQ(*constant.find(12), 120);
}

// Many more entries than the capacity: the evicted prefix is cut again and again and the live
// entries stay right (the owner's capacity, 4,096, ten times over).
TEST(RecentIdTable, StaysRightOverManyCuts) {
    RecentIdTable<std::int64_t> table(4096);
    for (std::int64_t id = 0; id < 40'960; ++id) {
        const auto evicted = table.insert(id, id * 2);
        EXPECT_EQ(evicted, id >= 4096 ? std::optional<std::int64_t>(id - 4096) : std::nullopt);
    }
    EXPECT_EQ(table.size(), 4096u);
    EXPECT_EQ(table.find(40'960 - 4097), nullptr);
    for (std::int64_t id = 40'960 - 4096; id < 40'960; ++id) {
        ASSERT_NE(table.find(id), nullptr) << id;
        EXPECT_EQ(*table.find(id), id * 2);
    }
}

}  // namespace
}  // namespace millpond
