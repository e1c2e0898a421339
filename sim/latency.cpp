#include "latency.hpp"

#include "core/assert.hpp"

namespace millpond::sim {

std::optional<LatencyDist> parse_latency_dist(std::string_view name) {
    if (name == "constant") return LatencyDist::kConstant;
    if (name == "uniform") return LatencyDist::kUniform;
    if (name == "exponential") return LatencyDist::kExponential;
    return std::nullopt;
}

std::string_view latency_dist_name(LatencyDist dist) {
    switch (dist) {
        case LatencyDist::kConstant: return "constant";
        case LatencyDist::kUniform: return "uniform";
        case LatencyDist::kExponential: return "exponential";
    }
    return "?";
}

std::int64_t sample_latency_ms(LatencyDist dist, std::int64_t mean_ms, Rng& rng) {
    MP_ASSERT_GE(mean_ms, 0);
    if (mean_ms == 0) return 0;
    switch (dist) {
        case LatencyDist::kConstant:
            return mean_ms;
        case LatencyDist::kUniform:
            return static_cast<std::int64_t>(rng.uniform(static_cast<std::uint64_t>(2 * mean_ms)));
        case LatencyDist::kExponential:
            return static_cast<std::int64_t>(rng.exponential(static_cast<double>(mean_ms)));
    }
    MP_ASSERT(false);
    return 0;
}

}  // namespace millpond::sim
