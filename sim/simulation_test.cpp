#include "simulation.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "checkers/history.hpp"
#include "core/echo/echo_node.hpp"
#include "echo_workload.hpp"
#include "fingerprint.hpp"
#include "results.hpp"

namespace millpond::sim {
namespace {

RunOptions echo_options(std::uint64_t seed, int node_count) {
    RunOptions options;
    options.workload = "echo";
    for (int i = 0; i < node_count; ++i) options.nodes.push_back("n" + std::to_string(i));
    options.concurrency = node_count;
    options.time_limit_us = 2'000'000;
    options.rate = 100;
    options.latency_ms = 5;
    options.latency_dist = LatencyDist::kExponential;
    options.seed = seed;
    return options;
}

RunOutcome run_echo(const RunOptions& options) {
    EchoWorkload workload;
    return run_simulation(
        options, workload, [](const NodeId&) { return std::make_unique<EchoNode>(); }, {},
        [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
}

std::string history_text(const history::History& history) {
    std::ostringstream out;
    history::write_history(out, history);
    return out.str();
}

TEST(Simulation, SameSeedGivesByteIdenticalHistoryAndFingerprint) {
    auto a = run_echo(echo_options(7, 3));
    auto b = run_echo(echo_options(7, 3));
    ASSERT_TRUE(a.aborted.empty()) << a.aborted;
    EXPECT_GT(a.history.size(), 100u);
    EXPECT_EQ(history_text(a.history), history_text(b.history));
    EXPECT_EQ(a.fingerprint, b.fingerprint);
    EXPECT_EQ(a.journal.events.size(), b.journal.events.size());
}

TEST(Simulation, TwentySeedsGiveTwentyFingerprints) {
    std::set<std::uint64_t> fingerprints;
    for (std::uint64_t seed = 1; seed <= 20; ++seed)
        fingerprints.insert(run_echo(echo_options(seed, 3)).fingerprint);
    EXPECT_EQ(fingerprints.size(), 20u);
}

TEST(Simulation, EchoValidOverFiftySeedsWithOneThreeAndFiveNodes) {
    EchoWorkload workload;
    for (int nodes : {1, 3, 5}) {
        for (std::uint64_t seed = 100; seed < 150; ++seed) {
            auto outcome = run_echo(echo_options(seed, nodes));
            ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
            auto result = compose_results(outcome.history, &outcome.journal,
                                          workload.check(outcome.history), std::nullopt,
                                          outcome.exceptions);
            ASSERT_EQ(*result.find("valid?"), edn::Value(true))
                << "nodes " << nodes << " seed " << seed << "\n" << edn::write_pretty(result);
            ASSERT_GT(result.find("stats")->find("ok-count")->as_int(), 50);
        }
    }
}

TEST(Simulation, HistoryFollowsMaelstromClientRules) {
    auto options = echo_options(3, 2);
    options.concurrency = 4;
    auto outcome = run_echo(options);
    ASSERT_TRUE(outcome.aborted.empty());
    // Init clients c0, c1 and setup clients c2, c3 come first; workers open c4.. lazily.
    const auto& ids = outcome.journal.participants;
    EXPECT_EQ(ids[0], "n0");
    EXPECT_EQ(ids[1], "n1");
    EXPECT_EQ(ids[2], "c0");
    EXPECT_EQ(ids[4], "c2");
    EXPECT_EQ(ids[6], "c4");
    // The first journal events are the inits and their replies.
    EXPECT_EQ(outcome.journal.type_of(outcome.journal.events[0]), "init");
    // Each process has at most one op outstanding, and times never go backwards.
    std::map<std::int64_t, bool> open;
    std::int64_t last_time = 0;
    for (const auto& op : outcome.history) {
        EXPECT_GE(op.time_ns, last_time);
        last_time = op.time_ns;
        if (op.type == history::OpType::kInvoke) {
            EXPECT_FALSE(open[op.process]);
            open[op.process] = true;
            EXPECT_TRUE(op.value.is_string());
            EXPECT_EQ(op.value.as_string().rfind("Please echo ", 0), 0u);
        } else {
            EXPECT_TRUE(open[op.process]);
            open[op.process] = false;
            EXPECT_EQ(op.value.find("type")->as_string(), "echo_ok");
        }
    }
}

// A node that never answers echo: every op times out after 5 s and becomes :info, the thread
// gets a new process (old + concurrency) and a fresh client, and the checker flags each one.
class SilentNode final : public Node {
    void on_init(const InitInfo&, Instant, Out&) override {}
    void on_message(Message&&, Instant, Out&) override {}
    void on_timer(const std::string&, Instant, Out&) override {}
};

TEST(Simulation, TimeoutsBecomeInfoWithNewProcessAndInvalidEcho) {
    auto options = echo_options(11, 1);
    options.concurrency = 2;
    options.time_limit_us = 12'000'000;
    options.rate = 10;
    EchoWorkload workload;
    auto outcome = run_simulation(
        options, workload, [](const NodeId&) { return std::make_unique<SilentNode>(); }, {},
        [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
    ASSERT_TRUE(outcome.aborted.empty()) << outcome.aborted;
    std::set<std::int64_t> processes;
    int infos = 0;
    for (const auto& op : outcome.history) {
        processes.insert(op.process);
        if (op.type == history::OpType::kInfo) {
            ++infos;
            ASSERT_NE(op.find_extra("error"), nullptr);
            EXPECT_TRUE(op.find_extra("error")->is_keyword("net-timeout"));
        }
    }
    EXPECT_GE(infos, 4);
    EXPECT_TRUE(processes.count(2));  // thread 0's second process
    auto check = workload.check(outcome.history);
    EXPECT_EQ(*check.find("valid?"), edn::Value(false));
}

// A node that replies with an extra key breaks Maelstrom's closed reply schema.
class ChattyEchoNode final : public HandlerNode {
  public:
    ChattyEchoNode() {
        handle("echo", [this](Message& request, Instant, Out& out) {
            reply(out, request, {{"type", "echo_ok"}, {"echo", request.body["echo"]}, {"extra", 1}});
        });
    }
};

TEST(Simulation, ReplySchemaViolationIsIndeterminate) {
    auto options = echo_options(5, 1);
    EchoWorkload workload;
    auto outcome = run_simulation(
        options, workload, [](const NodeId&) { return std::make_unique<ChattyEchoNode>(); }, {},
        [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
    ASSERT_FALSE(outcome.exceptions.empty());
    EXPECT_NE(outcome.exceptions[0].find("extra"), std::string::npos);
    bool saw_info = false;
    for (const auto& op : outcome.history)
        if (op.type == history::OpType::kInfo) saw_info = true;
    EXPECT_TRUE(saw_info);
}

TEST(Simulation, InitFailureIsReportedNotHung) {
    // A node that throws out of a step aborts the run with its name and reason.
    class ThrowingNode final : public Node {
        void on_init(const InitInfo&, Instant, Out&) override { throw std::runtime_error("boom"); }
        void on_message(Message&&, Instant, Out&) override {}
        void on_timer(const std::string&, Instant, Out&) override {}
    };
    EchoWorkload workload;
    auto outcome = run_simulation(
        echo_options(1, 2), workload, [](const NodeId&) { return std::make_unique<ThrowingNode>(); },
        {}, [](const std::string&) -> std::unique_ptr<Node> { return nullptr; });
    EXPECT_NE(outcome.aborted.find("boom"), std::string::npos) << outcome.aborted;
    EXPECT_NE(outcome.aborted.find("n0"), std::string::npos);
}

}  // namespace
}  // namespace millpond::sim
