#pragma once
// `millpond figures`: the kafka designs measured at Artemis's settings over a range of seeds,
// printed as the Markdown table the README carries. Runs are independent, so they are spread
// over threads; each run stays single-threaded and deterministic, and the table does not depend
// on the thread count.

#include <iosfwd>
#include <string>
#include <vector>

namespace millpond::sim {

int run_figures_command(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err);

}  // namespace millpond::sim
