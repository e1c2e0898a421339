#include "stdio_adapter.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/hash.hpp"

namespace millpond::maelstrom {
namespace {

// A tiny node whose behaviour the test scripts through message types:
//   init         sets a fixed schedule of timers (with a replace and a cancel in it)
//   arm          {"key":K,"after_us":D}: set timer K at now + D
//   disarm       {"key":K}: cancel timer K
//   spin         keep re-arming timer "spin" at now, forever (up to kSpinsMax)
//   stop_spin    cancel "spin"
//   throw        send something, then throw
//   anything     with a msg_id: reply {"type":"ok"}
// Every timer that fires is recorded and announced to "observer" as {"type":"fired","key":K}.
class ScriptNode final : public Node {
  public:
    static constexpr int kSpinsMax = 1000;

    struct Fired {
        std::string key;
        Instant now_us;
        bool operator==(const Fired&) const = default;
    };

    bool set_schedule_on_init = true;
    int close_fd_on_timer = -1;  // closed when timer "close" fires

    std::vector<InitInfo> inits;
    std::vector<Instant> init_now_us;
    std::vector<Fired> fired;
    json::array_t messages;
    int spins = 0;

    void on_init(const InitInfo& init, Instant now_us, Out& out) override {
        inits.push_back(init);
        init_now_us.push_back(now_us);
        if (!set_schedule_on_init) return;
        out.set_timer("a", now_us + 300);
        out.set_timer("b", now_us + 100);
        out.set_timer("c", now_us + 200);
        out.set_timer("d", now_us + 250);
        out.cancel_timer("d");
        out.set_timer("a", now_us + 50);  // replaces a@300
        out.set_timer("tie1", now_us + 400);
        out.set_timer("tie2", now_us + 400);
        out.set_timer("tie0", now_us + 400);
    }

    void on_message(Message&& message, Instant now_us, Out& out) override {
        messages.push_back(message.body);
        const std::string type = body_type(message.body);
        if (type == "arm") {
            out.set_timer(message.body["key"].get<std::string>(),
                          now_us + message.body["after_us"].get<Instant>());
        } else if (type == "disarm") {
            out.cancel_timer(message.body["key"].get<std::string>());
        } else if (type == "spin") {
            out.set_timer("spin", now_us);
        } else if (type == "stop_spin") {
            out.cancel_timer("spin");
        } else if (type == "throw") {
            out.send("observer", {{"type", "must-not-be-sent"}});
            out.set_timer("must-not-be-set", now_us);
            throw std::runtime_error("scripted failure");
        }
        const MsgId msg_id = body_int_or_missing(message.body, "msg_id");
        if (msg_id >= 0) out.send(message.src, {{"type", "ok"}, {"in_reply_to", msg_id}});
    }

    void on_timer(const std::string& key, Instant now_us, Out& out) override {
        fired.push_back({key, now_us});
        out.send("observer", {{"type", "fired"}, {"key", key}});
        out.log("fired " + key);
        if (key == "spin" && ++spins < kSpinsMax) out.set_timer("spin", now_us);
        if (key == "close" && close_fd_on_timer >= 0) {
            ::close(close_fd_on_timer);
            close_fd_on_timer = -1;
        }
    }
};

const std::string kInit =
    R"({"id":0,"src":"c0","dest":"n3","body":{"type":"init","msg_id":1,"node_id":"n3",)"
    R"("node_ids":["n1","n2","n3"]}})";

std::string request(const std::string& body) {
    return R"({"src":"c9","dest":"n3","body":)" + body + "}";
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream input(text);
    for (std::string line; std::getline(input, line);) lines.push_back(line);
    EXPECT_TRUE(text.empty() || text.back() == '\n') << "output must end with a newline";
    return lines;
}

// One adapter run over scripted lines with a fake clock.
struct AdapterRun {
    explicit AdapterRun(std::vector<ScriptedLine> lines, Instant eof_at_us = 1000,
                        StdioAdapterOptions options = {})
        : source(clock, std::move(lines), eof_at_us),
          adapter(node, source, output, log, clock, std::move(options)) {}

    std::vector<std::string> run() {
        adapter.run();
        return lines_of(output.str());
    }

    ScriptNode node;
    FakeClock clock;
    ScriptedLineSource source;
    std::ostringstream output;
    std::ostringstream log;
    StdioAdapter adapter;
};

TEST(StdioAdapter, FiresTimersInDeadlineOrderHonouringReplaceCancelAndTies) {
    AdapterRun run({{0, kInit}});
    const auto out = run.run();
    const std::vector<ScriptNode::Fired> expected = {{"a", 50},     {"b", 100},    {"c", 200},
                                                     {"tie1", 400}, {"tie2", 400}, {"tie0", 400}};
    EXPECT_EQ(run.node.fired, expected);
    ASSERT_EQ(out.size(), 7u);
    EXPECT_EQ(out[0], R"({"src":"n3","dest":"c0","body":{"in_reply_to":1,"type":"init_ok"}})");
    EXPECT_EQ(out[1], R"({"src":"n3","dest":"observer","body":{"key":"a","type":"fired"}})");
    EXPECT_EQ(out[6], R"({"src":"n3","dest":"observer","body":{"key":"tie0","type":"fired"}})");
    EXPECT_NE(run.log.str().find("fired tie2\n"), std::string::npos);
    EXPECT_EQ(run.adapter.pending_timer_count(), 0u);
    EXPECT_EQ(run.clock.now_us(), 1000);  // waited for input until the end, not past it
}

TEST(StdioAdapter, AMessageBetweenDeadlinesCanArmAndCancelTimers) {
    AdapterRun run({{0, kInit},
                    {150, request(R"({"type":"arm","key":"e","after_us":10})")},
                    {150, request(R"({"type":"disarm","key":"c"})")},
                    {170, request(R"({"type":"arm","key":"tie2","after_us":5})")}});
    run.run();
    const std::vector<ScriptNode::Fired> expected = {{"a", 50},     {"b", 100},    {"e", 160},
                                                     {"tie2", 175}, {"tie1", 400}, {"tie0", 400}};
    EXPECT_EQ(run.node.fired, expected);
}

TEST(StdioAdapter, PendingTimersAreAbandonedAtEndOfInput) {
    AdapterRun run({{0, kInit}}, 120);
    run.run();
    const std::vector<ScriptNode::Fired> expected = {{"a", 50}, {"b", 100}};
    EXPECT_EQ(run.node.fired, expected);
    EXPECT_EQ(run.adapter.pending_timer_count(), 4u);
}

TEST(StdioAdapter, ATimerRearmedInThePastDoesNotStarveInput) {
    // Under the fake clock time stands still while the node spins, so input that has already
    // arrived is the only way out: the adapter must read it between rounds of timers.
    AdapterRun run({{0, kInit},
                    {500, request(R"({"type":"spin"})")},
                    {500, request(R"({"type":"stop_spin"})")}});
    run.node.set_schedule_on_init = false;
    run.run();
    EXPECT_EQ(run.node.spins, 1);
    EXPECT_EQ(run.adapter.pending_timer_count(), 0u);
}

TEST(StdioAdapter, InitGivesTheNodeItsIdPeersSeedAndClock) {
    AdapterRun run({{25, kInit}});
    run.node.set_schedule_on_init = false;
    run.run();
    ASSERT_EQ(run.node.inits.size(), 1u);
    EXPECT_EQ(run.node.inits[0].node_id, "n3");
    EXPECT_EQ(run.node.inits[0].node_ids, (std::vector<NodeId>{"n1", "n2", "n3"}));
    EXPECT_EQ(run.node.inits[0].seed, fnv1a64("n3"));
    EXPECT_EQ(run.node.init_now_us[0], 25);
    EXPECT_TRUE(run.adapter.initialised());
    EXPECT_EQ(run.adapter.node_id(), "n3");
    EXPECT_EQ(run.adapter.seed(), default_node_seed("n3"));
    EXPECT_NE(run.log.str().find("node n3 initialised, seed " + std::to_string(fnv1a64("n3"))),
              std::string::npos);
}

TEST(StdioAdapter, AnExplicitSeedOverridesTheHash) {
    StdioAdapterOptions options;
    options.seed = 42;
    options.program_name = "prog";
    AdapterRun run({{0, kInit}}, 1000, options);
    run.node.set_schedule_on_init = false;
    run.run();
    ASSERT_EQ(run.node.inits.size(), 1u);
    EXPECT_EQ(run.node.inits[0].seed, 42u);
    EXPECT_NE(run.log.str().find("prog: node n3 initialised, seed 42 (from MILLPOND_SEED)"),
              std::string::npos)
        << run.log.str();
}

TEST(StdioAdapter, BeforeInitRequestsGetError11AndOtherMessagesAreLogged) {
    AdapterRun run(
        {{0, request(R"({"type":"echo","msg_id":4})")},
         {0, request(R"({"type":"gossip"})")},
         {0, R"({"src":"c0","dest":"n3","body":{"type":"init","msg_id":1,"node_id":"n3"}})"},
         {0, R"({"src":"c0","dest":"n3","body":{"type":"init","node_id":"","node_ids":[]}})"},
         {0, request(R"({"type":"echo","msg_id":5})")},
         {0, kInit},
         {0, request(R"({"type":"echo","msg_id":6})")},
         {0, kInit}});
    run.node.set_schedule_on_init = false;
    const auto out = run.run();
    ASSERT_EQ(out.size(), 7u) << run.output.str();
    EXPECT_EQ(out[0], R"({"src":"n3","dest":"c9","body":{"code":11,"in_reply_to":4,)"
                      R"("text":"node is not initialised yet","type":"error"}})");
    EXPECT_EQ(out[1], R"({"src":"n3","dest":"c0","body":{"code":12,"in_reply_to":1,)"
                      R"("text":"init needs an array 'node_ids'","type":"error"}})");
    EXPECT_EQ(out[2], R"({"src":"n3","dest":"c0","body":{"code":12,)"
                      R"("text":"init 'node_id' must not be empty","type":"error"}})");
    EXPECT_EQ(out[3], R"({"src":"n3","dest":"c9","body":{"code":11,"in_reply_to":5,)"
                      R"("text":"node is not initialised yet","type":"error"}})");
    EXPECT_EQ(out[4], R"({"src":"n3","dest":"c0","body":{"in_reply_to":1,"type":"init_ok"}})");
    EXPECT_EQ(out[5], R"({"src":"n3","dest":"c9","body":{"in_reply_to":6,"type":"ok"}})");
    EXPECT_EQ(out[6], R"({"src":"n3","dest":"c0","body":{"code":14,"in_reply_to":1,)"
                      R"("text":"node is already initialised as n3","type":"error"}})");
    EXPECT_EQ(run.node.inits.size(), 1u);
    EXPECT_EQ(run.node.messages.size(), 1u);
    const std::string log = run.log.str();
    EXPECT_NE(log.find("stdin line 2: 'gossip' from c9 before init; dropped"), std::string::npos)
        << log;
    EXPECT_NE(log.find("stdin line 8: second init from c0"), std::string::npos) << log;
}

TEST(StdioAdapter, MalformedBodiesGetError12WhenTheyCanBeAnswered) {
    AdapterRun run({{0, kInit},
                    {0, request(R"("oops")")},
                    {0, request(R"({"type":"echo","msg_id":"7"})")},
                    {0, request(R"({"msg_id":8})")},
                    {0, request(R"({"type":"error","msg_id":"x"})")},
                    {0, "this is not json"},
                    {0, R"({"src":"c9","body":{"type":"echo","msg_id":9}})"},
                    {0, "   "},
                    {0, request(R"({"type":"echo","msg_id":10})")}});
    run.node.set_schedule_on_init = false;
    const auto out = run.run();
    ASSERT_EQ(out.size(), 5u) << run.output.str();
    EXPECT_EQ(out[1], R"({"src":"n3","dest":"c9","body":{"code":12,)"
                      R"("text":"body must be an object, got string","type":"error"}})");
    EXPECT_EQ(out[2], R"({"src":"n3","dest":"c9","body":{"code":12,)"
                      R"("text":"body field 'msg_id' must be an integer, got string \"7\"",)"
                      R"("type":"error"}})");
    EXPECT_EQ(out[3], R"({"src":"n3","dest":"c9","body":{"code":12,"in_reply_to":8,)"
                      R"("text":"body has no 'type'","type":"error"}})");
    EXPECT_EQ(out[4], R"({"src":"n3","dest":"c9","body":{"in_reply_to":10,"type":"ok"}})");
    EXPECT_EQ(run.node.messages.size(), 1u);  // only the well-formed one reached the node
    const std::string log = run.log.str();
    EXPECT_NE(log.find("stdin line 5: malformed error body from c9"), std::string::npos) << log;
    EXPECT_NE(log.find("stdin line 6: not JSON: "), std::string::npos) << log;
    EXPECT_NE(log.find("stdin line 7: message has no 'dest'; skipped"), std::string::npos) << log;
    EXPECT_NE(log.find("stdin line 8: empty line; skipped"), std::string::npos) << log;
    EXPECT_EQ(run.adapter.lines_read(), 9u);
}

TEST(StdioAdapter, ANodeThatThrowsLosesTheStepsEffectsAndTheRequestGetsError13) {
    AdapterRun run({{0, kInit},
                    {0, request(R"({"type":"throw","msg_id":3})")},
                    {0, request(R"({"type":"throw"})")},
                    {0, request(R"({"type":"echo","msg_id":4})")}});
    run.node.set_schedule_on_init = false;
    const auto out = run.run();
    ASSERT_EQ(out.size(), 3u) << run.output.str();
    EXPECT_EQ(out[1], R"({"src":"n3","dest":"c9","body":{"code":13,"in_reply_to":3,)"
                      R"("text":"node failed: scripted failure","type":"error"}})");
    EXPECT_EQ(out[2], R"({"src":"n3","dest":"c9","body":{"in_reply_to":4,"type":"ok"}})");
    EXPECT_EQ(run.adapter.pending_timer_count(), 0u);
    EXPECT_NE(run.log.str().find("threw (a node bug): scripted failure"), std::string::npos);
}

TEST(StdioAdapter, StopsAtEndOfInputFromAnIstream) {
    ScriptNode node;
    node.set_schedule_on_init = false;
    std::istringstream input(kInit + "\n" + request(R"({"type":"echo","msg_id":2})"));
    IstreamLineSource source(input);
    FakeClock clock;
    std::ostringstream output;
    std::ostringstream log;
    StdioAdapter adapter(node, source, output, log, clock);
    adapter.run();
    EXPECT_EQ(lines_of(output.str()).size(), 2u);
    EXPECT_FALSE(adapter.step());
}

// The production pieces together: a real pipe, poll(2) and the steady clock. The node closes
// the pipe's write end from a timer, so the run ends only if the timer fired while the adapter
// was blocked waiting for input.
TEST(StdioAdapter, FiresTimersWhileBlockedOnARealPipe) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    ScriptNode node;
    node.set_schedule_on_init = false;
    node.close_fd_on_timer = fds[1];
    const std::string input =
        kInit + "\n" + request(R"({"type":"arm","key":"close","after_us":3000})") + "\n";
    ASSERT_EQ(::write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    FdLineSource source(fds[0]);
    SteadyClock clock;
    std::ostringstream output;
    std::ostringstream log;
    StdioAdapter adapter(node, source, output, log, clock);
    ::alarm(60);  // a broken timer path would block forever: fail loudly instead
    adapter.run();
    ::alarm(0);
    ::close(fds[0]);
    ASSERT_EQ(node.fired.size(), 1u);
    EXPECT_EQ(node.fired[0].key, "close");
    ASSERT_EQ(node.init_now_us.size(), 1u);
    EXPECT_GE(node.fired[0].now_us, node.init_now_us[0] + 3000);
    const auto out = lines_of(output.str());
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[1], R"({"src":"n3","dest":"observer","body":{"key":"close","type":"fired"}})");
}

TEST(StdioAdapter, InitHandsTheNodeItsIncarnation) {
    StdioAdapterOptions options;
    options.incarnation = 9;
    AdapterRun run({{0, kInit}}, 1000, options);
    run.node.set_schedule_on_init = false;
    run.run();
    ASSERT_EQ(run.node.inits.size(), 1u);
    EXPECT_EQ(run.node.inits[0].incarnation, 9);
    EXPECT_NE(run.log.str().find(", incarnation 9"), std::string::npos) << run.log.str();
}

TEST(IncarnationAt, CountsSecondsSince2026AndClamps) {
    EXPECT_EQ(incarnation_at(1'767'225'600), 0);       // 2026-01-01T00:00:00Z
    EXPECT_EQ(incarnation_at(1'767'225'601), 1);
    EXPECT_EQ(incarnation_at(1'795'000'000), 27'774'400);
    EXPECT_EQ(incarnation_at(0), 0);                   // a clock before 2026
    EXPECT_EQ(incarnation_at(std::int64_t{1} << 40), 2147483647);
}

TEST(ParseIncarnation, AcceptsDecimalBelow2To31Only) {
    EXPECT_EQ(parse_incarnation("0"), 0);
    EXPECT_EQ(parse_incarnation("2147483647"), 2147483647);
    EXPECT_EQ(parse_incarnation("2147483648"), std::nullopt);
    EXPECT_EQ(parse_incarnation(""), std::nullopt);
    EXPECT_EQ(parse_incarnation("-1"), std::nullopt);
    EXPECT_EQ(parse_incarnation("+1"), std::nullopt);
    EXPECT_EQ(parse_incarnation("1 "), std::nullopt);
}

TEST(ParseSeed, AcceptsDecimalU64Only) {
    EXPECT_EQ(parse_seed("0"), 0u);
    EXPECT_EQ(parse_seed("42"), 42u);
    EXPECT_EQ(parse_seed("18446744073709551615"), 18446744073709551615u);
    EXPECT_EQ(parse_seed("18446744073709551616"), std::nullopt);
    EXPECT_EQ(parse_seed(""), std::nullopt);
    EXPECT_EQ(parse_seed("-1"), std::nullopt);
    EXPECT_EQ(parse_seed("+1"), std::nullopt);
    EXPECT_EQ(parse_seed(" 1"), std::nullopt);
    EXPECT_EQ(parse_seed("1 "), std::nullopt);
    EXPECT_EQ(parse_seed("0x10"), std::nullopt);
    EXPECT_EQ(parse_seed("12ab"), std::nullopt);
}

TEST(DefaultNodeSeed, IsTheFixedHashOfTheNodeId) {
    EXPECT_EQ(default_node_seed("n1"), fnv1a64("n1"));
    EXPECT_NE(default_node_seed("n1"), default_node_seed("n2"));
    // Pinned: changing it changes every unseeded run under Maelstrom.
    EXPECT_EQ(default_node_seed("n1"), 626980046172116160u);
}

}  // namespace
}  // namespace millpond::maelstrom
