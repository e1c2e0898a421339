// Pinned runs: a fixed set of seeds whose fingerprints, event counts and summaries (ops,
// availability, messages, anomalies) are written down here. Every other determinism test compares a
// run with itself (same seed twice, the second run of a sweep worker); only this one notices a
// change that moves every run the same way, such as a speed-up that reorders two events at one
// instant or draws one more random number. Performance work leans on it: a change meant to be
// invisible must leave this table alone. A change meant to alter runs (a new fault, a protocol fix,
// a new hash) updates the table in the same commit, and the commit says why.
//
// The set covers every backend family, every fault kind, clock skew, each latency
// distribution, a scenario file and the swarm; each run is a few simulated seconds, so the
// whole table takes well under a second in Release.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "cli.hpp"
#include "fingerprint.hpp"
#include "judged_run.hpp"
#include "results.hpp"

namespace millpond::sim {
namespace {

struct PinnedRun {
    const char* scenario;     // a file in scenarios/, or null
    const char* options;      // as typed after `millpond test` (and the scenario), one space apart
    const char* fingerprint;  // as `millpond test` prints it
    std::uint64_t events;
    const char* summary;  // as `millpond test` prints it: ops, availability, net, anomalies
};

const std::vector<PinnedRun>& pinned_runs() {
    static const std::vector<PinnedRun> runs = {
        {nullptr,
         "-w kafka --backend owner --node-count 5 --concurrency 2n --time-limit 2 --rate "
         "1000 --latency 5 --latency-dist exponential --seed 1",
         "16a18e544d808009", 11406,
         "ops: 1703 completed: 1691 ok, 0 fail, 12 info\n"
         "availability: 0.9930\n"
         "net: 6552 msgs (2488 between servers), msgs-per-op 3.847 (servers 1.461)\n"},
        {nullptr,
         "-w kafka --backend owner --node-count 3 --concurrency 2n --time-limit 5 --rate "
         "300 --nemesis partition,kill,drop,duplicate --nemesis-interval 1 --seed 2",
         "6d26500aac5e193b", 3278,
         "ops: 513 completed: 495 ok, 2 fail, 16 info\n"
         "availability: 0.9649\n"
         "net: 1926 msgs (854 between servers), msgs-per-op 3.754 (servers 1.665)\n"
         "anomalies: :inconsistent-offsets 2 :lost-write 1 :unseen 2\n"},
        {nullptr,
         "-w kafka --backend memory --node-count 1 --concurrency 2n --time-limit 4 "
         "--rate 500 --nemesis pause,skew --nemesis-interval 1 --seed 3",
         "27bff2ca814627d3", 4428,
         "ops: 965 completed: 962 ok, 0 fail, 3 info\n"
         "availability: 0.9969\n"
         "net: 2308 msgs (0 between servers), msgs-per-op 2.392 (servers 0.000)\n"},
        {nullptr,
         "-w kafka --backend kv --node-count 3 --concurrency 2n --time-limit 4 --rate "
         "200 --latency 2 --latency-dist uniform --nemesis slow,partition "
         "--nemesis-interval 1 --commit-kv seq --seed 4",
         "7980df1d35033129", 5797,
         "ops: 587 completed: 579 ok, 0 fail, 8 info\n"
         "availability: 0.9864\n"
         "net: 3602 msgs (2168 between servers), msgs-per-op 6.136 (servers 3.693)\n"},
        {nullptr,
         "-w kafka --backend zoo/early-ack --node-count 3 --concurrency 2n --time-limit "
         "4 --rate 300 --nemesis kill --nemesis-interval 1 --seed 5",
         "72c7e9ec08af59ad", 3786,
         "ops: 604 completed: 594 ok, 0 fail, 10 info\n"
         "availability: 0.9834\n"
         "net: 2136 msgs (690 between servers), msgs-per-op 3.536 (servers 1.142)\n"
         "anomalies: :duplicate 94 :inconsistent-offsets 84\n"},
        {nullptr,
         "-w echo --node-count 3 --time-limit 3 --rate 100 --latency 3 --latency-dist "
         "exponential --seed 6",
         "384a3d4219870b40", 937,
         "ops: 310 completed: 310 ok, 0 fail, 0 info\n"
         "availability: 1.0000\n"
         "net: 626 msgs (0 between servers), msgs-per-op 2.019 (servers 0.000)\n"},
        {nullptr,
         "-w kafka --backend owner --node-count 3 --concurrency 2n --time-limit 4 --rate "
         "300 --swarm --seed 7",
         "254d44eb8c700e1a", 3805,
         "ops: 607 completed: 592 ok, 0 fail, 15 info\n"
         "availability: 0.9753\n"
         "net: 2166 msgs (700 between servers), msgs-per-op 3.568 (servers 1.153)\n"},
        {"owner-partition-hot-owner.json", "--time-limit 4 --seed 8", "272c3233168a6431", 2161,
         "ops: 333 completed: 326 ok, 1 fail, 6 info\n"
         "availability: 0.9790\n"
         "net: 1239 msgs (403 between servers), msgs-per-op 3.721 (servers 1.210)\n"},
    };
    return runs;
}

// The run's arguments: the scenario's path (which may hold spaces), then the options.
std::vector<std::string> args_of(const PinnedRun& pinned) {
    std::vector<std::string> args;
    if (pinned.scenario != nullptr)
        args.push_back(std::string(MILLPOND_SOURCE_DIR) + "/scenarios/" + pinned.scenario);
    const std::string options = pinned.options;
    for (std::size_t at = 0; at < options.size();) {
        const std::size_t space = std::min(options.find(' ', at), options.size());
        args.push_back(options.substr(at, space - at));
        at = space + 1;
    }
    return args;
}

class PinnedRunTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(PinnedRunTest, KeepsItsFingerprintEventCountAndSummary) {
    const PinnedRun& pinned = pinned_runs()[GetParam()];
    const std::vector<std::string> args = args_of(pinned);
    auto parsed = parse_test_args(args, /*fresh_seed=*/0);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(parsed)) << std::get<CliError>(parsed).message;
    const TestCommand& test = std::get<TestCommand>(parsed);
    const JudgedRun judged = run_and_judge(test.run);
    const std::string command = repro_command(test);  // the line `millpond test` prints
    ASSERT_TRUE(judged.outcome.aborted.empty()) << command << ": " << judged.outcome.aborted;
    EXPECT_EQ(fingerprint_hex(judged.outcome.fingerprint), pinned.fingerprint)
        << command << "\nThis run no longer repeats the one pinned here. If the change was "
        << "meant to alter runs, update the table and say why in the commit.";
    EXPECT_EQ(judged.outcome.events_processed, pinned.events) << command;
    EXPECT_EQ(summarize(judged.results), pinned.summary) << command;
}

INSTANTIATE_TEST_SUITE_P(Table, PinnedRunTest,
                         ::testing::Range<std::size_t>(0, pinned_runs().size()));

}  // namespace
}  // namespace millpond::sim
