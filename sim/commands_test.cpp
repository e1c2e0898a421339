#include "commands.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkers/edn.hpp"
#include "scratch_dir_testing.hpp"

namespace millpond::sim {
namespace {

namespace fs = std::filesystem;

struct Ran {
    int code;
    std::string out;
    std::string err;
};

Ran run_test(std::vector<std::string> args, const std::string& stamp = "20260101T000000Z") {
    std::ostringstream out, err;
    const int code = run_test_command(args, 99, stamp, out, err);
    return {code, out.str(), err.str()};
}

class CommandsTest : public ::testing::Test {
  protected:
    ScratchDir scratch_{"commands-test"};
    // Not created: a run makes its store, and a refused one must leave none.
    const fs::path store_ = scratch_.path() / "store";
};

TEST_F(CommandsTest, EchoRunWritesMaelstromStoreAndEndsWithSeedFingerprintVerdict) {
    Ran ran = run_test({"-w", "echo", "--node-count", "3", "--time-limit", "10", "--rate", "100",
                        "--seed", "7", "--store", store_.string()});
    ASSERT_EQ(ran.code, 0) << ran.out << ran.err;
    std::vector<std::string> lines;
    std::istringstream in(ran.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_GE(lines.size(), 3u);
    EXPECT_EQ(lines[lines.size() - 3], "seed: 7");
    EXPECT_EQ(lines[lines.size() - 2].rfind("fingerprint: ", 0), 0u);
    EXPECT_EQ(lines.back(), "Everything looks good! ヽ(‘ー`)ノ");
    const fs::path latest = store_ / "latest";
    ASSERT_TRUE(fs::is_symlink(latest));
    for (const char* file : {"history.edn", "history.txt", "results.edn", "results.json",
                             "net-journal.jsonl", "test.json", "jepsen.log", "node-logs/n0.log"})
        EXPECT_TRUE(fs::exists(latest / file)) << file;
    EXPECT_TRUE(fs::is_symlink(store_ / "echo" / "latest"));
    // results.edn parses, and results.json carries the same tree with string keys.
    auto results = edn::parse(read_file(latest / "results.edn"));
    ASSERT_TRUE(results);
    EXPECT_EQ(*results->find("valid?"), edn::Value(true));
    for (const char* key : {"stats", "availability", "net", "workload", "exceptions"})
        EXPECT_NE(results->find(key), nullptr) << key;
    auto json = nlohmann::json::parse(read_file(latest / "results.json"));
    EXPECT_EQ(json["valid?"], true);
    EXPECT_EQ(json["net"]["servers"]["msg-count"], 0);
    EXPECT_GT(json["net"]["all"]["msgs-per-op"].get<double>(), 2.0);
}

TEST_F(CommandsTest, SameSeedTwiceGivesByteIdenticalHistoryAndFingerprint) {
    std::vector<std::string> args = {"-w", "kafka", "--backend", "kv", "--node-count", "2",
                                     "--concurrency", "2n", "--time-limit", "3", "--rate", "300",
                                     "--latency", "5", "--latency-dist", "exponential",
                                     "--seed", "31", "--store", store_.string()};
    Ran first = run_test(args, "A");
    Ran second = run_test(args, "B");
    ASSERT_EQ(first.code, 0) << first.out << first.err;
    ASSERT_EQ(second.code, 0);
    const std::string a = read_file(store_ / "kafka" / "A-s31" / "history.edn");
    const std::string b = read_file(store_ / "kafka" / "B-s31" / "history.edn");
    EXPECT_GT(a.size(), 10000u);
    EXPECT_EQ(a, b);
    auto fingerprint = [](const std::string& out) {
        return out.substr(out.find("fingerprint: "), 30);
    };
    EXPECT_EQ(fingerprint(first.out), fingerprint(second.out));
    EXPECT_EQ(read_file(store_ / "kafka" / "A-s31" / "net-journal.jsonl"),
              read_file(store_ / "kafka" / "B-s31" / "net-journal.jsonl"));
}

TEST_F(CommandsTest, BadArgumentsExit254WithOneLineAndWriteNothing) {
    for (auto args : std::vector<std::vector<std::string>>{
             {"--bogus"}, {"-w", "nope"}, {"--rate", "x"}, {"--node-count", "-2"},
             {"--latency-dist", "pareto"}, {"-w", "kafka", "--backend", "zoo"}}) {
        args.insert(args.end(), {"--store", store_.string()});
        Ran ran = run_test(args);
        EXPECT_EQ(ran.code, 254) << args[0];
        EXPECT_EQ(std::count(ran.err.begin(), ran.err.end(), '\n'), 1) << ran.err;
        EXPECT_FALSE(fs::exists(store_));
    }
}

TEST_F(CommandsTest, InvalidRunExitsOneAndPrintsRepro) {
    // The one-node memory design run on three nodes: each node keeps its own log, so offsets
    // collide across nodes and the checker must say so.
    Ran ran = run_test({"-w", "kafka", "--backend", "memory", "--node-count", "3", "--concurrency",
                        "2n", "--time-limit", "5", "--rate", "200", "--seed", "4", "--store",
                        store_.string()});
    EXPECT_EQ(ran.code, 1) << ran.out;
    EXPECT_NE(ran.out.find("repro: millpond test -w kafka --backend memory"), std::string::npos);
    EXPECT_NE(ran.out.find("Analysis invalid!"), std::string::npos);
}

TEST_F(CommandsTest, CheckJudgesAStoredRunAndRejectsATruncatedHistory) {
    ASSERT_EQ(run_test({"-w", "echo", "--node-count", "1", "--time-limit", "2", "--rate", "50",
                        "--seed", "3", "--store", store_.string()})
                  .code,
              0);
    std::ostringstream out, err;
    const fs::path history = store_ / "latest" / "history.edn";
    EXPECT_EQ(run_check_command({"-w", "echo", history.string(), "--out", (store_ / "check").string()},
                                out, err),
              0)
        << err.str();
    EXPECT_TRUE(fs::exists(store_ / "check" / "results.edn"));
    // Cut the history in the middle of a line.
    std::string text = read_file(history);
    const fs::path truncated = store_ / "truncated.edn";
    std::ofstream(truncated) << text.substr(0, text.size() / 2 + 7);
    std::ostringstream out2, err2;
    EXPECT_EQ(run_check_command({"-w", "echo", truncated.string()}, out2, err2), 254);
    const std::string message = err2.str();
    EXPECT_NE(message.find("truncated.edn:"), std::string::npos) << message;
    EXPECT_EQ(std::count(message.begin(), message.end(), '\n'), 1) << message;
}

}  // namespace
}  // namespace millpond::sim
