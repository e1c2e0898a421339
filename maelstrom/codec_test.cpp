#include "codec.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

namespace millpond::maelstrom {
namespace {

TEST(Codec, DecodesMaelstromsDeliveredMessageAndDropsItsId) {
    const DecodedLine decoded =
        decode_line(R"({"id":17,"src":"c3","dest":"n1",)"
                    R"("body":{"type":"echo","msg_id":4,"echo":[1,{"a":"b"}]}})");
    ASSERT_EQ(decoded.status, DecodeStatus::kOk) << decoded.problem;
    EXPECT_EQ(decoded.problem, "");
    EXPECT_EQ(decoded.message.src, "c3");
    EXPECT_EQ(decoded.message.dest, "n1");
    EXPECT_EQ(decoded.message.body,
              json::parse(R"({"type":"echo","msg_id":4,"echo":[1,{"a":"b"}]})"));
    EXPECT_FALSE(decoded.message.body.contains("id"));
}

TEST(Codec, ToleratesCarriageReturnAndSurroundingSpace) {
    const DecodedLine decoded =
        decode_line(" {\"src\":\"a\",\"dest\":\"b\",\"body\":{\"type\":\"t\"}}\r");
    EXPECT_EQ(decoded.status, DecodeStatus::kOk) << decoded.problem;
}

struct EnvelopeCase {
    const char* line;
    const char* problem_fragment;
};
void PrintTo(const EnvelopeCase& c, std::ostream* os) { *os << c.line; }

// Parameterised cases are named by position; the line itself is printed on failure.
template <typename Case>
std::string case_name(const ::testing::TestParamInfo<Case>& info) {
    return "case" + std::to_string(info.index);
}

class BadEnvelope : public ::testing::TestWithParam<EnvelopeCase> {};

TEST_P(BadEnvelope, IsRejectedWithAProblemNamingIt) {
    const DecodedLine decoded = decode_line(GetParam().line);
    EXPECT_EQ(decoded.status, DecodeStatus::kBadEnvelope);
    EXPECT_NE(decoded.problem.find(GetParam().problem_fragment), std::string::npos)
        << "problem: " << decoded.problem;
    EXPECT_EQ(decoded.problem.find('\n'), std::string::npos);
    EXPECT_EQ(decoded.problem.find("[json.exception"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Codec, BadEnvelope,
    ::testing::Values(EnvelopeCase{"not json at all", "not JSON"},
                      EnvelopeCase{R"({"src":"c1","dest":"n1","body":{})", "not JSON"},
                      EnvelopeCase{R"({"src":"c1","dest":"n1","body":{}} trailing)", "not JSON"},
                      EnvelopeCase{"", "not JSON"},
                      EnvelopeCase{R"([1,2,3])", "must be a JSON object, got array"},
                      EnvelopeCase{R"("just a string")", "must be a JSON object, got string"},
                      EnvelopeCase{R"({"dest":"n1","body":{"type":"echo"}})", "no 'src'"},
                      EnvelopeCase{R"({"src":"c1","body":{"type":"echo"}})", "no 'dest'"},
                      EnvelopeCase{R"({"src":7,"dest":"n1","body":{"type":"echo"}})",
                                   "'src' must be a non-empty string, got number"},
                      EnvelopeCase{R"({"src":"","dest":"n1","body":{"type":"echo"}})",
                                   "'src' must be a non-empty string"},
                      EnvelopeCase{R"({"src":"c1","dest":null,"body":{"type":"echo"}})",
                                   "'dest' must be a non-empty string, got null"},
                      EnvelopeCase{R"({"src":"c1","dest":"n1"})", "no 'body'"},
                      EnvelopeCase{R"({"id":"9","src":"c1","dest":"n1","body":{"type":"echo"}})",
                                   "'id' must be an integer, got string"},
                      EnvelopeCase{"{\"src\":\"c\xff\",\"dest\":\"n1\",\"body\":{}}", "not JSON"}),
    case_name<EnvelopeCase>);

struct BodyCase {
    const char* body;
    const char* problem_fragment;
};
void PrintTo(const BodyCase& c, std::ostream* os) { *os << c.body; }

class BadBody : public ::testing::TestWithParam<BodyCase> {};

TEST_P(BadBody, KeepsTheEnvelopeSoTheSenderCanBeAnswered) {
    const std::string line =
        std::string(R"({"src":"c1","dest":"n1","body":)") + GetParam().body + "}";
    const DecodedLine decoded = decode_line(line);
    EXPECT_EQ(decoded.status, DecodeStatus::kBadBody);
    EXPECT_EQ(decoded.message.src, "c1");
    EXPECT_EQ(decoded.message.dest, "n1");
    EXPECT_EQ(decoded.message.body, json::parse(GetParam().body));
    EXPECT_NE(decoded.problem.find(GetParam().problem_fragment), std::string::npos)
        << "problem: " << decoded.problem;
}

INSTANTIATE_TEST_SUITE_P(
    Codec, BadBody,
    ::testing::Values(
        BodyCase{R"("oops")", "body must be an object, got string"},
        BodyCase{"null", "body must be an object, got null"},
        BodyCase{"[1]", "body must be an object, got array"},
        BodyCase{R"({"msg_id":1})", "body has no 'type'"},
        BodyCase{R"({"type":3,"msg_id":1})", "'type' must be a string, got number"},
        BodyCase{R"({"type":"echo","msg_id":"7"})",
                 R"('msg_id' must be an integer, got string "7")"},
        BodyCase{R"({"type":"echo","msg_id":1.0})", "'msg_id' must be an integer, got number"},
        BodyCase{R"({"type":"echo","msg_id":-3})", "'msg_id' must not be negative"},
        BodyCase{R"({"type":"echo","msg_id":18446744073709551615})", "'msg_id' is out of range"},
        BodyCase{R"({"type":"echo_ok","in_reply_to":[1]})",
                 "'in_reply_to' must be an integer, got array"}),
    case_name<BodyCase>);

TEST(Codec, AcceptsTheLargestIdsAndAbsentOnes) {
    EXPECT_EQ(validate_body(json::parse(R"({"type":"x"})")), "");
    EXPECT_EQ(
        validate_body(json::parse(R"({"type":"x","msg_id":9223372036854775807,"in_reply_to":0})")),
        "");
}

TEST(Codec, EncodesInMaelstromsKeyOrderOnOneLine) {
    Message message{"n1", "c2",
                    json::parse(R"({"type":"echo_ok","in_reply_to":3,"echo":"a\nb\u0001"})")};
    EXPECT_EQ(encode_message(message),
              R"({"src":"n1","dest":"c2","body":{"echo":"a\nb\u0001","in_reply_to":3,)"
              R"("type":"echo_ok"}})");
}

TEST(Codec, EncodingNeverThrowsOnBytesThatAreNotUtf8) {
    Message message{"n1", "c2", json{{"type", "x"}, {"bad", std::string("a\xff")}}};
    EXPECT_EQ(
        encode_message(message),
        "{\"src\":\"n1\",\"dest\":\"c2\",\"body\":{\"bad\":\"a\xef\xbf\xbd\",\"type\":\"x\"}}");
}

// Arbitrary bytes, the kind of thing a broken peer might print.
RC_GTEST_PROP(CodecProperty, DecodingArbitraryBytesNeverThrows, (const std::string& bytes)) {
    const DecodedLine decoded = decode_line(bytes);
    RC_ASSERT((decoded.status == DecodeStatus::kOk) == decoded.problem.empty());
}

// A printable-ASCII-or-control string: always valid UTF-8, so encoding must not alter it.
rc::Gen<std::string> gen_ascii_string() {
    return rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
}

rc::Gen<json> gen_leaf() {
    return rc::gen::oneOf(
        rc::gen::map(rc::gen::arbitrary<std::int64_t>(), [](std::int64_t v) { return json(v); }),
        rc::gen::map(rc::gen::arbitrary<bool>(), [](bool v) { return json(v); }),
        rc::gen::map(gen_ascii_string(), [](std::string v) { return json(std::move(v)); }),
        rc::gen::just(json(nullptr)));
}

RC_GTEST_PROP(CodecProperty, EncodeThenDecodeIsIdentity, ()) {
    const auto src = *rc::gen::nonEmpty(gen_ascii_string());
    const auto dest = *rc::gen::nonEmpty(gen_ascii_string());
    json body = {{"type", *gen_ascii_string()}};
    if (*rc::gen::arbitrary<bool>())
        body["msg_id"] = *rc::gen::inRange<std::int64_t>(0, std::int64_t{1} << 62);
    const auto fields = *rc::gen::container<std::vector<std::pair<std::string, json>>>(
        rc::gen::pair(gen_ascii_string(), gen_leaf()));
    json nested = json::array();
    for (const auto& [key, value] : fields) {
        body["f_" + key] = value;
        nested.push_back(json{{key, value}});
    }
    body["nested"] = nested;
    const Message message{src, dest, body};

    const std::string line = encode_message(message);
    RC_ASSERT(line.find('\n') == std::string::npos);
    const DecodedLine decoded = decode_line(line);
    RC_ASSERT(decoded.status == DecodeStatus::kOk);
    RC_ASSERT(decoded.message.src == src);
    RC_ASSERT(decoded.message.dest == dest);
    RC_ASSERT(decoded.message.body == body);
    // Canonical: the bytes depend only on the value.
    RC_ASSERT(encode_message(decoded.message) == line);
}

}  // namespace
}  // namespace millpond::maelstrom
