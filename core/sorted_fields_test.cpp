#include "sorted_fields.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "message.hpp"

namespace millpond {
namespace {

using Fields = SortedFields<std::string, int>;
using Model = std::map<std::string, int>;

std::vector<std::pair<std::string, int>> contents(const Fields& fields) {
    return {fields.begin(), fields.end()};
}
std::vector<std::pair<std::string, int>> contents(const Model& model) {
    return {model.begin(), model.end()};
}

// A short key from a small alphabet, so operations collide on the same keys often; past
// kScannedFieldsMax members lookups switch from the scan to the binary search. Drawn inside
// a property.
std::string small_key() {
    const auto length = *rc::gen::inRange<std::size_t>(0, 3);
    return *rc::gen::container<std::string>(length, rc::gen::element('a', 'b', '\xff', '\0'));
}

// Every operation nlohmann and millpond use, applied to a SortedFields and to a std::map:
// the same answers, and the same members in the same order after each step.
TEST(SortedFields, BehavesAsStdMapUnderAnySequenceOfOperations) {
    const bool ok = rc::check([] {
        Fields fields;
        Model model;
        const int steps = *rc::gen::inRange(0, 60);
        for (int step = 0; step < steps; ++step) {
            const std::string key = small_key();
            const int value = *rc::gen::inRange(0, 100);
            switch (*rc::gen::inRange(0, 8)) {
                case 0: {
                    auto [it, inserted] = fields.emplace(key, value);
                    auto [expected, expected_inserted] = model.emplace(key, value);
                    RC_ASSERT(inserted == expected_inserted);
                    RC_ASSERT(it->first == expected->first && it->second == expected->second);
                    break;
                }
                case 1: {
                    auto [it, inserted] = fields.emplace(std::piecewise_construct,
                                                         std::forward_as_tuple(key),
                                                         std::forward_as_tuple(value));
                    auto [expected, expected_inserted] = model.emplace(key, value);
                    RC_ASSERT(inserted == expected_inserted);
                    RC_ASSERT(it->second == expected->second);
                    break;
                }
                case 2:
                    fields[key] = value;
                    model[key] = value;
                    break;
                case 3: {
                    auto it = fields.emplace_hint(fields.end(), key, value);
                    auto expected = model.emplace_hint(model.end(), key, value);
                    RC_ASSERT(it->first == expected->first && it->second == expected->second);
                    break;
                }
                case 4:
                    RC_ASSERT(fields.erase(key) == model.erase(key));
                    break;
                case 5: {
                    auto it = fields.find(std::string_view(key));
                    auto expected = model.find(key);
                    RC_ASSERT((it == fields.end()) == (expected == model.end()));
                    if (it != fields.end()) RC_ASSERT(it->second == expected->second);
                    RC_ASSERT(fields.count(key) == model.count(key));
                    break;
                }
                case 6:
                    if (!model.empty()) {
                        const auto skip = static_cast<std::ptrdiff_t>(
                            *rc::gen::inRange<std::size_t>(0, model.size()));
                        auto expected = std::next(model.begin(), skip);
                        auto it = fields.erase(std::next(fields.begin(), skip));
                        expected = model.erase(expected);
                        RC_ASSERT((it == fields.end()) == (expected == model.end()));
                    }
                    break;
                case 7: {
                    // One or two distinct keys, ascending, as assign_sorted requires.
                    const std::string other = small_key();
                    const int other_value = *rc::gen::inRange(0, 100);
                    if (other == key) {
                        fields.assign_sorted<int>({{key, value}});
                    } else {
                        const auto& [low, high] = std::minmax(key, other);
                        const int low_value = low == key ? value : other_value;
                        const int high_value = low == key ? other_value : value;
                        fields.assign_sorted<int>({{low, low_value}, {high, high_value}});
                    }
                    model[key] = value;
                    if (other != key) model[other] = other_value;
                    break;
                }
            }
            RC_ASSERT(contents(fields) == contents(model));
            RC_ASSERT(fields.size() == model.size());
        }
    });
    EXPECT_TRUE(ok);
}

using MapJson = nlohmann::json;  // nlohmann's own, objects in a std::map

// A short JSON key: valid UTF-8 (a two-byte letter that sorts after ASCII) and a character
// that must be escaped. Drawn inside a property.
std::string json_key() {
    std::string key;
    const int pieces = *rc::gen::inRange(0, 3);
    for (int i = 0; i < pieces; ++i)
        key += *rc::gen::element<std::string>("a", "b", "\xc3\xa9", "\"");
    return key;
}

// Random JSON text, drawn inside a property: objects with colliding keys in any order,
// nested arrays, numbers of each kind, strings that need escapes.
std::string json_text(int depth) {
    const int kind = *rc::gen::inRange(0, depth == 0 ? 5 : 7);
    switch (kind) {
        case 0: return "null";
        case 1: return "true";
        case 2: return std::to_string(*rc::gen::arbitrary<std::int64_t>());
        case 3: return std::to_string(*rc::gen::inRange(0, 1000)) + ".5";
        case 4: return MapJson(json_key()).dump();
        case 5: {
            std::string text = "[";
            const int count = *rc::gen::inRange(0, 4);
            for (int i = 0; i < count; ++i) text += (i ? "," : "") + json_text(depth - 1);
            return text + "]";
        }
        default: {
            std::string text = "{";
            const int count = *rc::gen::inRange(0, 12);
            for (int i = 0; i < count; ++i)
                text += (i ? "," : "") + MapJson(json_key()).dump() + ":" + json_text(depth - 1);
            return text + "}";
        }
    }
}

// millpond's json parses, prints, compares and indexes exactly as nlohmann::json does: the
// wire bytes and the member order (which the fingerprint walks) cannot tell them apart.
TEST(SortedFields, MillpondJsonIsNlohmannJsonToEveryObserver) {
    const bool ok = rc::check([] {
        const std::string a_text = json_text(3);
        const std::string b_text = json_text(3);
        const json a = json::parse(a_text);
        const json b = json::parse(b_text);
        const MapJson a_map = MapJson::parse(a_text);
        const MapJson b_map = MapJson::parse(b_text);
        RC_ASSERT(a.dump() == a_map.dump());
        RC_ASSERT(a.dump(1) == a_map.dump(1));
        RC_ASSERT((a == b) == (a_map == b_map));
        RC_ASSERT((a < b) == (a_map < b_map));
        RC_ASSERT(json::parse(a.dump()) == a);
        if (a.is_object()) {
            std::vector<std::string> keys;
            for (auto it = a.begin(); it != a.end(); ++it) keys.push_back(it.key());
            std::vector<std::string> map_keys;
            for (auto it = a_map.begin(); it != a_map.end(); ++it) map_keys.push_back(it.key());
            RC_ASSERT(keys == map_keys);
            for (const auto& key : map_keys) {
                RC_ASSERT(a.contains(key));
                RC_ASSERT(a.at(key).dump() == a_map.at(key).dump());
            }
            json merged = a;
            MapJson merged_map = a_map;
            if (b.is_object()) {
                merged.update(b);
                merged_map.update(b_map);
                RC_ASSERT(merged.dump() == merged_map.dump());
            }
        }
    });
    EXPECT_TRUE(ok);
}

// nlohmann's operator[] looks a key up by emplacing it; for a key that is present that must
// leave the object alone, as std::map does, even when it is full: the stdio codec holds a
// reference to the body while it reads "src" with operator[].
TEST(SortedFields, EmplacingAPresentKeyMovesNothing) {
    const json original = {{"src", "c1"}, {"dest", "n1"}, {"body", {{"type", "echo"}}}};
    json full = original;  // a copy: its members fill their vector exactly
    const json* body = &full.at("body");
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(full["src"], "c1");
        EXPECT_EQ(full["dest"], "n1");
        EXPECT_EQ(&full.at("body"), body);
    }
    auto& members = full.get_ref<json::object_t&>();
    EXPECT_FALSE(members.emplace("body", json(1)).second);
    EXPECT_FALSE(members.emplace(std::piecewise_construct, std::forward_as_tuple("dest"),
                                 std::forward_as_tuple(2))
                     .second);
    EXPECT_EQ(&full.at("body"), body);
    EXPECT_EQ(full, original);
}

TEST(SortedFields, AMissingKeyThrowsAsStdMapAtDoes) {
    Fields fields;
    fields.emplace("a", 1);
    EXPECT_EQ(fields.at("a"), 1);
    EXPECT_THROW(fields.at("b"), std::out_of_range);
    const json body = {{"type", "x"}};
    EXPECT_THROW(body.at("msg_id"), json::out_of_range);
}

// The first member reserves room for a whole body, so building one allocates once.
TEST(SortedFields, ABodyOfSixFieldsIsBuiltInOneBlock) {
    Fields fields;
    fields.emplace("type", 1);
    const auto* first = &*fields.begin();
    for (const char* key : {"msg_id", "in_reply_to", "key", "msg", "offset"}) fields.emplace(key, 0);
    EXPECT_EQ(fields.size(), kFirstReservedFields);
    EXPECT_EQ(&*fields.begin(), first);
    EXPECT_EQ(fields.begin()->first, "in_reply_to");
}

}  // namespace
}  // namespace millpond
