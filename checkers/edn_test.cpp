#include "edn.hpp"

#include <gtest/gtest.h>

#include "history.hpp"

namespace millpond::edn {
namespace {

TEST(Edn, RoundTripsMaelstromOpLine) {
    const std::string line =
        "{:index 1, :time 53754667, :type :ok, :process 0, :f :echo, :value {:echo \"Please echo "
        "34\", :in_reply_to 1, :msg_id 1, :type \"echo_ok\"}}";
    auto value = parse(line);
    ASSERT_TRUE(value);
    EXPECT_EQ(write(*value), line);
    ASSERT_NE(value->find("value"), nullptr);
    EXPECT_EQ(value->find("value")->find("echo")->as_string(), "Please echo 34");
}

TEST(Edn, ReadsKafkaValuesSetsAndNesting) {
    auto value = parse("[[:poll {\"8\" [[0 1] [1 2]]}] #{1 2 3} (a b) nil true -5 2.5 1/2]");
    ASSERT_TRUE(value);
    const auto& items = value->items();
    ASSERT_EQ(items.size(), 8u);
    EXPECT_TRUE(items[0].items()[0].is_keyword("poll"));
    EXPECT_EQ(items[0].items()[1].find("8")->items()[1].items()[1].as_int(), 2);
    EXPECT_EQ(items[1].kind(), Kind::kSet);
    EXPECT_EQ(items[2].kind(), Kind::kList);
    EXPECT_TRUE(items[3].is_nil());
    EXPECT_EQ(items[5].as_int(), -5);
    EXPECT_DOUBLE_EQ(items[7].as_double(), 0.5);
    EXPECT_EQ(write(*value), "[[:poll {\"8\" [[0 1] [1 2]]}] #{1 2 3} (a b) nil true -5 2.5 0.5]");
}

// Keywords of one name share their text (up to a small number of short names); that must
// not show: every keyword keeps its own name, whether shared or not, and equal names compare
// equal either way.
TEST(Edn, KeywordsAreTheirNamesWhetherSharedOrNot) {
    std::vector<Value> made;
    for (int round = 0; round < 2; ++round)
        for (int i = 0; i < 100; ++i)
            made.push_back(Value::keyword("k" + std::to_string(i) + std::string(i % 3 * 20, 'x')));
    for (int i = 0; i < 100; ++i) {
        const std::string name = "k" + std::to_string(i) + std::string(i % 3 * 20, 'x');
        EXPECT_TRUE(made[static_cast<std::size_t>(i)].is_keyword(name));
        EXPECT_EQ(made[static_cast<std::size_t>(i)], made[static_cast<std::size_t>(i + 100)]);
        EXPECT_EQ(Value::compare(made[static_cast<std::size_t>(i)], Value::keyword(name)), 0);
        EXPECT_NE(made[static_cast<std::size_t>(i)], Value(name));  // a string is no keyword
    }
    EXPECT_EQ(write(Value::vector({Value::keyword("send"), Value::keyword("send")})),
              "[:send :send]");
}

TEST(Edn, ReportsWhereParsingFailed) {
    ParseError error;
    EXPECT_FALSE(parse("{:a 1,\n :b [1 2", &error));
    EXPECT_EQ(error.line, 2u);
    EXPECT_NE(error.message.find("end of input"), std::string::npos);
    EXPECT_FALSE(parse("{:a}", &error));
    EXPECT_NE(error.message.find("odd"), std::string::npos);
    EXPECT_FALSE(parse("[1 2] 3", &error));
    EXPECT_FALSE(parse("\"abc", &error));
}

TEST(Edn, SetAndMapEqualityIgnoreOrder) {
    EXPECT_EQ(*parse("#{1 2}"), *parse("#{2 1}"));
    EXPECT_EQ(*parse("{:a 1 :b 2}"), *parse("{:b 2 :a 1}"));
    EXPECT_NE(*parse("[1 2]"), *parse("[2 1]"));
}

TEST(Edn, JsonMappingUsesKeywordNamesAsKeys) {
    auto value = parse("{:valid? true, :error-types [:lost-write], :net {:all {:msgs-per-op 2.5}}}");
    ASSERT_TRUE(value);
    auto j = to_json(*value);
    EXPECT_EQ(j["valid?"], true);
    EXPECT_EQ(j["error-types"][0], "lost-write");
    EXPECT_DOUBLE_EQ(j["net"]["all"]["msgs-per-op"].get<double>(), 2.5);
    auto back = from_json(nlohmann::json::parse(R"({"type":"echo_ok","echo":[1,{"x":2}]})"), true);
    EXPECT_TRUE(back.find("type")->is_string());
    EXPECT_EQ(write(*back.find("echo")), "[1 {\"x\" 2}]");
}

TEST(Edn, PrettyPrintBreaksLongMaps) {
    auto value = parse("{:stats {:valid? true, :count 54, :ok-count 54, :fail-count 0, :info-count 0, "
                       ":by-f {:echo {:valid? true}}}, :valid? true}");
    auto text = write_pretty(*value, 40);
    EXPECT_NE(text.find('\n'), text.size() - 1);
    EXPECT_EQ(*parse(text), *value);
}

TEST(History, ParsesMaelstromLinesAndNemesis) {
    auto history = history::parse_history(
        "{:index 0, :time 5, :type :invoke, :process 0, :f :echo, :value \"x\"}\n"
        "{:type :info, :f :start-partition, :value :majority, :process :nemesis, :time 7, :index 1}\n"
        "{:index 2, :time 9, :type :ok, :process 0, :f :echo, :value {:echo \"x\"}}\n",
        nullptr);
    ASSERT_TRUE(history);
    ASSERT_EQ(history->size(), 3u);
    EXPECT_EQ((*history)[1].process, history::kNemesisProcess);
    auto pairs = history::pair_ops(*history);
    EXPECT_EQ(pairs.completion_of[0], 2);
    EXPECT_EQ(pairs.invocation_of[2], 0);
}

TEST(History, TruncatedLineNamesItsLineNumber) {
    history::ReadError error;
    auto history = history::parse_history(
        "{:index 0, :time 5, :type :invoke, :process 0, :f :echo, :value \"x\"}\n"
        "{:index 1, :time 6, :type :ok, :process 0, :f :echo, :val",
        &error);
    EXPECT_FALSE(history);
    EXPECT_EQ(error.line, 2u);
    EXPECT_NE(error.message.find("truncated"), std::string::npos);
    EXPECT_FALSE(history::parse_history("{:index 0, :time 5, :type :bogus, :process 0, :f :x}\n", &error));
    EXPECT_EQ(error.line, 1u);
    EXPECT_NE(error.message.find(":type"), std::string::npos);
}

}  // namespace
}  // namespace millpond::edn
