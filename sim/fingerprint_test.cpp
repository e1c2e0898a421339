#include "fingerprint.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace millpond::sim {
namespace {

std::uint64_t of(const json& value) {
    Hasher hasher;
    hash_json(hasher, value);
    return hasher.value();
}

std::uint64_t of_string(std::string_view bytes) {
    Hasher hasher;
    hasher.add(bytes);
    return hasher.value();
}

std::uint64_t of_words(const std::vector<std::uint64_t>& words) {
    Hasher hasher;
    for (std::uint64_t word : words) hasher.add(word);
    return hasher.value();
}

// Every absorbing step is a bijection of the state for a given word, so a run that differs
// from another in one absorbed word (a message id, one byte of one key) always fingerprints
// differently, not just nearly always.
RC_GTEST_PROP(FingerprintProperty, SequencesDifferingInOneWordNeverCollide,
              (std::vector<std::uint64_t> words, std::uint64_t other)) {
    RC_PRE(!words.empty());
    const auto at = *rc::gen::inRange<std::size_t>(0, words.size());
    RC_PRE(other != words[at]);
    std::vector<std::uint64_t> changed = words;
    changed[at] = other;
    RC_ASSERT(of_words(words) != of_words(changed));
}

TEST(Fingerprint, NeighbouringWordsAndLengthsStayApart) {
    // Small structured differences, the kind runs have: one id apart, one bit apart, two words
    // swapped, a word more.
    std::vector<std::uint64_t> base = {1, 2, 3, 4, 5, 6, 7, 8};
    const std::uint64_t reference = of_words(base);
    for (std::size_t i = 0; i < base.size(); ++i) {
        for (std::uint64_t delta : {std::uint64_t{1}, std::uint64_t{1} << 63}) {
            auto changed = base;
            changed[i] ^= delta;
            EXPECT_NE(of_words(changed), reference) << i;
        }
        if (i + 1 < base.size()) {
            auto swapped = base;
            std::swap(swapped[i], swapped[i + 1]);
            EXPECT_NE(of_words(swapped), reference) << i;
        }
    }
    auto longer = base;
    longer.push_back(0);
    EXPECT_NE(of_words(longer), reference);
}

TEST(Fingerprint, ScalarsOfDifferentTypesStayApart) {
    const std::uint64_t values[] = {of(json(1)), of(json(1u)), of(json(1.0)), of(json(true)),
                                    of(json("1")), of(json(nullptr)), of(json::array({1})),
                                    of(json::object())};
    for (std::size_t i = 0; i < std::size(values); ++i)
        for (std::size_t j = i + 1; j < std::size(values); ++j)
            EXPECT_NE(values[i], values[j]) << i << " vs " << j;
}

TEST(Fingerprint, AnObjectHashesTheSameWhateverItsInsertionOrder) {
    json a;
    a["type"] = "send";
    a["key"] = "7";
    a["msg"] = 12;
    json b;
    b["msg"] = 12;
    b["key"] = "7";
    b["type"] = "send";
    EXPECT_EQ(of(a), of(b));
    b["msg"] = 13;
    EXPECT_NE(of(a), of(b));
}

TEST(Fingerprint, StructureCounts) {
    EXPECT_NE(of(json::parse(R"([[1,2],[3]])")), of(json::parse(R"([[1],[2,3]])")));
    EXPECT_NE(of(json::parse(R"({"a":{"b":1}})")), of(json::parse(R"({"a":{"c":1}})")));
}

TEST(Fingerprint, StringsDifferAtEveryLengthAndWordBoundary) {
    EXPECT_NE(of_string(""), of_string(std::string(1, '\0')));
    EXPECT_NE(of_string("ab"), of_string(std::string("ab\0", 3)));
    std::string text = "in_reply_to_and_more";
    for (std::size_t n = 0; n < text.size(); ++n) {
        EXPECT_NE(of_string(text.substr(0, n)), of_string(text.substr(0, n + 1))) << n;
        std::string flipped = text.substr(0, n + 1);
        flipped[n] ^= 1;
        EXPECT_NE(of_string(text.substr(0, n + 1)), of_string(flipped)) << n;
    }
}

// The word a string's tail goes in as: byte i of the tail at bits 8i..8i+7, for every length
// a tail can have and bytes with the high bit set (fingerprints depend on exactly this value).
TEST(Fingerprint, TailWordsAreTheLittleEndianBytes) {
    const unsigned char patterns[][8] = {{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08},
                                         {0xff, 0x80, 0x7f, 0x00, 0xfe, 0x81, 0x10, 0xc3}};
    for (const auto& pattern : patterns) {
        const char* bytes = reinterpret_cast<const char*>(pattern);
        for (std::size_t count = 0; count <= 8; ++count) {
            std::uint64_t expected = 0;
            for (std::size_t i = 0; i < count; ++i)
                expected |= static_cast<std::uint64_t>(pattern[i]) << (8 * i);
            EXPECT_EQ(Hasher::load_le(bytes, count), expected) << "count " << count;
        }
    }
}

}  // namespace
}  // namespace millpond::sim
