#include "swarm.hpp"

#include <gtest/gtest.h>

#include <set>

#include "cli.hpp"

namespace millpond::sim {
namespace {

RunOptions parsed(const std::vector<std::string>& args) {
    auto result = parse_test_args(args, 1);
    if (auto* error = std::get_if<CliError>(&result)) ADD_FAILURE() << error->message;
    return std::holds_alternative<TestCommand>(result) ? std::get<TestCommand>(result).run
                                                       : RunOptions{};
}

TEST(Swarm, SameSeedSameMix) {
    for (std::uint64_t seed : {0ull, 1ull, 7ull, 123456789ull, ~0ull})
        EXPECT_EQ(draw_swarm_args(seed), draw_swarm_args(seed));
}

TEST(Swarm, DifferentSeedsDrawDifferentMixes) {
    std::set<std::vector<std::string>> draws;
    std::set<std::string> nemesis_sets;
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        auto args = draw_swarm_args(seed);
        draws.insert(args);
        nemesis_sets.insert(args.at(1));
    }
    EXPECT_EQ(draws.size(), 200u);
    // 127 possible subsets; 200 draws cover many of them.
    EXPECT_GT(nemesis_sets.size(), 60u);
}

TEST(Swarm, EveryFaultAppearsAndParametersStayWithinBounds) {
    std::set<std::string> seen;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
        const auto drawn = draw_swarm_args(seed);
        ASSERT_GE(drawn.size(), 2u);
        ASSERT_EQ(drawn[0], "--nemesis");
        ASSERT_FALSE(drawn[1].empty());
        std::vector<std::string> args = {"--seed", std::to_string(seed)};
        args.insert(args.end(), drawn.begin(), drawn.end());
        const RunOptions run = parsed(args);
        for (auto [on, name] : {std::pair{run.nemesis_partition, "partition"},
                                std::pair{run.nemesis_kill, "kill"}, std::pair{run.nemesis_pause, "pause"},
                                std::pair{run.nemesis_drop, "drop"},
                                std::pair{run.nemesis_duplicate, "duplicate"},
                                std::pair{run.nemesis_skew, "skew"}, std::pair{run.nemesis_slow, "slow"}})
            if (on) seen.insert(name);
        EXPECT_TRUE(run.nemesis_partition || run.nemesis_kill || run.nemesis_pause ||
                    run.nemesis_drop || run.nemesis_duplicate || run.nemesis_skew ||
                    run.nemesis_slow);
        if (run.nemesis_partition || run.nemesis_kill || run.nemesis_pause || run.nemesis_slow) {
            EXPECT_GE(run.nemesis_interval_us, kSwarmIntervalTenthsMin * 100'000);
            EXPECT_LE(run.nemesis_interval_us, kSwarmIntervalTenthsMax * 100'000);
        }
        if (run.nemesis_drop) {
            EXPECT_GE(run.drop_probability, kSwarmPercentMin / 100.0);
            EXPECT_LE(run.drop_probability, kSwarmPercentMax / 100.0);
        }
        if (run.nemesis_duplicate) {
            EXPECT_GE(run.duplicate_probability, kSwarmPercentMin / 100.0);
            EXPECT_LE(run.duplicate_probability, kSwarmPercentMax / 100.0);
        }
        if (run.nemesis_kill) {
            EXPECT_GE(run.kill_downtime_us, kSwarmDowntimeTenthsMin * 100'000);
            EXPECT_LE(run.kill_downtime_us, kSwarmDowntimeTenthsMax * 100'000);
        }
        if (run.nemesis_pause) {
            EXPECT_GE(run.pause_duration_us, kSwarmPauseTenthsMin * 100'000);
            EXPECT_LE(run.pause_duration_us, kSwarmPauseTenthsMax * 100'000);
        }
        if (run.nemesis_slow) {
            EXPECT_GE(run.slow_extra_ms, kSwarmSlowMsMin);
            EXPECT_LE(run.slow_extra_ms, kSwarmSlowMsMax);
            EXPECT_GE(run.slow_duration_us, kSwarmSlowTenthsMin * 100'000);
            EXPECT_LE(run.slow_duration_us, kSwarmSlowTenthsMax * 100'000);
        }
        if (run.nemesis_skew) {
            EXPECT_GE(run.skew_max_ms, kSwarmSkewMsMin);
            EXPECT_LE(run.skew_max_ms, kSwarmSkewMsMax);
            EXPECT_GE(run.drift_max_ppm, kSwarmDriftPpmMin);
            EXPECT_LE(run.drift_max_ppm, kSwarmDriftPpmMax);
        }
    }
    EXPECT_EQ(seen.size(), 7u);
}

TEST(Swarm, LineNamesTheSeedAndTheDrawnOptions) {
    EXPECT_EQ(swarm_line(7, {"--nemesis", "kill", "--kill-downtime", "1.1"}),
              "swarm: seed 7: --nemesis kill --kill-downtime 1.1");
}

}  // namespace
}  // namespace millpond::sim
