#pragma once
// `millpond bench`: how fast the simulator and the kafka checker are, measured end to end on
// the real code paths (the same run_simulation and check_kafka that `millpond test` uses).
//
// It measures, per case: delivered messages per wall second within one run, simulated seconds
// per wall second, runs per second of the standard kafka test for each backend, checker
// throughput on kafka histories of 10^4, 10^5 and 10^6 ops, peak memory, how these grow with
// node count (3, 5, 9, 25) and with history length, and how a sweep scales from 1 to 2 jobs.
// Each case runs in a forked child, so its peak memory (the child's ru_maxrss) is its own.
//
// This is the one place in sim/ that reads the wall clock: it measures runs, it never steers
// one. Every simulated run inside stays seeded and deterministic.

#include <iosfwd>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace millpond::sim {

// `millpond bench [--quick] [--repeat N] [--json [FILE]]` (args exclude "bench").
// Exit codes: 0 measured (whether or not every target was met), 254 bad arguments, 255 when a
// case crashed.
int run_bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The Markdown that `millpond bench` prints for a report (the figures `--json` writes): the case
// table, the sweep table when a sweep was measured, the targets and the notes under them.
std::string render_bench_report(const nlohmann::json& report);

// How far a cost curve is from a straight line: the slope from the middle point to the last
// divided by the slope from the first to the middle (points.size() / 2), for (size, cost)
// points in increasing size. A line c = a + b*x gives
// 1 whatever its fixed part a; x log x over 10^4..10^6 about 1.2; x^2 over the same sizes 10.
// nullopt when the cost did not rise over the lower half or fell over the upper one: a
// measured cost only falls with size when a noisy run (a slow spell) inflated the smaller
// case, and any ratio would be nonsense.
// REQUIRES: at least 3 points, sizes strictly increasing.
std::optional<double> slope_ratio(const std::vector<std::pair<double, double>>& points);

}  // namespace millpond::sim
