// Determinism with every fault on: partition, kill, pause, drop, duplicate, skew and slow
// together, over many seeds and every correct kafka design, each seed run twice and compared
// event by event. Proves the faults draw only from the seed (their own streams) and that a
// restarted node is as deterministic as a fresh one.

#include <gtest/gtest.h>

#include <map>

#include "commands.hpp"
#include "core/kafka/backend.hpp"
#include "determinism.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

RunOptions every_fault(std::uint64_t seed) {
    RunOptions options;
    options.workload = "kafka";
    const auto backends = kafka::backend_names();
    options.backend = backends[seed % backends.size()];
    const int node_count = options.backend == "memory" ? 1 : 3;
    for (int i = 0; i < node_count; ++i) options.nodes.push_back("n" + std::to_string(i));
    options.concurrency = 2 * node_count;
    options.time_limit_us = 3'000'000;
    options.rate = 100;
    options.latency_ms = 5;
    options.latency_dist = LatencyDist::kExponential;
    options.nemesis_partition = options.nemesis_kill = options.nemesis_pause = true;
    options.nemesis_drop = options.nemesis_duplicate = options.nemesis_skew = true;
    options.nemesis_slow = true;
    options.nemesis_interval_us = 500'000;
    options.kill_downtime_us = 300'000;
    options.pause_duration_us = 300'000;
    options.slow_duration_us = 500'000;
    options.journal_bodies = true;
    options.seed = seed;
    return options;
}

RunOutcome run(const RunOptions& options) {
    auto workload = make_workload("kafka", options, nullptr);
    return run_simulation(options, *workload, node_factory_for(options), service_names(),
                          [](const std::string& name) { return make_service(name); });
}

// Runs seeds [first, first + count) twice each; returns how often each nemesis f occurred, so
// the caller can tell the faults really happened.
std::map<std::string, int> expect_no_divergence(std::uint64_t first, std::uint64_t count) {
    std::map<std::string, int> nemesis_ops;
    for (std::uint64_t seed = first; seed < first + count; ++seed) {
        const RunOptions options = every_fault(seed);
        RunOutcome a = run(options);
        RunOutcome b = run(options);
        EXPECT_TRUE(a.aborted.empty()) << "seed " << seed << ": " << a.aborted;
        auto divergence = first_divergence(a, b);
        EXPECT_FALSE(divergence) << "seed " << seed << " (" << options.backend << ") diverges at "
                                 << divergence->where << ":\n  " << divergence->first << "\n  "
                                 << divergence->second;
        if (divergence) break;
        for (const auto& op : a.history)
            if (op.process == history::kNemesisProcess) ++nemesis_ops[op.f];
    }
    return nemesis_ops;
}

void expect_every_fault_happened(const std::map<std::string, int>& nemesis_ops) {
    for (const char* f : {"start-partition", "kill", "start", "pause", "resume", "start-slow",
                          "stop-slow", "skew-clocks"})
        EXPECT_GT(nemesis_ops.count(f) ? nemesis_ops.at(f) : 0, 0) << f;
}

TEST(FaultDeterminism, TwentySeedsWithEveryFaultHaveNoDivergence) {
    expect_every_fault_happened(expect_no_divergence(1, 20));
}

TEST(FaultDeterminism, LongThousandSeedsWithEveryFaultHaveNoDivergence) {
    expect_every_fault_happened(expect_no_divergence(1, 1000));
}

}  // namespace
}  // namespace millpond::sim
