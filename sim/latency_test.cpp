#include "latency.hpp"

#include <gtest/gtest.h>

namespace millpond::sim {
namespace {

double sample_mean(LatencyDist dist, std::int64_t mean_ms) {
    Rng rng(12345);
    const int draws = 100000;
    double sum = 0;
    for (int i = 0; i < draws; ++i) sum += static_cast<double>(sample_latency_ms(dist, mean_ms, rng));
    return sum / draws;
}

// The uniform draw is an integer in [0, 2*mean), so its mean is mean - 0.5; the exponential is
// truncated to whole ms, so its mean is about mean - 0.5 too. 5 % of 100 ms is 5 ms: both
// biases and the sampling noise fit well inside.
TEST(Latency, SampleMeansWithinFivePercent) {
    EXPECT_EQ(sample_mean(LatencyDist::kConstant, 100), 100.0);
    EXPECT_NEAR(sample_mean(LatencyDist::kUniform, 100), 100.0, 5.0);
    EXPECT_NEAR(sample_mean(LatencyDist::kExponential, 100), 100.0, 5.0);
}

TEST(Latency, MeanZeroWorksForEveryDistribution) {
    Rng rng(1);
    for (auto dist : {LatencyDist::kConstant, LatencyDist::kUniform, LatencyDist::kExponential})
        for (int i = 0; i < 100; ++i) EXPECT_EQ(sample_latency_ms(dist, 0, rng), 0);
}

TEST(Latency, UniformStaysBelowTwiceTheMean) {
    Rng rng(2);
    for (int i = 0; i < 10000; ++i) {
        auto v = sample_latency_ms(LatencyDist::kUniform, 3, rng);
        ASSERT_GE(v, 0);
        ASSERT_LT(v, 6);
    }
}

TEST(Latency, ParsesMaelstromNames) {
    EXPECT_EQ(parse_latency_dist("exponential"), LatencyDist::kExponential);
    EXPECT_FALSE(parse_latency_dist("normal"));
}

}  // namespace
}  // namespace millpond::sim
