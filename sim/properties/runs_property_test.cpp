// Properties over whole runs as generated values (hunt_generators.hpp): every correct kafka
// design satisfies the kafka checker, and the simulator is deterministic, for all generated
// runs; and every zoo design is found and shrunk to a small counterexample by `millpond hunt`.
//
// Each property runs with a fixed RapidCheck seed, so a CI failure replays exactly; a failing
// case is printed shrunk. The `*Long*` cases carry the ctest label `long` (CMakeLists.txt):
// `ctest -LE long` runs only the quick variants.

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/kafka/backend.hpp"
#include "core/kafka/zoo/forward_node.hpp"
#include "sim/cli.hpp"
#include "sim/hunt.hpp"
#include "sim/hunt_generators.hpp"
#include "sim/properties/check_property.hpp"
#include "sim/scratch_dir_testing.hpp"
#include "sim/services/service.hpp"
#include "sim/simulation.hpp"
#include "sim/workloads.hpp"

namespace millpond::sim {
namespace {

RunOptions kafka_base(const std::string& backend) {
    RunOptions base;
    base.workload = "kafka";
    base.backend = backend;
    base.seed = 1;
    base.journal_bodies = false;
    return base;
}

// The faults each correct design is built to survive (see its essay): memory and owner keep
// their logs in memory, so a kill loses acknowledged messages by design; kv keeps them in
// lin-kv and survives kills.
RunShape shape_for(const std::string& backend) {
    RunShape shape;
    if (backend == "memory") {
        shape.nodes_max = 1;
        shape.fault_kinds = {FaultKind::kPause, FaultKind::kSlow};
    } else if (backend == "owner") {
        shape.fault_kinds = {FaultKind::kPartition, FaultKind::kPause, FaultKind::kSlow};
    }
    return shape;
}

std::string describe(const HuntVerdict& verdict) {
    std::string text = verdict.valid ? "valid" : verdict.invalid ? "invalid" : "unknown";
    for (const auto& anomaly : verdict.anomalies) text += " :" + anomaly;
    if (!verdict.aborted.empty()) text += " (aborted: " + verdict.aborted + ")";
    return text;
}

void correct_backends_are_valid(int cases) {
    for (const auto& backend : kafka::backend_names()) {
        check_property("correct backend " + backend, cases, [backend] {
            const RunOptions run = *gen_run(kafka_base(backend), shape_for(backend));
            const HuntVerdict verdict = judge_run(run);
            // valid, or nothing to check (judge_run drops :empty-transaction-graph)
            if (!verdict.valid && (verdict.invalid || !verdict.aborted.empty()))
                RC_FAIL(describe(verdict));
        });
    }
}

TEST(RunProperty, CorrectBackendsSatisfyTheKafkaChecker) { correct_backends_are_valid(25); }
TEST(RunProperty, LongCorrectBackendsSatisfyTheKafkaChecker) { correct_backends_are_valid(500); }

void simulator_is_deterministic(int cases) {
    std::vector<std::string> backends = kafka::backend_names();
    for (const auto& zoo : kafka::zoo_backend_names()) backends.push_back(zoo);
    check_property("same value, same fingerprint", cases, [backends] {
        const std::string backend = *rc::gen::elementOf(backends);
        const RunOptions run = *gen_run(kafka_base(backend), shape_for(backend));
        const HuntVerdict first = judge_run(run);
        const HuntVerdict second = judge_run(run);
        RC_ASSERT(first.fingerprint == second.fingerprint);
        RC_ASSERT(first.anomalies == second.anomalies);
    });
}

// The property above has teeth: generated runs catch every zoo design within a few hundred
// cases (the same generator, drawn case by case as the hunt does).
TEST(RunProperty, GeneratedRunsCatchEveryZooDesign) {
    for (const auto& backend : kafka::zoo_backend_names()) {
        const rc::Gen<RunOptions> generator = gen_run(kafka_base(backend), RunShape{});
        int caught_at = -1;
        for (int i = 0; i < 300 && caught_at < 0; ++i) {
            const RunOptions run =
                generator(rc::Random(static_cast<std::uint64_t>(i)), 10 + i % 90).value();
            if (judge_run(run).invalid) caught_at = i;
        }
        EXPECT_GE(caught_at, 0) << backend << " passed 300 generated runs";
    }
}

TEST(RunProperty, SimulatorIsDeterministic) { simulator_is_deterministic(30); }
TEST(RunProperty, LongSimulatorIsDeterministic) { simulator_is_deterministic(1000); }

// The zoo's plain design is correct: each zoo bug is one hook away from it, so the anomaly a
// zoo design shows is its bug's, not the plain design's. It is durable (synced to disk), so it
// survives every fault kind.
TEST(RunProperty, TheZoosPlainDesignSatisfiesTheKafkaChecker) {
    check_property("zoo plain design", 12, [] {
        const RunOptions run = *gen_run(kafka_base("owner"), RunShape{});
        std::string error;
        auto workload = make_workload("kafka", run, &error);
        RC_ASSERT(workload != nullptr);
        const RunOutcome outcome = run_simulation(
            run, *workload,
            [](const NodeId&) -> std::unique_ptr<Node> {
                return std::make_unique<kafka::zoo::ForwardNode>();
            },
            service_names(), [](const std::string& name) { return make_service(name); });
        RC_ASSERT(outcome.aborted.empty());
        const edn::Value result = workload->check(outcome.history);
        RC_ASSERT(*result.find("valid?") == edn::Value(true));
    });
}

// `millpond hunt` finds every zoo bug and shrinks it to at most 20 client ops and 3 faults
// (message faults count as one each), and the shrunk run replays 100 times out of 100. Long:
// each hunt also writes a store and replays 100 times (the quick check of the zoo is
// ZooScenarios).
class ZooHunt : public testing::TestWithParam<std::string> {};

TEST_P(ZooHunt, LongFindsAndShrinksTheBug) {
    const std::string backend = GetParam();
    const ScratchDir scratch("hunt-test");
    const std::filesystem::path store = scratch.path() / "store";
    std::ostringstream out;
    std::ostringstream err;
    const int code = run_hunt_command(
        {"--backend", backend, "--json", "--store", store.string(), "--budget-s", "60"}, 1,
        "hunt-test", out, err);
    ASSERT_EQ(code, 1) << out.str() << err.str();
    const nlohmann::json report = nlohmann::json::parse(out.str());
    EXPECT_TRUE(report["found"].get<bool>());
    EXPECT_LE(report["ops"].size(), 20u) << report.dump(2);
    const std::size_t faults = report["faults"].size() + report["message_faults"].size();
    EXPECT_LE(faults, 3u) << report.dump(2);
    EXPECT_EQ(report["replayed_same"].get<int>(), 100) << report.dump(2);
    EXPECT_FALSE(report["anomaly"].get<std::string>().empty());
    EXPECT_NE(report["repro"].get<std::string>().find("millpond test "), std::string::npos);
}

// Each zoo design has its counterexample in scenarios/zoo/<name>.json, and it still fails.
TEST(ZooScenarios, EachZooDesignHasAScenarioThatFails) {
    for (const auto& backend : kafka::zoo_backend_names()) {
        const std::string path =
            std::string(MILLPOND_SOURCE_DIR) + "/scenarios/zoo/" + backend.substr(4) + ".json";
        auto parsed = parse_test_args({path}, 1);
        ASSERT_TRUE(std::holds_alternative<TestCommand>(parsed))
            << path << ": " << std::get<CliError>(parsed).message;
        const RunOptions& run = std::get<TestCommand>(parsed).run;
        EXPECT_EQ(run.backend, backend) << path;
        const HuntVerdict verdict = judge_run(run);
        EXPECT_TRUE(verdict.invalid) << path << ": " << describe(verdict);
    }
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooHunt, testing::ValuesIn(kafka::zoo_backend_names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                             std::string name;
                             for (char c : info.param.substr(4))
                                 if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                             return name;
                         });

}  // namespace
}  // namespace millpond::sim
