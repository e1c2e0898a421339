#pragma once
// Maelstrom's latency model (spec §5.1): --latency is the mean in ms between servers;
// constant gives exactly the mean, uniform an integer in [0, 2*mean), exponential a draw with
// rate 1/mean truncated to whole ms. Clients always get 0. Unlike Maelstrom, a mean of 0 works
// for all three (Maelstrom hangs or divides by zero).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/rng.hpp"

namespace millpond::sim {

enum class LatencyDist { kConstant, kUniform, kExponential };

std::optional<LatencyDist> parse_latency_dist(std::string_view name);
std::string_view latency_dist_name(LatencyDist dist);

// One latency draw in whole milliseconds.
std::int64_t sample_latency_ms(LatencyDist dist, std::int64_t mean_ms, Rng& rng);

}  // namespace millpond::sim
