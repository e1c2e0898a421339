#pragma once
// Swarm testing (TigerBeetle's VOPR, Groce et al.'s "swarm testing"): instead of one fault mix
// for every seed, each seed draws its own — which faults are on and how hard each one bites —
// so a sweep over many seeds covers many mixes, including the small ones in which a rare
// interaction is not drowned out by the other faults.
//
// The draw is a pure function of the seed (its own stream, derive("swarm")), returned as the
// `millpond test` options it stands for, so it goes through the same parser as typed options
// and the printed line can be typed again.

#include <cstdint>
#include <string>
#include <vector>

namespace millpond::sim {

// Bounds of the draw (inclusive). Durations in tenths of a second so they print exactly.
inline constexpr std::int64_t kSwarmIntervalTenthsMin = 10;  // --nemesis-interval 1 .. 10 s
inline constexpr std::int64_t kSwarmIntervalTenthsMax = 100;
inline constexpr std::int64_t kSwarmDowntimeTenthsMin = 1;  // --kill-downtime 0.1 .. 5 s
inline constexpr std::int64_t kSwarmDowntimeTenthsMax = 50;
inline constexpr std::int64_t kSwarmPauseTenthsMin = 1;  // --pause-duration 0.1 .. 5 s
inline constexpr std::int64_t kSwarmPauseTenthsMax = 50;
inline constexpr std::int64_t kSwarmSlowMsMin = 10;  // --slow-ms 10 .. 1000
inline constexpr std::int64_t kSwarmSlowMsMax = 1000;
inline constexpr std::int64_t kSwarmSlowTenthsMin = 5;  // --slow-duration 0.5 .. 10 s
inline constexpr std::int64_t kSwarmSlowTenthsMax = 100;
inline constexpr std::int64_t kSwarmSkewMsMin = 1;  // --skew-ms 1 .. 2000
inline constexpr std::int64_t kSwarmSkewMsMax = 2000;
inline constexpr std::int64_t kSwarmDriftPpmMin = 0;  // --drift-ppm 0 .. 5000
inline constexpr std::int64_t kSwarmDriftPpmMax = 5000;
inline constexpr std::int64_t kSwarmPercentMin = 1;  // --drop/--duplicate-probability 0.01 .. 0.3
inline constexpr std::int64_t kSwarmPercentMax = 30;

// The fault mix for `seed`: --nemesis with a non-empty subset of partition, kill, pause, drop,
// duplicate, skew, slow (each subset equally likely), then the parameters of the chosen faults
// in --help order, e.g. {"--nemesis", "partition,kill", "--nemesis-interval", "3.2",
// "--kill-downtime", "1.1"}.
std::vector<std::string> draw_swarm_args(std::uint64_t seed);

// The line printed before the run: "swarm: seed 7: --nemesis partition,kill ...".
std::string swarm_line(std::uint64_t seed, const std::vector<std::string>& drawn);

}  // namespace millpond::sim
