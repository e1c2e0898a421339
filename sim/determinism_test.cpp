#include "determinism.hpp"

#include <gtest/gtest.h>

#include "core/echo/echo_node.hpp"
#include "echo_workload.hpp"

namespace millpond::sim {
namespace {

RunOptions options(std::uint64_t seed) {
    RunOptions o;
    o.workload = "echo";
    o.nodes = {"n0", "n1"};
    o.concurrency = 2;
    o.time_limit_us = 1'000'000;
    o.rate = 50;
    o.latency_ms = 2;
    o.latency_dist = LatencyDist::kUniform;
    o.seed = seed;
    return o;
}

RunOutcome run(const RunOptions& o, const NodeFactory& make_node) {
    EchoWorkload workload;
    return run_simulation(o, workload, make_node, {},
                          [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
}

TEST(Determinism, SameSeedHasNoDivergence) {
    auto factory = [](const NodeId&) { return std::make_unique<EchoNode>(); };
    EXPECT_FALSE(first_divergence(run(options(4), factory), run(options(4), factory)));
}

// A node that smuggles state between runs through a static: the kind of bug the check exists
// for. Its 40th echo reply of the process is different, so the second run diverges there.
class LeakyEchoNode final : public HandlerNode {
  public:
    LeakyEchoNode() {
        handle("echo", [this](Message& request, Instant, Out& out) {
            ++replies_ever_;
            json echo = replies_ever_ == 40 ? json("leak") : request.body["echo"];
            reply(out, request, {{"type", "echo_ok"}, {"echo", echo}});
        });
    }
    static inline int replies_ever_ = 0;
};

TEST(Determinism, ALeakBetweenRunsIsNamedAtTheFirstDivergentEvent) {
    LeakyEchoNode::replies_ever_ = 0;
    auto factory = [](const NodeId&) { return std::make_unique<LeakyEchoNode>(); };
    RunOutcome first = run(options(5), factory);
    RunOutcome second = run(options(5), factory);
    auto divergence = first_divergence(first, second);
    ASSERT_TRUE(divergence);
    EXPECT_NE(divergence->where.find("journal event"), std::string::npos) << divergence->where;
    EXPECT_NE(divergence->first.find("leak"), std::string::npos) << divergence->first;
    EXPECT_EQ(divergence->second.find("leak"), std::string::npos) << divergence->second;
}

}  // namespace
}  // namespace millpond::sim
