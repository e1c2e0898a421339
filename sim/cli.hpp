#pragma once
// Parsing `millpond test` options: maelstrom test's names and defaults where they exist, plus
// millpond's own (--seed, --store, --backend...). Bad input becomes one line naming the option
// and what is wrong (exit 254), never an exception or a silent default.

#include <optional>
#include <string>
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
    // The options as the user could type them again (for the repro line).
    std::vector<std::string> canonical_args;
};

struct CliError {
    std::string message;  // one line, no trailing newline
};

// `args` excludes the program name and the "test" word.
std::variant<TestCommand, CliError> parse_test_args(const std::vector<std::string>& args,
                                                    std::uint64_t fresh_seed);

std::string main_help();
std::string test_help();

// The command line that reproduces a run exactly.
std::string repro_command(const TestCommand& command);

}  // namespace millpond::sim
