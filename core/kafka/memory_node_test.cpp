// The memory design: the shared contract on one node, zero server messages, and a model run
// of the Maelstrom workload with no anomalies.

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "test_contract.hpp"
#include "test_workload.hpp"

namespace millpond::kafka::testing {
namespace {

ClusterOptions memory_options() {
    ClusterOptions options;
    options.node_count = 1;
    options.backend.backend = "memory";
    return options;
}

TEST(MemoryNode, KeepsTheClientContract) {
    Cluster cluster(memory_options());
    expect_dense_offsets(cluster);
    expect_polls_contiguous(cluster);
    expect_commits_monotone(cluster);
    expect_malformed_rejected(cluster);
    expect_poll_cap(cluster);
    EXPECT_EQ(cluster.server_messages(), 0);
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
}

TEST(MemoryNode, PollReturnsExactlyTheCapFromTheLog) {
    Cluster cluster(memory_options());
    for (int i = 0; i < 50; ++i) send(cluster, "n0", "k", i);
    json reply = poll(cluster, "n0", {{"k", 3}});
    ASSERT_EQ(reply["msgs"]["k"].size(), kPollMessagesPerKeyMax);
    EXPECT_EQ(reply["msgs"]["k"].front(), json::array({3, 3}));
    EXPECT_EQ(reply["msgs"]["k"].back(), json::array({34, 34}));
}

TEST(MemoryNode, PollReplyStaysUnderTheTotalCap) {
    Cluster cluster(memory_options());
    json offsets = json::object();
    const int keys = static_cast<int>(kPollMessagesMax / kPollMessagesPerKeyMax) + 3;
    for (int k = 0; k < keys; ++k) {
        const std::string key = "k" + std::to_string(1000 + k);
        for (std::size_t i = 0; i < kPollMessagesPerKeyMax; ++i) send(cluster, "n0", key, int(i));
        offsets[key] = 0;
    }
    json reply = poll(cluster, "n0", offsets);
    std::size_t total = 0;
    for (const auto& [key, run] : reply["msgs"].items()) total += run.size();
    EXPECT_EQ(total, kPollMessagesMax);
    EXPECT_EQ(reply["msgs"].size(), kPollMessagesMax / kPollMessagesPerKeyMax);
    EXPECT_TRUE(cluster.violations().empty());
}

TEST(MemoryNode, ModelWorkloadHasNoAnomaliesAndNoServerMessages) {
    Cluster cluster(memory_options());
    WorkloadOptions options;
    options.duration_us = 3'000'000;
    WorkloadResult result = Workload(cluster, options).run();
    EXPECT_GT(result.ok_sends, 500);
    EXPECT_GT(result.ok_polls_with_data, 200);
    EXPECT_TRUE(result.anomalies.empty()) << result.anomalies.front();
    EXPECT_EQ(result.server_messages, 0);
    EXPECT_TRUE(cluster.violations().empty()) << cluster.violations().front();
}

// Any sequence of sends, polls, commits and lists gets exactly the answers of a plain model:
// logs as vectors, committed offsets as a max.
TEST(MemoryNode, MatchesAModelOnAnySequenceOfRequests) {
    const bool ok = rc::check([](const std::vector<std::tuple<int, int, int>>& ops) {
        Cluster cluster(memory_options());
        std::map<std::string, std::vector<int>> logs;
        std::map<std::string, Offset> committed;
        for (const auto& [kind, key_index, value] : ops) {
            const std::string key = std::to_string(std::abs(key_index) % 3);
            const Offset offset = std::abs(value) % 40;
            switch (std::abs(kind) % 4) {
                case 0: {
                    json reply = send(cluster, "n0", key, value);
                    RC_ASSERT(reply["offset"] == Offset(logs[key].size()));
                    logs[key].push_back(value);
                    break;
                }
                case 1: {
                    json expected = json::object();
                    const std::vector<int>& log = logs[key];
                    for (Offset o = offset;
                         o < Offset(log.size()) && o < offset + Offset(kPollMessagesPerKeyMax); ++o)
                        expected[key].push_back(json::array({o, log[std::size_t(o)]}));
                    RC_ASSERT(poll(cluster, "n0", {{key, offset}})["msgs"] == expected);
                    break;
                }
                case 2: {
                    RC_ASSERT(body_type(commit(cluster, "n0", {{key, offset}})) ==
                              "commit_offsets_ok");
                    committed[key] = std::max(committed.count(key) ? committed[key] : 0, offset);
                    break;
                }
                default: {
                    json expected = json::object();
                    if (committed.count(key)) expected[key] = committed[key];
                    RC_ASSERT(list(cluster, "n0", {key})["offsets"] == expected);
                }
            }
        }
        RC_ASSERT(cluster.violations().empty());
    });
    EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace millpond::kafka::testing
