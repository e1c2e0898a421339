#include "polled_offsets_note.hpp"

#include <gtest/gtest.h>

namespace millpond::sim {
namespace {

using KeyOffsets = PolledOffsetsNote::KeyOffsets;

edn::Value poll_value(std::int64_t offset) {
    edn::Entries keys;
    keys.emplace_back(edn::Value("3"), edn::Value::vector({edn::Value::vector(
                                           {edn::Value(offset), edn::Value(std::int64_t{7})})}));
    return edn::Value::vector(
        {edn::Value::vector({edn::Value::keyword("poll"), edn::Value::map(std::move(keys))})});
}

// The value the note was made with -- a copy of it, sharing its parts, as the history holds --
// gets the noted offsets, once.
TEST(PolledOffsetsNote, TheNotedValueGetsItsOffsetsOnce) {
    PolledOffsetsNote note;
    const edn::Value polled = poll_value(5);
    note.note(polled, KeyOffsets{{3, 5}});
    const edn::Value recorded = polled;  // what the history keeps
    KeyOffsets offsets{{99, 99}};
    ASSERT_TRUE(note.take(recorded, &offsets));
    EXPECT_EQ(offsets, (KeyOffsets{{3, 5}}));
    KeyOffsets again{{1, 1}};
    EXPECT_FALSE(note.take(recorded, &again)) << "a note is spent by its first take";
    EXPECT_EQ(again, (KeyOffsets{{1, 1}}));
}

// An equal value built apart is not the noted one: observe() reads it the slow way.
TEST(PolledOffsetsNote, AnEqualValueBuiltApartIsNotTheNotedOne) {
    PolledOffsetsNote note;
    note.note(poll_value(5), KeyOffsets{{3, 5}});
    const edn::Value equal = poll_value(5);
    KeyOffsets offsets;
    EXPECT_FALSE(note.take(equal, &offsets));
    EXPECT_TRUE(offsets.empty());
}

// A copy changed after the note no longer shares its parts (copy-on-write), so it cannot be
// given offsets that described it before the change.
TEST(PolledOffsetsNote, ACopyChangedAfterTheNoteIsNotTheNotedOne) {
    PolledOffsetsNote note;
    edn::Value polled = poll_value(5);
    note.note(polled, KeyOffsets{{3, 5}});
    polled.push(edn::Value::vector({edn::Value::keyword("poll"), edn::Value::map()}));
    KeyOffsets offsets;
    EXPECT_FALSE(note.take(polled, &offsets));
}

// A later note replaces an earlier one; scalars share nothing.
TEST(PolledOffsetsNote, ALaterNoteReplacesAnEarlierOneAndScalarsNeverMatch) {
    PolledOffsetsNote note;
    const edn::Value first = poll_value(1);
    const edn::Value second = poll_value(2);
    note.note(first, KeyOffsets{{3, 1}});
    note.note(second, KeyOffsets{{3, 2}});
    KeyOffsets offsets;
    EXPECT_FALSE(note.take(first, &offsets));
    note.note(second, KeyOffsets{{3, 2}});
    ASSERT_TRUE(note.take(second, &offsets));
    EXPECT_EQ(offsets, (KeyOffsets{{3, 2}}));

    note.note(edn::Value(std::int64_t{4}), KeyOffsets{{3, 4}});
    EXPECT_FALSE(note.take(edn::Value(std::int64_t{4}), &offsets));
}

}  // namespace
}  // namespace millpond::sim
