#pragma once
// Test-only: the client-visible contract every kafka design must keep (spec §3.1), written
// once and run against each design from its own test file. Every reply also passes through
// Cluster's closed-schema check; callers assert cluster.violations() is empty at the end.

#include <gtest/gtest.h>

#include "protocol.hpp"
#include "test_cluster.hpp"

namespace millpond::kafka::testing {

inline json send(Cluster& cluster, const NodeId& node, const std::string& key, json msg) {
    return cluster.call(node, {{"type", "send"}, {"key", key}, {"msg", std::move(msg)}});
}
inline json poll(Cluster& cluster, const NodeId& node, json offsets) {
    return cluster.call(node, {{"type", "poll"}, {"offsets", std::move(offsets)}});
}
inline json commit(Cluster& cluster, const NodeId& node, json offsets) {
    return cluster.call(node, {{"type", "commit_offsets"}, {"offsets", std::move(offsets)}});
}
inline json list(Cluster& cluster, const NodeId& node, json keys) {
    return cluster.call(node, {{"type", "list_committed_offsets"}, {"keys", std::move(keys)}});
}

// Sends to two keys through every node in turn: each key gets 0, 1, 2, ... in send order.
inline void expect_dense_offsets(Cluster& cluster) {
    const auto& nodes = cluster.node_ids();
    std::map<std::string, Offset> next;
    for (int i = 0; i < 12; ++i) {
        const std::string key = i % 3 == 0 ? "b" : "a";
        const NodeId& node = nodes[static_cast<std::size_t>(i) % nodes.size()];
        json reply = send(cluster, node, key, json{{"i", i}});
        ASSERT_EQ(body_type(reply), "send_ok") << reply.dump();
        EXPECT_EQ(reply["offset"], next[key]++) << "key " << key << " via " << node;
    }
    EXPECT_EQ(next["a"], 8);
    EXPECT_EQ(next["b"], 4);
}

// After expect_dense_offsets: any node returns contiguous runs from the asked offset and
// leaves out keys with nothing to return. `settle_us`: how long a design may answer from what
// it heard before (its staleness bound); the checks that need fresh data wait that long.
inline void expect_polls_contiguous(Cluster& cluster, Instant settle_us = 0) {
    cluster.run_for(settle_us);
    for (const auto& node : cluster.node_ids()) {
        json reply = poll(cluster, node, {{"a", 0}, {"b", 2}, {"nothing", 0}, {"c", 5}});
        ASSERT_EQ(body_type(reply), "poll_ok") << reply.dump();
        const json& msgs = reply["msgs"];
        EXPECT_FALSE(msgs.contains("nothing")) << reply.dump();
        EXPECT_FALSE(msgs.contains("c")) << reply.dump();
        ASSERT_TRUE(msgs.contains("a")) << node << " " << reply.dump();
        ASSERT_TRUE(msgs.contains("b")) << node << " " << reply.dump();
        // Sends i = 1, 2, 4, 5, 7, 8, 10, 11 went to "a"; 0, 3, 6, 9 to "b". A design may
        // answer with a shorter run than exists (from a cache), never with a wrong one.
        const std::map<std::string, std::vector<int>> expected = {{"a", {1, 2, 4, 5, 7, 8, 10, 11}},
                                                                  {"b", {0, 3, 6, 9}}};
        for (const auto& [key, values] : expected) {
            const Offset from = key == "a" ? 0 : 2;
            Offset offset = from;
            for (const auto& pair : msgs[key]) {
                ASSERT_LT(offset, Offset(values.size())) << reply.dump();
                EXPECT_EQ(pair, json::array({offset, {{"i", values[std::size_t(offset)]}}}))
                    << node << " " << reply.dump();
                ++offset;
            }
        }
        EXPECT_EQ(msgs["a"].front(), json::array({0, {{"i", 1}}}));
        EXPECT_EQ(msgs["b"].front(), json::array({2, {{"i", 6}}}));

        json tail = poll(cluster, node, {{"a", 7}, {"b", 4}});
        ASSERT_EQ(body_type(tail), "poll_ok") << tail.dump();
        EXPECT_EQ(tail["msgs"], json({{"a", json::array({json::array({7, {{"i", 11}}})})}}))
            << node << " " << tail.dump();
    }
}

// Commits move forward only, from any node, and list reports them; unknown keys are left out.
// With `cross_node_fresh` false (committed offsets on seq-kv) another node may list an older
// value, but never one older than it listed before, and a node always sees its own commits.
inline void expect_commits_monotone(Cluster& cluster, bool cross_node_fresh = true,
                                    Instant settle_us = 0) {
    const auto& nodes = cluster.node_ids();
    const NodeId& first = nodes.front();
    const NodeId& last = nodes.back();
    std::map<NodeId, std::map<std::string, Offset>> listed;
    // Lists keys at node: never below what node listed before; equal to `fresh` when the
    // design promises that (fresh null: monotonicity only).
    auto check_list = [&](const NodeId& node, json keys, const json& fresh) {
        if (!fresh.is_null()) cluster.run_for(settle_us);
        json reply = list(cluster, node, keys);
        ASSERT_EQ(body_type(reply), "list_committed_offsets_ok") << reply.dump();
        for (const auto& [key, offset] : reply["offsets"].items()) {
            EXPECT_GE(offset.get<Offset>(), listed[node][key]) << node << " went backwards";
            listed[node][key] = offset.get<Offset>();
        }
        if (!fresh.is_null() && (cross_node_fresh || node == first)) {
            EXPECT_EQ(reply["offsets"], fresh) << node;
        }
    };
    EXPECT_EQ(body_type(commit(cluster, first, {{"a", 3}, {"b", 1}})), "commit_offsets_ok");
    for (const auto& node : nodes) check_list(node, {"a", "b", "never"}, {{"a", 3}, {"b", 1}});
    EXPECT_EQ(body_type(commit(cluster, last, {{"a", 1}})), "commit_offsets_ok");
    check_list(first, {"a"}, {{"a", 3}});
    EXPECT_EQ(body_type(commit(cluster, first, {{"a", 5}})), "commit_offsets_ok");
    check_list(first, {"a"}, {{"a", 5}});
    if (cross_node_fresh) {
        EXPECT_EQ(body_type(commit(cluster, last, {{"a", 6}})), "commit_offsets_ok");
        check_list(first, {"a"}, {{"a", 6}});
    }
    for (const auto& node : nodes) check_list(node, {"a", "b"}, nullptr);
    EXPECT_EQ(list(cluster, last, json::array())["offsets"], json::object());
    EXPECT_EQ(body_type(commit(cluster, first, json::object())), "commit_offsets_ok");
}

// A malformed request gets error 12 from every node, an unknown type 10.
inline void expect_malformed_rejected(Cluster& cluster) {
    const json::array_t malformed = {
        {{"type", "send"}, {"msg", 1}},
        {{"type", "send"}, {"key", 7}, {"msg", 1}},
        {{"type", "send"}, {"key", "a"}},
        {{"type", "poll"}},
        {{"type", "poll"}, {"offsets", json::array({1})}},
        {{"type", "poll"}, {"offsets", {{"a", -1}}}},
        {{"type", "poll"}, {"offsets", {{"a", "0"}}}},
        {{"type", "commit_offsets"}, {"offsets", {{"a", 1.5}}}},
        {{"type", "list_committed_offsets"}, {"keys", "a"}},
        {{"type", "list_committed_offsets"}, {"keys", json::array({1})}},
    };
    for (const auto& node : cluster.node_ids()) {
        for (const auto& body : malformed) {
            json reply = cluster.call(node, body);
            EXPECT_EQ(body_type(reply), "error") << body.dump();
            EXPECT_EQ(reply["code"], 12) << body.dump() << " → " << reply.dump();
        }
        json unknown = cluster.call(node, {{"type", "subscribe"}});
        EXPECT_EQ(unknown["code"], 10) << unknown.dump();
    }
}

// Poll replies are capped per key; the rest comes with the next poll.
inline void expect_poll_cap(Cluster& cluster, Instant settle_us = 0) {
    const Offset count = static_cast<Offset>(kPollMessagesPerKeyMax) + 8;
    const auto& nodes = cluster.node_ids();
    for (Offset i = 0; i < count; ++i) {
        json reply = send(cluster, nodes[static_cast<std::size_t>(i) % nodes.size()], "big", i);
        ASSERT_EQ(reply["offset"], i) << reply.dump();
    }
    // A design may answer a hit from its cache with a shorter run; it never exceeds the cap,
    // and polling on from where the last reply ended reaches the end within a few polls.
    std::size_t largest = 0;
    for (const auto& node : nodes) {
        Offset next = 0;
        for (int round = 0; round < 6 && next < count; ++round) {
            cluster.run_for(settle_us);
            json reply = poll(cluster, node, {{"big", next}});
            ASSERT_EQ(body_type(reply), "poll_ok") << reply.dump();
            ASSERT_TRUE(reply["msgs"].contains("big")) << node << " at " << next;
            const json& run = reply["msgs"]["big"];
            EXPECT_LE(run.size(), kPollMessagesPerKeyMax);
            largest = std::max(largest, run.size());
            for (const auto& pair : run) {
                EXPECT_EQ(pair, json::array({next, next}));
                ++next;
            }
        }
        EXPECT_EQ(next, count) << node;
    }
    EXPECT_EQ(largest, kPollMessagesPerKeyMax);
}

}  // namespace millpond::kafka::testing
