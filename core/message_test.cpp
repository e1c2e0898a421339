#include "message.hpp"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <map>
#include <string>
#include <vector>

namespace millpond {
namespace {

using Fields = std::map<std::string, int, std::less<>>;

// find_string_key must find exactly what std::map::find finds, whether it scans or searches.
void expect_same_as_find(const Fields& fields, std::string_view key) {
    auto found = find_string_key(fields, key);
    auto expected = fields.find(key);
    EXPECT_EQ(found == fields.end(), expected == fields.end()) << "key '" << key << "'";
    if (found != fields.end() && expected != fields.end()) {
        EXPECT_EQ(found->first, expected->first) << "key '" << key << "'";
    }
}

TEST(FindStringKey, AgreesWithFindOnBodyFieldsPrefixesAndHighBytes) {
    const std::vector<std::string> probes = {"",
                                             "type",
                                             "msg",
                                             "msg_id",
                                             "msgs",
                                             "m",
                                             "in_reply_to",
                                             "offset",
                                             "offsets",
                                             "zzz",
                                             std::string("\0a", 2),
                                             "\x80",
                                             "\xff",
                                             "\xff\xff",
                                             "a\xff"};
    // Below, at and above kScannedKeysMax, so both the scan and the search are checked.
    for (const std::size_t extra : {std::size_t{0}, std::size_t{3}, kScannedKeysMax + 4}) {
        Fields fields = {{"type", 1}, {"msg", 2}, {"msgs", 3}, {"in_reply_to", 4}};
        for (std::size_t i = 0; i < extra; ++i) fields.emplace("k" + std::to_string(i), 0);
        for (const auto& probe : probes) expect_same_as_find(fields, probe);
        fields.emplace("", 5);
        fields.emplace("\xff", 6);
        fields.emplace(std::string("\0a", 2), 7);
        for (const auto& probe : probes) expect_same_as_find(fields, probe);
    }
}

TEST(FindStringKey, AgreesWithFindOnAnyKeys) {
    const bool ok = rc::check([](const std::vector<std::string>& keys, const std::string& probe,
                                 std::size_t pick) {
        Fields fields;
        for (const auto& key : keys) fields.emplace(key, 0);
        // Probe both an arbitrary string and, when there is one, a key that is present.
        for (const std::string& key : {probe, keys.empty() ? probe : keys[pick % keys.size()]}) {
            auto found = find_string_key(fields, key);
            RC_ASSERT(found == fields.find(key));
        }
    });
    EXPECT_TRUE(ok);
}

TEST(SetBodyInt, InsertsOrOverwritesAsOperatorBracketDoes) {
    json body = {{"type", "send_ok"}, {"msg_id", "not yet"}};
    json expected = body;
    set_body_int(body, "in_reply_to", 7);
    set_body_int(body, "msg_id", 9);
    expected["in_reply_to"] = std::int64_t{7};
    expected["msg_id"] = std::int64_t{9};
    EXPECT_EQ(body, expected);
    EXPECT_TRUE(body["msg_id"].is_number_integer() && !body["msg_id"].is_number_unsigned());
}

TEST(AppendField, BuildsWhatEmplaceBuildsInAnyOrder) {
    json appended(json::value_t::object);
    append_field(appended, "have", std::int64_t{3});
    append_field(appended, "key", std::string("k"));
    append_field(appended, "type", "kafka_send");
    append_field(appended, "msg", json(5));  // out of key order: still placed right
    json emplaced(json::value_t::object);
    emplaced.emplace("type", "kafka_send");
    emplaced.emplace("msg", json(5));
    emplaced.emplace("key", std::string("k"));
    emplaced.emplace("have", std::int64_t{3});
    EXPECT_EQ(appended, emplaced);
    EXPECT_EQ(appended.dump(), emplaced.dump());
    EXPECT_FALSE(appended["have"].is_number_unsigned());
}

}  // namespace
}  // namespace millpond
