#include "commands.hpp"

#include <filesystem>
#include <iostream>
#include <sstream>

#include "checkers/echo_checker.hpp"
#include "checkers/kafka_checker.hpp"
#include "checkers/maelstrom_repair.hpp"
#include "core/assert.hpp"
#include "core/echo/echo_node.hpp"
#include "core/kafka/backend.hpp"
#include "determinism.hpp"
#include "fingerprint.hpp"
#include "judged_run.hpp"
#include "report/report.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "store.hpp"
#include "swarm.hpp"
#include "workloads.hpp"

namespace millpond::sim {

NodeFactory node_factory_for(const RunOptions& options) {
    if (options.workload == "echo")
        return [](const NodeId&) -> std::unique_ptr<Node> { return std::make_unique<EchoNode>(); };
    kafka::BackendOptions backend;
    backend.backend = options.backend;
    backend.commit_kv = options.commit_kv == "seq" ? kafka::CommitKv::kSeq : kafka::CommitKv::kLin;
    return [backend](const NodeId&) -> std::unique_ptr<Node> {
        std::string error;
        auto node = kafka::make_backend(backend, &error);
        MP_ASSERT(node != nullptr);
        return node;
    };
}

namespace {

std::string join_nodes(const std::vector<NodeId>& nodes) {
    std::string out;
    for (const auto& id : nodes) out += (out.empty() ? "" : " ") + id;
    return out;
}

}  // namespace

int run_test_command(const std::vector<std::string>& args, std::uint64_t fresh_seed,
                     const std::string& run_id_stamp, std::ostream& out, std::ostream& err) {
    for (const auto& arg : args) {
        if (arg == "-h" || arg == "--help") {
            out << test_help();
            return 0;
        }
    }
    auto parsed = parse_test_args(args, fresh_seed);
    if (auto* problem = std::get_if<CliError>(&parsed)) {
        err << problem->message << "\n";
        return 254;
    }
    const TestCommand& command = std::get<TestCommand>(parsed);
    const RunOptions& options = command.run;
    // Options the workload cannot run with are bad arguments (254), caught before any run.
    std::string workload_error;
    if (!make_workload(options.workload, options, &workload_error)) {
        err << "millpond test: " << workload_error << "\n";
        return 254;
    }

    std::ostringstream console;
    auto say = [&](const std::string& line) {
        out << line << "\n";
        console << line << "\n";
    };
    say(repro_command(command));
    if (!command.scenario_title.empty())
        say("scenario: " + command.scenario_title +
            (command.scenario_expect == "any" ? "" : " (expects " + command.scenario_expect + ")"));
    // The swarm's draw, before the first event, in the words that would request it.
    if (!command.swarm_args.empty()) say(swarm_line(options.seed, command.swarm_args));
    if (!command.seed_given) say("seed " + std::to_string(options.seed) + " (fresh; pass --seed to replay)");

    JudgedRun judged = run_and_judge(options);
    RunOutcome& outcome = judged.outcome;
    const edn::Value& results = judged.results;
    std::optional<Divergence> divergence;
    if (command.check_determinism) {
        // A second run from scratch: it must share nothing with the first.
        divergence = first_divergence(outcome, run_and_judge(options).outcome);
        if (divergence) {
            say("determinism: the two runs of seed " + std::to_string(options.seed) +
                " diverge at " + divergence->where);
            say("  first run:  " + divergence->first);
            say("  second run: " + divergence->second);
        } else {
            say("determinism: two runs, identical journal, history and fingerprint");
        }
    }
    const std::string fingerprint = fingerprint_hex(outcome.fingerprint);

    say("workload: " + options.workload +
        (options.workload == "kafka" ? " (backend " + options.backend + ")" : "") +
        "  nodes: " + join_nodes(options.nodes) +
        "  concurrency: " + std::to_string(options.concurrency));
    std::istringstream summary(summarize(results));
    for (std::string line; std::getline(summary, line);) say(line);
    say("simulated " + std::to_string(outcome.end_time_us / 1000) + " ms, " +
        std::to_string(outcome.events_processed) + " events");
    if (!outcome.aborted.empty()) say("run aborted: " + outcome.aborted);

    StoredRun stored;
    stored.workload = options.workload;
    stored.run_id = run_id_stamp + "-s" + std::to_string(options.seed);
    stored.history = &outcome.history;
    stored.journal = &outcome.journal;
    stored.results = &results;
    stored.node_logs = std::move(outcome.node_logs);
    stored.test = {{"seed", options.seed},
                   {"fingerprint", fingerprint},
                   {"repro", repro_command(command)},
                   {"args", command.canonical_args},
                   {"events", outcome.events_processed},
                   {"end_time_us", outcome.end_time_us}};
    std::string directory;
    try {
        stored.console = console.str();
        directory = write_run(command.store_dir, stored);
    } catch (const std::exception& error) {
        err << "millpond test: " << error.what() << "\n";
        return 255;
    }
    say("store: " + directory);
    // The report (index.html, plots, messages.svg) is a convenience: failing to write it must
    // not lose the run.
    report::ReportSummary report;
    if (std::string report_error; !report::write_report(directory, directory, &report, &report_error))
        err << "millpond test: warning: no report (index.html): " << report_error << "\n";
    const edn::Value valid = *results.find("valid?");
    int code = outcome.aborted.empty() ? exit_code_for(valid) : 255;
    if (divergence && code == 0) code = 1;
    if (code != 0) say("repro: " + repro_command(command));
    say("seed: " + std::to_string(options.seed));
    say("fingerprint: " + fingerprint);
    say(verdict_line(valid));
    return code;
}

int run_check_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    std::string workload;
    std::string out_dir;
    std::string path;
    std::optional<double> availability;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&](const char* what) -> const std::string* {
            if (i + 1 >= args.size()) {
                err << "millpond check: " << arg << ": missing value (" << what << ")\n";
                return nullptr;
            }
            return &args[++i];
        };
        if (arg == "-h" || arg == "--help") {
            out << "Usage: millpond check -w echo|kafka [--out DIR] [--availability A] PATH/history.edn\n"
                   "Judges a history written by millpond or by real Maelstrom, prints the summary,\n"
                   "writes results.edn and results.json next to it (or into --out DIR) and exits\n"
                   "0 valid, 1 invalid, 2 unknown, 254 bad arguments or unreadable history.\n"
                   "Maelstrom 0.2.3 kafka histories lose the final phase; when history.txt sits\n"
                   "beside the file the values are restored from it, and the output says so.\n";
            return 0;
        }
        if (arg == "-w" || arg == "--workload") {
            const std::string* v = value("a workload name");
            if (!v) return 254;
            workload = *v;
        } else if (arg == "--out") {
            const std::string* v = value("a directory");
            if (!v) return 254;
            out_dir = *v;
        } else if (arg == "--availability") {
            const std::string* v = value("total or a fraction");
            if (!v) return 254;
            if (*v == "total") {
                availability = 1.0;
            } else {
                char* end = nullptr;
                double fraction = std::strtod(v->c_str(), &end);
                if (end == v->c_str() || *end != '\0' || fraction < 0 || fraction > 1) {
                    err << "millpond check: --availability: expected 'total' or a number in [0, 1], got '" << *v << "'\n";
                    return 254;
                }
                availability = fraction;
            }
        } else if (!arg.empty() && arg[0] == '-') {
            err << "millpond check: unknown option '" << arg << "'\n";
            return 254;
        } else if (path.empty()) {
            path = arg;
        } else {
            err << "millpond check: more than one history given ('" << path << "', '" << arg << "')\n";
            return 254;
        }
    }
    if (workload.empty()) {
        err << "millpond check: -w/--workload is required (echo or kafka)\n";
        return 254;
    }
    if (workload != "echo" && workload != "kafka") {
        err << "millpond check: -w/--workload: unknown workload '" << workload << "' (this millpond checks echo and kafka)\n";
        return 254;
    }
    if (path.empty()) {
        err << "millpond check: no history file given\n";
        return 254;
    }
    if (std::filesystem::is_directory(path)) path = (std::filesystem::path(path) / "history.edn").string();
    history::ReadError read_error;
    auto history = history::read_history(path, &read_error);
    if (!history) {
        if (read_error.line == 0)
            err << "millpond check: " << read_error.message << "\n";
        else
            err << "millpond check: " << path << ":" << read_error.line << ": " << read_error.message << "\n";
        return 254;
    }
    edn::Value workload_result;
    if (workload == "kafka") {
        checkers::RepairReport repair = checkers::repair_maelstrom_history(*history, path);
        if (!repair.note.empty()) out << "note: " << repair.note << "\n";
        workload_result = checkers::check_kafka(*history);
    } else {
        workload_result = checkers::check_echo(*history);
    }
    edn::Value results = compose_results(*history, nullptr, workload_result, availability, {});
    out << "checked " << path << " (" << history->size() << " ops) as " << workload << "\n";
    out << summarize(results);
    const std::string directory =
        out_dir.empty() ? std::filesystem::path(path).parent_path().string() : out_dir;
    try {
        std::filesystem::create_directories(directory.empty() ? "." : directory);
        write_results(directory.empty() ? "." : directory, results);
    } catch (const std::exception& error) {
        err << "millpond check: cannot write results into '" << directory << "': " << error.what() << "\n";
        return 255;
    }
    out << "results: " << (directory.empty() ? "." : directory) << "/results.edn\n";
    const edn::Value valid = *results.find("valid?");
    out << verdict_line(valid) << "\n";
    return exit_code_for(valid);
}

}  // namespace millpond::sim
