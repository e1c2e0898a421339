#pragma once
// Choosing a workload by Maelstrom's `-w` name.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "run_options.hpp"
#include "workload.hpp"

namespace millpond::sim {

// The workloads the simulator can run, in the order --help lists them.
std::vector<std::string> workload_names();

// A fresh workload named `name`, configured from `options` (kafka reads key_count,
// max_writes_per_key and concurrency), or nullptr with *error (when non-null) set to a one-line
// message: the known workloads for an unknown name, or the option kafka cannot run with.
std::unique_ptr<Workload> make_workload(std::string_view name, const RunOptions& options,
                                        std::string* error);

}  // namespace millpond::sim
