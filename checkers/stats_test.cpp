#include "stats.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "validity.hpp"

namespace millpond::checkers {
namespace {

history::History parse(const std::string& text) {
    history::ReadError error;
    auto parsed = history::parse_history(text, &error);
    EXPECT_TRUE(parsed) << error.line << ": " << error.message;
    return parsed ? *parsed : history::History{};
}

const char* kSmall = R"(
{:index 0, :time 0, :type :invoke, :process 0, :f :send, :value [[:send "a" 1]]}
{:index 1, :time 1, :type :ok, :process 0, :f :send, :value [[:send "a" [0 1]]]}
{:index 2, :time 2, :type :invoke, :process 0, :f :poll, :value [[:poll]]}
{:index 3, :time 3, :type :info, :process 0, :f :poll, :value [[:poll]], :error :net-timeout}
{:index 4, :time 4, :type :info, :process :nemesis, :f :start-partition, :value nil}
{:index 5, :time 5, :type :invoke, :process 2, :f :crash, :value nil}
{:index 6, :time 6, :type :info, :process 2, :f :crash, :value nil}
{:index 7, :time 7, :type :invoke, :process 2, :f :assign, :value ["a"]}
{:index 8, :time 8, :type :fail, :process 2, :f :assign, :value ["a"], :error :net-timeout}
{:index 9, :time 9, :type :info, :process :nemesis, :f :stop-partition, :value nil}
)";

TEST(Stats, CountsClientCompletionsByF) {
    const edn::Value stats = check_stats(parse(kSmall));
    const auto expected = edn::parse(R"({:valid? false, :count 4, :ok-count 1, :fail-count 1,
        :info-count 2,
        :by-f {:assign {:valid? false, :count 1, :ok-count 0, :fail-count 1, :info-count 0},
               :crash {:valid? false, :count 1, :ok-count 0, :fail-count 0, :info-count 1},
               :poll {:valid? false, :count 1, :ok-count 0, :fail-count 0, :info-count 1},
               :send {:valid? true, :count 1, :ok-count 1, :fail-count 0, :info-count 0}}})");
    EXPECT_EQ(stats, *expected) << edn::write(stats);
    // Maelstrom's key order, and :by-f sorted by f.
    EXPECT_EQ(edn::write(stats).substr(0, 60),
              "{:valid? false, :count 4, :ok-count 1, :fail-count 1, :info-");
}

TEST(Stats, CrashAndDebugTopicPartitionsNeverInvalidate) {
    const edn::Value stats = check_stats(parse(R"(
{:index 0, :time 0, :type :invoke, :process 0, :f :send, :value [[:send "a" 1]]}
{:index 1, :time 1, :type :ok, :process 0, :f :send, :value [[:send "a" [0 1]]]}
{:index 2, :time 2, :type :invoke, :process 0, :f :crash, :value nil}
{:index 3, :time 3, :type :info, :process 0, :f :crash, :value nil}
{:index 4, :time 4, :type :invoke, :process 1, :f :debug-topic-partitions, :value ["a"]}
{:index 5, :time 5, :type :info, :process 1, :f :debug-topic-partitions, :value ["a"]}
)"));
    EXPECT_EQ(*stats.find("valid?"), edn::Value(true));
    EXPECT_EQ(*stats.find("by-f")->find("crash")->find("valid?"), edn::Value(false));
    EXPECT_EQ(*stats.find("by-f")->find("debug-topic-partitions")->find("valid?"),
              edn::Value(false));
}

TEST(Stats, EmptyHistoryIsValid) {
    EXPECT_EQ(check_stats({}), *edn::parse("{:valid? true, :count 0, :ok-count 0, "
                                           ":fail-count 0, :info-count 0, :by-f {}}"));
}

TEST(Availability, FractionOfInvocationsThatWereOk) {
    const history::History history = parse(kSmall);  // 4 invocations, 1 ok
    EXPECT_EQ(check_availability(history, std::nullopt),
              *edn::parse("{:valid? true, :ok-fraction 0.25}"));
    EXPECT_EQ(*check_availability(history, 0.25).find("valid?"), edn::Value(true));
    EXPECT_EQ(*check_availability(history, 0.26).find("valid?"), edn::Value(false));
    EXPECT_EQ(*check_availability(history, 1.0).find("valid?"), edn::Value(false));
    EXPECT_EQ(check_availability({}, 1.0), *edn::parse("{:valid? true, :ok-fraction 1.0}"));
}

TEST(Availability, PrintsAJavaFloat) {
    EXPECT_EQ(edn::write(as_java_float(17971.0 / 17978.0)), "0.99961066");
    EXPECT_EQ(edn::write(as_java_float(1.0)), "1.0");
    EXPECT_EQ(edn::write(as_java_float(19.0 / 27.0)), "0.7037037");
}

TEST(Validity, FalseBeatsUnknownBeatsTrue) {
    const edn::Value unknown = edn::Value::keyword("unknown");
    EXPECT_EQ(merge_valid({}), edn::Value(true));
    EXPECT_EQ(merge_valid({true, true}), edn::Value(true));
    EXPECT_EQ(merge_valid({true, unknown, true}), unknown);
    EXPECT_EQ(merge_valid({unknown, false, true}), edn::Value(false));
    EXPECT_EQ(merge_valid({false, unknown}), edn::Value(false));
    EXPECT_EQ(merge_valid({edn::Value(), true}), edn::Value(true));  // nil is ignored
    EXPECT_EQ(merge_valid(Validity::kTrue, Validity::kUnknown), Validity::kUnknown);
    EXPECT_EQ(merge_valid(Validity::kFalse, Validity::kUnknown), Validity::kFalse);
    EXPECT_EQ(validity_value(Validity::kUnknown), unknown);
}

// Every recorded run's :stats and :availability (of these runs only unique-ids set
// --availability, to `total`).
TEST(StatsFixtures, MatchRecordedResults) {
    const std::filesystem::path root = std::filesystem::path(MILLPOND_FIXTURES_DIR) / "maelstrom";
    int compared = 0;
    std::vector<std::filesystem::path> runs;
    for (const auto& workload : std::filesystem::directory_iterator(root))
        if (workload.is_directory())
            for (const auto& run : std::filesystem::directory_iterator(workload.path()))
                if (std::filesystem::exists(run.path() / "results.edn")) runs.push_back(run.path());
    std::sort(runs.begin(), runs.end());
    for (const auto& run : runs) {
        SCOPED_TRACE(run.string());
        std::ifstream in(run / "results.edn");
        std::stringstream text;
        text << in.rdbuf();
        const auto results = edn::parse(text.str());
        ASSERT_TRUE(results);
        history::ReadError error;
        const auto history = history::read_history((run / "history.edn").string(), &error);
        ASSERT_TRUE(history) << error.message;
        ASSERT_NE(results->find("stats"), nullptr);
        EXPECT_EQ(check_stats(*history), *results->find("stats"));
        // Older Maelstrom (the 2022 lin-kv runs) had no availability checker.
        if (!results->find("availability")) {
            ++compared;
            continue;
        }
        const bool total = run.parent_path().filename() == "unique-ids";
        EXPECT_EQ(check_availability(*history, total ? std::optional<double>(1.0) : std::nullopt),
                  *results->find("availability"));
        ++compared;
    }
    EXPECT_GE(compared, 12);
}

}  // namespace
}  // namespace millpond::checkers
