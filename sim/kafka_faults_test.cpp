// The kafka designs under the message faults beyond Maelstrom: each server-to-server message
// lost (`drop`) or delivered twice (`duplicate`). Every design must stay valid under both; see
// "Faults beyond Maelstrom" in the essays of core/kafka/kv_node.hpp and owner_node.hpp.

#include <gtest/gtest.h>

#include "commands.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

struct Design {
    std::string backend;
    int nodes;
};

RunOptions faulty(const Design& design, bool drop, bool duplicate, std::uint64_t seed) {
    RunOptions options;
    options.workload = "kafka";
    options.backend = design.backend;
    for (int i = 0; i < design.nodes; ++i) options.nodes.push_back("n" + std::to_string(i));
    options.concurrency = 2 * design.nodes;
    options.time_limit_us = 5'000'000;
    options.rate = 100;
    options.latency_ms = 3;
    // Twice the default probabilities, so that short runs still lose or copy many messages,
    // including the final phase's.
    options.nemesis_drop = drop;
    options.drop_probability = 0.1;
    options.nemesis_duplicate = duplicate;
    options.duplicate_probability = 0.1;
    options.seed = seed;
    return options;
}

void expect_valid(const Design& design, bool drop, bool duplicate) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
        RunOptions options = faulty(design, drop, duplicate, seed);
        auto workload = make_workload("kafka", options, nullptr);
        auto outcome = run_simulation(options, *workload, node_factory_for(options),
                                      service_names(),
                                      [](const std::string& name) { return make_service(name); });
        ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
        auto results =
            compose_results(outcome.history, &outcome.journal, workload->check(outcome.history),
                            std::nullopt, outcome.exceptions);
        ASSERT_EQ(*results.find("valid?"), edn::Value(true))
            << design.backend << " " << design.nodes << " nodes, drop " << drop
            << ", duplicate " << duplicate << ", seed " << seed << "\n"
            << edn::write_pretty(*results.find("workload"));
    }
}

TEST(KafkaFaults, MemoryStaysValidUnderDropAndDuplicate) {
    expect_valid({"memory", 1}, true, false);
    expect_valid({"memory", 1}, false, true);
}

// A lost commit read used to fail the commit at once; the poll it followed then went :info,
// and an :info in the final phase leaves its thread unassigned, so acknowledged sends went
// :unseen.
TEST(KafkaFaults, KvStaysValidUnderDrop) { expect_valid({"kv", 3}, true, false); }

TEST(KafkaFaults, KvStaysValidUnderDuplicate) { expect_valid({"kv", 3}, false, true); }

TEST(KafkaFaults, OwnerStaysValidUnderDrop) { expect_valid({"owner", 3}, true, false); }

// A duplicated kafka_send used to be appended twice (:duplicate, and polls that skipped or
// went back over the second copy).
TEST(KafkaFaults, OwnerStaysValidUnderDuplicate) { expect_valid({"owner", 3}, false, true); }

TEST(KafkaFaults, KvAndOwnerStayValidUnderDropAndDuplicateTogether) {
    expect_valid({"kv", 3}, true, true);
    expect_valid({"owner", 3}, true, true);
}

}  // namespace
}  // namespace millpond::sim
