// The kafka designs under the simulator with Maelstrom's kafka workload and checker: every
// correct design valid over 200 seeds at 1, 2, 3 and 5 nodes (memory: 1 node), and a design
// with a deliberate bug — append by plain read-then-write instead of compare-and-swap — caught
// within 20 seeds.
//
// The 200 seeds are two tests: seeds 1-20 run in every build, seeds 21-200 are labelled long
// (their name says Long), so the ASan + UBSan pass, which skips that label, runs each design
// on the first twenty. Those cover every combination the seed picks below (latency
// distribution by seed mod 2, commit store by seed mod 3) several times over; under the
// sanitizers the other 180 took about 360 s of the pass's CPU time, more than half of it.

#include <gtest/gtest.h>

#include "checkers/edn.hpp"
#include "commands.hpp"
#include "core/handler_node.hpp"
#include "core/kafka/backend.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

RunOptions kafka_options(const std::string& backend, int node_count, std::uint64_t seed) {
    RunOptions options;
    options.workload = "kafka";
    options.backend = backend;
    for (int i = 0; i < node_count; ++i) options.nodes.push_back("n" + std::to_string(i));
    options.concurrency = 2 * node_count;
    options.time_limit_us = 2'000'000;
    options.rate = 150;
    // Latency that varies per message reorders server traffic, which is where designs break.
    options.latency_ms = 3;
    options.latency_dist = seed % 2 == 0 ? LatencyDist::kUniform : LatencyDist::kExponential;
    options.commit_kv = seed % 3 == 0 ? "seq" : "lin";
    options.seed = seed;
    return options;
}

edn::Value run_and_check(const RunOptions& options, const NodeFactory& make_node,
                         std::string* aborted = nullptr) {
    std::string error;
    auto workload = make_workload("kafka", options, &error);
    EXPECT_NE(workload, nullptr) << error;
    auto outcome = run_simulation(options, *workload, make_node, service_names(),
                                  [](const std::string& name) { return make_service(name); });
    if (aborted) *aborted = outcome.aborted;
    return compose_results(outcome.history, &outcome.journal, workload->check(outcome.history),
                           std::nullopt, outcome.exceptions);
}

struct Case {
    std::string backend;
    int nodes;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.backend << " on " << c.nodes << " nodes"; }

class KafkaBackendValidity : public ::testing::TestWithParam<Case> {};

// Every seed of first..last (inclusive) valid, with most ops served.
void expect_valid_over_seeds(const Case& c, std::uint64_t first, std::uint64_t last) {
    for (std::uint64_t seed = first; seed <= last; ++seed) {
        RunOptions options = kafka_options(c.backend, c.nodes, seed);
        std::string aborted;
        edn::Value results = run_and_check(options, node_factory_for(options), &aborted);
        ASSERT_TRUE(aborted.empty()) << aborted;
        ASSERT_EQ(*results.find("valid?"), edn::Value(true))
            << c.backend << " nodes " << c.nodes << " seed " << seed << "\n"
            << edn::write_pretty(*results.find("workload"));
        // Every design must actually serve: most ops succeed.
        ASSERT_GT(results.find("availability")->find("ok-fraction")->as_double(), 0.9)
            << c.backend << " seed " << seed;
    }
}

TEST_P(KafkaBackendValidity, ValidOverSeedsOneToTwenty) {
    expect_valid_over_seeds(GetParam(), 1, 20);
}

TEST_P(KafkaBackendValidity, LongValidOverSeedsTwentyOneToTwoHundred) {
    expect_valid_over_seeds(GetParam(), 21, 200);
}

INSTANTIATE_TEST_SUITE_P(Designs, KafkaBackendValidity,
                         ::testing::Values(Case{"memory", 1}, Case{"kv", 1}, Case{"kv", 2},
                                           Case{"kv", 3}, Case{"kv", 5}, Case{"owner", 1},
                                           Case{"owner", 2}, Case{"owner", 3}, Case{"owner", 5}),
                         [](const auto& info) {
                             return info.param.backend + "_" + std::to_string(info.param.nodes) +
                                    "_nodes";
                         });

TEST(KafkaBackends, MemoryAddsNoServerTraffic) {
    RunOptions options = kafka_options("memory", 1, 9);
    edn::Value results = run_and_check(options, node_factory_for(options));
    EXPECT_EQ(results.find("net")->find("servers")->find("msg-count")->as_int(), 0);
}

// The broken design: each key's whole log is one lin-kv value, and a send appends by reading
// it and writing it back. Two nodes appending to one key at once both read length L and both
// answer offset L: the checker must see :inconsistent-offsets (and usually lost writes).
class KvReadThenWriteNode final : public HandlerNode {
  public:
    KvReadThenWriteNode() {
        handle("send", [this](Message& request, Instant now_us, Out& out) {
            const std::string key = require_string(request.body, "key");
            json msg = require_field(request.body, "msg");
            read_log(out, key, now_us, [this, request, key, msg](json log, Instant now, Out& o) {
                const auto offset = static_cast<std::int64_t>(log.size());
                log.push_back(msg);
                rpc(o, "lin-kv", {{"type", "write"}, {"key", "log/" + key}, {"value", log}}, now,
                    kTimeoutUs, [this, request, offset](json&& answer, Instant, Out& o2) {
                        if (is_error_body(answer)) {
                            reply_error(o2, request, ErrorCode::kCrash, "write failed");
                            return;
                        }
                        reply(o2, request, {{"type", "send_ok"}, {"offset", offset}});
                    });
            });
        });
        handle("poll", [this](Message& request, Instant now_us, Out& out) {
            const json& offsets = require_object(request.body, "offsets");
            auto pending = std::make_shared<std::size_t>(offsets.size());
            auto msgs = std::make_shared<json>(json::object());
            if (offsets.empty()) {
                reply(out, request, {{"type", "poll_ok"}, {"msgs", json::object()}});
                return;
            }
            for (auto it = offsets.begin(); it != offsets.end(); ++it) {
                const std::string key = it.key();
                const std::int64_t from = it.value().get<std::int64_t>();
                read_log(out, key, now_us,
                         [this, request, key, from, pending, msgs](json log, Instant, Out& o) {
                             json pairs = json::array();
                             for (std::int64_t i = std::max<std::int64_t>(from, 0);
                                  i < static_cast<std::int64_t>(log.size()); ++i)
                                 pairs.push_back({i, log[static_cast<std::size_t>(i)]});
                             if (!pairs.empty()) (*msgs)[key] = pairs;
                             if (--*pending == 0)
                                 reply(o, request, {{"type", "poll_ok"}, {"msgs", *msgs}});
                         });
            }
        });
        handle("commit_offsets", [this](Message& request, Instant, Out& out) {
            reply(out, request, {{"type", "commit_offsets_ok"}});
        });
        handle("list_committed_offsets", [this](Message& request, Instant, Out& out) {
            reply(out, request, {{"type", "list_committed_offsets_ok"}, {"offsets", json::object()}});
        });
    }

  private:
    static constexpr Instant kTimeoutUs = 1'000'000;
    void read_log(Out& out, const std::string& key, Instant now_us,
                  std::function<void(json, Instant, Out&)> then) {
        rpc(out, "lin-kv", {{"type", "read"}, {"key", "log/" + key}}, now_us, kTimeoutUs,
            [then](json&& answer, Instant now, Out& o) {
                then(is_error_body(answer) ? json::array() : answer["value"], now, o);
            });
    }
};

TEST(KafkaBackends, ReadThenWriteAppendIsCaughtWithinTwentySeeds) {
    int caught_at = 0;
    std::string types;
    for (std::uint64_t seed = 1; seed <= 20 && caught_at == 0; ++seed) {
        RunOptions options = kafka_options("kv", 2, seed);
        edn::Value results = run_and_check(options, [](const NodeId&) {
            return std::make_unique<KvReadThenWriteNode>();
        });
        if (*results.find("valid?") == edn::Value(false)) {
            caught_at = static_cast<int>(seed);
            types = edn::write(*results.find("workload")->find("error-types"));
        }
    }
    ASSERT_GT(caught_at, 0) << "the checker never noticed duplicate offsets";
    EXPECT_NE(types.find("inconsistent-offsets"), std::string::npos) << types;
}

}  // namespace
}  // namespace millpond::sim
