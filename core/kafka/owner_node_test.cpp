// The owner design: the shared contract across several nodes, ownership independent of the
// order node ids arrive in, forwarding, an unreachable owner, and model runs of the Maelstrom
// workload.

#include "owner_node.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>

#include "test_contract.hpp"
#include "test_workload.hpp"

namespace millpond::kafka::testing {
namespace {

ClusterOptions owner_options(int node_count, Instant latency_us_max = 0, std::uint64_t seed = 1) {
    ClusterOptions options;
    options.node_count = node_count;
    options.backend.backend = "owner";
    options.latency_us_max = latency_us_max;
    options.seed = seed;
    return options;
}

constexpr Instant kOwnerWindowUs = OwnerNode::kFreshnessWindowUsDefault;

TEST(OwnerNode, KeepsTheClientContract) {
    Cluster cluster(owner_options(3, 500));
    expect_dense_offsets(cluster);
    expect_polls_contiguous(cluster, kOwnerWindowUs);
    expect_commits_monotone(cluster, true, kOwnerWindowUs);
    expect_malformed_rejected(cluster);
    expect_poll_cap(cluster, kOwnerWindowUs);
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
}

TEST(OwnerNode, KeepsTheClientContractAlone) {
    Cluster cluster(owner_options(1));
    expect_dense_offsets(cluster);
    expect_polls_contiguous(cluster);
    expect_commits_monotone(cluster);
    EXPECT_EQ(cluster.server_messages(), 0);
}

TEST(OwnerNode, OwnershipIgnoresTheOrderOfNodeIds) {
    std::vector<NodeId> ids = {"n3", "n0", "n4", "n1", "n2"};
    std::vector<NodeId> sorted = ids;
    std::sort(sorted.begin(), sorted.end());
    std::map<NodeId, int> keys_per_owner;
    for (int k = 0; k < 200; ++k) {
        const std::string key = std::to_string(k);
        const NodeId owner = OwnerNode::owner_of(key, sorted);
        std::vector<NodeId> permuted = ids;
        for (int round = 0; round < 5; ++round) {
            std::rotate(permuted.begin(), permuted.begin() + 1, permuted.end());
            std::swap(permuted[0], permuted[std::size_t(k + round) % permuted.size()]);
            EXPECT_EQ(OwnerNode::owner_of(key, permuted), owner) << key;
        }
        ++keys_per_owner[owner];
    }
    // fnv1a64 spreads keys over all owners.
    EXPECT_EQ(keys_per_owner.size(), 5u);
    for (const auto& [owner, count] : keys_per_owner) EXPECT_GT(count, 20) << owner;
}

// Two clusters whose nodes got the ids in different orders behave identically: the same key
// costs the same forwards from the same node, so ownership is the same.
TEST(OwnerNode, ClustersWithPermutedInitListsAgree) {
    ClusterOptions a = owner_options(4);
    a.node_ids = {"n0", "n1", "n2", "n3"};
    ClusterOptions b = owner_options(4);
    b.node_ids = {"n2", "n0", "n3", "n1"};
    Cluster first(a), second(b);
    for (int k = 0; k < 20; ++k) {
        const std::string key = "key" + std::to_string(k);
        for (const auto& node : a.node_ids) {
            const std::int64_t before_first = first.server_messages();
            const std::int64_t before_second = second.server_messages();
            EXPECT_EQ(send(first, node, key, k), send(second, node, key, k));
            EXPECT_EQ(first.server_messages() - before_first,
                      second.server_messages() - before_second)
                << key << " via " << node;
            const bool owner = OwnerNode::owner_of(key, a.node_ids) == node;
            EXPECT_EQ(first.server_messages() - before_first, owner ? 0 : 2) << key;
        }
    }
}

TEST(OwnerNode, ForwardsToTheOwnerAndRelaysTheReply) {
    Cluster cluster(owner_options(3));
    const std::string key = "forwarded";
    const NodeId owner = OwnerNode::owner_of(key, cluster.node_ids());
    NodeId other;
    for (const auto& node : cluster.node_ids())
        if (node != owner) other = node;
    EXPECT_EQ(send(cluster, owner, key, "x")["offset"], 0);
    std::int64_t before = cluster.server_messages();
    EXPECT_EQ(send(cluster, other, key, "y")["offset"], 1);
    EXPECT_EQ(send(cluster, other, key, "z")["offset"], 2);
    EXPECT_EQ(cluster.server_messages() - before, 4) << "two forwarded sends, one round trip each";
    // The forwarded sends taught `other` the whole log: polls of it cost nothing there.
    before = cluster.server_messages();
    json polled = poll(cluster, other, {{key, 0}});
    EXPECT_EQ(polled["msgs"][key], json::array({{0, "x"}, {1, "y"}, {2, "z"}}));
    EXPECT_EQ(cluster.server_messages(), before);
    // At the log's end: the owner said where the log ends with its last reply, so for the
    // freshness window the poll is answered locally; after it, the node asks again.
    json missed = poll(cluster, other, {{key, 3}});
    EXPECT_EQ(missed["msgs"], json::object());
    EXPECT_EQ(cluster.server_messages(), before);
    send(cluster, owner, key, "w");
    EXPECT_EQ(poll(cluster, other, {{key, 3}})["msgs"], json::object()) << "stale, within bound";
    cluster.run_for(kOwnerWindowUs);
    EXPECT_EQ(poll(cluster, other, {{key, 3}})["msgs"], json({{key, {{3, "w"}}}}));
    EXPECT_EQ(cluster.server_messages() - before, 2);
    // Commits forward, lists forward, and a commit not above the known one stays local.
    EXPECT_EQ(body_type(commit(cluster, other, {{key, 2}})), "commit_offsets_ok");
    EXPECT_EQ(list(cluster, owner, {key})["offsets"], json({{key, 2}}));
    before = cluster.server_messages();
    EXPECT_EQ(body_type(commit(cluster, other, {{key, 1}})), "commit_offsets_ok");
    EXPECT_EQ(cluster.server_messages(), before);
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
}

TEST(OwnerNode, UnreachableOwner) {
    Cluster cluster(owner_options(3));
    const std::string key = "cut-off";
    const NodeId owner = OwnerNode::owner_of(key, cluster.node_ids());
    NodeId other;
    for (const auto& node : cluster.node_ids())
        if (node != owner) other = node;
    send(cluster, other, key, 1);
    cluster.isolate(owner);
    json sent = send(cluster, other, key, 2);
    EXPECT_EQ(sent["code"], 13) << "the owner may have appended it";
    EXPECT_EQ(poll(cluster, other, {{key, 0}})["msgs"], json({{key, {{0, 1}}}}));
    EXPECT_EQ(poll(cluster, other, {{key, 1}})["msgs"], json::object());
    EXPECT_EQ(commit(cluster, other, {{key, 0}})["code"], 13);
    EXPECT_EQ(list(cluster, other, {key})["code"], 11);
    EXPECT_EQ(send(cluster, owner, key, 3)["offset"], 1) << "the owner itself stays available";
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
}

struct OwnerModelCase {
    int node_count;
    Instant latency_us_max;
    double msgs_per_op_max;  // a regression bound, about 15% above what it costs now
};

class OwnerModel : public ::testing::TestWithParam<OwnerModelCase> {};

// Artemis's owner cost 1.18 at 2 nodes; every shape here stays under it, most of what is left
// being forwarded sends.
TEST_P(OwnerModel, WorkloadHasNoAnomaliesAndCostsFewerThanArtemis) {
    const OwnerModelCase param = GetParam();
    Cluster cluster(owner_options(param.node_count, param.latency_us_max, 3));
    WorkloadOptions options;
    options.duration_us = 4'000'000;
    WorkloadResult result = Workload(cluster, options).run();
    std::cout << "owner n=" << param.node_count << " latency≤" << param.latency_us_max
              << "us: " << result.ops << " ops, " << result.server_messages << " server msgs, "
              << result.msgs_per_op() << " msgs/op\n";
    for (const auto& [type, count] : cluster.server_messages_by_type())
        std::cout << "  " << type << ": " << double(count) / double(result.ops) << "/op\n";
    EXPECT_GT(result.ok_sends, 500);
    EXPECT_GT(result.ok_polls_with_data, 200);
    EXPECT_TRUE(result.anomalies.empty()) << result.anomalies.front();
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
    EXPECT_LT(result.msgs_per_op(), param.msgs_per_op_max);
    EXPECT_LT(result.msgs_per_op(), 1.18);
}

INSTANTIATE_TEST_SUITE_P(Shapes, OwnerModel,
                         ::testing::Values(OwnerModelCase{2, 0, 0.75}, OwnerModelCase{3, 1'000, 1.0},
                                           OwnerModelCase{5, 2'000, 1.27}));

TEST(OwnerNode, WorkloadSurvivesAPartition) {
    Cluster cluster(owner_options(3, 1'000, 5));
    cluster.schedule(1'000'000, [&] { cluster.isolate("n1"); });
    cluster.schedule(3'000'000, [&] { cluster.heal(); });
    WorkloadOptions options;
    options.duration_us = 4'000'000;
    WorkloadResult result = Workload(cluster, options).run();
    EXPECT_GT(result.info_ops + result.fail_ops, 0) << "the partition must bite";
    EXPECT_TRUE(result.anomalies.empty()) << result.anomalies.front();
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
}

}  // namespace
}  // namespace millpond::kafka::testing
