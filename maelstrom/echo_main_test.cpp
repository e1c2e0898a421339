// Golden stdin -> stdout tests of the real millpond-echo binary: the whole path Maelstrom
// exercises (process, poll loop, codec, EchoNode, flushing, exit code), byte for byte.

#include <fcntl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "program_run_testing.hpp"
#include "stdio_adapter.hpp"


namespace {

const std::string kEchoBinary = std::string(MILLPOND_BINARY_DIR) + "/millpond-echo";

using millpond::maelstrom::test_support::kTestdata;
using millpond::maelstrom::test_support::lines_of;
using millpond::maelstrom::test_support::ProgramRun;
using millpond::maelstrom::test_support::read_file;

// millpond-echo with the test's environment minus MILLPOND_SEED and MILLPOND_INCARNATION, plus
// `extra_env` (incarnation 0 unless it sets one).
ProgramRun run_program(const std::vector<std::string>& arguments, const std::string& stdin_path,
                       const std::vector<std::string>& extra_env = {}) {
    namespace support = millpond::maelstrom::test_support;
    return support::run_program(kEchoBinary, arguments, stdin_path,
                                {"MILLPOND_SEED=", "MILLPOND_INCARNATION="},
                                support::with_fixed_incarnation(extra_env));
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream file(path, std::ios::binary);
    file << bytes;
    ASSERT_TRUE(file) << "cannot write " << path;
}

// Set MILLPOND_UPDATE_GOLDEN=1 to rewrite the expected file after a deliberate change; then
// read the diff before committing it.
TEST(MillpondEcho, GoldenStdinToStdout) {
    const std::string expected_path = kTestdata + "/echo.out";
    const ProgramRun run = run_program({}, kTestdata + "/echo.in");
    EXPECT_EQ(run.exit_code, 0) << run.err;
    if (std::getenv("MILLPOND_UPDATE_GOLDEN") != nullptr) {
        write_file(expected_path, run.out);
        GTEST_SKIP() << "rewrote " << expected_path;
    }
    const std::string expected = read_file(expected_path);
    ASSERT_FALSE(expected.empty());
    // Line by line first, for a readable failure; then byte for byte (newlines, no trailer).
    const auto got_lines = lines_of(run.out);
    const auto expected_lines = lines_of(expected);
    for (std::size_t i = 0; i < std::max(got_lines.size(), expected_lines.size()); ++i) {
        EXPECT_EQ(i < got_lines.size() ? got_lines[i] : "<missing>",
                  i < expected_lines.size() ? expected_lines[i] : "<missing>")
            << "stdout line " << i + 1;
    }
    EXPECT_EQ(run.out, expected);
}

TEST(MillpondEcho, StderrNamesEveryBadLineByNumber) {
    const ProgramRun run = run_program({}, kTestdata + "/echo.in");
    EXPECT_EQ(run.exit_code, 0);
    const std::vector<std::string> expected_fragments = {
        "millpond-echo: node n1 initialised, seed 626980046172116160 (hash of the node id)",
        "millpond-echo: stdin line 7: not JSON: parse error at line 1, column 2",
        "millpond-echo: stdin line 8: malformed request from c3: body must be an object, got "
        "string; answered with error 12",
        "millpond-echo: stdin line 9: malformed request from c3: body field 'msg_id' must be an "
        "integer, got string \"7\"; answered with error 12",
        "millpond-echo: stdin line 12: message has no 'dest'; skipped",
        "millpond-echo: stdin line 13: empty line; skipped",
    };
    for (const auto& fragment : expected_fragments)
        EXPECT_NE(run.err.find(fragment), std::string::npos) << fragment << "\nin:\n" << run.err;
    // Nothing but messages on stdout: every line is a JSON envelope from n1.
    for (const auto& line : lines_of(run.out)) EXPECT_EQ(line.rfind(R"({"src":"n1",)", 0), 0u);
}

// Reads one line from `fd`, waiting at most 10 s for it: a guard against a hang, not a
// performance assertion.
std::string read_line_or_fail(int fd, std::string& pending) {
    while (pending.find('\n') == std::string::npos) {
        pollfd descriptor{fd, POLLIN, 0};
        if (::poll(&descriptor, 1, 10000) != 1) {
            ADD_FAILURE() << "no complete line on stdout within 10 s; have: " << pending;
            return {};
        }
        char chunk[4096];
        const ssize_t count = ::read(fd, chunk, sizeof chunk);
        if (count <= 0) {
            ADD_FAILURE() << "stdout ended before a complete line; have: " << pending;
            return {};
        }
        pending.append(chunk, static_cast<std::size_t>(count));
    }
    const std::size_t newline = pending.find('\n');
    std::string line = pending.substr(0, newline);
    pending.erase(0, newline + 1);
    return line;
}

// Maelstrom keeps stdin open for the whole test, so each reply must come out (flushed) while
// the input is still open, not at end of input.
TEST(MillpondEcho, AnswersEachRequestWhileStdinStaysOpen) {
    int in[2];
    int out[2];
    ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string binary = kEchoBinary;
    char* argv[] = {binary.data(), nullptr};
    // msg_ids from incarnation 0, whatever the wall clock says (the first entry of a name wins).
    std::string fixed_incarnation = "MILLPOND_INCARNATION=0";
    std::vector<char*> envp = {fixed_incarnation.data()};
    for (char** entry = environ; *entry != nullptr; ++entry) envp.push_back(*entry);
    envp.push_back(nullptr);
    pid_t pid = -1;
    const int spawned =
        ::posix_spawn(&pid, kEchoBinary.c_str(), &actions, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ASSERT_EQ(spawned, 0);

    auto write_line = [&](const std::string& line) {
        const std::string bytes = line + "\n";
        ASSERT_EQ(::write(in[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    };
    std::string pending;
    write_line(R"({"src":"c0","dest":"n7","body":{"type":"init","msg_id":1,"node_id":"n7",)"
               R"("node_ids":["n7"]}})");
    EXPECT_EQ(read_line_or_fail(out[0], pending),
              R"({"src":"n7","dest":"c0","body":{"in_reply_to":1,"type":"init_ok"}})");
    for (int i = 1; i <= 3; ++i) {
        write_line(R"({"src":"c1","dest":"n7","body":{"type":"echo","msg_id":)" +
                   std::to_string(i) + R"(,"echo":"Please echo )" + std::to_string(i) + R"("}})");
        EXPECT_EQ(read_line_or_fail(out[0], pending),
                  R"({"src":"n7","dest":"c1","body":{"echo":"Please echo )" + std::to_string(i) +
                      R"(","in_reply_to":)" + std::to_string(i) + R"(,"msg_id":)" +
                      std::to_string(i) + R"(,"type":"echo_ok"}})");
    }
    ::close(in[1]);
    char rest[64];
    EXPECT_EQ(::read(out[0], rest, sizeof rest), 0) << "nothing more after end of input";
    ::close(out[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(MillpondEcho, EmptyInputExitsZeroSilently) {
    const ProgramRun run = run_program({}, "/dev/null");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "");
}

TEST(MillpondEcho, SeedComesFromTheEnvironment) {
    const ProgramRun run =
        run_program({}, kTestdata + "/echo.in", {"MILLPOND_SEED=18446744073709551615"});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_NE(run.err.find("node n1 initialised, seed 18446744073709551615 (from MILLPOND_SEED)"),
              std::string::npos)
        << run.err;
    EXPECT_EQ(run.out, read_file(kTestdata + "/echo.out"));
}

TEST(MillpondEcho, MsgIdsStartPastTheIncarnation) {
    // Fixed: msg_ids start at incarnation * 2^32 + 1.
    const ProgramRun fixed = run_program({}, kTestdata + "/echo.in", {"MILLPOND_INCARNATION=3"});
    EXPECT_EQ(fixed.exit_code, 0);
    EXPECT_NE(fixed.out.find(R"("msg_id":12884901889,)"), std::string::npos) << fixed.out;
    EXPECT_EQ(fixed.out.find(R"("msg_id":1,)"), std::string::npos) << fixed.out;
    EXPECT_NE(fixed.err.find(", incarnation 3"), std::string::npos) << fixed.err;

    // Unset (as under Maelstrom): from the wall clock, so a restarted process starts past the
    // ids of the one that was killed.
    const std::int64_t before = millpond::maelstrom::incarnation_at(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
    ASSERT_GT(before, 0);
    const ProgramRun clocked = millpond::maelstrom::test_support::run_program(
        kEchoBinary, {}, kTestdata + "/echo.in", {"MILLPOND_SEED=", "MILLPOND_INCARNATION="}, {});
    EXPECT_EQ(clocked.exit_code, 0);
    const std::string first_id = "\"msg_id\":";
    const auto at = clocked.out.find(first_id);
    ASSERT_NE(at, std::string::npos) << clocked.out;
    const std::int64_t msg_id = std::stoll(clocked.out.substr(at + first_id.size()));
    EXPECT_GE(msg_id, (before << 32) + 1);
    EXPECT_LE(msg_id, ((before + 3600) << 32) + 1);
}

TEST(MillpondEcho, ABadIncarnationIsOneLineAndExit254) {
    for (const std::string bad : {"-1", "2147483648", "x", ""}) {
        const ProgramRun run = run_program({}, "/dev/null", {"MILLPOND_INCARNATION=" + bad});
        EXPECT_EQ(run.exit_code, 254) << bad;
        EXPECT_EQ(run.out, "");
        EXPECT_EQ(run.err, "millpond-echo: MILLPOND_INCARNATION must be a decimal integer from 0 "
                           "to 2147483647, got '" + bad + "'\n");
    }
}

TEST(MillpondEcho, ABadSeedIsOneLineAndExit254) {
    const ProgramRun run = run_program({}, "/dev/null", {"MILLPOND_SEED=twelve"});
    EXPECT_EQ(run.exit_code, 254);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err,
              "millpond-echo: MILLPOND_SEED must be an unsigned 64-bit decimal integer, got "
              "'twelve'\n");
}

TEST(MillpondEcho, HelpPrintsUsageAndExitsZero) {
    const ProgramRun run = run_program({"--help"}, "/dev/null");
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out.rfind("usage: millpond-echo", 0), 0u) << run.out;
    EXPECT_NE(run.out.find("MILLPOND_SEED"), std::string::npos);
    EXPECT_EQ(run.err, "");
}

TEST(MillpondEcho, AnUnknownArgumentIsOneLineOnStderrAndExit254) {
    const ProgramRun run = run_program({"--node-count", "3"}, "/dev/null");
    EXPECT_EQ(run.exit_code, 254);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "millpond-echo: unknown argument '--node-count' (try --help)\n");
}

}  // namespace
