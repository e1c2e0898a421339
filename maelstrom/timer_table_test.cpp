#include "timer_table.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace millpond::maelstrom {
namespace {

std::vector<std::string> pop_all_due(TimerTable& timers, Instant now_us) {
    std::vector<std::string> keys;
    while (auto key = timers.pop_due(now_us)) keys.push_back(*key);
    return keys;
}

TEST(TimerTable, FiresByDeadlineThenBySetOrderNotByKey) {
    TimerTable timers;
    timers.set("z", 30);
    timers.set("b", 10);
    timers.set("a", 30);
    timers.set("y", 20);
    EXPECT_EQ(timers.earliest_deadline_us(), 10);
    EXPECT_EQ(timers.due_count(29), 2u);
    EXPECT_EQ(pop_all_due(timers, 29), (std::vector<std::string>{"b", "y"}));
    EXPECT_EQ(pop_all_due(timers, 30), (std::vector<std::string>{"z", "a"}));
    EXPECT_TRUE(timers.empty());
    EXPECT_EQ(timers.earliest_deadline_us(), std::nullopt);
}

TEST(TimerTable, SettingAgainReplacesTheDeadlineAndTheTiePlace) {
    TimerTable timers;
    timers.set("a", 50);
    timers.set("b", 50);
    timers.set("a", 50);  // now behind b
    timers.set("c", 5);
    timers.set("c", 70);  // later, not twice
    EXPECT_EQ(timers.size(), 3u);
    EXPECT_EQ(pop_all_due(timers, 100), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(TimerTable, CancelledTimersNeverFireAndCancellingTwiceIsHarmless) {
    TimerTable timers;
    timers.set("a", 1);
    timers.set("b", 2);
    timers.cancel("a");
    timers.cancel("a");
    timers.cancel("never-set");
    EXPECT_EQ(timers.pop_due(1), std::nullopt);
    EXPECT_EQ(pop_all_due(timers, 2), (std::vector<std::string>{"b"}));
}

// Against a model: a list of (key, deadline, set order), fired by sorting.
RC_GTEST_PROP(TimerTableProperty, MatchesAListModel, ()) {
    struct Entry {
        std::string key;
        Instant deadline_us;
        int order;
    };
    TimerTable timers;
    std::vector<Entry> model;
    int order = 0;
    Instant now_us = 0;
    const int steps = *rc::gen::inRange(0, 200);
    for (int i = 0; i < steps; ++i) {
        const std::string key(1, *rc::gen::inRange('a', 'h'));
        const int action = *rc::gen::inRange(0, 4);
        auto found =
            std::find_if(model.begin(), model.end(), [&](const Entry& e) { return e.key == key; });
        if (action <= 1) {
            const Instant deadline_us = now_us + *rc::gen::inRange<Instant>(-5, 20);
            timers.set(key, deadline_us);
            if (found != model.end()) model.erase(found);
            model.push_back({key, deadline_us, order++});
        } else if (action == 2) {
            timers.cancel(key);
            if (found != model.end()) model.erase(found);
        } else {
            now_us += *rc::gen::inRange<Instant>(0, 10);
            std::stable_sort(model.begin(), model.end(), [](const Entry& a, const Entry& b) {
                return a.deadline_us != b.deadline_us ? a.deadline_us < b.deadline_us
                                                      : a.order < b.order;
            });
            std::vector<std::string> expected;
            while (!model.empty() && model.front().deadline_us <= now_us) {
                expected.push_back(model.front().key);
                model.erase(model.begin());
            }
            RC_ASSERT(timers.due_count(now_us) == expected.size());
            RC_ASSERT(pop_all_due(timers, now_us) == expected);
        }
        RC_ASSERT(timers.size() == model.size());
        if (model.empty()) {
            RC_ASSERT(!timers.earliest_deadline_us().has_value());
        } else {
            Instant earliest_us = model.front().deadline_us;
            for (const Entry& e : model) earliest_us = std::min(earliest_us, e.deadline_us);
            RC_ASSERT(timers.earliest_deadline_us() == earliest_us);
        }
    }
}

}  // namespace
}  // namespace millpond::maelstrom
