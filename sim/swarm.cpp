#include "swarm.hpp"

#include "core/assert.hpp"
#include "core/rng.hpp"

namespace millpond::sim {

namespace {

// Tenths as decimal text: 32 -> "3.2", 50 -> "5".
std::string tenths(std::int64_t value) {
    MP_ASSERT_GE(value, 0);
    std::string text = std::to_string(value / 10);
    if (value % 10 != 0) text += "." + std::to_string(value % 10);
    return text;
}

// Hundredths below 1 as decimal text: 7 -> "0.07", 30 -> "0.3".
std::string hundredths(std::int64_t value) {
    MP_ASSERT_GE(value, 0);
    MP_ASSERT_LT(value, 100);
    std::string text = "0." + std::string(value < 10 ? "0" : "") + std::to_string(value);
    while (text.back() == '0') text.pop_back();
    return text;
}

}  // namespace

std::vector<std::string> draw_swarm_args(std::uint64_t seed) {
    Rng rng = Rng(seed).derive("swarm");
    static constexpr const char* kFaults[] = {"partition", "kill",      "pause", "drop",
                                              "duplicate", "skew",      "slow"};
    constexpr std::uint64_t kSubsets = (1u << 7) - 1;  // non-empty subsets of the 7 faults
    const std::uint64_t mask = rng.uniform(kSubsets) + 1;
    auto on = [&](int index) { return (mask >> index & 1u) != 0; };
    std::string names;
    for (int i = 0; i < 7; ++i)
        if (on(i)) names += (names.empty() ? "" : ",") + std::string(kFaults[i]);
    std::vector<std::string> args = {"--nemesis", names};
    // Every parameter is drawn whether or not its fault is on, in a fixed order, so one
    // fault's parameters do not depend on which other faults were chosen.
    const std::int64_t interval = rng.uniform_inclusive(kSwarmIntervalTenthsMin, kSwarmIntervalTenthsMax);
    const std::int64_t drop = rng.uniform_inclusive(kSwarmPercentMin, kSwarmPercentMax);
    const std::int64_t duplicate = rng.uniform_inclusive(kSwarmPercentMin, kSwarmPercentMax);
    const std::int64_t downtime = rng.uniform_inclusive(kSwarmDowntimeTenthsMin, kSwarmDowntimeTenthsMax);
    const std::int64_t pause = rng.uniform_inclusive(kSwarmPauseTenthsMin, kSwarmPauseTenthsMax);
    const std::int64_t slow_ms = rng.uniform_inclusive(kSwarmSlowMsMin, kSwarmSlowMsMax);
    const std::int64_t slow = rng.uniform_inclusive(kSwarmSlowTenthsMin, kSwarmSlowTenthsMax);
    const std::int64_t skew_ms = rng.uniform_inclusive(kSwarmSkewMsMin, kSwarmSkewMsMax);
    const std::int64_t drift = rng.uniform_inclusive(kSwarmDriftPpmMin, kSwarmDriftPpmMax);
    const bool scheduled = on(0) || on(1) || on(2) || on(6);
    if (scheduled) args.insert(args.end(), {"--nemesis-interval", tenths(interval)});
    if (on(3)) args.insert(args.end(), {"--drop-probability", hundredths(drop)});
    if (on(4)) args.insert(args.end(), {"--duplicate-probability", hundredths(duplicate)});
    if (on(1)) args.insert(args.end(), {"--kill-downtime", tenths(downtime)});
    if (on(2)) args.insert(args.end(), {"--pause-duration", tenths(pause)});
    if (on(6))
        args.insert(args.end(), {"--slow-ms", std::to_string(slow_ms), "--slow-duration", tenths(slow)});
    if (on(5))
        args.insert(args.end(), {"--skew-ms", std::to_string(skew_ms), "--drift-ppm", std::to_string(drift)});
    return args;
}

std::string swarm_line(std::uint64_t seed, const std::vector<std::string>& drawn) {
    std::string line = "swarm: seed " + std::to_string(seed) + ":";
    for (const auto& word : drawn) line += " " + word;
    return line;
}

}  // namespace millpond::sim
