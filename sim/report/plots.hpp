#pragma once
// Maelstrom's performance plots (latency-raw.png, rate.png), drawn as SVG text by millpond
// itself: no gnuplot, and the same history gives the same bytes.
//
//   latency-raw.svg  one point per completed client op at its invocation time, its latency on a
//                    log scale; colour by outcome (ok, info, fail), shape by :f
//   rate.svg         completions per second in fixed buckets, one line per :f and outcome
//
// Both shade the nemesis's fault periods (partition, kill, pause, ...), read from the
// history's :nemesis ops, so the effect of a fault on latency and throughput shows.

#include <cstdint>
#include <string>
#include <vector>

#include "checkers/history.hpp"

namespace millpond::report {

// One fault period: from the nemesis op that started it to the one that ended it (or the end
// of the history). Ops pair by name: start-X/stop-X, kill/start|restart, pause/resume, any
// other f opening a period of its own name closed by un<f>/stop-<f>/heal-<f>.
struct NemesisPeriod {
    std::string kind;  // "partition", "kill", "pause", ...
    std::int64_t start_ns = 0;
    std::int64_t end_ns = 0;
    bool healed = false;   // false: still open when the history ends
    std::string label;     // the starting op's f and value, e.g. "start-partition :one"
};

std::vector<NemesisPeriod> nemesis_periods(const history::History& history);

// Past this many ops the latency plot draws every k-th ok op (all info and fail ops stay) and
// says so in its caption.
inline constexpr std::size_t kLatencyPointsMax = 12000;

std::string latency_raw_svg(const history::History& history);
std::string rate_svg(const history::History& history);

}  // namespace millpond::report
