#include "short_keys.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace millpond {
namespace {

int sign(int value) { return (value > 0) - (value < 0); }

// Strings short and long (either side of kInlineKeyBytes), often sharing a prefix, with bytes
// above 0x7f (where signed and unsigned char disagree) and embedded zeros.
rc::Gen<std::string> key_text() {
    return rc::gen::map(
        rc::gen::pair(rc::gen::inRange<std::size_t>(0, 2 * kInlineKeyBytes + 4),
                      rc::gen::container<std::vector<unsigned char>>(
                          rc::gen::element<unsigned char>(0, 'a', 'b', 0x7f, 0x80, 0xff))),
        [](const std::pair<std::size_t, std::vector<unsigned char>>& parts) {
            std::string text(parts.first, 'k');  // a shared prefix of varying length
            for (unsigned char c : parts.second) text.push_back(static_cast<char>(c));
            return text;
        });
}

RC_GTEST_PROP(ShortKeysProperty, CompareAsStdStringDoes, ()) {
    const std::string a = *key_text();
    const std::string b = *rc::gen::oneOf(rc::gen::just(a), key_text());
    RC_ASSERT(sign(compare_keys(a, b)) == sign(a.compare(b)));
    RC_ASSERT(keys_equal(a, b) == (a == b));
    RC_ASSERT(KeyLess()(a, b) == (a < b));
}

TEST(ShortKeys, OrderIsStdStringsAtTheEdges) {
    EXPECT_LT(compare_keys("", "a"), 0);
    EXPECT_EQ(compare_keys("", ""), 0);
    EXPECT_LT(compare_keys("msg", "msg_id"), 0);       // a prefix first
    EXPECT_GT(compare_keys("type", "msg_id"), 0);
    EXPECT_LT(compare_keys("a\x7f", "a\x80"), 0);      // bytes compare unsigned
    EXPECT_TRUE(keys_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
    EXPECT_FALSE(keys_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
    const std::string long_a(40, 'x'), long_b = long_a + "y";
    EXPECT_LT(compare_keys(long_a, long_b), 0);
    EXPECT_FALSE(keys_equal(long_a, long_b));
}

TEST(ShortKeys, AMapOrderedByKeyLessIteratesAsStdLessDoes) {
    const std::vector<std::string> keys = {"type", "msg_id", "10", "9", "", "in_reply_to", "msg",
                                           "\xff", "a_very_long_key_name_beyond_sixteen"};
    std::map<std::string, int, KeyLess> ours;
    std::map<std::string, int> standard;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        ours[keys[i]] = static_cast<int>(i);
        standard[keys[i]] = static_cast<int>(i);
    }
    EXPECT_TRUE(std::equal(ours.begin(), ours.end(), standard.begin(), standard.end()));
}

}  // namespace
}  // namespace millpond
