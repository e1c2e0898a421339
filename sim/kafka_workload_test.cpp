#include "kafka_workload.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"
#include "core/body.hpp"
#include "core/handler_node.hpp"
#include "core/kafka/backend.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

using history::OpType;

edn::Value edn_of(std::string_view text) {
    edn::ParseError error;
    auto value = edn::parse(text, &error);
    EXPECT_TRUE(value.has_value()) << text << ": " << error.message;
    return value ? *value : edn::Value();
}

std::string text_of(const edn::Value& value) { return edn::write(value); }

bool is_key_string(const edn::Value& value) {
    if (!value.is_string() || value.as_string().empty()) return false;
    const std::string& text = value.as_string();
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// ---------------------------------------------------------------------------------------------
// The client, driven directly through a recording OpContext.

class RecordingContext final : public OpContext {
  public:
    void call(json body) override { calls.push_back(std::move(body)); }
    void complete(OpType type, edn::Value value, edn::Value error) override {
        ASSERT_FALSE(completed) << "completed twice";
        completed = true;
        this->type = type;
        this->value = std::move(value);
        this->error = std::move(error);
    }
    void complete_with_error(const json& error_body) override {
        ASSERT_FALSE(completed) << "completed twice";
        completed = true;
        error_reply = error_body;
    }
    void complete_with_timeout() override {
        ASSERT_FALSE(completed) << "completed twice";
        completed = true;
        timed_out = true;
    }
    void complete_with_schema_violation(const std::string& problem) override {
        ASSERT_FALSE(completed) << "completed twice";
        completed = true;
        type = OpType::kInfo;
        violation = problem;
    }
    Instant now_us() const override { return 0; }

    json::array_t calls;
    bool completed = false;
    OpType type = OpType::kInvoke;
    edn::Value value;
    edn::Value error;
    json error_reply;
    bool timed_out = false;
    std::string violation;
};

class KafkaClientTest : public ::testing::Test {
  protected:
    KafkaClientTest() : workload_(options()), client_(workload_.open_client()) {}

    static RunOptions options() {
        RunOptions options;
        options.concurrency = 2;
        return options;
    }

    // Invokes `f` with `value` (EDN text) and returns the context; extra fields optional.
    RecordingContext& invoke(std::string f, std::string_view value,
                             std::vector<std::pair<std::string, edn::Value>> extra = {}) {
        context_ = RecordingContext();
        client_->invoke(Invocation{std::move(f), edn_of(value), std::move(extra), false}, context_);
        return context_;
    }

    RecordingContext& reply(json body) {
        body["in_reply_to"] = 1;
        client_->on_reply(std::move(body), context_);
        return context_;
    }

    // The offsets map the client sends with a poll, which is its whole local state.
    json polled_offsets() {
        RecordingContext& context = invoke("poll", "[[:poll]]");
        EXPECT_EQ(context.calls.size(), 1u);
        json offsets = context.calls.back()["offsets"];
        reply({{"type", "poll_ok"}, {"msgs", json::object()}});
        EXPECT_TRUE(context_.completed);
        return offsets;
    }

    KafkaWorkload workload_;
    std::unique_ptr<WorkloadClient> client_;
    RecordingContext context_;
};

TEST_F(KafkaClientTest, SendRecordsKeyOffsetAndTheMessageItSent) {
    RecordingContext& context = invoke("send", R"([[:send "9" 1]])");
    ASSERT_EQ(context.calls.size(), 1u);
    EXPECT_EQ(context.calls[0], (json{{"type", "send"}, {"key", "9"}, {"msg", 1}}));
    EXPECT_FALSE(context.completed);
    reply({{"type", "send_ok"}, {"offset", 4}, {"msg_id", 7}});
    ASSERT_TRUE(context.completed);
    EXPECT_EQ(context.type, OpType::kOk);
    EXPECT_EQ(text_of(context.value), R"([[:send "9" [4 1]]])");
}

TEST_F(KafkaClientTest, PollSendsOffsetsAdvancesThemAndCommitsBeforeOk) {
    EXPECT_EQ(polled_offsets(), json::object());  // {} before any assign
    RecordingContext& context = invoke("poll", "[[:poll]]");
    reply({{"type", "poll_ok"},
           {"msgs",
            {{"1", json::array({json::array({0, 5}), json::array({1, 6})})},
             {"2", json::array()},
             {"3", json::array({json::array({7, json{{"a", 1}}})})}}}});
    // Not ok yet: the highest polled offset of every key with pairs must be committed first.
    EXPECT_FALSE(context.completed);
    ASSERT_EQ(context.calls.size(), 2u);
    EXPECT_EQ(context.calls[1],
              (json{{"type", "commit_offsets"}, {"offsets", {{"1", 1}, {"3", 7}}}}));
    reply({{"type", "commit_offsets_ok"}});
    ASSERT_TRUE(context.completed);
    EXPECT_EQ(context.type, OpType::kOk);
    EXPECT_EQ(text_of(context.value),
              R"([[:poll {"1" [[0 5] [1 6]], "2" [], "3" [[7 {"a" 1}]]}]])");
    // Keys never assigned are added; an empty list gives 0; never moves backwards.
    EXPECT_EQ(polled_offsets(), (json{{"1", 2}, {"2", 0}, {"3", 8}}));
    invoke("poll", "[[:poll]]");
    reply({{"type", "poll_ok"}, {"msgs", {{"1", json::array({json::array({0, 5})})}}}});
    reply({{"type", "commit_offsets_ok"}});
    EXPECT_EQ(polled_offsets(), (json{{"1", 2}, {"2", 0}, {"3", 8}}));
}

TEST_F(KafkaClientTest, PollWithNoPairsIsOkWithoutCommit) {
    RecordingContext& context = invoke("poll", "[[:poll]]");
    reply({{"type", "poll_ok"}, {"msgs", {{"4", json::array()}}}});
    ASSERT_TRUE(context.completed);
    EXPECT_EQ(context.calls.size(), 1u);
    EXPECT_EQ(text_of(context.value), R"([[:poll {"4" []}]])");
}

TEST_F(KafkaClientTest, AssignIgnoresCommittedOffsetsLikeMaelstrom) {
    invoke("poll", "[[:poll]]");
    reply(
        {{"type", "poll_ok"},
         {"msgs",
          {{"1", json::array({json::array({1, 5})})}, {"2", json::array({json::array({0, 6})})}}}});
    reply({{"type", "commit_offsets_ok"}});
    RecordingContext& context = invoke("assign", R"(["1" "3"])");
    ASSERT_EQ(context.calls.size(), 1u);
    EXPECT_EQ(context.calls[0],
              (json{{"type", "list_committed_offsets"}, {"keys", json::array({"1", "3"})}}));
    reply({{"type", "list_committed_offsets_ok"}, {"offsets", {{"1", 0}, {"3", 7}}}});
    ASSERT_TRUE(context.completed);
    EXPECT_EQ(context.type, OpType::kOk);
    EXPECT_EQ(text_of(context.value), R"(["1" "3"])");
    // "1" keeps its local offset, "3" starts at 0 although 7 was committed, "2" is dropped.
    EXPECT_EQ(polled_offsets(), (json{{"1", 2}, {"3", 0}}));
}

TEST_F(KafkaClientTest, SeekToBeginningRewindsWithoutAnyRpc) {
    invoke("poll", "[[:poll]]");
    reply({{"type", "poll_ok"}, {"msgs", {{"1", json::array({json::array({3, 5})})}}}});
    reply({{"type", "commit_offsets_ok"}});
    RecordingContext& context =
        invoke("assign", R"(["1" "2"])", {{"seek-to-beginning?", edn::Value(true)}});
    ASSERT_TRUE(context.completed);
    EXPECT_TRUE(context.calls.empty());
    EXPECT_EQ(context.type, OpType::kOk);
    EXPECT_EQ(polled_offsets(), (json{{"1", 0}, {"2", 0}}));
}

TEST_F(KafkaClientTest, TimedOutAssignLeavesOffsetsAndTheClientUsable) {
    invoke("poll", "[[:poll]]");
    reply({{"type", "poll_ok"}, {"msgs", {{"1", json::array({json::array({1, 5})})}}}});
    reply({{"type", "commit_offsets_ok"}});
    RecordingContext& context = invoke("assign", R"(["3"])");
    ASSERT_EQ(context.calls.size(), 1u);
    client_->on_timeout(context);
    ASSERT_TRUE(context.completed);
    EXPECT_TRUE(context.timed_out);
    // Idempotent, so a :fail: the client lives on with its offsets as they were.
    EXPECT_EQ(polled_offsets(), (json{{"1", 2}}));
    RecordingContext& errored = invoke("send", R"([[:send "1" 2]])");
    client_->on_error({{"type", "error"}, {"in_reply_to", 1}, {"code", 11}}, errored);
    ASSERT_TRUE(errored.completed);
    EXPECT_EQ(errored.error_reply["code"], 11);
    EXPECT_EQ(polled_offsets(), (json{{"1", 2}}));
}

TEST_F(KafkaClientTest, IdempotencyIsAssignOnly) {
    EXPECT_TRUE(workload_.is_idempotent("assign"));
    EXPECT_FALSE(workload_.is_idempotent("send"));
    EXPECT_FALSE(workload_.is_idempotent("poll"));
    EXPECT_FALSE(workload_.is_idempotent("crash"));
}

struct SchemaCase {
    const char* name;
    const char* f;
    const char* value;
    json reply;
    const char* problem_part;
    json second_reply = nullptr;  // when the first reply is fine and the second is not
};

class KafkaClientSchemaTest : public KafkaClientTest,
                              public ::testing::WithParamInterface<SchemaCase> {};

TEST_P(KafkaClientSchemaTest, ViolationIsIndeterminate) {
    const SchemaCase& c = GetParam();
    invoke(c.f, c.value);
    reply(c.reply);
    if (!c.second_reply.is_null()) {
        ASSERT_FALSE(context_.completed) << c.name;
        reply(c.second_reply);
    }
    ASSERT_TRUE(context_.completed) << c.name;
    EXPECT_EQ(context_.type, OpType::kInfo) << c.name;
    EXPECT_NE(context_.violation.find(c.problem_part), std::string::npos)
        << c.name << ": " << context_.violation;
}

INSTANTIATE_TEST_SUITE_P(
    KafkaReplies, KafkaClientSchemaTest,
    ::testing::Values(
        SchemaCase{"send_extra_key",
                   "send",
                   R"([[:send "1" 1]])",
                   {{"type", "send_ok"}, {"offset", 0}, {"extra", 1}},
                   "extra"},
        SchemaCase{"send_float_offset",
                   "send",
                   R"([[:send "1" 1]])",
                   {{"type", "send_ok"}, {"offset", 1.0}},
                   "offset"},
        SchemaCase{
            "send_missing_offset", "send", R"([[:send "1" 1]])", {{"type", "send_ok"}}, "offset"},
        SchemaCase{"send_wrong_type",
                   "send",
                   R"([[:send "1" 1]])",
                   {{"type", "poll_ok"}, {"offset", 0}},
                   "send_ok"},
        SchemaCase{"poll_msgs_not_map",
                   "poll",
                   "[[:poll]]",
                   {{"type", "poll_ok"}, {"msgs", json::array()}},
                   "msgs"},
        SchemaCase{"poll_long_pair",
                   "poll",
                   "[[:poll]]",
                   {{"type", "poll_ok"}, {"msgs", {{"1", json::array({json::array({0, 1, 2})})}}}},
                   "pair"},
        SchemaCase{"poll_extra_key",
                   "poll",
                   "[[:poll]]",
                   {{"type", "poll_ok"}, {"msgs", json::object()}, {"more", true}},
                   "more"},
        SchemaCase{"commit_extra_key",
                   "poll",
                   "[[:poll]]",
                   {{"type", "poll_ok"}, {"msgs", {{"1", json::array({json::array({0, 1})})}}}},
                   "offsets",
                   {{"type", "commit_offsets_ok"}, {"offsets", json::object()}}},
        SchemaCase{"list_missing_offsets",
                   "assign",
                   R"(["1"])",
                   {{"type", "list_committed_offsets_ok"}},
                   "offsets"},
        SchemaCase{"list_float_offset",
                   "assign",
                   R"(["1"])",
                   {{"type", "list_committed_offsets_ok"}, {"offsets", {{"1", 0.5}}}},
                   "1"}),
    [](const ::testing::TestParamInfo<SchemaCase>& info) { return info.param.name; });

// ---------------------------------------------------------------------------------------------
// The generator, driven directly.

RunOptions generator_options(std::int32_t key_count, std::int32_t max_writes_per_key) {
    RunOptions options;
    options.key_count = key_count;
    options.max_writes_per_key = max_writes_per_key;
    options.concurrency = 2;
    return options;
}

history::Op ok_op(std::string f, std::string_view value, std::int64_t process = 0,
                  std::int64_t time_ns = 0) {
    history::Op op;
    op.type = OpType::kOk;
    op.f = std::move(f);
    op.value = edn_of(value);
    op.process = process;
    op.time_ns = time_ns;
    return op;
}

TEST(KafkaGenerator, HalfPollsHalfSendsAndExponentialSlots) {
    KafkaWorkload workload(generator_options(4, 1 << 30));  // no key ever retires
    Rng rng(7);
    std::map<std::string, int> sends_by_key;
    int polls = 0, sends = 0, assigns = 0;
    const int total = 64'000;
    for (int i = 0; i < total; ++i) {
        Invocation op = workload.next_op(i % 2, rng);
        EXPECT_FALSE(op.immediate_info);
        if (op.f == "poll") {
            ++polls;
            EXPECT_EQ(text_of(op.value), "[[:poll]]");
        } else if (op.f == "send") {
            ++sends;
            ++sends_by_key[op.value.items()[0].items()[1].as_string()];
        } else {
            ASSERT_EQ(op.f, "assign");
            ++assigns;
        }
    }
    EXPECT_NEAR(static_cast<double>(assigns) / total, 1.0 / 8, 0.006);
    EXPECT_NEAR(static_cast<double>(sends) / (sends + polls), 0.5, 0.01);
    // Slot i is 2^i times as likely as slot 0: 1/15, 2/15, 4/15, 8/15.
    ASSERT_EQ(sends_by_key.size(), 4u);
    for (int slot = 0; slot < 4; ++slot)
        EXPECT_NEAR(static_cast<double>(sends_by_key[std::to_string(slot)]) / sends,
                    static_cast<double>(1 << slot) / 15, 0.01)
            << "slot " << slot;
}

TEST(KafkaGenerator, KeysRetireAfterMaxWritesAndMessagesCountFromOne) {
    KafkaWorkload workload(generator_options(3, 4));
    Rng rng(11);
    std::map<std::int64_t, std::vector<std::int64_t>> msgs_by_key;
    int exhausted = 0;
    for (int i = 0; i < 4000; ++i) {
        Invocation op = workload.next_op(0, rng);
        if (op.f != "send") continue;
        const auto& mop = op.value.items()[0].items();
        ASSERT_TRUE(is_key_string(mop[1])) << text_of(op.value);
        const std::int64_t key = std::stoll(mop[1].as_string());
        auto& msgs = msgs_by_key[key];
        if (msgs.empty()) {
            // Key 3 + r arrives with the r-th retirement (largest active key + 1), and a key
            // retires only once it has had all its writes.
            EXPECT_LE(key - 3 + 1, exhausted) << "key " << key << " arrived too early";
        }
        msgs.push_back(mop[2].as_int());
        // Every key's messages are 1, 2, ... with at most 4 of them: unique per key.
        ASSERT_LE(msgs.size(), 4u) << "key " << key;
        EXPECT_EQ(msgs.back(), static_cast<std::int64_t>(msgs.size())) << "key " << key;
        exhausted += msgs.size() == 4;
    }
    EXPECT_GT(msgs_by_key.size(), 100u);
    EXPECT_GT(exhausted, 90);
}

TEST(KafkaGenerator, AssignTakesThePendingOpsKeyAndLeavesItPending) {
    KafkaWorkload workload(generator_options(10, 16));
    Rng rng(3);
    std::string assigned;
    int checked = 0;
    for (int i = 0; i < 20'000; ++i) {
        Invocation op = workload.next_op(0, rng);
        if (op.f == "assign") {
            ASSERT_EQ(op.value.size(), 1u);  // nothing unseen without observed ops
            EXPECT_TRUE(op.extra.empty());
            assigned = op.value.items()[0].as_string();
            continue;
        }
        if (!assigned.empty() && op.f == "send") {
            EXPECT_EQ(op.value.items()[0].items()[1].as_string(), assigned);
            ++checked;
        }
        assigned.clear();
    }
    EXPECT_GT(checked, 50);
}

TEST(KafkaGenerator, PollUnseenAddsKeysSentButNotPolled) {
    KafkaWorkload workload(generator_options(10, 1 << 30));  // no key ever retires
    history::Op invoke;
    workload.observe(invoke, ok_op("send", R"([[:send "42" [3 4]]])"));
    workload.observe(invoke, ok_op("send", R"([[:send "7" [0 1]]])"));
    workload.observe(invoke, ok_op("poll", R"([[:poll {"7" [[0 1]], "9" []}]])"));
    Rng rng(5);
    // The generator's own keys stay 0..9, so "42" in an assign can only be the unseen key.
    const auto holds_42 = [](const Invocation& op) {
        for (const auto& key : op.value.items())
            if (key == edn::Value("42")) return true;
        return false;
    };
    int with_unseen = 0, without = 0;
    for (int i = 0; i < 20'000; ++i) {
        Invocation op = workload.next_op(0, rng);
        if (op.f != "assign") continue;
        // No debugging :unseen map: Maelstrom's bundled Jepsen attaches none.
        EXPECT_TRUE(op.extra.empty()) << text_of(op.value);
        if (!holds_42(op)) {
            ++without;
            EXPECT_EQ(op.value.size(), 1u);
            continue;
        }
        ++with_unseen;
        // Key 7 is caught up (polled 0 >= sent 0); key 42 is not. Unseen keys come first.
        EXPECT_EQ(op.value.items()[0], edn::Value("42"));
        EXPECT_EQ(op.value.size(), 2u);
    }
    EXPECT_NEAR(static_cast<double>(with_unseen) / (with_unseen + without), 1.0 / 3, 0.08);
    // Once key 42 is polled up to its sent offset, nothing is unseen any more.
    workload.observe(invoke, ok_op("poll", R"([[:poll {"42" [[2 3] [3 4]]}]])"));
    for (int i = 0; i < 5'000; ++i) {
        Invocation op = workload.next_op(0, rng);
        if (op.f == "assign") {
            EXPECT_FALSE(holds_42(op)) << text_of(op.value);
            EXPECT_EQ(op.value.size(), 1u) << text_of(op.value);
        }
    }
}

TEST(KafkaGenerator, TracksHighestOffsetsOfOkSendsAndPolls) {
    KafkaWorkload workload(generator_options(10, 16));
    history::Op invoke;
    workload.observe(invoke, ok_op("send", R"([[:send "1" [5 6]]])"));
    workload.observe(invoke, ok_op("send", R"([[:send "1" [2 3]]])"));
    workload.observe(invoke,
                     ok_op("poll", R"([[:poll {"1" [[6 7]], "2" [], "3" [[0 1] [4 2]]}]])"));
    history::Op info = ok_op("send", R"([[:send "4" 1]])");
    info.type = OpType::kInfo;
    workload.observe(invoke, info);  // not ok: ignored
    const std::map<std::int64_t, std::int64_t> expected = {{1, 6}, {2, -1}, {3, 4}};
    EXPECT_EQ(workload.tracked_offsets(), expected);
}

TEST(KafkaGenerator, CrashSideStream) {
    KafkaWorkload workload(generator_options(10, 16));
    EXPECT_EQ(workload.side_stream_mean_gap_us(1), 30'000'000);
    EXPECT_EQ(workload.side_stream_mean_gap_us(4), 7'500'000);
    Rng rng(1);
    Invocation op = workload.next_side_op(rng);
    EXPECT_EQ(op.f, "crash");
    EXPECT_TRUE(op.value.is_nil());
    EXPECT_TRUE(op.immediate_info);
}

TEST(KafkaFinalPhase, CrashThenSeekAssignThenPollsUntilCaughtUpPerThread) {
    KafkaWorkload workload(generator_options(10, 16));  // concurrency 2
    ASSERT_TRUE(workload.has_final_phase());
    history::Op invoke;
    workload.observe(invoke, ok_op("send", R"([[:send "12" [3 4]]])"));
    workload.observe(invoke, ok_op("poll", R"([[:poll {"2" []}]])", 1));
    Rng rng(9);

    auto crash = workload.next_final_op(0, rng);
    ASSERT_TRUE(crash.has_value());
    EXPECT_EQ(crash->op.f, "crash");
    EXPECT_TRUE(crash->op.immediate_info);
    EXPECT_EQ(crash->delay_us, 0);
    history::Op crashed = ok_op("crash", "nil", 0, 30'000'000'000);
    crashed.type = OpType::kInfo;
    workload.observe(invoke, crashed);

    auto assign = workload.next_final_op(0, rng);
    ASSERT_TRUE(assign.has_value());
    EXPECT_EQ(assign->op.f, "assign");
    EXPECT_EQ(text_of(assign->op.value), R"(["2" "12"])");  // ascending integer order
    ASSERT_EQ(assign->op.extra.size(), 1u);
    EXPECT_EQ(assign->op.extra[0].first, "seek-to-beginning?");
    EXPECT_EQ(assign->op.extra[0].second, edn::Value(true));
    EXPECT_FALSE(assign->op.immediate_info);
    // The thread's process is now 0 + concurrency.
    workload.observe(invoke, ok_op("assign", R"(["2" "12"])", 2, 30'000'001'000));

    auto poll = workload.next_final_op(0, rng);
    ASSERT_TRUE(poll.has_value());
    EXPECT_EQ(poll->op.f, "poll");
    EXPECT_EQ(text_of(poll->op.value), "[[:poll]]");
    ASSERT_EQ(poll->op.extra.size(), 1u);
    EXPECT_EQ(poll->op.extra[0].first, "poll-ms");
    EXPECT_EQ(poll->op.extra[0].second, edn::Value(1000));
    EXPECT_EQ(poll->delay_us, 0);  // the first poll goes at once
    // Key 12 reaches its target; key 2 (tracked at -1) has not come back yet.
    workload.observe(
        invoke, ok_op("poll", R"([[:poll {"12" [[0 1] [1 2] [2 3] [3 4]]}]])", 2, 30'000'101'000));
    // Thread 1 has its own targets and is still at its crash.
    auto other = workload.next_final_op(1, rng);
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->op.f, "crash");

    auto second_poll = workload.next_final_op(0, rng);
    ASSERT_TRUE(second_poll.has_value());
    EXPECT_EQ(second_poll->op.f, "poll");
    // Due uniform [0, 0.4 s) after the first poll's start, which was 0.1 s ago.
    EXPECT_GE(second_poll->delay_us, 0);
    EXPECT_LT(second_poll->delay_us, 300'000);
    workload.observe(invoke, ok_op("poll", R"([[:poll {"2" []}]])", 2, 30'000'500'000));
    EXPECT_FALSE(workload.next_final_op(0, rng).has_value());
    EXPECT_FALSE(workload.next_final_op(0, rng).has_value());
}

TEST(KafkaFinalPhase, NothingTrackedMeansNoFinalOps) {
    KafkaWorkload workload(generator_options(10, 16));
    Rng rng(1);
    EXPECT_FALSE(workload.next_final_op(0, rng).has_value());
    EXPECT_FALSE(workload.next_final_op(1, rng).has_value());
}

TEST(KafkaWorkloadRegistry, MakesKafkaAndEchoByName) {
    RunOptions options;
    options.concurrency = 1;
    EXPECT_EQ(workload_names(), (std::vector<std::string>{"echo", "kafka"}));
    std::string error;
    auto kafka = make_workload("kafka", options, &error);
    ASSERT_NE(kafka, nullptr);
    EXPECT_EQ(kafka->name(), "kafka");
    auto echo = make_workload("echo", options, &error);
    ASSERT_NE(echo, nullptr);
    EXPECT_EQ(echo->name(), "echo");
    EXPECT_TRUE(error.empty());
    EXPECT_EQ(make_workload("g-set", options, &error), nullptr);
    EXPECT_EQ(error, "unknown workload 'g-set' (known: echo, kafka)");
    EXPECT_EQ(make_workload("nope", options, nullptr), nullptr);
    options.key_count = 0;
    EXPECT_EQ(make_workload("kafka", options, &error), nullptr);
    EXPECT_EQ(error, "kafka needs --key-count between 1 and 1000, got 0");
    options.key_count = 10;
    options.max_writes_per_key = 0;
    EXPECT_EQ(make_workload("kafka", options, &error), nullptr);
    EXPECT_EQ(error, "kafka needs --max-writes-per-key of at least 1, got 0");
}

// ---------------------------------------------------------------------------------------------
// Whole runs through the simulator.

// A correct single-node kafka log, with one reply deliberately broken when asked.
class TestKafkaNode final : public HandlerNode {
  public:
    enum class Fault { kNone, kSendOkExtraKey, kEverySecondSendUnavailable };

    explicit TestKafkaNode(Fault fault) : fault_(fault) {
        handle("send", [this](Message& request, Instant, Out& out) {
            if (fault_ == Fault::kEverySecondSendUnavailable && ++sends_ % 2 == 0)
                return reply_error(out, request, ErrorCode::kTemporarilyUnavailable, "busy");
            auto& log = logs_[require_string(request.body, "key")];
            log.push_back(require_field(request.body, "msg"));
            json body = {{"type", "send_ok"}, {"offset", log.size() - 1}};
            if (fault_ == Fault::kSendOkExtraKey) body["extra"] = 1;
            reply(out, request, std::move(body));
        });
        handle("poll", [this](Message& request, Instant, Out& out) {
            json msgs = json::object();
            for (const auto& [key, offset] : require_object(request.body, "offsets").items()) {
                json pairs = json::array();
                const auto& log = logs_[key];
                for (std::size_t o = static_cast<std::size_t>(offset.get<std::int64_t>());
                     o < log.size(); ++o)
                    pairs.push_back(json::array({o, log[o]}));
                msgs[key] = std::move(pairs);
            }
            reply(out, request, {{"type", "poll_ok"}, {"msgs", std::move(msgs)}});
        });
        handle("commit_offsets", [this](Message& request, Instant, Out& out) {
            for (const auto& [key, offset] : require_object(request.body, "offsets").items())
                committed_[key] = std::max(committed_[key], offset.get<std::int64_t>());
            reply(out, request, {{"type", "commit_offsets_ok"}});
        });
        handle("list_committed_offsets", [this](Message& request, Instant, Out& out) {
            json offsets = json::object();
            for (const auto& key : require_array(request.body, "keys"))
                if (committed_.count(key.get<std::string>()))
                    offsets[key.get<std::string>()] = committed_[key.get<std::string>()];
            reply(out, request,
                  {{"type", "list_committed_offsets_ok"}, {"offsets", std::move(offsets)}});
        });
    }

  private:
    Fault fault_;
    std::int64_t sends_ = 0;
    std::map<std::string, json::array_t> logs_;
    std::map<std::string, std::int64_t> committed_;
};

RunOptions run_options(std::uint64_t seed) {
    RunOptions options;
    options.workload = "kafka";
    options.nodes = {"n0"};
    options.time_limit_us = 40'000'000;
    options.rate = 50;
    options.concurrency = 4;
    options.seed = seed;
    return options;
}

NodeFactory memory_backend() {
    return [](const NodeId&) {
        std::string error;
        auto node = kafka::make_backend(kafka::BackendOptions{"memory"}, &error);
        EXPECT_NE(node, nullptr) << error;
        return node;
    };
}

struct KafkaRun {
    RunOutcome outcome;
    std::map<std::int64_t, std::int64_t> tracked;
    edn::Value check;
};

KafkaRun run_kafka(const RunOptions& options, const NodeFactory& make_node, bool check = false) {
    KafkaWorkload workload(options);
    KafkaRun run;
    run.outcome = run_simulation(options, workload, make_node, {}, nullptr);
    run.tracked = workload.tracked_offsets();
    if (check) run.check = workload.check(run.outcome.history);
    return run;
}

// ---------------------------------------------------------------------------------------------
// The op mix against real Maelstrom

struct AssignShare {
    std::int64_t assigns = 0;
    std::int64_t others = 0;  // non-crash client invocations besides the assigns
    double share() const { return static_cast<double>(assigns) / (assigns + others); }
};

void count_invocation(const history::Op& op, AssignShare& counted) {
    if (op.type != OpType::kInvoke || !op.is_client() || op.f == "crash") return;
    ++(op.f == "assign" ? counted.assigns : counted.others);
}

TEST(KafkaGenerator, AssignShareMatchesRealMaelstromRuns) {
    // The recorded runs were made by Maelstrom's bundled Jepsen, whose interleave-subscribes
    // rate differs from what spec §3.3 reads in Jepsen's current source (kafka_workload.hpp).
    AssignShare recorded;
    const auto fixtures = std::filesystem::path(MILLPOND_FIXTURES_DIR) / "maelstrom" / "kafka";
    int runs = 0;
    for (const auto& entry : std::filesystem::directory_iterator(fixtures)) {
        if (!entry.is_directory()) continue;
        history::ReadError error;
        auto loaded = history::read_history((entry.path() / "history.edn").string(), &error);
        ASSERT_TRUE(loaded) << entry.path() << ":" << error.line << ": " << error.message;
        for (const history::Op& op : *loaded) count_invocation(op, recorded);
        ++runs;
    }
    ASSERT_GE(runs, 4);
    ASSERT_GT(recorded.assigns + recorded.others, 50'000);
    // Over 52,079 invocations one standard deviation of a 1/8 share is 0.15 points.
    EXPECT_NEAR(recorded.share(), kAssignShare, 0.005);

    // And a simulated standard run (memory, one node, --rate 1000) holds the same mix.
    RunOptions options = run_options(1);
    options.rate = 1000;
    options.concurrency = 2;
    options.time_limit_us = 20'000'000;
    const KafkaRun run = run_kafka(options, memory_backend());
    AssignShare simulated;
    for (const history::Op& op : run.outcome.history) count_invocation(op, simulated);
    ASSERT_GT(simulated.assigns + simulated.others, 15'000);
    EXPECT_NEAR(simulated.share(), recorded.share(), 0.01);
}

TEST(KafkaWorkload, BothStreamsOpenTheMainPhaseInEitherOrder) {
    // Real Maelstrom histories begin with a :crash and a workload op a few ms apart, in either
    // order: Jepsen's stagger issues its first op at once, and gen/any breaks the tie.
    int crash_first = 0, op_first = 0;
    for (std::uint64_t seed = 1; seed <= 12; ++seed) {
        RunOptions options = run_options(seed);
        options.time_limit_us = 2'000'000;
        const KafkaRun run = run_kafka(options, memory_backend());
        std::vector<const history::Op*> invokes;
        for (const history::Op& op : run.outcome.history)
            if (op.type == OpType::kInvoke && invokes.size() < 2) invokes.push_back(&op);
        ASSERT_EQ(invokes.size(), 2u);
        EXPECT_EQ(invokes[0]->time_ns, 0);
        EXPECT_EQ(invokes[1]->time_ns, 0);
        EXPECT_NE(invokes[0]->f == "crash", invokes[1]->f == "crash") << "seed " << seed;
        ++(invokes[0]->f == "crash" ? crash_first : op_first);
    }
    EXPECT_GT(crash_first, 0);
    EXPECT_GT(op_first, 0);
}

const KafkaRun& memory_run() {
    static const KafkaRun run = run_kafka(run_options(2024), memory_backend(), true);
    return run;
}

Instant final_phase_start_ns(const RunOptions& options) {
    return (options.time_limit_us + kRecoveryWaitUs) * 1000;
}

TEST(KafkaWorkload, CorrectNodeGivesMaelstromShapedOps) {
    const KafkaRun& run = memory_run();
    const history::History& history = run.outcome.history;
    ASSERT_TRUE(run.outcome.aborted.empty()) << run.outcome.aborted;
    ASSERT_GT(history.size(), 2000u);
    const Instant final_start_ns = final_phase_start_ns(run_options(2024));

    std::map<std::int64_t, std::size_t> open;  // process -> its invoke's position
    std::map<std::string, int> counts;
    std::size_t unseen_assigns = 0, nonempty_polls = 0;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const history::Op& op = history[i];
        const std::string where = "op " + std::to_string(i) + ": " + text_of(op_to_edn(op));
        ASSERT_TRUE(op.f == "send" || op.f == "poll" || op.f == "assign" || op.f == "crash")
            << where;
        const history::Op* invoke_of = nullptr;
        if (op.type == OpType::kInvoke) {
            ASSERT_FALSE(open.count(op.process)) << where;
            open[op.process] = i;
        } else {
            ASSERT_TRUE(open.count(op.process)) << where;
            const history::Op& invoke = history[open[op.process]];
            invoke_of = &invoke;
            open.erase(op.process);
            // The completion repeats the invocation's extra fields (:poll-ms, ...).
            ASSERT_EQ(op.extra, invoke.extra) << where;
            ASSERT_EQ(invoke.f, op.f) << where;
            // A correct node: nothing but crashes is indeterminate, nothing fails.
            ASSERT_EQ(op.type, op.f == "crash" ? OpType::kInfo : OpType::kOk) << where;
            ASSERT_EQ(op.find_extra("error"), nullptr) << where;
        }
        const bool final = op.time_ns >= final_start_ns;
        const std::string kind = op.f + (final ? "/final" : "/main");
        if (op.type == OpType::kInvoke) ++counts[kind];
        const auto& value = op.value;
        if (op.f == "send") {
            ASSERT_FALSE(final) << where;
            ASSERT_EQ(value.size(), 1u) << where;
            const auto& mop = value.items()[0].items();
            ASSERT_EQ(mop.size(), 3u) << where;
            ASSERT_TRUE(mop[0].is_keyword("send")) << where;
            ASSERT_TRUE(is_key_string(mop[1])) << where;
            if (op.type == OpType::kInvoke) {
                ASSERT_TRUE(mop[2].is_int()) << where;
            } else {
                // [[:send "k" [offset msg]]] with the invocation's key and message. One log
                // per key with dense offsets, and a key's sends are issued in message order
                // with 0 ms client latency, so message m lands at offset m - 1.
                const auto& invoked = invoke_of->value.items()[0].items();
                ASSERT_EQ(invoked[1], mop[1]) << where;
                const std::int64_t msg = invoked[2].as_int();
                ASSERT_EQ(text_of(value), "[[:send \"" + mop[1].as_string() + "\" [" +
                                              std::to_string(msg - 1) + " " + std::to_string(msg) +
                                              "]]]")
                    << where;
            }
        } else if (op.f == "poll") {
            ASSERT_EQ(value.size(), 1u) << where;
            const auto& mop = value.items()[0].items();
            ASSERT_TRUE(mop[0].is_keyword("poll")) << where;
            if (op.type == OpType::kInvoke) {
                ASSERT_EQ(text_of(value), "[[:poll]]") << where;
            } else {
                ASSERT_EQ(mop.size(), 2u) << where;
                ASSERT_TRUE(mop[1].is_map()) << where;
                for (const auto& [key, pairs] : mop[1].entries()) {
                    ASSERT_TRUE(is_key_string(key)) << where;
                    ASSERT_TRUE(pairs.is_sequential()) << where;
                    for (const auto& pair : pairs.items())
                        ASSERT_TRUE(pair.size() == 2 && pair.items()[0].is_int() &&
                                    pair.items()[1].is_int())
                            << where;
                    nonempty_polls += pairs.size() > 0;
                }
            }
            const edn::Value* poll_ms = op.find_extra("poll-ms");
            if (final) {
                ASSERT_NE(poll_ms, nullptr) << where;
                ASSERT_EQ(*poll_ms, edn::Value(1000)) << where;
            } else {
                ASSERT_EQ(poll_ms, nullptr) << where;
            }
        } else if (op.f == "assign") {
            ASSERT_TRUE(value.kind() == edn::Kind::kVector && value.size() >= 1) << where;
            for (const auto& key : value.items()) ASSERT_TRUE(is_key_string(key)) << where;
            const edn::Value* seek = op.find_extra("seek-to-beginning?");
            ASSERT_EQ(seek != nullptr, final) << where;
            ASSERT_EQ(op.find_extra("unseen"), nullptr) << where;
            // More than one key: poll-unseen added keys whose sends no poll had seen yet.
            if (value.size() > 1 && !final) ++unseen_assigns;
        } else {
            ASSERT_TRUE(value.is_nil()) << where;
            if (op.type == OpType::kInvoke) {
                // Recorded :invoke then at once :info, and the process moves on.
                ASSERT_LT(i + 1, history.size());
                ASSERT_EQ(history[i + 1].process, op.process) << where;
                ASSERT_EQ(history[i + 1].type, OpType::kInfo) << where;
            }
        }
    }
    EXPECT_TRUE(open.empty());
    EXPECT_GT(counts["send/main"], 500);
    EXPECT_GT(counts["poll/main"], 500);
    EXPECT_GT(counts["assign/main"], 5);
    EXPECT_GE(counts["crash/main"], 2);
    EXPECT_EQ(counts["crash/final"], 4);
    EXPECT_EQ(counts["assign/final"], 4);
    EXPECT_GE(counts["poll/final"], 4);
    EXPECT_GT(unseen_assigns, 0u);
    EXPECT_GT(nonempty_polls, 100u);
}

TEST(KafkaWorkload, MessagesUniquePerKeyAndKeysRetire) {
    const KafkaRun& run = memory_run();
    std::map<std::string, std::set<std::int64_t>> msgs;
    std::map<std::pair<std::string, std::int64_t>, std::int64_t> offset_of;  // (k, msg) -> o
    for (const auto& op : run.outcome.history) {
        if (op.f != "send") continue;
        const auto& mop = op.value.items()[0].items();
        const std::string& key = mop[1].as_string();
        if (op.type == OpType::kInvoke) {
            const std::int64_t msg = mop[2].as_int();
            EXPECT_TRUE(msgs[key].insert(msg).second) << "key " << key << " msg " << msg;
            EXPECT_GE(msg, 1);
            EXPECT_LE(msg, 16);
        } else {
            offset_of[{key, mop[2].items()[1].as_int()}] = mop[2].items()[0].as_int();
        }
    }
    // Keys retire after 16 sends and the replacements go beyond the first ten.
    int exhausted = 0;
    std::int64_t largest_key = 0;
    for (const auto& [key, sent] : msgs) {
        exhausted += sent.size() == 16;
        largest_key = std::max<std::int64_t>(largest_key, std::stoll(key));
    }
    EXPECT_GT(exhausted, 5);
    EXPECT_GT(largest_key, 10);
    // Every polled pair is exactly what some ok send wrote there.
    for (const auto& op : run.outcome.history) {
        if (op.f != "poll" || op.type != OpType::kOk) continue;
        for (const auto& [key, pairs] : op.value.items()[0].items()[1].entries()) {
            for (const auto& pair : pairs.items()) {
                auto found = offset_of.find({key.as_string(), pair.items()[1].as_int()});
                ASSERT_NE(found, offset_of.end()) << text_of(op.value);
                EXPECT_EQ(found->second, pair.items()[0].as_int()) << text_of(op.value);
            }
        }
    }
}

TEST(KafkaWorkload, FinalPhaseCrashesAssignsEverythingAndCatchesUpEveryThread) {
    const KafkaRun& run = memory_run();
    const RunOptions options = run_options(2024);
    const history::History& history = run.outcome.history;
    const Instant final_start_ns = final_phase_start_ns(options);
    ASSERT_FALSE(run.tracked.empty());
    std::string all_keys = "[";
    for (const auto& [key, offset] : run.tracked)
        all_keys += (all_keys.size() > 1 ? " \"" : "\"") + std::to_string(key) + "\"";
    all_keys += "]";

    std::map<std::int32_t, std::vector<const history::Op*>> by_thread;
    for (const auto& op : history)
        if (op.time_ns >= final_start_ns)
            by_thread[static_cast<std::int32_t>(op.process % options.concurrency)].push_back(&op);
    ASSERT_EQ(by_thread.size(), 4u);
    for (const auto& [thread, ops] : by_thread) {
        ASSERT_GE(ops.size(), 6u) << "thread " << thread;
        EXPECT_EQ(ops[0]->f, "crash");
        EXPECT_EQ(ops[0]->type, OpType::kInvoke);
        EXPECT_EQ(ops[1]->f, "crash");
        EXPECT_EQ(ops[1]->type, OpType::kInfo);
        // After the crash the thread runs as a new process.
        EXPECT_EQ(ops[2]->process, ops[0]->process + options.concurrency);
        for (int i : {2, 3}) {
            EXPECT_EQ(ops[i]->f, "assign");
            EXPECT_EQ(text_of(ops[i]->value), all_keys);
            ASSERT_NE(ops[i]->find_extra("seek-to-beginning?"), nullptr);
            EXPECT_EQ(*ops[i]->find_extra("seek-to-beginning?"), edn::Value(true));
        }
        std::map<std::int64_t, std::int64_t> polled;
        for (std::size_t i = 4; i < ops.size(); ++i) {
            EXPECT_EQ(ops[i]->f, "poll");
            EXPECT_EQ(ops[i]->type, i % 2 == 0 ? OpType::kInvoke : OpType::kOk);
            if (ops[i]->type != OpType::kOk) continue;
            for (const auto& [key, pairs] : ops[i]->value.items()[0].items()[1].entries())
                for (const auto& pair : pairs.items()) {
                    auto& highest =
                        polled.try_emplace(std::stoll(key.as_string()), -1).first->second;
                    highest = std::max(highest, pair.items()[0].as_int());
                }
        }
        EXPECT_EQ(ops.back()->type, OpType::kOk);
        for (const auto& [key, target] : run.tracked) {
            if (target < 0) continue;
            EXPECT_GE(polled.count(key) ? polled[key] : -1, target)
                << "thread " << thread << " key " << key;
        }
    }
}

TEST(KafkaWorkload, CorrectNodeChecksValid) {
    const KafkaRun& run = memory_run();
    const edn::Value* valid = run.check.find("valid?");
    ASSERT_NE(valid, nullptr) << text_of(run.check);
    EXPECT_EQ(*valid, edn::Value(true)) << edn::write_pretty(run.check);
}

TEST(KafkaWorkload, SameSeedSameHistory) {
    const RunOptions options = run_options(77);
    const NodeFactory node = [](const NodeId&) {
        return std::make_unique<TestKafkaNode>(TestKafkaNode::Fault::kNone);
    };
    const KafkaRun first = run_kafka(options, node);
    const KafkaRun second = run_kafka(options, node);
    ASSERT_TRUE(first.outcome.aborted.empty()) << first.outcome.aborted;
    ASSERT_EQ(first.outcome.history.size(), second.outcome.history.size());
    for (std::size_t i = 0; i < first.outcome.history.size(); ++i)
        ASSERT_EQ(text_of(op_to_edn(first.outcome.history[i])),
                  text_of(op_to_edn(second.outcome.history[i])))
            << "op " << i;
    EXPECT_EQ(first.outcome.fingerprint, second.outcome.fingerprint);
    EXPECT_EQ(first.tracked, second.tracked);
    // And the seed matters.
    const KafkaRun other = run_kafka(run_options(78), node);
    std::string a, b;
    for (const auto& op : first.outcome.history) a += text_of(op_to_edn(op)) + "\n";
    for (const auto& op : other.outcome.history) b += text_of(op_to_edn(op)) + "\n";
    EXPECT_NE(a, b);
}

TEST(KafkaWorkload, ReplyWithExtraKeyIsIndeterminate) {
    RunOptions options = run_options(5);
    options.time_limit_us = 10'000'000;
    const KafkaRun run = run_kafka(options, [](const NodeId&) {
        return std::make_unique<TestKafkaNode>(TestKafkaNode::Fault::kSendOkExtraKey);
    });
    ASSERT_TRUE(run.outcome.aborted.empty()) << run.outcome.aborted;
    const history::History& history = run.outcome.history;
    std::map<std::int64_t, const history::Op*> open;
    std::set<std::int64_t> retired;  // processes that had an :info
    int send_infos = 0;
    for (const auto& op : history) {
        EXPECT_FALSE(retired.count(op.process)) << "process reused after :info";
        if (op.type == OpType::kInvoke) {
            open[op.process] = &op;
            continue;
        }
        if (op.type == OpType::kInfo) retired.insert(op.process);
        if (op.f != "send") continue;
        ASSERT_EQ(op.type, OpType::kInfo) << text_of(op_to_edn(op));
        const edn::Value* error = op.find_extra("error");
        ASSERT_NE(error, nullptr);
        ASSERT_TRUE(error->is_string()) << text_of(*error);
        EXPECT_EQ(error->as_string().rfind("indeterminate: ", 0), 0u) << error->as_string();
        EXPECT_NE(error->as_string().find("extra"), std::string::npos) << error->as_string();
        ++send_infos;
    }
    EXPECT_GT(send_infos, 20);
    EXPECT_FALSE(run.outcome.exceptions.empty());
}

TEST(KafkaWorkload, DefiniteErrorFailsAndTheClientCarriesOn) {
    RunOptions options = run_options(8);
    options.time_limit_us = 10'000'000;
    const KafkaRun run = run_kafka(options, [](const NodeId&) {
        return std::make_unique<TestKafkaNode>(TestKafkaNode::Fault::kEverySecondSendUnavailable);
    });
    ASSERT_TRUE(run.outcome.aborted.empty()) << run.outcome.aborted;
    const history::History& history = run.outcome.history;
    int fails = 0, reused = 0;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const history::Op& op = history[i];
        if (op.type != OpType::kFail) continue;
        ++fails;
        ASSERT_EQ(op.f, "send") << text_of(op_to_edn(op));
        ASSERT_NE(op.find_extra("error"), nullptr);
        EXPECT_EQ(text_of(*op.find_extra("error")), "[:temporarily-unavailable \"busy\"]");
        // A :fail keeps the process and the client; its next op must work normally.
        for (std::size_t j = i + 1; j < history.size(); ++j) {
            if (history[j].process != op.process || history[j].type == OpType::kInvoke) continue;
            // The workload's own :crash (side stream or final phase) may come next; it is
            // :info by design and says nothing about the client.
            if (history[j].f == "crash") break;
            EXPECT_TRUE(history[j].type == OpType::kOk || history[j].type == OpType::kFail)
                << text_of(op_to_edn(history[j]));
            ++reused;
            break;
        }
    }
    EXPECT_GT(fails, 20);
    EXPECT_GT(reused, 20);
}

}  // namespace
}  // namespace millpond::sim
