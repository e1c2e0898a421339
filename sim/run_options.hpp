#pragma once
// Everything that determines a run. Same options + same seed + same binary => the same trace,
// bit for bit.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_script.hpp"
#include "core/message.hpp"
#include "fault_schedule.hpp"
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
    // millpond's scheduled faults, each on its own stream with gaps uniform in
    // [0, 2 * nemesis_interval]: a random node killed (restarts after kill_downtime, fresh
    // init), paused (resumes after pause_duration), or a random node or link made slow
    // (slow_extra_ms more latency for slow_duration).
    bool nemesis_kill = false;
    Instant kill_downtime_us = 2'000'000;
    bool nemesis_pause = false;
    Instant pause_duration_us = 2'000'000;
    bool nemesis_slow = false;
    std::int64_t slow_extra_ms = 100;
    Instant slow_duration_us = 5'000'000;
    // Clock skew: each node's clock = offset + (1 + drift) * true time, its offset drawn
    // uniformly in [-skew_max_ms, skew_max_ms] and its drift in [-drift_max_ppm, drift_max_ppm].
    // A node's timers fire by its own clock. Services and clients keep true time.
    bool nemesis_skew = false;
    std::int64_t skew_max_ms = 500;
    std::int64_t drift_max_ppm = 1000;
    // Static extra latency: on every message over a directed link (from, to), and on every
    // message to or from a node. Server traffic only; clients keep 0 ms.
    std::vector<std::pair<std::pair<NodeId, NodeId>, std::int64_t>> link_latency_ms;
    std::vector<std::pair<NodeId, std::int64_t>> node_latency_ms;
    // Faults written down instead of drawn: when set, the random schedules of partition,
    // kill, pause and slow are off and exactly these events happen (drop, duplicate and skew
    // still follow their options).
    std::optional<FaultSchedule> fault_schedule;
    // Client ops written down instead of generated (see client_script.hpp).
    std::optional<ClientScript> client_script;

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
