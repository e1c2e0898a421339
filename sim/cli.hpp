#pragma once
// Parsing `millpond test` options: maelstrom test's names and defaults where they exist, plus
// millpond's own (--seed, --store, --backend...). Bad input becomes one line naming the option
// and what is wrong (exit 254), never an exception or a silent default.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "run_options.hpp"

namespace millpond::sim {

struct TestCommand {
    RunOptions run;
    std::string store_dir = "store";
    bool seed_given = false;
    // Run the seed twice and compare the two traces event by event.
    bool check_determinism = false;
    // The options as the user could type them again (for the repro line). For a scenario run:
    // the file, the command line's options that shape the run, and --seed.
    std::vector<std::string> canonical_args;
    // `millpond test FILE.json ...`: the file and its title; empty otherwise.
    std::string scenario_path;
    std::string scenario_title;
    std::string scenario_expect;  // valid | invalid | any: the verdict the file promises
    // --swarm: the fault options drawn from the seed, as typed options (already applied to
    // `run`); empty without --swarm.
    std::vector<std::string> swarm_args;
};

struct CliError {
    std::string message;  // one line, no trailing newline
};

// How a `millpond test` option takes its value: `--name VALUE`, a bare flag, or `--name VALUE`
// given any number of times.
enum class OptionKind { kValue, kFlag, kRepeatable };

// The kind of a `millpond test` option ("-w" and "--workload" alike), nullopt when unknown.
std::optional<OptionKind> test_option_kind(std::string_view name);
// "-w" -> "--workload", "-n" -> "--node"; long names unchanged.
std::string long_option_name(std::string_view name);
// Every long option `millpond test` knows, in --help order.
std::vector<std::string> test_option_names();

// `args` excludes the program name and the "test" word. A first argument ending in .json is a
// scenario file (scenario.hpp): its options, then the command line's, which override them.
std::variant<TestCommand, CliError> parse_test_args(const std::vector<std::string>& args,
                                                    std::uint64_t fresh_seed);

std::string main_help();
std::string test_help();

// The command line that reproduces a run exactly.
std::string repro_command(const TestCommand& command);

// The options that reproduce `run` exactly as typed options (nodes listed, faults explicit),
// ending in --seed N.
std::vector<std::string> canonical_run_args(const RunOptions& run);

// One argument as a POSIX shell reads it back: unchanged when plain, else single-quoted.
std::string shell_word(const std::string& word);

}  // namespace millpond::sim
