// The faults that act on nodes and links (kill, pause, skew, slow, scheduled partitions) and
// client scripts: each does exactly what it promises, observed through a probe node, the
// journal and the history.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/echo/echo_node.hpp"
#include "echo_workload.hpp"
#include "simulation.hpp"

namespace millpond::sim {
namespace {

constexpr Instant kTickUs = 100'000;

// Ticks every 100 ms on its own clock. On its first tick it writes a=1, syncs, then writes
// b=2 without syncing. Every tick it sends {"type":"ping","local":<its clock>} to the next
// node. It logs its init (incarnation and disk) and every ping it receives.
class ProbeNode final : public Node {
  public:
    void on_init(const InitInfo& init, Instant now_us, Out& out) override {
        self_ = init.node_id;
        for (std::size_t i = 0; i < init.node_ids.size(); ++i)
            if (init.node_ids[i] == self_) peer_ = init.node_ids[(i + 1) % init.node_ids.size()];
        std::string disk;
        for (const auto& [key, value] : init.disk) disk += key + "=" + value + ";";
        out.log("init incarnation=" + std::to_string(init.incarnation) + " disk=" + disk);
        out.set_timer("tick", now_us + kTickUs);
    }
    void on_message(Message&& message, Instant /*now_us*/, Out& out) override {
        if (body_type(message.body) == "ping") out.log("ping from " + message.src);
    }
    void on_timer(const std::string& /*key*/, Instant now_us, Out& out) override {
        if (ticks_++ == 0) {
            out.disk_write("a", "1");
            out.disk_sync();
            out.disk_write("b", "2");
        }
        out.log("tick");
        if (peer_ != self_) out.send(peer_, json{{"type", "ping"}, {"local", now_us}});
        out.set_timer("tick", now_us + kTickUs);
    }

  private:
    NodeId self_, peer_;
    int ticks_ = 0;
};

RunOptions probe_options() {
    RunOptions options;
    options.workload = "echo";
    options.nodes = {"n0", "n1"};
    options.concurrency = 2;
    options.time_limit_us = 3'000'000;
    options.latency_ms = 10;
    options.seed = 5;
    options.client_script = ClientScript{};  // no client ops: only the probes talk
    return options;
}

RunOutcome run_probe(const RunOptions& options) {
    EchoWorkload workload;
    return run_simulation(
        options, workload, [](const NodeId&) { return std::make_unique<ProbeNode>(); }, {},
        [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
}

FaultEvent fault(FaultKind kind, Instant at_us, Instant duration_us, std::vector<NodeId> nodes) {
    FaultEvent event;
    event.kind = kind;
    event.at_us = at_us;
    event.duration_us = duration_us;
    event.nodes = std::move(nodes);
    return event;
}

const std::vector<std::string>& log_of(const RunOutcome& outcome, const NodeId& id) {
    for (const auto& [node, lines] : outcome.node_logs)
        if (node == id) return lines;
    static const std::vector<std::string> none;
    return none;
}

std::int32_t participant(const RunOutcome& outcome, const std::string& id) {
    const auto& all = outcome.journal.participants;
    for (std::size_t i = 0; i < all.size(); ++i)
        if (all[i] == id) return static_cast<std::int32_t>(i);
    return -1;
}

// The main phase starts when the last init_ok arrives: at 0, as clients have no latency.
TEST(NodeFaults, KillLosesExactlyTheUnsyncedWritesAndRestartsWithAFreshInit) {
    auto options = probe_options();
    options.fault_schedule = FaultSchedule{fault(FaultKind::kKill, 500'000, 500'000, {"n0"})};
    auto outcome = run_probe(options);
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    std::vector<std::string> inits;
    for (const auto& line : log_of(outcome, "n0"))
        if (line.rfind("init ", 0) == 0) inits.push_back(line);
    ASSERT_EQ(inits.size(), 2u);
    EXPECT_EQ(inits[0], "init incarnation=0 disk=");
    EXPECT_EQ(inits[1], "init incarnation=1 disk=a=1;");  // b=2 was never synced
    for (const auto& line : log_of(outcome, "n1"))
        EXPECT_EQ(line.rfind("init ", 0) == 0, line == "init incarnation=0 disk=") << line;
    // The history shows the kill and the restart as :nemesis ops.
    std::vector<std::string> nemesis;
    for (const auto& op : outcome.history)
        if (op.process == history::kNemesisProcess) nemesis.push_back(op.f);
    EXPECT_EQ(nemesis, (std::vector<std::string>{"kill", "kill", "start", "start"}));
}

TEST(NodeFaults, AKilledNodeNeitherStepsNorReceivesUntilItsRestart) {
    auto options = probe_options();
    options.fault_schedule = FaultSchedule{fault(FaultKind::kKill, 500'000, 500'000, {"n0"})};
    auto outcome = run_probe(options);
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    const std::int32_t n0 = participant(outcome, "n0"), n1 = participant(outcome, "n1");
    std::size_t sends = 0, recvs = 0, drops = 0, held_then_delivered = 0;
    for (const auto& event : outcome.journal.events) {
        if (event.dest == n0 && event.src == n1 && outcome.journal.type_of(event) == "ping") {
            if (event.kind == journal::EventKind::kSend) ++sends;
            if (event.kind == journal::EventKind::kRecv) ++recvs;
            if (event.kind == journal::EventKind::kDrop) ++drops;
            if (event.kind == journal::EventKind::kRecv && event.time_us == 1'000'000)
                ++held_then_delivered;
        }
        if (event.time_us > 500'000 && event.time_us < 1'000'000) {
            if (event.kind == journal::EventKind::kRecv) {
                EXPECT_NE(event.dest, n0) << "n0 received while killed, at " << event.time_us;
            }
            EXPECT_NE(event.src, n0) << "n0 sent while killed, at " << event.time_us;
        }
    }
    // Pings that queued while n0 was down are delivered after its restart, not lost; at most
    // the one the dying process had taken is lost.
    EXPECT_GE(held_then_delivered, 3u);
    EXPECT_LE(drops, 1u);
    EXPECT_EQ(sends, recvs + drops);
}

TEST(NodeFaults, PauseHoldsDeliveriesAndTimersUntilTheResume) {
    auto options = probe_options();
    options.fault_schedule = FaultSchedule{fault(FaultKind::kPause, 500'000, 700'000, {"n0"})};
    auto outcome = run_probe(options);
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    const std::int32_t n0 = participant(outcome, "n0");
    std::size_t at_resume = 0;
    for (const auto& event : outcome.journal.events) {
        if (event.time_us > 500'000 && event.time_us < 1'200'000) {
            EXPECT_NE(event.src, n0) << "a paused node sent at " << event.time_us;
            if (event.kind == journal::EventKind::kRecv) {
                EXPECT_NE(event.dest, n0) << "a paused node received at " << event.time_us;
            }
        }
        if (event.dest == n0 && event.kind == journal::EventKind::kRecv &&
            event.time_us == 1'200'000)
            ++at_resume;
    }
    EXPECT_GE(at_resume, 1u);  // the held delivery, then the queue behind it
    // Memory survives a pause: no second init.
    std::size_t inits = 0;
    for (const auto& line : log_of(outcome, "n0")) inits += line.rfind("init ", 0) == 0;
    EXPECT_EQ(inits, 1u);
}

TEST(NodeFaults, SkewedNodesTickByTheirOwnClocks) {
    auto options = probe_options();
    options.nemesis_skew = true;
    options.skew_max_ms = 400;
    options.drift_max_ppm = 50'000;  // large, so the drift is visible in 100 ms ticks
    auto outcome = run_probe(options);
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    // The history records each node's [offset-ms drift-ppm].
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> clocks;
    for (const auto& op : outcome.history) {
        if (op.f != "skew-clocks" || !op.value.is_map()) continue;
        for (const auto& [node, pair] : op.value.entries())
            clocks[node.as_string()] = {pair.items()[0].as_int(), pair.items()[1].as_int()};
    }
    ASSERT_EQ(clocks.size(), 2u);
    EXPECT_NE(clocks["n0"], clocks["n1"]);
    for (const auto& [node, clock] : clocks) {
        EXPECT_GE(clock.first, 0);
        EXPECT_LE(clock.first, 800);
        EXPECT_GE(clock.second, -50'000);
        EXPECT_LE(clock.second, 50'000);
    }
    // Every ping carries the sender's clock: it reads offset + t + t * drift, at true time t.
    std::size_t checked = 0;
    for (const auto& event : outcome.journal.events) {
        if (event.kind != journal::EventKind::kSend || outcome.journal.type_of(event) != "ping")
            continue;
        const auto& [offset_ms, drift_ppm] = clocks[outcome.journal.participants[
            static_cast<std::size_t>(event.src)]];
        const std::int64_t t = event.time_us;
        const millpond::json* body = outcome.journal.body_of(event);
        ASSERT_NE(body, nullptr);
        const std::int64_t local = body->at("local").get<std::int64_t>();
        // The timer fires at the first microsecond the local clock reaches its deadline.
        EXPECT_EQ(local, offset_ms * 1000 + t + t * drift_ppm / 1'000'000) << "at " << t;
        ++checked;
    }
    EXPECT_GT(checked, 20u);
}

TEST(NodeFaults, ASlowLinkAddsItsLatencyOnlyInItsDirectionAndOnlyWhileItLasts) {
    auto options = probe_options();
    FaultEvent slow;
    slow.kind = FaultKind::kSlow;
    slow.at_us = 500'000;
    slow.duration_us = 1'000'000;
    slow.link = std::pair<NodeId, NodeId>{"n1", "n0"};
    slow.extra_latency_ms = 200;
    options.fault_schedule = FaultSchedule{slow};
    auto outcome = run_probe(options);
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    const std::int32_t n1 = participant(outcome, "n1");
    std::map<std::int64_t, std::int64_t> sent_at;
    std::size_t slow_seen = 0;
    for (const auto& event : outcome.journal.events) {
        if (outcome.journal.type_of(event) != "ping") continue;
        if (event.kind == journal::EventKind::kSend) sent_at[event.message_id] = event.time_us;
        if (event.kind != journal::EventKind::kRecv) continue;
        const std::int64_t sent = sent_at.at(event.message_id);
        const bool slowed = event.src == n1 && sent >= 500'000 && sent < 1'500'000;
        // Head-of-line: a fast message can queue behind a slow one, so only bound it below.
        if (slowed) {
            EXPECT_GE(event.time_us - sent, 210'000);
            ++slow_seen;
        } else if (event.src != n1 || sent >= 1'800'000) {
            EXPECT_EQ(event.time_us - sent, 10'000) << "sent at " << sent;
        }
    }
    EXPECT_GE(slow_seen, 8u);
}

TEST(NodeFaults, AScheduledPartitionDropsExactlyTheMessagesFromItsSources) {
    auto options = probe_options();
    FaultEvent partition;
    partition.kind = FaultKind::kPartition;
    partition.at_us = 500'000;
    partition.duration_us = 500'000;
    partition.grudge = {{"n0", {"n1"}}};
    options.fault_schedule = FaultSchedule{partition};
    auto outcome = run_probe(options);
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    const std::int32_t n0 = participant(outcome, "n0"), n1 = participant(outcome, "n1");
    std::size_t drops = 0;
    for (const auto& event : outcome.journal.events) {
        if (event.kind != journal::EventKind::kDrop) continue;
        EXPECT_EQ(event.src, n1);
        EXPECT_EQ(event.dest, n0);
        // Checked at dequeue: only messages the receiver takes during the partition.
        EXPECT_GE(event.time_us, 500'000);
        EXPECT_LE(event.time_us, 1'000'000);
        ++drops;
    }
    EXPECT_GE(drops, 4u);
    EXPECT_LE(drops, 6u);
}

TEST(NodeFaults, AFaultNamingAnUnknownNodeAbortsBeforeTheRunWithOneLine) {
    auto options = probe_options();
    options.fault_schedule = FaultSchedule{fault(FaultKind::kKill, 0, 1, {"n7"})};
    auto outcome = run_probe(options);
    EXPECT_EQ(outcome.aborted, "fault 0 names 'n7', which is not a node of this run");
    EXPECT_TRUE(outcome.history.empty());
}

TEST(ClientScript, OpsAreIssuedAtTheirTimesOnTheirThreadsAndWaitForABusyThread) {
    RunOptions options;
    options.workload = "echo";
    options.nodes = {"n0"};
    options.concurrency = 2;
    options.time_limit_us = 1'000'000;
    options.latency_ms = 0;
    options.client_script = ClientScript{
        {100'000, 1, Invocation{"echo", edn::Value("a"), {}, false}},
        {200'000, 0, Invocation{"echo", edn::Value("b"), {}, false}},
        {200'000, 0, Invocation{"echo", edn::Value("c"), {}, false}},  // waits for "b"
        {2'000'000, 0, Invocation{"echo", edn::Value("late"), {}, false}},  // after the limit
    };
    EchoWorkload workload;
    auto outcome = run_simulation(
        options, workload, [](const NodeId&) { return std::make_unique<EchoNode>(); }, {},
        [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    std::vector<std::tuple<std::int64_t, std::int64_t, std::string>> invokes;
    for (const auto& op : outcome.history)
        if (op.type == history::OpType::kInvoke)
            invokes.emplace_back(op.time_ns, op.process, op.value.as_string());
    EXPECT_EQ(invokes, (std::vector<std::tuple<std::int64_t, std::int64_t, std::string>>{
                           {100'000'000, 1, "a"}, {200'000'000, 0, "b"}, {200'000'000, 0, "c"}}));
}

}  // namespace
}  // namespace millpond::sim
