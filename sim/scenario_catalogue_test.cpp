// Every scenario in scenarios/ loads, runs, and keeps the promise of its "expect" field at its
// own seed. The files are listed when the test binary starts, so a new file is a new test.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "cli.hpp"
#include "judged_run.hpp"
#include "results.hpp"
#include "scenario.hpp"

namespace millpond::sim {
namespace {

std::vector<std::string> catalogue() {
    std::vector<std::string> names;
    const std::filesystem::path dir = std::filesystem::path(MILLPOND_SOURCE_DIR) / "scenarios";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().extension() == ".json") names.push_back(entry.path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

class Catalogue : public ::testing::TestWithParam<std::string> {};

TEST(CatalogueList, CoversEveryBackendAndEveryFault) {
    const auto names = catalogue();
    EXPECT_GE(names.size(), 15u);
    std::set<std::string> backends, faults;
    for (const auto& name : names) {
        const std::string path = std::string(MILLPOND_SOURCE_DIR) + "/scenarios/" + name + ".json";
        auto parsed = parse_test_args({path}, 1);
        ASSERT_TRUE(std::holds_alternative<TestCommand>(parsed)) << std::get<CliError>(parsed).message;
        const RunOptions& run = std::get<TestCommand>(parsed).run;
        if (run.workload == "kafka") backends.insert(run.backend);
        auto note = [&](bool on, const char* fault) {
            if (on) faults.insert(fault);
        };
        note(run.nemesis_partition, "partition");
        note(run.nemesis_kill, "kill");
        note(run.nemesis_pause, "pause");
        note(run.nemesis_drop, "drop");
        note(run.nemesis_duplicate, "duplicate");
        note(run.nemesis_skew, "skew");
        note(run.nemesis_slow, "slow");
        if (run.fault_schedule)
            for (const auto& event : *run.fault_schedule) faults.insert(std::string(fault_kind_name(event.kind)));
        if (!run.link_latency_ms.empty() || !run.node_latency_ms.empty()) faults.insert("slow");
    }
    EXPECT_EQ(backends, (std::set<std::string>{"memory", "kv", "owner"}));
    EXPECT_EQ(faults, (std::set<std::string>{"partition", "kill", "pause", "drop", "duplicate",
                                             "skew", "slow"}));
}

TEST_P(Catalogue, LoadsRunsAndKeepsItsPromise) {
    const std::string path = std::string(MILLPOND_SOURCE_DIR) + "/scenarios/" + GetParam() + ".json";
    auto loaded = load_scenario(path);
    ASSERT_TRUE(std::holds_alternative<Scenario>(loaded)) << std::get<std::string>(loaded);
    const Scenario& scenario = std::get<Scenario>(loaded);
    // A catalogue entry names its seed, so its promise is about one definite run.
    EXPECT_NE(std::find(scenario.option_args.begin(), scenario.option_args.end(), "--seed"),
              scenario.option_args.end());
    auto parsed = parse_test_args({path}, 1);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(parsed)) << std::get<CliError>(parsed).message;
    const TestCommand& command = std::get<TestCommand>(parsed);
    RunOptions run = command.run;
    run.journal_bodies = false;
    const JudgedRun judged = run_and_judge(run);
    ASSERT_TRUE(judged.outcome.aborted.empty()) << judged.outcome.aborted;
    const int code = exit_code_for(*judged.results.find("valid?"));
    if (scenario.expect == "valid")
        EXPECT_EQ(code, 0) << repro_command(command) << "\n" << summarize(judged.results);
    else if (scenario.expect == "invalid")
        EXPECT_EQ(code, 1) << repro_command(command) << "\n" << summarize(judged.results);
    else
        EXPECT_TRUE(code == 0 || code == 1 || code == 2);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, Catalogue, ::testing::ValuesIn(catalogue()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                             std::string name = info.param;
                             for (char& c : name)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return name;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Catalogue);

}  // namespace
}  // namespace millpond::sim
