// The message faults beyond Maelstrom: `drop` loses, `duplicate` delivers twice, each
// server-to-server message with a probability; client traffic is never touched.

#include <gtest/gtest.h>

#include <map>

#include "commands.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

RunOutcome run_kv(bool drop, bool duplicate, double probability, std::uint64_t seed) {
    RunOptions options;
    options.workload = "kafka";
    options.backend = "kv";
    options.nodes = {"n0", "n1"};
    options.concurrency = 4;
    options.time_limit_us = 6'000'000;
    options.rate = 50;
    options.nemesis_drop = drop;
    options.drop_probability = probability;
    options.nemesis_duplicate = duplicate;
    options.duplicate_probability = probability;
    options.seed = seed;
    auto workload = make_workload("kafka", options, nullptr);
    return run_simulation(options, *workload, node_factory_for(options), service_names(),
                          [](const std::string& name) { return make_service(name); });
}

bool is_client(const journal::Journal& journal, std::int32_t participant) {
    return journal.is_client(participant);
}

TEST(MessageFaults, DropEverythingLosesEveryServerMessageAndNoClientMessage) {
    auto outcome = run_kv(true, false, 1.0, 1);
    std::size_t server_sends = 0, server_drops = 0, server_recvs = 0, client_drops = 0;
    for (const auto& event : outcome.journal.events) {
        const bool client = is_client(outcome.journal, event.src) || is_client(outcome.journal, event.dest);
        if (client) {
            if (event.kind == journal::EventKind::kDrop) ++client_drops;
            continue;
        }
        if (event.kind == journal::EventKind::kSend) ++server_sends;
        if (event.kind == journal::EventKind::kDrop) ++server_drops;
        if (event.kind == journal::EventKind::kRecv) ++server_recvs;
    }
    EXPECT_GT(server_sends, 10u);
    EXPECT_EQ(server_drops, server_sends);
    // Each drop names its message's type, as the send just before it does.
    std::map<std::int64_t, std::int32_t> sent_type;
    for (const auto& event : outcome.journal.events) {
        if (event.kind == journal::EventKind::kSend) sent_type[event.message_id] = event.type;
        if (event.kind != journal::EventKind::kDrop) continue;
        ASSERT_TRUE(sent_type.count(event.message_id));
        EXPECT_EQ(event.type, sent_type[event.message_id]);
        EXPECT_NE(outcome.journal.type_of(event), "");
    }
    EXPECT_EQ(server_recvs, 0u);
    EXPECT_EQ(client_drops, 0u);
}

TEST(MessageFaults, DuplicateEverythingDeliversEveryServerMessageTwice) {
    auto outcome = run_kv(false, true, 1.0, 2);
    std::map<std::int64_t, int> recvs;
    std::map<std::int64_t, bool> server_message;
    for (const auto& event : outcome.journal.events) {
        const bool client = is_client(outcome.journal, event.src) || is_client(outcome.journal, event.dest);
        if (event.kind == journal::EventKind::kSend) server_message[event.message_id] = !client;
        if (event.kind == journal::EventKind::kRecv) ++recvs[event.message_id];
    }
    std::size_t server_checked = 0;
    for (const auto& [id, server] : server_message) {
        if (!recvs.count(id)) continue;  // still in flight when the run ended
        EXPECT_EQ(recvs[id], server ? 2 : 1) << "message " << id;
        if (server) ++server_checked;
    }
    EXPECT_GT(server_checked, 10u);
}

TEST(MessageFaults, ProbabilityZeroChangesNothingButTheOptions) {
    // The faults draw from their own stream: with probability 0 the run is the plain run.
    EXPECT_EQ(run_kv(true, true, 0.0, 3).fingerprint, run_kv(false, false, 0.0, 3).fingerprint);
}

}  // namespace
}  // namespace millpond::sim
