#pragma once
// Scenarios as data: a JSON file that says what a run is — its `millpond test` options, and
// optionally the faults and client ops written out instead of drawn — and what a person should
// learn from it (title, description, and the verdict the catalogue promises). Run one with
// `millpond test scenarios/NAME.json [--seed N] [options]`; options after the file override
// the file's. The hunt command writes its counterexamples in this format.
//
//   {
//     "title": "kafka owner: isolate the owner of the hottest key while it takes sends",
//     "description": "free text",
//     "expect": "valid" | "invalid" | "any",
//     "options": {"workload": "kafka", "node-count": 3, "nemesis": "partition,kill",
//                 "link-latency": ["n1:n2=50"], "log-stderr": true, "seed": 1},
//     "faults": [{"at": 5.0, "kind": "partition", "duration": 10.0, "grudge": {"n1": ["n2"]}},
//                {"at": 2.0, "kind": "kill", "nodes": ["n2"], "duration": 1.5},
//                {"at": 3.0, "kind": "slow", "link": ["n1", "n2"], "extra-latency": 200,
//                 "duration": 4}],
//     "ops": [{"at": 0.01, "thread": 0, "f": "send", "value": "[[:send \"3\" 12]]"}]
//   }
//
// Option keys are `millpond test`'s long option names without "--", read through the same
// parser as the command line (so names, ranges and messages are the same); flags take true or
// false, repeatable options an array. Times are seconds, relative to the main phase's start.
// Op values are EDN text, as the history prints them. Every error is one line naming the
// JSON path of the field and what is wrong.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "cli.hpp"
#include "client_script.hpp"
#include "fault_schedule.hpp"
#include "run_options.hpp"

namespace millpond::sim {

struct Scenario {
    std::string title;
    std::string description;
    std::string expect = "any";  // valid | invalid | any: the verdict at the file's seed
    // The options as command-line words with long names, e.g. {"--workload", "kafka",
    // "--rate", "100", "--log-stderr"}; a repeatable option appears once per value.
    std::vector<std::string> option_args;
    std::optional<FaultSchedule> faults;  // "faults": when present, replaces the random ones
    std::optional<ClientScript> ops;      // "ops": when present, replaces the generator
};

// Parses a scenario. On error: one line "JSON-path: what is wrong" (no file name), or for
// malformed JSON "malformed JSON at line L, column C: ...".
std::variant<Scenario, std::string> parse_scenario(std::string_view text);
// Reads and parses the file; errors as parse_scenario's, or "cannot read (...)".
std::variant<Scenario, std::string> load_scenario(const std::string& path);

// The scenario as JSON text (2-space indented, keys in the order above, ending in a newline);
// parse_scenario(write_scenario_json(s)) gives s back.
std::string write_scenario_json(const Scenario& scenario);

// What the file names that the resolved run does not have: a node outside run.nodes, a thread
// >= run.concurrency, an op the workload cannot issue. One line with its JSON path, or nullopt.
std::optional<std::string> scenario_problem_for_run(const Scenario& scenario, const RunOptions& run);

// A scenario that replays `run` exactly: its options spelled out (a swarm's draw included),
// its fault schedule and client script. For writing counterexamples.
Scenario scenario_for_run(const RunOptions& run, std::string title, std::string description,
                          std::string expect = "any");

}  // namespace millpond::sim
