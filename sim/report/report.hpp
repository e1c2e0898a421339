#pragma once
// The run report: index.html in a store directory, one self-contained page (inline CSS, the
// plots and the Lamport diagram inline as SVG, no network) with
//   - the verdict, and each checker's own;
//   - the anomalies, each with the ops that prove it and a link to a diagram window around
//     them (lamport-anomaly-<k>.svg beside the page, for the first few);
//   - the figures: op counts, availability, msgs/op, latency quantiles per :f, fault periods;
//   - latency-raw.svg and rate.svg (report/plots.hpp), also written beside the page;
//   - the default Lamport diagram (messages.svg).
// It works on millpond's store directories and on real Maelstrom's (history.edn and
// results.edn, no network journal: the diagram then shows client operations only, and says
// so), or on a bare history.edn.

#include <iosfwd>
#include <string>
#include <vector>

namespace millpond::report {

// Diagram files written for the first anomalies; the rest get the command that draws them.
inline constexpr std::size_t kAnomalyDiagramsMax = 3;
// Anomalies listed per kind (results.edn keeps up to 32 errors of some kinds).
inline constexpr std::size_t kAnomaliesPerKindMax = 8;

struct ReportSummary {
    std::string index_path;
    std::string verdict;  // "valid", "invalid" or "unknown"
    std::size_t anomalies = 0;
    std::vector<std::string> files;  // every file written, by name
};

// Reads the run at `input` (a store directory or a history.edn) and writes index.html, the
// plots, messages.svg (when absent or millpond's own; lamport.svg beside a real Maelstrom
// messages.svg) and the anomaly diagrams into `output_directory` (created if needed). On
// failure returns false with one line in *error.
bool write_report(const std::string& input, const std::string& output_directory,
                  ReportSummary* summary, std::string* error);

// `millpond report STORE_DIR|HISTORY.edn [-o DIR]` (args exclude "report").
int run_report_command(const std::vector<std::string>& args, std::ostream& out,
                       std::ostream& err);

}  // namespace millpond::report
