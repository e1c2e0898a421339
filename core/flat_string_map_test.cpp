#include "flat_string_map.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace millpond {
namespace {

// Keys as the map meets them: kafka keys ("0" to a few hundred), node and client ids, and
// longer strings either side of a word, many alike but for a late byte.
rc::Gen<std::string> key() {
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::inRange(0, 400), [](int k) { return std::to_string(k); }),
        rc::gen::map(rc::gen::inRange(0, 40), [](int k) { return "n" + std::to_string(k); }),
        rc::gen::map(rc::gen::inRange(0, 40),
                     [](int k) { return "a-much-longer-key-" + std::to_string(k); }),
        rc::gen::container<std::string>(rc::gen::element('a', 'b', '\0', '\xff')));
}

// Any sequence of additions, updates and lookups leaves the map as std::map would.
RC_GTEST_PROP(FlatStringMapProperty, AgreesWithStdMap, ()) {
    FlatStringMap<int> map;
    std::map<std::string, int> model;
    const int steps = *rc::gen::inRange(0, 600);
    for (int step = 0; step < steps; ++step) {
        const std::string k = *key();
        switch (*rc::gen::inRange(0, 4)) {
            case 0: {  // try_emplace keeps a present value
                const auto [it, added] = map.try_emplace(k, step);
                const auto [model_it, model_added] = model.try_emplace(k, step);
                RC_ASSERT(added == model_added);
                RC_ASSERT(it->first == k);
                RC_ASSERT(it->second == model_it->second);
                break;
            }
            case 1:  // operator[] adds a zero, then updates
                map[k] += step;
                model[k] += step;
                break;
            case 2: {
                const auto found = map.find(k);
                const auto model_found = model.find(k);
                RC_ASSERT((found == map.end()) == (model_found == model.end()));
                if (found != map.end()) RC_ASSERT(found->second == model_found->second);
                break;
            }
            default:
                RC_ASSERT(map.contains(k) == model.contains(k));
        }
        RC_ASSERT(map.size() == model.size());
    }
    for (const auto& [k, value] : model) RC_ASSERT(map.at(k) == value);
}

// Values do not move as the table grows (the owner design keeps a replica by reference while
// it learns other keys).
TEST(FlatStringMap, ReferencesSurviveGrowth) {
    FlatStringMap<std::vector<int>> map;
    std::vector<int>& first = map["first"];
    first.push_back(7);
    for (int k = 0; k < 10'000; ++k) map[std::to_string(k)].push_back(k);
    EXPECT_EQ(&map.at("first"), &first);
    EXPECT_EQ(first, std::vector<int>{7});
    EXPECT_EQ(map.size(), 10'001u);
    for (int k = 0; k < 10'000; ++k) ASSERT_EQ(map.at(std::to_string(k)), std::vector<int>{k});
}

// A copy answers from its own entries; a moved-to map from the entries it took.
TEST(FlatStringMap, CopiesAndMovesKeepTheirOwnEntries) {
    FlatStringMap<int> original;
    for (int k = 0; k < 100; ++k) original.emplace(std::to_string(k), k);
    FlatStringMap<int> copy = original;
    copy["7"] = 700;
    EXPECT_EQ(original.at("7"), 7);
    EXPECT_EQ(copy.at("7"), 700);
    EXPECT_NE(&copy.at("8"), &original.at("8"));
    const int* moved_entry = &copy.at("9");
    FlatStringMap<int> moved = std::move(copy);
    EXPECT_EQ(&moved.at("9"), moved_entry);
    EXPECT_EQ(moved.at("7"), 700);
    copy = moved;  // assigned again after the move
    EXPECT_EQ(copy.size(), 100u);
    EXPECT_EQ(copy.at("99"), 99);
    EXPECT_NE(&copy.at("99"), &moved.at("99"));
}

TEST(FlatStringMap, AbsentKeys) {
    FlatStringMap<int> map;
    EXPECT_EQ(map.find("x"), map.end());  // an empty table
    map.emplace("x", 1);
    EXPECT_EQ(map.find("y"), map.end());
    EXPECT_EQ(map.find(""), map.end());
    EXPECT_FALSE(map.contains("xx"));
    EXPECT_THROW(map.at("y"), std::out_of_range);
    const auto& constant = map;
    EXPECT_EQ(constant.find("x")->second, 1);
    EXPECT_THROW(constant.at("y"), std::out_of_range);
}

// Keys that differ only past their first word, or only in length, stay apart.
TEST(FlatStringMap, KeysAlikeButForALateByteOrTheirLength) {
    FlatStringMap<int> map;
    const std::vector<std::string> keys = {
        "abcdefgh1", "abcdefgh2", "abcdefgh", "abcdefg", std::string("a\0", 2), "a", ""};
    for (std::size_t i = 0; i < keys.size(); ++i) map.emplace(keys[i], static_cast<int>(i));
    ASSERT_EQ(map.size(), keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
        EXPECT_EQ(map.at(keys[i]), static_cast<int>(i)) << i;
}

}  // namespace
}  // namespace millpond
