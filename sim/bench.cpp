#include "bench.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "checkers/history.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "core/assert.hpp"
#include "decimal_text.hpp"
#include "machine_check.hpp"
#include "output_file.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "sweep.hpp"
#include "under_valgrind.hpp"
#include "workloads.hpp"

namespace millpond::sim {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kJsonVersion = 1;
constexpr int kRepeatMax = 100;

// The targets of issue #7, each checked against the table.
constexpr double kTargetMessagesPerSecond = 1'000'000;  // owner, 5 nodes, bodies and checks in
constexpr double kTargetStandardRunMs = 100;            // owner, 2 nodes, simulated + checked
constexpr double kTargetMillionCheckMs = 10'000;        // a 10^6-op history checked
constexpr double kTargetMillionCheckMb = 2048;          // ... in at most 2 GB
constexpr double kTargetSweepSpeedup = 1.8;             // 2 jobs against 1
// "Linear": the cost's slope over the largest sizes is within this factor of its slope over
// the smallest (see targets_of).
constexpr double kLinearFactorMax = 1.5;
// A case stops repeating once its runs have taken this long: a guard against a case that has
// grown slow. Every case of the bench gets its 5 runs within it, the 10^6-op history (~7 s a
// run) included: with 3, one slow minute of this VM decided the linear-in-ops row.
constexpr double kRepeatBudgetS = 40;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU time of the calling thread: what a run costs whatever else the machine is doing (wall
// time also counts the waits for a core when other processes share it).
double thread_cpu_seconds() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

// Resident set size now, in MB (/proc/self/statm), or 0 when unreadable.
double rss_now_mb() {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    if (!(statm >> pages_total >> pages_resident)) return 0;
    return static_cast<double>(pages_resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) /
           (1024.0 * 1024.0);
}

// The peak resident set since the last reset_peak_rss(), in MB (VmHWM), or 0 when unreadable.
double rss_peak_mb() {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;  // kB
    }
    return 0;
}

// Linux resets VmHWM to the current RSS when "5" is written to clear_refs; false when refused.
bool reset_peak_rss() {
    std::ofstream clear_refs("/proc/self/clear_refs");
    clear_refs << "5";
    clear_refs.flush();
    return static_cast<bool>(clear_refs);
}

enum class CaseKind { kRun, kCheck, kSweep };

struct CaseSpec {
    std::string group;  // standard | nodes | history | sweep
    std::string name;
    CaseKind kind = CaseKind::kRun;
    std::vector<std::string> test_args;  // `millpond test` options, --seed included
    std::string repro;                   // the command that reproduces the case alone
    std::int64_t sweep_seeds = 0;
    std::int64_t sweep_jobs = 0;
};

std::vector<std::string> kafka_args(const std::string& backend, int nodes, double time_limit_s,
                                    std::uint64_t seed) {
    std::ostringstream limit;
    limit << time_limit_s;
    return {"-w",         "kafka",       "--backend", backend, "--node-count",
            std::to_string(nodes),       "--concurrency", "2n", "--time-limit",
            limit.str(),  "--rate",      "1000",      "--seed", std::to_string(seed)};
}

std::string join(const std::vector<std::string>& args) {
    std::string line;
    for (const auto& arg : args) line += (line.empty() ? "" : " ") + arg;
    return line;
}

RunOptions options_for(const std::vector<std::string>& args) {
    auto parsed = parse_test_args(args, 1);
    MP_ASSERT(std::holds_alternative<TestCommand>(parsed));
    RunOptions options = std::get<TestCommand>(parsed).run;
    // Sweeps and figures keep only message counts; so do the measured runs.
    options.journal_bodies = false;
    return options;
}

std::int64_t delivered_messages(const journal::Journal& journal) {
    std::int64_t delivered = 0;
    for (const auto& event : journal.events)
        if (event.kind == journal::EventKind::kRecv) ++delivered;
    return delivered;
}

// One simulated and checked run, timed in two parts as run_and_judge does them.
struct TimedRun {
    RunOutcome outcome;
    edn::Value results;
    double simulate_s = 0, simulate_cpu_s = 0, check_s = 0, check_cpu_s = 0;
};

TimedRun timed_run(const RunOptions& options) {
    std::string error;
    auto workload = make_workload(options.workload, options, &error);
    MP_ASSERT(workload != nullptr);
    TimedRun run;
    const auto started = Clock::now();
    const double cpu_started = thread_cpu_seconds();
    run.outcome = run_simulation(options, *workload, node_factory_for(options), service_names(),
                                 [](const std::string& name) { return make_service(name); });
    run.simulate_s = seconds_since(started);
    run.simulate_cpu_s = thread_cpu_seconds() - cpu_started;
    const auto check_started = Clock::now();
    const double check_cpu_started = thread_cpu_seconds();
    edn::Value workload_result = workload->check(run.outcome.history);
    run.results = compose_results(run.outcome.history, &run.outcome.journal, workload_result,
                                  options.availability, run.outcome.exceptions);
    run.check_s = seconds_since(check_started);
    run.check_cpu_s = thread_cpu_seconds() - check_cpu_started;
    return run;
}

// The machine check's time (machine_check.hpp), or nothing under valgrind.
std::optional<double> machine_check_ms() {
    if (running_under_valgrind()) return std::nullopt;
    return run_machine_check().wall_ms;
}

// Records the mean of the machine checks taken before and after a measured run.
void record_machine_check(json& record, std::optional<double> before_ms,
                          std::optional<double> after_ms) {
    if (before_ms && after_ms) record["machine_check_ms"] = (*before_ms + *after_ms) / 2;
}

// The case runs twice in its process, and the second run is the one measured. The first run
// in a fresh process also pays for mapping its memory: the kernel zeroes every page a run
// touches for the first time, and on this VM the host may have to back each page anew, which
// took from 5 to over 100 ms of a 70 ms run, minute by minute (perf: clear_page_erms under
// do_huge_pmd_anonymous_page). A sweep or a hunt pays that once per worker thread, not per
// run, so the second run is what each of its thousands of seeds costs. The first run's time is
// kept beside it (first_run_s), and a run that does not repeat itself bit for bit fails the case.
json measure_run(const CaseSpec& spec) {
    const RunOptions options = options_for(spec.test_args);
    double first_run_s = 0, first_run_cpu_s = 0;
    std::uint64_t first_fingerprint = 0;
    {
        TimedRun first = timed_run(options);
        first_run_s = first.simulate_s + first.check_s;
        first_run_cpu_s = first.simulate_cpu_s + first.check_cpu_s;
        first_fingerprint = first.outcome.fingerprint;
    }
    // The machine check just before and just after the measured run: how fast this core was
    // for it (machine_check.hpp). The first run's time is not in the check, nor it in the run.
    const std::optional<double> check_before_ms = machine_check_ms();
    TimedRun run = timed_run(options);
    const std::optional<double> check_after_ms = machine_check_ms();
    if (run.outcome.fingerprint != first_fingerprint)
        throw std::runtime_error("the case's second run did not repeat its first (fingerprint " +
                                 std::to_string(run.outcome.fingerprint) + " against " +
                                 std::to_string(first_fingerprint) + ")");
    const RunOutcome& outcome = run.outcome;
    const edn::Value& results = run.results;
    json record;
    record["valid"] = outcome.aborted.empty() && *results.find("valid?") == edn::Value(true);
    record["ops"] = static_cast<std::int64_t>(number_at(results, {"stats", "count"}));
    record["history_ops"] = static_cast<std::int64_t>(outcome.history.size());
    record["messages_delivered"] = delivered_messages(outcome.journal);
    record["events"] = outcome.events_processed;
    record["simulated_s"] = static_cast<double>(outcome.end_time_us) / 1e6;
    record["simulate_s"] = run.simulate_s;
    record["check_s"] = run.check_s;
    record["total_s"] = run.simulate_s + run.check_s;
    record["total_cpu_s"] = run.simulate_cpu_s + run.check_cpu_s;
    record["first_run_s"] = first_run_s;
    record["first_run_cpu_s"] = first_run_cpu_s;
    record_machine_check(record, check_before_ms, check_after_ms);
    return record;
}

// A history of the given size, made by the simulator, then only the checker timed.
json measure_check(const CaseSpec& spec) {
    const RunOptions options = options_for(spec.test_args);
    std::string error;
    auto workload = make_workload(options.workload, options, &error);
    MP_ASSERT(workload != nullptr);
    const auto started = Clock::now();
    RunOutcome outcome = run_simulation(options, *workload, node_factory_for(options),
                                        service_names(), [](const std::string& name) {
                                            return make_service(name);
                                        });
    const double generate_s = seconds_since(started);
    history::History history = std::move(outcome.history);
    outcome = RunOutcome{};  // the journal is not the checker's: free it before measuring
    ::malloc_trim(0);
    double check_peak_mb = 0;
    const double rss_history_mb = rss_now_mb();
    const bool peak_reset = reset_peak_rss();
    const std::optional<double> check_before_ms = machine_check_ms();
    const auto check_started = Clock::now();
    const double check_cpu_started = thread_cpu_seconds();
    edn::Value result = workload->check(history);
    const double check_s = seconds_since(check_started);
    const double check_cpu_s = thread_cpu_seconds() - check_cpu_started;
    const std::optional<double> check_after_ms = machine_check_ms();
    // Generating the history (the simulator's journal) may have peaked higher than checking.
    if (peak_reset) check_peak_mb = rss_peak_mb();
    std::int64_t ops = 0;
    for (const auto& op : history)
        if (op.is_client() && op.type != history::OpType::kInvoke) ++ops;
    json record;
    record["valid"] = *result.find("valid?") == edn::Value(true);
    record["ops"] = ops;
    record["history_ops"] = static_cast<std::int64_t>(history.size());
    record["generate_s"] = generate_s;
    record["check_s"] = check_s;
    record["total_s"] = check_s;
    record["total_cpu_s"] = check_cpu_s;
    record["rss_with_history_mb"] = rss_history_mb;
    record_machine_check(record, check_before_ms, check_after_ms);
    if (check_peak_mb > 0) record["check_peak_mb"] = check_peak_mb;
    return record;
}

json measure_sweep(const CaseSpec& spec) {
    std::vector<std::string> args(spec.test_args.begin(), spec.test_args.end() - 2);  // no --seed
    args.insert(args.end(), {"--seeds", "1.." + std::to_string(spec.sweep_seeds), "--jobs",
                             std::to_string(spec.sweep_jobs)});
    std::ostringstream out, err;
    const auto started = Clock::now();
    const int code = run_sweep_command(args, out, err, false);
    const double total_s = seconds_since(started);
    json record;
    record["valid"] = code == 0;
    record["runs"] = spec.sweep_seeds;
    record["jobs"] = spec.sweep_jobs;
    record["total_s"] = total_s;
    return record;
}

json measure(const CaseSpec& spec) {
    switch (spec.kind) {
        case CaseKind::kRun:
            return measure_run(spec);
        case CaseKind::kCheck:
            return measure_check(spec);
        case CaseKind::kSweep:
            return measure_sweep(spec);
    }
    return json();
}

// Runs the case in a forked child so that the child's ru_maxrss is the case's own peak; the
// child sends its record back as one JSON text over a pipe. Nullopt with *problem on a crash.
std::optional<json> measure_in_child(const CaseSpec& spec, std::string* problem) {
    int fds[2];
    if (::pipe(fds) != 0) {
        *problem = "pipe failed";
        return std::nullopt;
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        *problem = "fork failed";
        return std::nullopt;
    }
    if (pid == 0) {
        ::close(fds[0]);
        int code = 0;
        std::string text;
        try {
            text = measure(spec).dump();
        } catch (const std::exception& error) {
            text = json{{"error", error.what()}}.dump();
            code = 1;
        }
        std::size_t written = 0;
        while (written < text.size()) {
            const ssize_t n = ::write(fds[1], text.data() + written, text.size() - written);
            if (n <= 0) break;
            written += static_cast<std::size_t>(n);
        }
        ::close(fds[1]);
        ::_exit(code);
    }
    ::close(fds[1]);
    std::string text;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    struct rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    if (!WIFEXITED(status) || text.empty()) {
        *problem = "the case's process died" +
                   (WIFSIGNALED(status) ? " (signal " + std::to_string(WTERMSIG(status)) + ")"
                                        : std::string());
        return std::nullopt;
    }
    json record = json::parse(text, nullptr, false);
    if (record.is_discarded() || record.contains("error")) {
        *problem = record.is_discarded() ? "unreadable result" : record["error"].get<std::string>();
        return std::nullopt;
    }
    record["peak_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: KB
    // CPU time of the whole child (all its threads): against wall time it shows how much of a
    // sweep's parallelism the machine's load left it.
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    record["cpu_s"] = seconds(usage.ru_utime) + seconds(usage.ru_stime);
    return record;
}

std::vector<CaseSpec> plan(bool quick) {
    std::vector<CaseSpec> cases;
    auto run_case = [&](std::string group, std::string name, std::vector<std::string> args) {
        CaseSpec spec;
        spec.group = std::move(group);
        spec.name = std::move(name);
        spec.kind = CaseKind::kRun;
        spec.repro = "millpond bench --case '" + spec.name + "'";
        spec.test_args = std::move(args);
        cases.push_back(std::move(spec));
    };
    // The standard kafka test (Artemis's settings): memory on 1 node, the others on 2.
    run_case("standard", "memory", kafka_args("memory", 1, 20, 1));
    run_case("standard", "kv", kafka_args("kv", 2, 20, 1));
    run_case("standard", "owner", kafka_args("owner", 2, 20, 1));
    // Growth with node count: owner at the same client load.
    for (int nodes : {3, 5, 9, 25}) {
        if (quick && nodes > 9) continue;
        run_case("nodes", "owner " + std::to_string(nodes) + " nodes",
                 kafka_args("owner", nodes, 20, 1));
    }
    // Growth with history length: memory on 1 node completes about --rate ops per simulated
    // second (20,002 in the standard test's 20 s).
    for (std::int64_t ops : {10'000LL, 100'000LL, 1'000'000LL}) {
        if (quick && ops > 100'000) continue;
        CaseSpec spec;
        spec.group = "history";
        spec.name = "check 10^" + std::to_string(static_cast<int>(std::lround(std::log10(ops)))) +
                    " ops";
        spec.kind = CaseKind::kCheck;
        const double time_limit_s = std::ceil(static_cast<double>(ops) / 1000.0);
        spec.test_args = kafka_args("memory", 1, time_limit_s, 1);
        spec.repro = "millpond bench --case '" + spec.name + "'";
        cases.push_back(std::move(spec));
    }
    // A sweep over 1 and 2 jobs.
    // Runs are shared out one at a time, so the last one may run alone: 40 runs keep that
    // tail (half a run on average) near 2 % of the 2-job sweep's wall time.
    const std::int64_t seeds = quick ? 6 : 40;
    for (std::int64_t jobs : {1, 2}) {
        CaseSpec spec;
        spec.group = "sweep";
        spec.name = "sweep owner x" + std::to_string(seeds) + ", " + std::to_string(jobs) +
                    (jobs == 1 ? " job" : " jobs");
        spec.kind = CaseKind::kSweep;
        spec.test_args = kafka_args("owner", 2, 20, 1);
        spec.sweep_seeds = seeds;
        spec.sweep_jobs = jobs;
        spec.repro = "millpond sweep " + join({spec.test_args.begin(), spec.test_args.end() - 2}) +
                     " --seeds 1.." + std::to_string(seeds) + " --jobs " + std::to_string(jobs);
        cases.push_back(std::move(spec));
    }
    return cases;
}

double number(const json& record, const char* key) {
    auto it = record.find(key);
    return it != record.end() && it->is_number() ? it->get<double>() : 0.0;
}

// Derived figures of one measured case.
void derive(json& record) {
    const double total_s = number(record, "total_s");
    if (record.contains("messages_delivered") && total_s > 0) {
        record["messages_per_s"] = number(record, "messages_delivered") / total_s;
        record["messages_per_s_simulate_only"] =
            number(record, "messages_delivered") / std::max(1e-9, number(record, "simulate_s"));
        record["simulated_s_per_wall_s"] = number(record, "simulated_s") / total_s;
        record["runs_per_s"] = 1.0 / total_s;
        record["ns_per_message"] = total_s * 1e9 / std::max(1.0, number(record, "messages_delivered"));
    }
    if (record.contains("ops") && number(record, "check_s") > 0)
        record["checked_ops_per_s"] = number(record, "ops") / number(record, "check_s");
    if (record.contains("ops") && number(record, "ops") > 0)
        record["ns_per_op"] = total_s * 1e9 / number(record, "ops");
}

std::string si(double value) {
    if (value >= 1e6) return fixed(value / 1e6, 2) + " M";
    if (value >= 1e3) return fixed(value / 1e3, 1) + " k";
    return fixed(value, 0);
}

// "; machine check N ms" for a target's figure, when the run had one.
std::string machine_check_note(const json& record) {
    if (!record.contains("machine_check_ms")) return "";
    return "; machine check " + fixed(number(record, "machine_check_ms"), 1) + " ms";
}

json targets_of(const json& cases) {
    json targets = json::array();
    auto find = [&](const std::string& name) -> const json* {
        for (const auto& c : cases)
            if (c["name"] == name && c.contains("result")) return &c["result"];
        return nullptr;
    };
    auto add = [&](std::string what, std::string target, std::optional<double> value,
                   std::string shown, bool met) {
        json t;
        t["target"] = std::move(what);
        t["wanted"] = std::move(target);
        t["measured"] = value ? json(*value) : json(nullptr);
        t["shown"] = value || !shown.empty() ? std::move(shown) : std::string("not measured");
        t["met"] = value ? json(met) : json(nullptr);
        targets.push_back(std::move(t));
    };
    if (const json* r = find("owner 5 nodes")) {
        const double v = number(*r, "messages_per_s");
        const double v_cpu = number(*r, "messages_delivered") /
                             std::max(1e-9, number(*r, "total_cpu_s"));
        const double v_first = number(*r, "messages_delivered") /
                               std::max(1e-9, number(*r, "first_run_s"));
        add("delivered msgs/s, owner 5 nodes, bodies and checks included", ">= 1,000,000", v,
            si(v) + "/s (per CPU second: " + si(v_cpu) + "/s; first run in its process: " +
                si(v_first) + "/s" + machine_check_note(*r) + ")",
            v >= kTargetMessagesPerSecond);
    } else {
        add("delivered msgs/s, owner 5 nodes, bodies and checks included", ">= 1,000,000",
            std::nullopt, "", false);
    }
    if (const json* r = find("owner")) {
        const double v = number(*r, "total_s") * 1000;
        add("standard kafka test (owner, 2 nodes) simulated + checked", "<= 100 ms", v,
            fixed(v, 1) + " ms (CPU " + fixed(number(*r, "total_cpu_s") * 1000, 1) +
                " ms; first run in its process: " + fixed(number(*r, "first_run_s") * 1000, 1) +
                " ms" + machine_check_note(*r) + ")",
            v <= kTargetStandardRunMs);
    }
    if (const json* r = find("check 10^6 ops")) {
        const double v = number(*r, "check_s") * 1000;
        add("10^6-op kafka history checked", "<= 10 s", v,
            fixed(v / 1000, 2) + " s (CPU " + fixed(number(*r, "total_cpu_s"), 2) + " s)",
            v <= kTargetMillionCheckMs);
        const double mb = r->contains("check_peak_mb") ? number(*r, "check_peak_mb")
                                                        : number(*r, "peak_mb");
        add("... peak memory while checking (history + checker)", "<= 2048 MB", mb, fixed(mb, 0) + " MB",
            mb <= kTargetMillionCheckMb);
    } else {
        add("10^6-op kafka history checked", "<= 10 s", std::nullopt, "", false);
    }
    {
        const json* one = nullptr;
        const json* two = nullptr;
        for (const auto& c : cases) {
            if (c["group"] != "sweep" || !c.contains("result")) continue;
            (c["jobs"] == 1 ? one : two) = &c["result"];
        }
        if (one && two) {
            const double v = number(*one, "total_s") / std::max(1e-9, number(*two, "total_s"));
            // Cores the 2-job sweep actually had (CPU time over wall time): on a loaded
            // machine the speedup cannot exceed it, whatever the code does.
            const double cores = number(*two, "cpu_s") / std::max(1e-9, number(*two, "total_s"));
            add("sweep speedup, 2 jobs over 1", ">= 1.8x", v,
                fixed(v, 2) + "x (the 2 jobs got " + fixed(cores, 2) + " cores)",
                v >= kTargetSweepSpeedup);
        }
    }
    // Linear growth. A cost c(x) = a + b*x rises by the same amount per unit everywhere, so
    // the test is the slope over the upper half of the sizes against the lower half's: 1 for a
    // straight line, about 1.2 for x log x over 10^4..10^6 ops, 10 for x^2. Cost per unit,
    // c(x)/x, is shown beside it; it also moves with the fixed part a and, for histories, with
    // the step where the data outgrows the cache.
    auto linearity = [&](const std::string& group, const std::string& size_key,
                         const std::string& cost_key, std::string what, std::string unit) {
        std::vector<std::pair<double, double>> points;  // (size, cost), in plan order
        for (const auto& c : cases) {
            if (c["group"] != group || !c.contains("result")) continue;
            const json& r = c["result"];
            const double size = size_key == "nodes" ? c["nodes"].get<double>() : number(r, size_key.c_str());
            points.emplace_back(size, number(r, cost_key.c_str()));
        }
        if (points.size() < 3) {
            add(std::move(what), "<= " + fixed(kLinearFactorMax, 1) + "x", std::nullopt, "", false);
            return;
        }
        const std::optional<double> v = slope_ratio(points);
        if (!v) {
            // Name the half whose cost fell: the lower one if it did, else the upper one.
            const auto& middle = points[points.size() / 2];
            const bool lower_fell = middle.second <= points.front().second;
            const auto& from = lower_fell ? points.front() : middle;
            const auto& to = lower_fell ? middle : points.back();
            add(std::move(what), "<= " + fixed(kLinearFactorMax, 1) + "x", std::nullopt,
                "no verdict: cost fell from " + fixed(from.second * 1000, 1) + " ms at " +
                    fixed(from.first, 0) + " to " + fixed(to.second * 1000, 1) + " ms at " +
                    fixed(to.first, 0) + " (a slow run; measure again)",
                false);
            return;
        }
        const double per_unit = (points.back().second / points.back().first) /
                                std::max(1e-15, points.front().second / points.front().first);
        add(std::move(what), "<= " + fixed(kLinearFactorMax, 1) + "x", *v,
            fixed(*v, 2) + "x (" + unit + ": " + fixed(per_unit, 2) + "x)", *v <= kLinearFactorMax);
    };
    linearity("history", "ops", "check_s",
              "linear in ops: check time, slope of the upper half / the lower half's",
              "time per op, largest / smallest");
    linearity("nodes", "nodes", "total_s",
              "linear in nodes: run time, slope of the upper half / the lower half's",
              "time per node, most / fewest");
    return targets;
}

// The case table's columns, in order: the header, its rule and a failed case's empty cells are
// all made from this list, so a new column cannot leave one of them a cell short.
constexpr const char* kCaseColumns[] = {
    "case",          "nodes",  "ops",          "msgs delivered",  "simulate ms", "check ms",
    "total ms",      "CPU ms", "first run ms", "runs/s",          "msgs/s",      "sim s / wall s",
    "checked ops/s", "ns/op",  "peak MB",      "machine check ms"};

}  // namespace

std::string render_bench_report(const json& report) {
    std::ostringstream out;
    out << "|";
    for (const char* column : kCaseColumns) out << " " << column << " |";
    out << "\n|";
    for (std::size_t i = 0; i < std::size(kCaseColumns); ++i) out << "---|";
    out << "\n";
    auto cell = [](const json& r, const char* key, int digits) -> std::string {
        auto it = r.find(key);
        if (it == r.end() || !it->is_number()) return "";
        return fixed(it->get<double>(), digits);
    };
    for (const auto& c : report["cases"]) {
        if (c["group"] == "sweep") continue;
        out << "| " << c["name"].get<std::string>() << " | " << c["nodes"].get<int>() << " | ";
        if (!c.contains("result")) {
            // The case and nodes cells are written; the problem fills the third, and the rest
            // stay empty.
            out << "failed: " << c.value("problem", std::string()) << " |";
            for (std::size_t i = 3; i < std::size(kCaseColumns); ++i) out << "|";
            out << "\n";
            continue;
        }
        const json& r = c["result"];
        out << cell(r, "ops", 0) << " | " << cell(r, "messages_delivered", 0) << " | "
            << (r.contains("simulate_s") ? fixed(number(r, "simulate_s") * 1000, 1)
                                         : "(" + fixed(number(r, "generate_s") * 1000, 0) + ")")
            << " | " << fixed(number(r, "check_s") * 1000, 1) << " | "
            << fixed(number(r, "total_s") * 1000, 1) << " | "
            << fixed(number(r, "total_cpu_s") * 1000, 1) << " | "
            << (r.contains("first_run_s") ? fixed(number(r, "first_run_s") * 1000, 1) : "")
            << " | " << cell(r, "runs_per_s", 1)
            << " | " << (r.contains("messages_per_s") ? si(number(r, "messages_per_s")) : "")
            << " | "
            << cell(r, "simulated_s_per_wall_s", 0) << " | "
            << (r.contains("checked_ops_per_s") ? si(number(r, "checked_ops_per_s")) : "")
            << " | " << cell(r, "ns_per_op", 0) << " | "
            << (r.contains("check_peak_mb") ? cell(r, "peak_mb", 0) + " (check " +
                                                  cell(r, "check_peak_mb", 0) + ")"
                                            : cell(r, "peak_mb", 0))
            << " | " << cell(r, "machine_check_ms", 1) << " |\n";
    }
    bool sweep_header = false;  // no sweep table when no sweep was measured
    for (const auto& c : report["cases"]) {
        if (c["group"] != "sweep" || !c.contains("result")) continue;
        if (!sweep_header)
            out << "\n| sweep | runs | jobs | wall s | runs/s | CPU s | peak MB |\n"
                   "|---|---|---|---|---|---|---|\n";
        sweep_header = true;
        const json& r = c["result"];
        out << "| " << c["name"].get<std::string>() << " | " << number(r, "runs") << " | "
            << number(r, "jobs") << " | " << fixed(number(r, "total_s"), 2) << " | "
            << fixed(number(r, "runs") / std::max(1e-9, number(r, "total_s")), 1) << " | "
            << fixed(number(r, "cpu_s"), 2) << " | " << fixed(number(r, "peak_mb"), 0) << " |\n";
    }
    out << "\n| target | wanted | measured | met |\n|---|---|---|---|\n";
    for (const auto& t : report["targets"]) {
        out << "| " << t["target"].get<std::string>() << " | " << t["wanted"].get<std::string>()
            << " | " << t["shown"].get<std::string>() << " | "
            << (t["met"].is_null() ? "-" : t["met"].get<bool>() ? "yes" : "NO") << " |\n";
    }
    out << "\nEach row is the best (lowest wall time) of up to " << report["repeat"].get<int>()
        << " runs, taken in turns with the other cases (a case stops repeating once its runs "
           "have taken "
        << fixed(kRepeatBudgetS, 0)
        << " s), each in its own process (peak MB is that process's ru_maxrss). A simulated case "
           "runs twice in its process and the second run is measured, as every run of a sweep "
           "after its first; first run ms is the first, which also pays the kernel for the "
           "memory it touches first (page faults). "
        << "CPU ms is the measuring thread's CPU time for the same work: on an idle machine wall "
           "time comes close to it; with other processes on the cores wall time also counts the "
           "waits. Load average before/after: "
        << report["load_before"].get<std::string>() << " / "
        << report["load_after"].get<std::string>() << " on " << report["cores"].get<int>()
        << " cores; allocator: " << report["allocator"].get<std::string>()
        << "; build: " << report.value("build", std::string("unknown")) << ".\n";
    out << "Machine check ms: a fixed loop of integer work timed just before and just after the "
           "measured run, in its process (mean of the two). Lower is faster; it slows when "
           "another thread takes a share of the core, by more or less than a run does (that "
           "varies), so rows and benches can be compared knowing how fast the core was.\n";
    out << "Rows: standard = `--concurrency 2n --time-limit 20 --rate 1000 --seed 1`, memory on 1 "
           "node, kv and owner on 2; nodes = owner at the same load; history = a history made by "
           "memory on 1 node at --rate 1000 (simulate column in parentheses), then check_kafka "
           "alone timed.\n";
    out << "One row alone: millpond bench --case 'NAME' (NAME from the first column); the JSON "
           "holds each case's `millpond test` options.\n";
    return out.str();
}

namespace {

// mimalloc's entry point, present only when the program was linked with it (CMakeLists.txt
// links it into `millpond` outside sanitizer builds): the table says which allocator it
// measured, since a quarter of a run's instructions under glibc's malloc were malloc/free.
extern "C" int mi_version(void) __attribute__((weak));

std::string allocator_name() {
    if (mi_version == nullptr) return "glibc malloc";
    const int version = mi_version();
    return "mimalloc " + std::to_string(version / 100) + "." + std::to_string(version / 10 % 10) +
           "." + std::to_string(version % 10);
}

// How this binary was compiled (CMakeLists.txt defines both): the table's figures depend on it.
std::string build_name() {
#if defined(MILLPOND_BUILD_TYPE) && defined(MILLPOND_BUILD_PGO)
    const std::string type = MILLPOND_BUILD_TYPE;
    const std::string pgo = MILLPOND_BUILD_PGO;
    std::string name = type.empty() ? "default flags" : type;
    if (pgo == "USE") name += ", profile-guided and link-time optimised";
    if (pgo == "GENERATE") name += ", instrumented for profiling (slow)";
    return name;
#else
    return "unknown";
#endif
}

std::string load_average() {
    double loads[3] = {0, 0, 0};
    if (::getloadavg(loads, 3) < 3) return "unknown";
    return fixed(loads[0], 2) + " " + fixed(loads[1], 2) + " " + fixed(loads[2], 2);
}

std::string bench_help() {
    return R"(Usage: millpond bench [--quick] [--repeat N] [--case NAME]... [--json [FILE]]

Measures the simulator and the kafka checker and prints a Markdown table (the README's):
  standard  the standard kafka test (--concurrency 2n --time-limit 20 --rate 1000 --seed 1),
            memory on 1 node, kv and owner on 2: simulate and check times, runs/s
  nodes     owner on 3, 5, 9 and 25 nodes at the same load: delivered messages per wall
            second (bodies and checks included), simulated seconds per wall second
  history   kafka histories of 10^4, 10^5 and 10^6 ops (made by the simulator), checked:
            ops checked per second and peak memory
  sweep     the standard owner test over 40 seeds with --jobs 1 and --jobs 2
and then every target of issue #7, met or not. Each case runs in its own forked process;
peak MB is that process's ru_maxrss. A simulated case runs twice there and the second run is
measured, as every run of a sweep after its first ("first run ms" is the first: it also pays
for the page faults of a fresh process). Wall-clock figures depend on the machine, its load
(the load average is printed) and what shares its cores: a fixed loop of integer work is timed
just before and after each measured run ("machine check ms"), to compare benches by.

  --quick        a subset in under a minute: no 25 nodes, no 10^6-op history, 6 sweep seeds
  --repeat N     run each case up to N times and keep the fastest (default: 5; --quick: 3),
                 in rounds that take every case in turn; a case stops repeating once its
                 runs have taken 40 s
  --case NAME    only the case named NAME (as in the table's first column, e.g. "owner 5
                 nodes") or the cases of a group (standard, nodes, history, sweep); repeatable
  --json [FILE]  write the same figures as JSON to FILE, or to stdout instead of the table
Exit codes: 0 measured (targets met or not), 254 bad arguments (a --json FILE that cannot be
written is found before measuring), 255 a case crashed or the JSON could not be written.
)";
}

}  // namespace

std::optional<double> slope_ratio(const std::vector<std::pair<double, double>>& points) {
    MP_ASSERT_GE(points.size(), 3u);
    // Two wide intervals, smallest to middle and middle to largest: a narrow first interval
    // (3 to 5 nodes) lets one noisy run swing its slope several-fold.
    auto slope = [&](std::size_t from, std::size_t to) {
        MP_ASSERT_GT(points[to].first, points[from].first);
        return (points[to].second - points[from].second) / (points[to].first - points[from].first);
    };
    const std::size_t middle = points.size() / 2;
    const double first = slope(0, middle);
    const double last = slope(middle, points.size() - 1);
    // A cost that fell over either half is noise (a slow run of a smaller case), not a curve:
    // a fall over the upper half once read as a ratio of -0.05, "linear: yes".
    if (first <= 0 || last < 0) return std::nullopt;
    return last / first;
}

int run_bench_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    bool quick = false;
    std::optional<int> repeat;
    bool json_wanted = false;
    std::string json_file;
    std::vector<std::string> case_filters;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "-h" || arg == "--help") {
            out << bench_help();
            return 0;
        } else if (arg == "--quick") {
            quick = true;
        } else if (arg == "--repeat") {
            int n = 0;
            const std::string text = i + 1 < args.size() ? args[++i] : "";
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
            if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < 1 ||
                n > kRepeatMax) {
                err << "millpond bench: --repeat: expected an integer from 1 to " << kRepeatMax
                    << ", got '" << text << "'\n";
                return 254;
            }
            repeat = n;
        } else if (arg == "--case") {
            if (i + 1 >= args.size() || args[i + 1].empty()) {
                err << "millpond bench: --case: missing value (part of a case name)\n";
                return 254;
            }
            case_filters.push_back(args[++i]);
        } else if (arg == "--json") {
            json_wanted = true;
            if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) json_file = args[++i];
        } else {
            err << "millpond bench: unknown option '" << arg << "' (see millpond bench --help)\n";
            return 254;
        }
    }
    if (json_wanted && !json_file.empty()) {
        if (auto problem = output_file_problem(json_file); !problem.empty()) {
            err << "millpond bench: --json: " << problem << "\n";
            return 254;
        }
    }
    const int repeats = repeat.value_or(quick ? 3 : 5);

    json report;
    report["version"] = kJsonVersion;
    report["quick"] = quick;
    report["repeat"] = repeats;
    report["load_before"] = load_average();
    report["cores"] = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    report["allocator"] = allocator_name();
    report["build"] = build_name();
    report["cases"] = json::array();
    bool crashed = false;
    std::vector<CaseSpec> cases;
    for (CaseSpec& spec : plan(quick)) {
        bool wanted = case_filters.empty();
        for (const auto& filter : case_filters)
            wanted = wanted || spec.name == filter || spec.group == filter;
        if (wanted) cases.push_back(std::move(spec));
    }
    if (cases.empty()) {
        err << "millpond bench: --case matches no case (names are in the table; groups: "
               "standard, nodes, history, sweep)\n";
        return 254;
    }
    // The cases take turns: round k measures every case once more. This VM has slow spells of
    // tens of seconds that slow every process at once; measured case after case, a spell
    // could cover all of one case's runs and none of the next one's, and the rows compared
    // for linearity would then disagree by the spell, not by their cost.
    struct CaseRuns {
        json c;
        std::optional<json> best;
        double peak_mb = 0;
        int runs = 0;
        double spent_s = 0;  // this case's own runs, for kRepeatBudgetS
        bool done = false;
    };
    std::vector<CaseRuns> all(cases.size());
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const CaseSpec& spec = cases[i];
        json& c = all[i].c;
        c["group"] = spec.group;
        c["name"] = spec.name;
        c["repro"] = spec.repro;
        c["test_args"] = spec.test_args;
        c["nodes"] = std::stoi(spec.test_args[5]);
        if (spec.kind == CaseKind::kSweep) c["jobs"] = spec.sweep_jobs;
    }
    for (int r = 0; r < repeats; ++r) {
        err << "bench: round " << r + 1 << " of " << repeats << ":" << std::flush;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            CaseRuns& runs = all[i];
            // More tries of the short cases, and no more than kRepeatBudgetS of retrying for
            // the long ones.
            if (runs.done || (r > 0 && runs.spent_s > kRepeatBudgetS)) continue;
            ++runs.runs;
            std::string problem;
            const auto started = Clock::now();
            auto record = measure_in_child(cases[i], &problem);
            runs.spent_s += seconds_since(started);
            if (!record) {
                runs.c["problem"] = problem;
                runs.done = true;
                crashed = true;
                err << " " << cases[i].name << " failed;";
                continue;
            }
            err << " " << cases[i].name << " " << fixed(number(*record, "total_s") * 1000, 1)
                << " ms;" << std::flush;
            runs.peak_mb = std::max(runs.peak_mb, number(*record, "peak_mb"));
            if (!runs.best || number(*record, "total_s") < number(*runs.best, "total_s"))
                runs.best = record;
        }
        err << "\n";
    }
    for (CaseRuns& runs : all) {
        json& c = runs.c;
        if (runs.best && !c.contains("problem")) {
            (*runs.best)["peak_mb"] = runs.peak_mb;
            (*runs.best)["runs_measured"] = runs.runs;
            derive(*runs.best);
            c["result"] = *runs.best;
        } else {
            err << "bench: " << c["name"].get<std::string>()
                << " failed: " << c.value("problem", std::string()) << "\n";
        }
        report["cases"].push_back(std::move(c));
    }
    report["load_after"] = load_average();
    report["targets"] = targets_of(report["cases"]);

    if (json_wanted && json_file.empty()) {
        out << report.dump(2) << "\n";
    } else {
        out << render_bench_report(report);
        if (json_wanted) {
            std::string problem;
            if (!write_file_atomically(json_file, report.dump(2) + "\n", &problem)) {
                err << "millpond bench: --json: " << problem << "\n";
                return 255;
            }
        }
    }
    return crashed ? 255 : 0;
}

}  // namespace millpond::sim
