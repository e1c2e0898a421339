// Golden stdin -> stdout tests of the real millpond-kafka binary, one per design, byte for
// byte, plus its command line. The inputs play Maelstrom: clients, and for kv the lin-kv
// service's replies, for owner the other node's forwards and replies. Every RPC a node makes is
// answered in the input, and no answer depends on how much real time passed (the inputs never
// poll or list a key at a point the node confirmed within its freshness window, where the node
// may answer without asking), so the adapter's real clock cannot change the output.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "program_run_testing.hpp"


namespace {

const std::string kKafkaBinary = std::string(MILLPOND_BINARY_DIR) + "/millpond-kafka";

using millpond::maelstrom::test_support::kTestdata;
using millpond::maelstrom::test_support::lines_of;
using millpond::maelstrom::test_support::ProgramRun;
using millpond::maelstrom::test_support::read_file;

// millpond-kafka with the test's environment minus KAFKA_*, MILLPOND_SEED and
// MILLPOND_INCARNATION, plus `extra_env` (incarnation 0 unless it sets one).
ProgramRun run_kafka(const std::vector<std::string>& arguments, const std::string& stdin_path,
                     const std::vector<std::string>& extra_env = {}) {
    namespace support = millpond::maelstrom::test_support;
    return support::run_program(kKafkaBinary, arguments, stdin_path,
                                {"KAFKA_", "MILLPOND_SEED=", "MILLPOND_INCARNATION="},
                                support::with_fixed_incarnation(extra_env));
}

void expect_same_output(const std::string& got, const std::string& expected) {
    const auto got_lines = lines_of(got);
    const auto expected_lines = lines_of(expected);
    for (std::size_t i = 0; i < std::max(got_lines.size(), expected_lines.size()); ++i) {
        EXPECT_EQ(i < got_lines.size() ? got_lines[i] : "<missing>",
                  i < expected_lines.size() ? expected_lines[i] : "<missing>")
            << "stdout line " << i + 1;
    }
    EXPECT_EQ(got, expected);
}

class KafkaGolden : public ::testing::TestWithParam<std::string> {};

// Set MILLPOND_UPDATE_GOLDEN=1 to rewrite the expected files after a deliberate change; then
// read the diff before committing it.
TEST_P(KafkaGolden, StdinToStdout) {
    const std::string backend = GetParam();
    const std::string expected_path = kTestdata + "/kafka_" + backend + ".out";
    const ProgramRun run =
        run_kafka({"--backend", backend}, kTestdata + "/kafka_" + backend + ".in");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("millpond-kafka: backend " + backend), std::string::npos) << run.err;
    if (std::getenv("MILLPOND_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(expected_path, std::ios::binary) << run.out;
        GTEST_SKIP() << "rewrote " << expected_path;
    }
    const std::string expected = read_file(expected_path);
    ASSERT_FALSE(expected.empty());
    expect_same_output(run.out, expected);
}

INSTANTIATE_TEST_SUITE_P(Backends, KafkaGolden, ::testing::Values("memory", "kv", "owner"),
                         [](const auto& info) { return info.param; });

TEST(MillpondKafka, BackendComesFromTheEnvironment) {
    const ProgramRun run = run_kafka({}, kTestdata + "/kafka_owner.in", {"KAFKA_BACKEND=owner"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, read_file(kTestdata + "/kafka_owner.out"));
}

TEST(MillpondKafka, FlagsWinOverTheEnvironment) {
    const ProgramRun run = run_kafka({"--backend=memory"}, kTestdata + "/kafka_memory.in",
                                     {"KAFKA_BACKEND=nonsense", "KAFKA_COMMIT_KV=nonsense"});
    EXPECT_EQ(run.exit_code, 254) << "a bad KAFKA_COMMIT_KV is still an error: no flag overrode it";
    const ProgramRun overridden =
        run_kafka({"--backend=memory", "--commit-kv", "seq"}, kTestdata + "/kafka_memory.in",
                  {"KAFKA_BACKEND=nonsense", "KAFKA_COMMIT_KV=nonsense"});
    EXPECT_EQ(overridden.exit_code, 0) << overridden.err;
    EXPECT_EQ(overridden.out, read_file(kTestdata + "/kafka_memory.out"));
}

TEST(MillpondKafka, DefaultIsMemory) {
    const ProgramRun run = run_kafka({}, kTestdata + "/kafka_memory.in");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, read_file(kTestdata + "/kafka_memory.out"));
}

// With --commit-kv seq the kv design sends exactly the same requests, committed offsets going
// to seq-kv instead of lin-kv.
TEST(MillpondKafka, CommitKvSeqMovesCommittedOffsetsToSeqKv) {
    const std::string expected = read_file(kTestdata + "/kafka_kv.out");
    std::string rewritten;
    for (auto line : lines_of(expected)) {
        const std::size_t at = line.find(R"("dest":"lin-kv")");
        if (at != std::string::npos && line.find(R"("key":"commit/)") != std::string::npos)
            line.replace(at, std::string(R"("dest":"lin-kv")").size(), R"("dest":"seq-kv")");
        rewritten += line + "\n";
    }
    ASSERT_NE(rewritten, expected);
    const ProgramRun by_flag =
        run_kafka({"--backend", "kv", "--commit-kv", "seq"}, kTestdata + "/kafka_kv.in");
    EXPECT_EQ(by_flag.exit_code, 0) << by_flag.err;
    expect_same_output(by_flag.out, rewritten);
    const ProgramRun by_environment =
        run_kafka({}, kTestdata + "/kafka_kv.in", {"KAFKA_BACKEND=kv", "KAFKA_COMMIT_KV=seq"});
    EXPECT_EQ(by_environment.exit_code, 0) << by_environment.err;
    expect_same_output(by_environment.out, rewritten);
}

TEST(MillpondKafka, BadValuesAreOneLineAndExit254) {
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--backend", "raft"},
         "millpond-kafka: --backend must be one of memory, kv, owner, got 'raft'\n"},
        {{"--commit-kv=lww"}, "millpond-kafka: --commit-kv must be lin or seq, got 'lww'\n"},
        {{"--backend"}, "millpond-kafka: --backend needs a value (try --help)\n"},
        {{"--node-count", "3"}, "millpond-kafka: unknown argument '--node-count' (try --help)\n"},
    };
    for (const auto& [arguments, err] : cases) {
        const ProgramRun run = run_kafka(arguments, "/dev/null");
        EXPECT_EQ(run.exit_code, 254) << err;
        EXPECT_EQ(run.out, "");
        EXPECT_EQ(run.err, err);
    }
    const ProgramRun run = run_kafka({}, "/dev/null", {"KAFKA_BACKEND=Owner"});
    EXPECT_EQ(run.exit_code, 254);
    EXPECT_EQ(run.err,
              "millpond-kafka: KAFKA_BACKEND must be one of memory, kv, owner, got 'Owner'\n");
}

TEST(MillpondKafka, HelpPrintsUsageAndExitsZero) {
    const ProgramRun run = run_kafka({"--backend", "raft", "--help"}, "/dev/null");
    EXPECT_EQ(run.exit_code, 0) << "--help wins over values checked after parsing";
    const ProgramRun help = run_kafka({"--help"}, "/dev/null");
    EXPECT_EQ(help.exit_code, 0);
    EXPECT_EQ(help.out.rfind("usage: millpond-kafka [--backend memory|kv|owner]", 0), 0u)
        << help.out;
    for (const char* word : {"KAFKA_BACKEND", "KAFKA_COMMIT_KV", "MILLPOND_SEED", "seq-kv"})
        EXPECT_NE(help.out.find(word), std::string::npos) << word;
    EXPECT_EQ(help.err, "");
}

}  // namespace
