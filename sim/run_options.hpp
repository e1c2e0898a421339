#pragma once
// Everything that determines a run. Same options + same seed + same binary => the same trace,
// bit for bit.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/message.hpp"
#include "latency.hpp"

namespace millpond::sim {

struct RunOptions {
    std::string workload = "kafka";
    std::vector<NodeId> nodes;  // resolved node ids, e.g. n0..n2
    Instant time_limit_us = 60'000'000;
    double rate = 5;             // ops per second over all threads (Maelstrom's stagger)
    std::int32_t concurrency = 0;  // resolved worker-thread count
    std::int64_t latency_ms = 0;
    LatencyDist latency_dist = LatencyDist::kConstant;
    std::uint64_t seed = 0;
    std::optional<double> availability;  // unset, or the minimum ok fraction (total = 1)

    // kafka
    std::string backend = "owner";  // works at any node count (memory is one node only)
    std::string commit_kv = "lin";
    std::int32_t key_count = 10;
    std::int32_t max_writes_per_key = 16;

    // Maelstrom's --nemesis partition, with ops spaced by uniform gaps in [0, 2 * interval].
    bool nemesis_partition = false;
    Instant nemesis_interval_us = 10'000'000;
    // millpond's message faults: each server-to-server message lost / delivered twice.
    bool nemesis_drop = false;
    double drop_probability = 0.05;
    bool nemesis_duplicate = false;
    double duplicate_probability = 0.05;

    // Diagnostics, Maelstrom's flags.
    bool log_stderr = false;
    bool log_net_send = false;
    bool log_net_recv = false;
    // Keep every sent body in the journal (net-journal.jsonl, diagrams). Off for sweeps and
    // figures, where only counts matter.
    bool journal_bodies = true;

    // Hard budgets: a run that hits one stops and says so instead of hanging.
    std::uint64_t max_events = 200'000'000;
};

// Maelstrom's client request timeout (spec §1.3).
inline constexpr Instant kClientTimeoutUs = 5'000'000;
inline constexpr Instant kInitTimeoutUs = 10'000'000;
// The recovery wait between the final heal and the final ops, and the final phase's cap.
inline constexpr Instant kRecoveryWaitUs = 10'000'000;
inline constexpr Instant kFinalPhaseCapUs = 10'000'000;

}  // namespace millpond::sim
