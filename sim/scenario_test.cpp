#include "scenario.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "cli.hpp"
#include "commands.hpp"
#include "scratch_dir_testing.hpp"
#include "sweep.hpp"

namespace millpond::sim {
namespace {

std::string error_of(const std::string& text) {
    auto result = parse_scenario(text);
    if (auto* error = std::get_if<std::string>(&result)) return *error;
    return "";
}

Scenario parsed(const std::string& text) {
    auto result = parse_scenario(text);
    if (auto* error = std::get_if<std::string>(&result)) ADD_FAILURE() << *error;
    return std::holds_alternative<Scenario>(result) ? std::get<Scenario>(result) : Scenario{};
}

class ScenarioFiles : public ::testing::Test {
  protected:
    std::string write(const std::string& name, const std::string& text) {
        return dir_.write(name, text);
    }
    ScratchDir dir_{"scenario-test"};
};

const char* kFull = R"({
  "title": "kafka owner: isolate n1 while it takes sends",
  "description": "what it shows",
  "expect": "valid",
  "options": {"workload": "kafka", "backend": "owner", "node-count": 3, "time-limit": 2.5,
              "rate": 50, "nemesis": "drop,skew", "drop-probability": 0.1, "seed": 9,
              "link-latency": ["n0:n1=50", "n1:n2=5"], "node-latency": "n2=3",
              "log-stderr": false},
  "faults": [{"at": 0.5, "kind": "partition", "duration": 1, "grudge": {"n1": ["n0", "n2"]}},
             {"at": 0.25, "kind": "kill", "nodes": ["n2"], "duration": 1.5},
             {"at": 1, "kind": "pause", "nodes": ["n0", "n1"], "duration": 0.000001},
             {"at": 1, "kind": "slow", "nodes": ["n2"], "extra-latency": 200, "duration": 2},
             {"at": 1, "kind": "slow", "link": ["n0", "n1"], "extra-latency": 0, "duration": 0}],
  "ops": [{"at": 0.01, "thread": 0, "f": "send", "value": "[[:send \"3\" 12]]"},
          {"at": 0.02, "thread": 2, "f": "poll", "value": "[[:poll]]"},
          {"at": 0.03, "thread": 1, "f": "assign", "value": "[\"3\" \"4\"]",
           "extra": {"seek-to-beginning?": "true"}},
          {"at": 0.04, "thread": 1, "f": "crash"}]
})";

TEST(Scenario, ParsesEveryField) {
    const Scenario scenario = parsed(kFull);
    EXPECT_EQ(scenario.title, "kafka owner: isolate n1 while it takes sends");
    EXPECT_EQ(scenario.expect, "valid");
    EXPECT_EQ(scenario.option_args,
              (std::vector<std::string>{"--workload", "kafka", "--backend", "owner", "--node-count", "3",
                                        "--time-limit", "2.5", "--rate", "50", "--nemesis", "drop,skew",
                                        "--drop-probability", "0.1", "--seed", "9", "--link-latency",
                                        "n0:n1=50", "--link-latency", "n1:n2=5", "--node-latency",
                                        "n2=3"}));
    ASSERT_TRUE(scenario.faults.has_value());
    ASSERT_EQ(scenario.faults->size(), 5u);
    const auto& faults = *scenario.faults;
    EXPECT_EQ(faults[0].kind, FaultKind::kPartition);
    EXPECT_EQ(faults[0].at_us, 500'000);
    EXPECT_EQ(faults[0].duration_us, 1'000'000);
    EXPECT_EQ(faults[0].grudge.at("n1"), (std::vector<NodeId>{"n0", "n2"}));
    EXPECT_EQ(faults[1].kind, FaultKind::kKill);
    EXPECT_EQ(faults[1].nodes, (std::vector<NodeId>{"n2"}));
    EXPECT_EQ(faults[1].duration_us, 1'500'000);
    EXPECT_EQ(faults[2].duration_us, 1);
    EXPECT_EQ(faults[3].extra_latency_ms, 200);
    EXPECT_FALSE(faults[3].link.has_value());
    EXPECT_EQ(faults[4].link, (std::pair<NodeId, NodeId>{"n0", "n1"}));
    ASSERT_TRUE(scenario.ops.has_value());
    ASSERT_EQ(scenario.ops->size(), 4u);
    EXPECT_EQ((*scenario.ops)[0].at_us, 10'000);
    EXPECT_EQ((*scenario.ops)[0].op.f, "send");
    EXPECT_EQ(edn::write((*scenario.ops)[0].op.value), "[[:send \"3\" 12]]");
    EXPECT_EQ((*scenario.ops)[1].thread, 2);
    ASSERT_EQ((*scenario.ops)[2].op.extra.size(), 1u);
    EXPECT_EQ((*scenario.ops)[2].op.extra[0].first, "seek-to-beginning?");
    EXPECT_TRUE((*scenario.ops)[3].op.immediate_info);
    EXPECT_FALSE((*scenario.ops)[0].op.immediate_info);
}

TEST(Scenario, WriterRoundTrips) {
    const Scenario scenario = parsed(kFull);
    const std::string text = write_scenario_json(scenario);
    const Scenario again = parsed(text);
    EXPECT_EQ(write_scenario_json(again), text);
    EXPECT_EQ(again.option_args, scenario.option_args);
    EXPECT_EQ(again.title, scenario.title);
    EXPECT_EQ(again.description, scenario.description);
    EXPECT_EQ(again.expect, scenario.expect);
    ASSERT_EQ(again.faults->size(), scenario.faults->size());
    for (std::size_t i = 0; i < again.faults->size(); ++i) {
        const FaultEvent& a = (*again.faults)[i];
        const FaultEvent& b = (*scenario.faults)[i];
        EXPECT_EQ(a.at_us, b.at_us);
        EXPECT_EQ(a.duration_us, b.duration_us);
        EXPECT_EQ(a.kind, b.kind);
        EXPECT_EQ(a.nodes, b.nodes);
        EXPECT_EQ(a.grudge, b.grudge);
        EXPECT_EQ(a.link, b.link);
        EXPECT_EQ(a.extra_latency_ms, b.extra_latency_ms);
    }
    ASSERT_EQ(again.ops->size(), scenario.ops->size());
    for (std::size_t i = 0; i < again.ops->size(); ++i) {
        const ScriptedOp& a = (*again.ops)[i];
        const ScriptedOp& b = (*scenario.ops)[i];
        EXPECT_EQ(a.at_us, b.at_us);
        EXPECT_EQ(a.thread, b.thread);
        EXPECT_EQ(a.op.f, b.op.f);
        EXPECT_EQ(a.op.value, b.op.value);
        EXPECT_EQ(a.op.extra, b.op.extra);
        EXPECT_EQ(a.op.immediate_info, b.op.immediate_info);
    }
}

TEST(Scenario, ErrorsNameTheFieldInOneLine) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"({"title": "t", "faults": [{"at": 1, "kind": "kill", "nodes": ["n1"], "duration": "abc"}]})",
         R"(faults[0].duration: expected seconds >= 0, got "abc")"},
        {R"({"title": "t", "faults": [{}, {}]})", R"(faults[0]: missing field "kind")"},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "drop", "duration": 1}]})",
         R"(faults[0].kind: unknown fault "drop")"},
        {R"({"title": "t", "faults": [{"at": -1, "kind": "pause", "nodes": ["n1"], "duration": 1}]})",
         "faults[0].at: expected seconds >= 0, got -1"},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "kill", "nodes": [], "duration": 1}]})",
         "faults[0].nodes: expected a non-empty array of node ids, got []"},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "kill", "nodes": ["n1", "n1"], "duration": 1}]})",
         "faults[0].nodes[1]: node 'n1' is listed twice"},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "kill", "nodes": ["n1"], "duration": 1, "grudge": {}}]})",
         "faults[0].grudge: unknown field (known: at, kind, duration, nodes)"},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "partition", "duration": 1, "grudge": {"n1": "n2"}}]})",
         "faults[0].grudge.n1: expected a non-empty array of node ids, got \"n2\""},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "slow", "duration": 1, "extra-latency": 5}]})",
         "faults[0]: a slow fault takes \"nodes\""},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "slow", "link": ["n1"], "duration": 1, "extra-latency": 5}]})",
         "faults[0].link: expected [FROM, TO], got [\"n1\"]"},
        {R"({"title": "t", "faults": [{"at": 1, "kind": "slow", "nodes": ["n1"], "duration": 1, "extra-latency": 2.5}]})",
         "faults[0].extra-latency: expected milliseconds from 0 to 3600000, got 2.5"},
        {R"({"title": "t", "options": {"bogus": 1}})", "options.bogus: unknown option"},
        {R"({"title": "t", "options": {"rate": [1]}})", "options.rate: expected a number or a string, got [1]"},
        {R"({"title": "t", "options": {"log-stderr": "yes"}})", "options.log-stderr: expected true or false"},
        {R"({"title": "t", "options": {"link-latency": [true]}})", "options.link-latency[0]: expected a number or a string"},
        {R"({"title": "t", "options": []})", "options: expected an object, got []"},
        {R"({"title": "t", "expect": "maybe"})", R"(expect: expected "valid", "invalid" or "any", got "maybe")"},
        {R"({"title": "t", "extra": 1})", "extra: unknown field (known: title, description, expect, options, faults, ops)"},
        {R"({"description": "no title"})", R"((top level): missing field "title")"},
        {R"([1, 2])", "(top level): expected an object, got [1,2]"},
        {R"({"title": "t", "ops": [{"at": 0, "thread": -1, "f": "poll"}]})",
         "ops[0].thread: expected a thread from 0 to 99999, got -1"},
        {R"({"title": "t", "ops": [{"at": 0, "thread": 0, "f": "send", "value": "[[:send"}]})",
         "ops[0].value: expected EDN text"},
        {R"({"title": "t", "ops": [{"at": 0, "thread": 0, "f": "poll", "colour": 1}]})",
         "ops[0].colour: unknown field"},
        {"{\"title\": \"t\",\n  \"options\": {\"rate\": 5,}\n}", "malformed JSON: "},
    };
    for (const auto& [text, expected] : cases) {
        const std::string message = error_of(text);
        EXPECT_EQ(message.rfind(expected, 0), 0u) << "got: " << message << "\nwanted: " << expected;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    // Malformed JSON names the line and column.
    const std::string malformed = error_of("{\"title\": \"t\",\n  \"options\": {\"rate\": 5,}\n}");
    EXPECT_NE(malformed.find("line 2"), std::string::npos) << malformed;
    EXPECT_NE(malformed.find("column"), std::string::npos) << malformed;
}

TEST_F(ScenarioFiles, TestCommandLoadsTheFileAndTheCommandLineOverridesIt) {
    const std::string path = write("s.json", kFull);
    auto result = parse_test_args({path}, 1);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result)) << std::get<CliError>(result).message;
    const TestCommand& command = std::get<TestCommand>(result);
    EXPECT_EQ(command.run.nodes, (std::vector<NodeId>{"n0", "n1", "n2"}));
    EXPECT_EQ(command.run.rate, 50);
    EXPECT_EQ(command.run.seed, 9u);
    EXPECT_TRUE(command.run.nemesis_drop);
    EXPECT_EQ(command.run.fault_schedule->size(), 5u);
    EXPECT_EQ(command.run.client_script->size(), 4u);
    EXPECT_EQ(command.scenario_title, "kafka owner: isolate n1 while it takes sends");
    EXPECT_EQ(repro_command(command), "millpond test " + path + " --seed 9");

    auto overridden = parse_test_args({path, "--rate", "75", "--seed", "4", "--store", "x",
                                       "--link-latency=n2:n0=1"}, 1);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(overridden));
    const TestCommand& again = std::get<TestCommand>(overridden);
    EXPECT_EQ(again.run.rate, 75);
    EXPECT_EQ(again.run.seed, 4u);
    // A repeatable option on the command line replaces the file's list.
    ASSERT_EQ(again.run.link_latency_ms.size(), 1u);
    EXPECT_EQ(again.run.link_latency_ms[0].first, (std::pair<NodeId, NodeId>{"n2", "n0"}));
    EXPECT_EQ(repro_command(again),
              "millpond test " + path + " --rate 75 --link-latency=n2:n0=1 --seed 4");

    // --nodes on the command line replaces the file's --node-count (one of them, not both).
    auto nodes = parse_test_args({path, "--nodes", "n0,n1,n2,n3"}, 1);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(nodes)) << std::get<CliError>(nodes).message;
    EXPECT_EQ(std::get<TestCommand>(nodes).run.nodes.size(), 4u);
}

TEST_F(ScenarioFiles, ErrorsNameTheFile) {
    const std::string path = write("bad.json", R"({"title": "t", "options": {"rate": "fast"}})");
    auto result = parse_test_args({path}, 1);
    ASSERT_TRUE(std::holds_alternative<CliError>(result));
    EXPECT_EQ(std::get<CliError>(result).message,
              "millpond: " + path + ": options.rate: expected ops per second >= 0, got 'fast'");

    const std::string nodes = write("nodes.json", R"({"title": "t", "options": {"node-count": 2},
        "faults": [{"at": 1, "kind": "kill", "nodes": ["n0", "n5"], "duration": 1}]})");
    auto missing_node = parse_test_args({nodes}, 1);
    ASSERT_TRUE(std::holds_alternative<CliError>(missing_node));
    EXPECT_EQ(std::get<CliError>(missing_node).message,
              "millpond: " + nodes + ": faults[0].nodes[1]: node 'n5' is not among the run's nodes (n0 n1)");

    const std::string threads = write("threads.json", R"({"title": "t", "options": {"node-count": 2},
        "ops": [{"at": 0, "thread": 2, "f": "poll", "value": "[[:poll]]"}]})");
    auto thread_error = parse_test_args({threads}, 1);
    ASSERT_TRUE(std::holds_alternative<CliError>(thread_error));
    EXPECT_NE(std::get<CliError>(thread_error).message.find("ops[0].thread: the run has 2 threads"),
              std::string::npos);

    const std::string shape = write("shape.json", R"({"title": "t",
        "ops": [{"at": 0, "thread": 0, "f": "send", "value": "[[:send 3 12]]"}]})");
    auto shape_error = parse_test_args({shape}, 1);
    ASSERT_TRUE(std::holds_alternative<CliError>(shape_error));
    EXPECT_NE(std::get<CliError>(shape_error).message.find("ops[0]: a kafka send's value is"),
              std::string::npos);

    auto absent = parse_test_args({dir_.file("absent.json")}, 1);
    ASSERT_TRUE(std::holds_alternative<CliError>(absent));
    EXPECT_NE(std::get<CliError>(absent).message.find("absent.json: cannot read"), std::string::npos);
}

TEST_F(ScenarioFiles, SwarmOnTheCommandLineReplacesTheFilesFaults) {
    const std::string path = write("s.json", kFull);
    auto result = parse_test_args({path, "--swarm", "--seed", "5"}, 1);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result)) << std::get<CliError>(result).message;
    const TestCommand& command = std::get<TestCommand>(result);
    EXPECT_FALSE(command.swarm_args.empty());
    EXPECT_EQ(repro_command(command), "millpond test " + path + " --swarm --seed 5");
}

TEST(Scenario, ScenarioForRunReplaysTheRun) {
    auto parsed_args = parse_test_args({"--node-count", "2", "--swarm", "--seed", "11",
                                        "--link-latency", "n0:n1=4"}, 1);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(parsed_args));
    RunOptions run = std::get<TestCommand>(parsed_args).run;
    run.fault_schedule = FaultSchedule{FaultEvent{1'000'000, 500'000, FaultKind::kKill, {"n1"}, {}, {}, 0}};
    const Scenario scenario = scenario_for_run(run, "counterexample", "found by the hunt", "invalid");
    const std::string text = write_scenario_json(scenario);
    const Scenario again = parsed(text);
    EXPECT_EQ(again.option_args, scenario.option_args);
    auto replay = parse_test_args(again.option_args, 2);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(replay)) << std::get<CliError>(replay).message;
    const RunOptions& replayed = std::get<TestCommand>(replay).run;
    EXPECT_EQ(canonical_run_args(replayed), canonical_run_args(run));
    EXPECT_EQ(replayed.seed, 11u);
}


// A small run that loses writes: one memory node killed halfway.
const char* kLosesWrites = R"({
  "title": "memory: kill the only node",
  "expect": "invalid",
  "options": {"workload": "kafka", "backend": "memory", "node-count": 1, "time-limit": 2,
              "rate": 50, "seed": 3},
  "faults": [{"at": 1, "kind": "kill", "nodes": ["n0"], "duration": 0.2}]
})";

std::string line_starting(const std::string& text, const std::string& prefix) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (line.rfind(prefix, 0) == 0) return line;
    return "";
}

std::vector<std::string> words_after(const std::string& line, const std::string& prefix) {
    std::vector<std::string> words;
    std::istringstream in(line.substr(prefix.size()));
    for (std::string word; in >> word;) words.push_back(word);
    return words;
}

TEST_F(ScenarioFiles, AnInvalidRunPrintsAReproLineThatReplaysItExactly) {
    const std::string path = write("loses.json", kLosesWrites);
    const std::string store = dir_.file("store");
    std::ostringstream out, err;
    const int code = run_test_command({path, "--store", store}, 1, "T", out, err);
    EXPECT_EQ(code, 1) << out.str() << err.str();
    EXPECT_NE(out.str().find("scenario: memory: kill the only node (expects invalid)"), std::string::npos);
    const std::string repro = line_starting(out.str(), "repro: ");
    EXPECT_EQ(repro, "repro: millpond test " + path + " --seed 3");
    const std::string fingerprint = line_starting(out.str(), "fingerprint: ");
    ASSERT_FALSE(fingerprint.empty());

    std::vector<std::string> args = words_after(repro, "repro: millpond test ");
    args.insert(args.end(), {"--store", store});
    std::ostringstream again, again_err;
    EXPECT_EQ(run_test_command(args, 2, "U", again, again_err), 1);
    EXPECT_EQ(line_starting(again.str(), "fingerprint: "), fingerprint);
}

TEST_F(ScenarioFiles, SwarmPrintsItsDrawBeforeTheRunAndReplays) {
    const std::string path = write("small.json", R"({"title": "t", "options": {"workload": "kafka",
        "node-count": 2, "time-limit": 2, "rate": 20, "seed": 4}})");
    const std::string store = dir_.file("store");
    std::ostringstream out, err;
    run_test_command({path, "--swarm", "--store", store}, 1, "T", out, err);
    const std::string text = out.str();
    const auto swarm = text.find("swarm: seed 4: --nemesis ");
    const auto workload = text.find("workload: kafka");
    ASSERT_NE(swarm, std::string::npos) << text;
    EXPECT_LT(swarm, workload);
    EXPECT_NE(text.find("millpond test " + path + " --swarm --seed 4"), std::string::npos) << text;
    const std::string fingerprint = line_starting(text, "fingerprint: ");
    // The printed draw, typed out instead of --swarm, is the same run.
    std::vector<std::string> typed = {path, "--seed", "4", "--store", store};
    for (const auto& word : words_after(line_starting(text, "swarm: seed 4: "), "swarm: seed 4: "))
        typed.push_back(word);
    std::ostringstream again, again_err;
    run_test_command(typed, 1, "U", again, again_err);
    EXPECT_EQ(line_starting(again.str(), "fingerprint: "), fingerprint) << again_err.str();
}

TEST_F(ScenarioFiles, SweepRunsAScenarioFileAndItsFailingSeedsReplay) {
    const std::string path = write("loses.json", kLosesWrites);
    std::ostringstream out, err;
    const int code = run_sweep_command({path, "--seeds", "1..3", "--jobs", "1"}, out, err);
    EXPECT_EQ(code, 1) << out.str() << err.str();
    EXPECT_NE(out.str().find("sweep:        millpond test " + path + " --seed S, S in 1..3"),
              std::string::npos) << out.str();
    EXPECT_NE(out.str().find(": millpond test " + path + " --seed 2"), std::string::npos) << out.str();

    std::ostringstream swarm_out, swarm_err;
    run_sweep_command({path, "--swarm", "--seeds", "1..3", "--jobs", "2"}, swarm_out, swarm_err);
    EXPECT_NE(swarm_out.str().find("millpond test " + path + " --swarm --seed S"), std::string::npos)
        << swarm_out.str() << swarm_err.str();

    const std::string bad = write("bad.json", R"({"title": "t", "options": {"rate": -1}})");
    std::ostringstream bad_out, bad_err;
    EXPECT_EQ(run_sweep_command({bad, "--seeds", "1..2"}, bad_out, bad_err), 254);
    EXPECT_EQ(bad_err.str(), "millpond: " + bad + ": options.rate: expected ops per second >= 0, got '-1'\n");
}

}  // namespace
}  // namespace millpond::sim
