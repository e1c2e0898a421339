#include "fingerprint.hpp"

#include <gtest/gtest.h>

#include <string>

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
