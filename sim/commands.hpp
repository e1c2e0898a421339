#pragma once
// The `millpond` subcommands as functions, so tests can run them in-process. Each returns the
// process exit code: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 crash.

#include <iosfwd>
#include <string>
#include <vector>

#include "cli.hpp"
#include "simulation.hpp"

namespace millpond::sim {

// `millpond test ...` (args exclude "test"). fresh_seed is used when --seed is absent.
int run_test_command(const std::vector<std::string>& args, std::uint64_t fresh_seed,
                     const std::string& run_id_stamp, std::ostream& out, std::ostream& err);

// The node factory for a run's workload and (kafka) backend.
NodeFactory node_factory_for(const RunOptions& options);

// `millpond check -w WORKLOAD [--out DIR] [--availability A] HISTORY`.
int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace millpond::sim
