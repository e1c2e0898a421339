#include "partition.hpp"

#include <gtest/gtest.h>

#include "commands.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

std::vector<NodeId> node_ids(int n) {
    std::vector<NodeId> ids;
    for (int i = 0; i < n; ++i) ids.push_back("n" + std::to_string(i));
    return ids;
}

TEST(Grudge, OneIsolatesExactlyOneNodeBothWays) {
    Rng rng(1);
    const Grudge grudge = make_grudge("one", node_ids(5), rng);
    ASSERT_EQ(grudge.size(), 5u);
    int loners = 0;
    for (const auto& [dest, srcs] : grudge) {
        if (srcs.size() == 4) {
            ++loners;
        } else {
            EXPECT_EQ(srcs.size(), 1u);
        }
    }
    EXPECT_EQ(loners, 1);
}

TEST(Grudge, MajoritySplitsAtHalfAndMinorityThirdAtAThird) {
    Rng rng(2);
    for (int n : {2, 3, 4, 5, 7}) {
        const Grudge majority = make_grudge("majority", node_ids(n), rng);
        // The smaller side (n/2 nodes) drops the larger side and vice versa.
        std::size_t small_side = 0;
        for (const auto& [dest, srcs] : majority)
            if (srcs.size() == static_cast<std::size_t>(n - n / 2)) ++small_side;
        // With n even both sides have n/2 nodes, so every node matches.
        EXPECT_EQ(small_side, static_cast<std::size_t>(n % 2 == 0 ? n : n / 2)) << n;
        const Grudge third = make_grudge("minority-third", node_ids(n), rng);
        if (n < 4) {
            EXPECT_TRUE(third.empty()) << n;  // the split is empty: no partition
        } else {
            std::size_t minority = 0;
            for (const auto& [dest, srcs] : third)
                if (srcs.size() == static_cast<std::size_t>(n - (n - 1) / 3)) ++minority;
            EXPECT_EQ(minority, static_cast<std::size_t>((n - 1) / 3)) << n;
        }
    }
}

TEST(Grudge, MajoritiesRingLeavesEveryNodeAMajority) {
    for (int n : {3, 4, 5, 6, 7, 9}) {
        Rng rng(static_cast<std::uint64_t>(n));
        const Grudge grudge = make_grudge("majorities-ring", node_ids(n), rng);
        const std::size_t majority = static_cast<std::size_t>(n / 2 + 1);
        for (const auto& id : node_ids(n)) {
            auto it = grudge.find(id);
            const std::size_t dropped = it == grudge.end() ? 0 : it->second.size();
            // Each node hears itself plus at least a majority minus one others.
            EXPECT_GE(static_cast<std::size_t>(n) - dropped, majority) << n << " " << id;
            if (it != grudge.end()) {
                EXPECT_FALSE(it->second.count(id));
            }
        }
        if (n <= 5) {
            for (const auto& [dest, srcs] : grudge)
                EXPECT_EQ(srcs.size(), static_cast<std::size_t>(n) - majority) << n;
        }
    }
}

RunOptions partitioned(const std::string& backend, int nodes, std::uint64_t seed) {
    RunOptions options;
    options.workload = "kafka";
    options.backend = backend;
    options.nodes = node_ids(nodes);
    options.concurrency = 2 * nodes;
    options.time_limit_us = 12'000'000;
    options.rate = 60;
    options.latency_ms = 2;
    options.nemesis_partition = true;
    options.nemesis_interval_us = 1'500'000;
    options.seed = seed;
    return options;
}

TEST(PartitionNemesis, RecordsJepsenOpsDropsAtDequeueAndHealsBeforeTheFinalPhase) {
    RunOptions options = partitioned("owner", 3, 5);
    auto workload = make_workload("kafka", options, nullptr);
    auto outcome = run_simulation(options, *workload, node_factory_for(options), service_names(),
                                  [](const std::string& name) { return make_service(name); });
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    int starts = 0, stops = 0;
    std::int64_t last_nemesis_index = -1;
    for (const auto& op : outcome.history) {
        if (op.is_client()) continue;
        EXPECT_EQ(op.type, history::OpType::kInfo);
        if (op.f == "start-partition") ++starts;
        if (op.f == "stop-partition") ++stops;
        last_nemesis_index = op.index;
    }
    EXPECT_GE(starts, 4);  // two ops (invoke-like and completion) per start
    ASSERT_GE(last_nemesis_index, 0);
    // The last nemesis op is the final heal, and every later op is client traffic after it.
    EXPECT_EQ(outcome.history[static_cast<std::size_t>(last_nemesis_index)].f, "stop-partition");
    EXPECT_TRUE(outcome.history[static_cast<std::size_t>(last_nemesis_index)].value.is_keyword(
        "network-healed"));
    // Node-to-node messages were dropped; clients and services never are.
    std::size_t drops = 0;
    for (const auto& event : outcome.journal.events) {
        if (event.kind != journal::EventKind::kDrop) continue;
        ++drops;
        EXPECT_EQ(outcome.journal.participants[static_cast<std::size_t>(event.src)][0], 'n');
        EXPECT_EQ(outcome.journal.participants[static_cast<std::size_t>(event.dest)][0], 'n');
    }
    EXPECT_GT(drops, 0u);
}

TEST(PartitionNemesis, CorrectDesignsStayValidUnderPartitions) {
    for (const auto& [backend, nodes] :
         std::vector<std::pair<std::string, int>>{{"memory", 1}, {"kv", 3}, {"owner", 3}, {"owner", 5}}) {
        for (std::uint64_t seed = 1; seed <= 10; ++seed) {
            RunOptions options = partitioned(backend, nodes, seed);
            auto workload = make_workload("kafka", options, nullptr);
            auto outcome = run_simulation(options, *workload, node_factory_for(options),
                                          service_names(), [](const std::string& name) {
                                              return make_service(name);
                                          });
            ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
            auto results = compose_results(outcome.history, &outcome.journal,
                                           workload->check(outcome.history), std::nullopt,
                                           outcome.exceptions);
            ASSERT_EQ(*results.find("valid?"), edn::Value(true))
                << backend << " " << nodes << " seed " << seed << "\n"
                << edn::write_pretty(*results.find("workload"));
        }
    }
}

}  // namespace
}  // namespace millpond::sim
