#include "sweep.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "scratch_dir_testing.hpp"

namespace millpond::sim {
namespace {

namespace fs = std::filesystem;

struct SweepRan {
    int code;
    std::string out;
    std::string err;
};

SweepRan sweep(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int code = run_sweep_command(args, out, err);
    return {code, out.str(), err.str()};
}

SweepRan merge(std::vector<std::string> args) {
    std::ostringstream out, err;
    const int code = run_merge_command(args, out, err);
    return {code, out.str(), err.str()};
}

std::vector<std::string> with(std::vector<std::string> args, std::vector<std::string> more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// Small runs with real latencies, so the quantiles and means are not all zero.
const std::vector<std::string> kKv = {"-w",           "kafka", "--backend",      "kv",
                                      "--node-count", "2",     "--concurrency",  "2n",
                                      "--time-limit", "1.5",   "--rate",         "200",
                                      "--latency",    "10",    "--latency-dist", "exponential"};
// The deliberately broken one-node design on three nodes: each node keeps its own log.
const std::vector<std::string> kBrokenMemory = {"-w",           "kafka", "--backend",     "memory",
                                                "--node-count", "3",     "--concurrency", "2n",
                                                "--time-limit", "3",     "--rate",        "200"};

class SweepTest : public ::testing::Test {
  protected:
    std::string path(const std::string& name) const { return scratch_.file(name); }
    ScratchDir scratch_{"sweep-test"};
    const fs::path& dir_ = scratch_.path();
};

TEST(ShardSeeds, DisjointAndCovering) {
    const std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
    for (auto [first, last] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
             {1, 10}, {5, 5}, {0, 17}, {100, 131}, {top - 5, top}}) {
        for (std::uint64_t count = 1; count <= 7; ++count) {
            std::set<std::uint64_t> seen;
            for (std::uint64_t k = 1; k <= count; ++k) {
                for (std::uint64_t seed : shard_seeds(first, last, k, count)) {
                    EXPECT_EQ((seed - first) % count, k - 1) << seed;
                    EXPECT_TRUE(seen.insert(seed).second) << "seed " << seed << " twice";
                    EXPECT_GE(seed, first);
                    EXPECT_LE(seed, last);
                }
            }
            EXPECT_EQ(seen.size(), last - first + 1) << first << ".." << last << " / " << count;
        }
    }
    EXPECT_EQ(shard_seeds(1, 10, 2, 4), (std::vector<std::uint64_t>{2, 6, 10}));
    EXPECT_TRUE(shard_seeds(1, 2, 3, 3).empty());
}

TEST(LatencyHistogram, MergeIsExactAndEdgesAreClose) {
    LatencyHistogram whole, left, right;
    std::int64_t value = 1;
    for (int i = 0; i < 2000; ++i) {
        value = (value * 7919 + 13) % 5'000'003;
        whole.add(value);
        (i % 3 == 0 ? left : right).add(value);
        const std::int64_t edge = LatencyHistogram::bucket_edge(value);
        EXPECT_LE(edge, value);
        EXPECT_LE(static_cast<double>(value - edge), static_cast<double>(value) / 128.0) << value;
        EXPECT_EQ(LatencyHistogram::bucket_edge(edge), edge);
    }
    left.merge(right);
    EXPECT_EQ(left.buckets(), whole.buckets());
    EXPECT_EQ(left.max_us(), whole.max_us());
    for (double q : {0.0, 0.5, 0.95, 0.99, 1.0})
        EXPECT_EQ(left.quantile_us(q), whole.quantile_us(q));
    // Small values keep buckets of their own, so quantiles are exact there.
    LatencyHistogram small;
    for (std::int64_t v = 0; v < 100; ++v) small.add(v);
    EXPECT_EQ(small.quantile_us(0.5), 50);
    EXPECT_EQ(small.quantile_us(0.95), 95);
    EXPECT_EQ(small.quantile_us(1.0), 99);
    EXPECT_EQ(LatencyHistogram().quantile_us(0.5), 0);
}

TEST_F(SweepTest, TableIsByteIdenticalWhateverTheJobs) {
    SweepRan one = sweep(with(kKv, {"--seeds", "1..6", "--jobs", "1"}));
    SweepRan three = sweep(with(kKv, {"--seeds", "1..6", "--jobs", "3"}));
    ASSERT_EQ(one.code, 0) << one.out << one.err;
    EXPECT_EQ(three.code, 0);
    EXPECT_EQ(one.out, three.out);
    EXPECT_NE(one.out.find("runs:         6 of 6\n"), std::string::npos) << one.out;
    EXPECT_NE(one.out.find("verdicts:     valid 6, invalid 0"), std::string::npos) << one.out;
    // Latencies are real here (exponential, 10 ms mean), so the quantiles are not all zero.
    EXPECT_EQ(one.out.find("p95 0.0 "), std::string::npos) << one.out;
}

TEST_F(SweepTest, ThreeShardsMergedEqualOneUnshardedSweep) {
    SweepRan whole = sweep(with(kKv, {"--seeds", "3..10", "--jobs", "2", "--json", path("whole.json")}));
    ASSERT_EQ(whole.code, 0) << whole.err;
    std::vector<std::string> files;
    for (int k = 1; k <= 3; ++k) {
        files.push_back(path("shard-" + std::to_string(k) + ".json"));
        SweepRan shard = sweep(with(kKv, {"--seeds", "3..10", "--shard", std::to_string(k) + "/3",
                                     "--json", files.back()}));
        ASSERT_EQ(shard.code, 0) << shard.err;
        EXPECT_NE(shard.out.find("(shard " + std::to_string(k) + "/3)"), std::string::npos);
    }
    // Merge order must not matter either.
    SweepRan merged = merge({files[2], files[0], files[1], "--json", path("merged.json")});
    ASSERT_EQ(merged.code, 0) << merged.err;
    EXPECT_EQ(merged.out, whole.out);
    // The merged JSON carries the same records as the unsharded one, fingerprints included.
    auto a = nlohmann::json::parse(read_file(path("whole.json")));
    auto b = nlohmann::json::parse(read_file(path("merged.json")));
    EXPECT_EQ(a["runs"], b["runs"]);
    EXPECT_EQ(a["summary"], b["summary"]);
    EXPECT_EQ(a["runs"].size(), 8u);
    EXPECT_EQ(a["runs"][0]["seed"], 3);
    EXPECT_EQ(a["runs"][0]["fingerprint"].get<std::string>().size(), 16u);
    // No temporary file is left behind by the atomic write.
    for (const auto& entry : fs::directory_iterator(dir_))
        EXPECT_EQ(entry.path().string().find(".tmp."), std::string::npos) << entry.path();
    // A missing shard shows in the table.
    SweepRan partial = merge({files[0], files[1]});
    EXPECT_NE(partial.out.find("seeds missing"), std::string::npos) << partial.out;
}

TEST_F(SweepTest, BadArgumentsGive254AndOneLine) {
    for (const auto& args :
         std::vector<std::vector<std::string>>{{"--seeds", "5..2"},
                                               {"--seeds", "1..4", "--shard", "3/2"},
                                               {"--seeds", "1..4", "--shard", "0/2"},
                                               {"--seeds", "1..4", "--shard", "x"},
                                               {"--seeds", "1..4", "--bogus"},
                                               {"--seeds", "1..4", "--seed", "3"},
                                               {"--seeds", "1..4", "--store", "x"},
                                               {"--seeds", "1..4", "--jobs", "0"},
                                               {"--seeds", "1..4", "--backend", "nope"},
                                               {"--seeds", "1.."},
                                               {"--node-count", "3"},
                                               {"--seeds", "0..99999999999"}}) {
        SweepRan ran = sweep(args);
        EXPECT_EQ(ran.code, 254) << args.back() << ": " << ran.out;
        EXPECT_EQ(ran.err.rfind("millpond sweep: ", 0), 0u) << ran.err;
        EXPECT_EQ(std::count(ran.err.begin(), ran.err.end(), '\n'), 1) << ran.err;
        EXPECT_TRUE(ran.out.empty());
    }
    EXPECT_EQ(merge({}).code, 254);
    EXPECT_EQ(merge({"--bogus"}).code, 254);
}

// A --json file that cannot be written is refused before the first run (the sweep prints
// nothing else), not found out after the whole sweep; merge likewise before reading its inputs.
TEST_F(SweepTest, UnwritableJsonIsRefusedBeforeAnyRun) {
    const std::string missing = path("no-such-dir/sweep.json");
    SweepRan ran = sweep(with(kKv, {"--seeds", "1..2", "--json", missing}));
    EXPECT_EQ(ran.code, 254);
    EXPECT_EQ(ran.err, "millpond sweep: --json: cannot write '" + missing + "': no directory '" +
                           path("no-such-dir") + "'\n");
    EXPECT_TRUE(ran.out.empty());
    SweepRan into_directory = sweep(with(kKv, {"--seeds", "1..2", "--json", dir_.string()}));
    EXPECT_EQ(into_directory.code, 254);
    EXPECT_EQ(into_directory.err,
              "millpond sweep: --json: '" + dir_.string() + "' is a directory\n");
    SweepRan merged = merge({path("absent.json"), "--json", missing});
    EXPECT_EQ(merged.code, 254);
    EXPECT_EQ(merged.err.rfind("millpond merge: --json: cannot write", 0), 0u) << merged.err;
    EXPECT_FALSE(fs::exists(path("no-such-dir")));
}

TEST_F(SweepTest, BrokenMemoryDesignOnThreeNodesFailsWithReplayableSeeds) {
    SweepRan ran = sweep(with(kBrokenMemory, {"--seeds", "1..3", "--json", path("broken.json")}));
    ASSERT_EQ(ran.code, 1) << ran.out << ran.err;
    EXPECT_NE(ran.out.find("failing:      3 seeds\n"), std::string::npos) << ran.out;
    const std::string repro =
        "millpond test -w kafka --backend memory --key-count 10 --max-writes-per-key 16 "
        "--node-count 3 --time-limit 3 --rate 200 --concurrency 6 --latency 0 "
        "--latency-dist constant --seed 2";
    EXPECT_NE(ran.out.find("  seed 2 invalid"), std::string::npos) << ran.out;
    EXPECT_NE(ran.out.find(": " + repro + "\n"), std::string::npos) << ran.out;
    EXPECT_EQ(ran.out.find("anomalies:    none"), std::string::npos) << ran.out;

    // The repro line replays the very run the sweep made: same verdict, same fingerprint.
    auto json = nlohmann::json::parse(read_file(path("broken.json")));
    ASSERT_EQ(json["runs"].size(), 3u);
    EXPECT_EQ(json["runs"][1]["repro"], repro);
    EXPECT_EQ(json["summary"]["exit_code"], 1);
    std::vector<std::string> replay;
    std::istringstream words(repro.substr(std::string("millpond test ").size()));
    for (std::string word; words >> word;) replay.push_back(word);
    replay.insert(replay.end(), {"--store", path("store")});
    std::ostringstream out, err;
    EXPECT_EQ(run_test_command(replay, 0, "20260101T000000Z", out, err), 1);
    EXPECT_NE(out.str().find("fingerprint: " + json["runs"][1]["fingerprint"].get<std::string>()),
              std::string::npos)
        << out.str();
}

TEST_F(SweepTest, FailFastCoversSeedsUpToTheFirstFailureWhateverTheJobs) {
    SweepRan one = sweep(with(kBrokenMemory, {"--seeds", "1..12", "--fail-fast", "--jobs", "1"}));
    SweepRan three = sweep(with(kBrokenMemory, {"--seeds", "1..12", "--fail-fast", "--jobs", "3"}));
    EXPECT_EQ(one.code, 1);
    EXPECT_EQ(one.out, three.out);
    EXPECT_NE(one.out.find("runs:         1 of 12 (--fail-fast"), std::string::npos) << one.out;
}

TEST_F(SweepTest, MergeRefusesMixedOptionsOverlapsAndNamesBadFiles) {
    ASSERT_EQ(
        sweep(with(kKv, {"--seeds", "1..2", "--shard", "1/2", "--json", path("a.json")})).code, 0);
    ASSERT_EQ(sweep(with(kKv, {"--seeds", "1..2", "--json", path("all.json")})).code, 0);
    ASSERT_EQ(
        sweep(with(kKv, {"--seeds", "1..3", "--shard", "2/2", "--json", path("range.json")})).code,
        0);
    ASSERT_EQ(sweep(with(kBrokenMemory,
                         {"--seeds", "2..2", "--time-limit", "1", "--json", path("other.json")}))
                  .code,
              1);
    std::ofstream(path("truncated.json")) << "{\"millpond_sweep\": 1, \"options\": [";
    std::ofstream(path("foreign.json")) << "{\"hello\": 1}";
    std::ofstream(path("shape.json")) << "{\"millpond_sweep\": 1, \"options\": 3}";
    struct Case {
        std::vector<std::string> files;
        std::string expected;
    };
    for (const auto& [files, expected] :
         std::vector<Case>{{{"a.json", "all.json"}, "all.json: seed 1 also in "},
                           {{"a.json", "other.json"}, "other.json: options"},
                           {{"a.json", "range.json"}, "range.json: seed range 1..3 differs"},
                           {{"a.json", "truncated.json"}, "truncated.json: not valid JSON"},
                           {{"foreign.json"}, "foreign.json: not a millpond sweep file"},
                           {{"shape.json"}, "shape.json: malformed sweep record"},
                           {{"missing.json"}, "missing.json: cannot read"}}) {
        std::vector<std::string> paths;
        for (const auto& file : files) paths.push_back(path(file));
        SweepRan ran = merge(paths);
        EXPECT_EQ(ran.code, 254) << expected;
        EXPECT_NE(ran.err.find(expected), std::string::npos) << ran.err;
        EXPECT_EQ(std::count(ran.err.begin(), ran.err.end(), '\n'), 1) << ran.err;
    }
}

// The README's GNU parallel example, with the real binary.
TEST_F(SweepTest, GnuParallelExampleMergesToTheUnshardedTable) {
    if (std::system("command -v parallel > /dev/null 2>&1") != 0)
        GTEST_SKIP() << "GNU parallel is not installed (Debian package: parallel)";
    const std::string millpond = std::string(MILLPOND_BINARY_DIR) + "/millpond";
    const std::string options =
        "-w kafka --backend owner --node-count 3 --concurrency 2n --time-limit 1 --rate 200 "
        "--seeds 1..8 --jobs 1";
    const std::string script =
        "cd '" + dir_.string() + "' && parallel --will-cite " + millpond + " sweep " + options +
        " --shard {}/4 --json shard-{}.json ::: 1 2 3 4 > /dev/null 2>&1 && " + millpond +
        " merge shard-*.json > merged.txt && " + millpond + " sweep " + options +
        " > whole.txt 2> /dev/null";
    ASSERT_EQ(std::system(script.c_str()), 0) << script;
    const std::string whole = read_file(dir_ / "whole.txt");
    EXPECT_NE(whole.find("runs:         8 of 8\n"), std::string::npos) << whole;
    EXPECT_EQ(read_file(dir_ / "merged.txt"), whole);
}

}  // namespace
}  // namespace millpond::sim
