#include "sweep.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <sstream>
#include <thread>

#include "checkers/history.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "core/assert.hpp"
#include "decimal_text.hpp"
#include "fingerprint.hpp"
#include "judged_run.hpp"
#include "output_file.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {

namespace {

// Put a limit on everything: a sweep keeps one record per seed in memory.
constexpr std::uint64_t kSeedsMax = 10'000'000;
constexpr std::uint64_t kJobsMax = 1024;
constexpr std::size_t kFailingListedMax = 50;
constexpr int kJsonVersion = 1;

using json = nlohmann::json;

std::string ms(std::int64_t us) { return fixed(static_cast<double>(us) / 1000.0, 1); }


std::optional<std::uint64_t> parse_uint(const std::string& text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The anomaly counts as the run summary counts them: each error type's :count, and for
// :unseen (shaped {:unseen {key count}}) the sum over keys.
std::map<std::string, std::int64_t> anomalies_of(const edn::Value& workload_result) {
    std::map<std::string, std::int64_t> anomalies;
    const edn::Value* types = workload_result.find("error-types");
    if (!types || !types->is_sequential()) return anomalies;
    for (const auto& type : types->items())
        anomalies[type.as_string()] += anomaly_count(workload_result, type);
    return anomalies;
}

// One seed, exactly as `millpond test <options> --seed <seed>` simulates it, minus the store.
SeedRecord run_seed(const std::vector<std::string>& options, std::uint64_t seed,
                    const std::string& expected_repro) {
    std::vector<std::string> args = options;
    args.insert(args.end(), {"--seed", std::to_string(seed)});
    auto parsed = parse_test_args(args, seed);
    MP_ASSERT(std::holds_alternative<TestCommand>(parsed));
    const TestCommand& command = std::get<TestCommand>(parsed);
    // The repro line printed for a failing seed must replay this very run.
    MP_ASSERT_EQ(repro_command(command), expected_repro);
    RunOptions run = command.run;
    run.journal_bodies = false;
    // A scenario file may ask for logs; a sweep's threads must not interleave them.
    run.log_stderr = run.log_net_send = run.log_net_recv = false;
    JudgedRun judged = run_and_judge(run);
    const RunOutcome& outcome = judged.outcome;
    const edn::Value& results = judged.results;

    SeedRecord record;
    record.seed = seed;
    record.aborted = outcome.aborted;
    if (!outcome.aborted.empty()) {
        record.verdict = "aborted";
    } else {
        const int code = exit_code_for(*results.find("valid?"));
        record.verdict = code == 0 ? "valid" : code == 1 ? "invalid" : "unknown";
    }
    record.anomalies = anomalies_of(judged.workload_result);
    record.msgs_per_op_all = number_at(results, {"net", "all", "msgs-per-op"});
    record.msgs_per_op_servers = number_at(results, {"net", "servers", "msgs-per-op"});
    record.ok_fraction = number_at(results, {"availability", "ok-fraction"});
    record.ops = static_cast<std::int64_t>(number_at(results, {"stats", "count"}));
    record.fingerprint = fingerprint_hex(outcome.fingerprint);
    for (Instant latency_us : ok_latencies_us(outcome.history)) record.latency.add(latency_us);
    return record;
}

std::string join_args(const std::vector<std::string>& args) {
    std::string line;
    for (const auto& arg : args) line += (line.empty() ? "" : " ") + arg;
    return line;
}

// "A..B" with A <= B and a range of at most kSeedsMax seeds.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_range(const std::string& text,
                                                                   std::string* problem) {
    const auto dots = text.find("..");
    std::optional<std::uint64_t> first, last;
    if (dots != std::string::npos) {
        first = parse_uint(text.substr(0, dots));
        last = parse_uint(text.substr(dots + 2));
    }
    if (!first || !last) {
        *problem = "expected A..B (unsigned integers), got '" + text + "'";
        return std::nullopt;
    }
    if (*first > *last) {
        *problem = "the range " + text + " is empty (A must not exceed B)";
        return std::nullopt;
    }
    if (*last - *first >= kSeedsMax) {
        *problem = "the range " + text + " holds more than " + std::to_string(kSeedsMax) + " seeds";
        return std::nullopt;
    }
    return std::make_pair(*first, *last);
}

std::string sweep_help() {
    return R"(Usage: millpond sweep [FILE.json] [millpond test options] --seeds A..B [--jobs N]
                      [--fail-fast] [--shard K/N] [--json FILE]

Runs `millpond test <options> --seed S` for every seed S of A..B (nothing is written to the
store), spread over N threads (default: the hardware's), and prints one table: verdict and
anomaly counts, every failing seed with its repro line, msgs-per-op and availability (means
over runs), ok-op latency quantiles over all runs, total ops. The table is the same whatever
--jobs and sharding were.

  --seeds A..B     the seed range, inclusive
  --jobs N         worker threads (default: hardware concurrency)
  --fail-fast      stop launching runs after the first run that is not valid; the table then
                   covers the seeds from A up to the first failing one
  --shard K/N      run only the seeds S with (S - A) mod N == K - 1 (K from 1 to N)
  --json FILE      also write the table and one record per seed as JSON (for millpond merge);
                   a FILE that cannot be written is refused before the first run

All `millpond test` options but --seed, --store and the --log-* flags apply, and a scenario
file first (its options, overridden by the command line's). With --swarm each seed draws its
own fault mix; a failing seed's repro line (--swarm --seed S) prints its mix when replayed.
Exit codes: 0 every run valid, 1 otherwise, 254 bad arguments.
)";
}

std::string merge_help() {
    return R"(Usage: millpond merge FILE.json... [--json OUT]

Combines the JSON files of `millpond sweep --shard K/N --json FILE` runs into the table (and
exit code) one unsharded sweep would print; --json writes the merged JSON. Refuses files from
different option sets or seed ranges, and files whose seeds overlap.
Exit codes: 0 every run valid, 1 otherwise, 254 bad arguments or unreadable input.
)";
}

}  // namespace

// ---- LatencyHistogram ----------------------------------------------------------------------

std::int64_t LatencyHistogram::bucket_edge(std::int64_t latency_us) {
    MP_ASSERT_GE(latency_us, 0);
    const auto value = static_cast<std::uint64_t>(latency_us);
    if (value < 256) return latency_us;
    const int shift = std::bit_width(value) - 8;
    return static_cast<std::int64_t>((value >> shift) << shift);
}

void LatencyHistogram::add(std::int64_t latency_us, std::int64_t count) {
    MP_ASSERT_GE(count, 1);
    buckets_[bucket_edge(latency_us)] += count;
    count_ += count;
    max_us_ = std::max(max_us_, latency_us);
}

void LatencyHistogram::restore_max(std::int64_t max_us) {
    MP_ASSERT_EQ(bucket_edge(max_us), max_us_);
    max_us_ = max_us;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
    for (const auto& [edge, n] : other.buckets_) buckets_[edge] += n;
    count_ += other.count_;
    max_us_ = std::max(max_us_, other.max_us_);
}

std::int64_t LatencyHistogram::quantile_us(double q) const {
    if (count_ == 0) return 0;
    if (q >= 1.0) return max_us_;
    const auto n = static_cast<std::uint64_t>(count_);
    const std::uint64_t rank =
        std::min(n - 1, static_cast<std::uint64_t>(static_cast<double>(n) * q));
    std::uint64_t seen = 0;
    for (const auto& [edge, bucket_count] : buckets_) {
        seen += static_cast<std::uint64_t>(bucket_count);
        if (seen > rank) return edge;
    }
    MP_ASSERT(false);
    return max_us_;
}

// ---- report --------------------------------------------------------------------------------

std::vector<std::uint64_t> shard_seeds(std::uint64_t first, std::uint64_t last,
                                       std::uint64_t shard_index, std::uint64_t shard_count) {
    MP_ASSERT_LE(first, last);
    MP_ASSERT_GE(shard_index, 1u);
    MP_ASSERT_LE(shard_index, shard_count);
    std::vector<std::uint64_t> seeds;
    for (std::uint64_t offset = shard_index - 1;; offset += shard_count) {
        if (offset > last - first) break;
        seeds.push_back(first + offset);
        if (last - first - offset < shard_count) break;  // the next step would pass `last`
    }
    return seeds;
}

std::string sweep_repro(const SweepReport& report, std::uint64_t seed) {
    // Spelled as repro_command spells it (the runs assert the two agree).
    std::string line = "millpond test";
    for (const auto& word : report.options) line += " " + shell_word(word);
    return line + " --seed " + std::to_string(seed);
}

int sweep_exit_code(const SweepReport& report) {
    for (const auto& record : report.records)
        if (record.verdict != "valid") return 1;
    return 0;
}

namespace {

// The table's figures, aggregated in seed order: floating sums are not associative.
struct Aggregate {
    std::map<std::string, std::int64_t> verdicts = {
        {"valid", 0}, {"invalid", 0}, {"unknown", 0}, {"aborted", 0}};
    std::map<std::string, std::int64_t> anomalies;
    std::vector<const SeedRecord*> failing;
    LatencyHistogram latency;
    double msgs_per_op_all = 0;
    double msgs_per_op_servers = 0;
    double availability = 0;
    std::int64_t ops = 0;
};

Aggregate aggregate(const SweepReport& report) {
    Aggregate sum;
    for (const auto& record : report.records) {
        ++sum.verdicts[record.verdict];
        for (const auto& [type, count] : record.anomalies) sum.anomalies[type] += count;
        if (record.verdict != "valid") sum.failing.push_back(&record);
        sum.latency.merge(record.latency);
        sum.msgs_per_op_all += record.msgs_per_op_all;
        sum.msgs_per_op_servers += record.msgs_per_op_servers;
        sum.availability += record.ok_fraction;
        sum.ops += record.ops;
    }
    const double n = report.records.empty() ? 1.0 : static_cast<double>(report.records.size());
    sum.msgs_per_op_all /= n;
    sum.msgs_per_op_servers /= n;
    sum.availability /= n;
    return sum;
}

}  // namespace

std::string render_sweep_table(const SweepReport& report) {
    const std::uint64_t range_size = report.seed_last - report.seed_first + 1;
    const Aggregate sum = aggregate(report);
    const auto& [verdicts, anomalies, failing, latency, all, servers, availability, ops] = sum;
    const std::size_t runs = report.records.size();

    std::ostringstream out;
    out << "sweep:        millpond test " << join_args(report.options) << " --seed S, S in "
        << report.seed_first << ".." << report.seed_last << "\n";
    out << "runs:         " << runs << " of " << range_size;
    if (report.shard_count > 0)
        out << " (shard " << report.shard_index << "/" << report.shard_count << ")";
    if (report.stopped_early)
        out << " (--fail-fast stopped at the first failing seed; figures cover these runs only)";
    else if (report.shard_count == 0 && runs < range_size)
        out << " (" << range_size - runs << " seeds missing)";
    out << "\n";
    out << "verdicts:     valid " << verdicts.at("valid") << ", invalid " << verdicts.at("invalid")
        << ", unknown " << verdicts.at("unknown") << ", aborted " << verdicts.at("aborted") << "\n";
    out << "anomalies:   ";
    if (anomalies.empty()) out << " none";
    for (const auto& [type, count] : anomalies) out << " :" << type << " " << count;
    out << "\n";
    out << "msgs-per-op:  all " << fixed(all, 3) << ", servers " << fixed(servers, 3)
        << " (mean over runs)\n";
    out << "ok latency:   p50 " << ms(latency.quantile_us(0.5)) << " / p95 "
        << ms(latency.quantile_us(0.95)) << " / p99 " << ms(latency.quantile_us(0.99)) << " / max "
        << ms(latency.quantile_us(1.0)) << " ms (" << latency.count()
        << " ok ops, simulated time)\n";
    out << "availability: " << fixed(availability, 4) << " (mean ok-fraction)\n";
    out << "total ops:    " << ops << "\n";
    out << "failing:      " << failing.size() << (failing.empty() ? "" : " seeds") << "\n";
    for (std::size_t i = 0; i < failing.size() && i < kFailingListedMax; ++i) {
        const SeedRecord& record = *failing[i];
        out << "  seed " << record.seed << " " << record.verdict;
        std::string kinds;
        for (const auto& [type, count] : record.anomalies) kinds += " :" + type;
        if (!kinds.empty()) out << " (" << kinds.substr(1) << ")";
        if (!record.aborted.empty()) out << " (" << record.aborted << ")";
        out << ": " << sweep_repro(report, record.seed) << "\n";
    }
    if (failing.size() > kFailingListedMax)
        out << "  ... and " << failing.size() - kFailingListedMax << " more\n";
    return out.str();
}

json sweep_to_json(const SweepReport& report) {
    json runs = json::array();
    for (const auto& record : report.records) {
        json buckets = json::array();
        for (const auto& [edge, count] : record.latency.buckets()) buckets.push_back({edge, count});
        json anomalies = json::object();
        for (const auto& [type, count] : record.anomalies) anomalies[type] = count;
        json entry = {{"seed", record.seed},
                      {"valid", record.verdict == "valid"},
                      {"verdict", record.verdict},
                      {"anomalies", anomalies},
                      {"msgs_per_op_all", record.msgs_per_op_all},
                      {"msgs_per_op_servers", record.msgs_per_op_servers},
                      {"ok_fraction", record.ok_fraction},
                      {"ops", record.ops},
                      {"fingerprint", record.fingerprint},
                      {"latency_us",
                       {{"count", record.latency.count()},
                        {"max", record.latency.max_us()},
                        {"buckets", buckets}}}};
        if (!record.aborted.empty()) entry["aborted"] = record.aborted;
        if (record.verdict != "valid") entry["repro"] = sweep_repro(report, record.seed);
        runs.push_back(std::move(entry));
    }
    const Aggregate sum = aggregate(report);
    json failing = json::array();
    for (const SeedRecord* record : sum.failing)
        failing.push_back({{"seed", record->seed},
                           {"verdict", record->verdict},
                           {"repro", sweep_repro(report, record->seed)}});
    const json summary = {
        {"runs", report.records.size()},
        {"range_size", report.seed_last - report.seed_first + 1},
        {"verdicts", sum.verdicts},
        {"anomalies", sum.anomalies},
        {"failing", failing},
        {"msgs_per_op", {{"all", sum.msgs_per_op_all}, {"servers", sum.msgs_per_op_servers}}},
        {"ok_latency_us",
         {{"count", sum.latency.count()},
          {"p50", sum.latency.quantile_us(0.5)},
          {"p95", sum.latency.quantile_us(0.95)},
          {"p99", sum.latency.quantile_us(0.99)},
          {"max", sum.latency.quantile_us(1.0)}}},
        {"availability", sum.availability},
        {"total_ops", sum.ops},
        {"exit_code", sweep_exit_code(report)}};
    json shard = nullptr;
    if (report.shard_count > 0)
        shard = {{"index", report.shard_index}, {"count", report.shard_count}};
    return {{"millpond_sweep", kJsonVersion},
            {"options", report.options},
            {"seeds", {{"first", report.seed_first}, {"last", report.seed_last}}},
            {"shard", shard},
            {"stopped_early", report.stopped_early},
            {"summary", summary},
            {"table", render_sweep_table(report)},
            {"runs", runs}};
}

std::optional<SweepReport> sweep_from_json(const json& value, std::string* error) {
    try {
        if (!value.is_object() || !value.contains("millpond_sweep")) {
            *error = "not a millpond sweep file (no \"millpond_sweep\" field)";
            return std::nullopt;
        }
        if (value.at("millpond_sweep").get<int>() != kJsonVersion) {
            *error = "unsupported millpond_sweep version " + value.at("millpond_sweep").dump();
            return std::nullopt;
        }
        SweepReport report;
        report.options = value.at("options").get<std::vector<std::string>>();
        report.seed_first = value.at("seeds").at("first").get<std::uint64_t>();
        report.seed_last = value.at("seeds").at("last").get<std::uint64_t>();
        if (report.seed_first > report.seed_last ||
            report.seed_last - report.seed_first >= kSeedsMax) {
            *error = "bad seed range";
            return std::nullopt;
        }
        if (const json& shard = value.at("shard"); !shard.is_null()) {
            report.shard_index = shard.at("index").get<std::uint64_t>();
            report.shard_count = shard.at("count").get<std::uint64_t>();
        }
        report.stopped_early = value.at("stopped_early").get<bool>();
        std::optional<std::uint64_t> previous;
        for (const json& entry : value.at("runs")) {
            SeedRecord record;
            record.seed = entry.at("seed").get<std::uint64_t>();
            if (record.seed < report.seed_first || record.seed > report.seed_last ||
                (previous && record.seed <= *previous)) {
                *error = "run for seed " + std::to_string(record.seed) +
                         " is outside the range or out of order";
                return std::nullopt;
            }
            previous = record.seed;
            record.verdict = entry.at("verdict").get<std::string>();
            if (record.verdict != "valid" && record.verdict != "invalid" &&
                record.verdict != "unknown" && record.verdict != "aborted") {
                *error = "seed " + std::to_string(record.seed) + ": unknown verdict '" +
                         record.verdict + "'";
                return std::nullopt;
            }
            record.anomalies = entry.at("anomalies").get<std::map<std::string, std::int64_t>>();
            record.msgs_per_op_all = entry.at("msgs_per_op_all").get<double>();
            record.msgs_per_op_servers = entry.at("msgs_per_op_servers").get<double>();
            record.ok_fraction = entry.at("ok_fraction").get<double>();
            record.ops = entry.at("ops").get<std::int64_t>();
            record.fingerprint = entry.at("fingerprint").get<std::string>();
            if (entry.contains("aborted")) record.aborted = entry.at("aborted").get<std::string>();
            const json& latency = entry.at("latency_us");
            for (const json& bucket : latency.at("buckets")) {
                const auto edge = bucket.at(0).get<std::int64_t>();
                const auto count = bucket.at(1).get<std::int64_t>();
                if (edge < 0 || count < 1 || LatencyHistogram::bucket_edge(edge) != edge) {
                    *error = "seed " + std::to_string(record.seed) + ": bad latency bucket " +
                             bucket.dump();
                    return std::nullopt;
                }
                record.latency.add(edge, count);
            }
            // The buckets hold lower edges; the exact maximum travels beside them.
            const auto max_us = latency.at("max").get<std::int64_t>();
            if (max_us < 0 || record.latency.count() != latency.at("count").get<std::int64_t>() ||
                (record.latency.count() > 0 &&
                 LatencyHistogram::bucket_edge(max_us) != record.latency.max_us())) {
                *error = "seed " + std::to_string(record.seed) +
                         ": latency count or max disagrees with its buckets";
                return std::nullopt;
            }
            if (record.latency.count() > 0) record.latency.restore_max(max_us);
            report.records.push_back(std::move(record));
        }
        return report;
    } catch (const json::exception& problem) {
        *error = std::string("malformed sweep record: ") + problem.what();
        return std::nullopt;
    }
}

// ---- commands ------------------------------------------------------------------------------

int run_sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                      bool err_is_tty) {
    auto bad = [&](const std::string& problem) {
        err << "millpond sweep: " << problem << "\n";
        return 254;
    };
    std::optional<std::pair<std::uint64_t, std::uint64_t>> range;
    std::uint64_t jobs = std::max(1u, std::thread::hardware_concurrency());
    std::uint64_t shard_index = 0, shard_count = 0;
    bool fail_fast = false;
    std::string json_path;
    std::vector<std::string> test_args;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i];
        std::optional<std::string> inline_value;
        if (name.rfind("--", 0) == 0)
            if (auto eq = name.find('='); eq != std::string::npos) {
                inline_value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
        auto value = [&]() -> std::optional<std::string> {
            if (inline_value) return inline_value;
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        if (name == "-h" || name == "--help") {
            out << sweep_help();
            return 0;
        }
        if (name == "--seeds") {
            auto text = value();
            if (!text) return bad("--seeds: missing value (A..B)");
            std::string problem;
            range = parse_range(*text, &problem);
            if (!range) return bad("--seeds: " + problem);
        } else if (name == "--jobs") {
            auto text = value();
            auto n = text ? parse_uint(*text) : std::nullopt;
            if (!n || *n < 1 || *n > kJobsMax)
                return bad("--jobs: expected an integer from 1 to " + std::to_string(kJobsMax) +
                           ", got '" + text.value_or("") + "'");
            jobs = *n;
        } else if (name == "--shard") {
            auto text = value();
            const auto slash = text ? text->find('/') : std::string::npos;
            std::optional<std::uint64_t> k, n;
            if (slash != std::string::npos) {
                k = parse_uint(text->substr(0, slash));
                n = parse_uint(text->substr(slash + 1));
            }
            if (!k || !n || *k < 1 || *k > *n || *n > kSeedsMax)
                return bad("--shard: expected K/N with 1 <= K <= N, got '" + text.value_or("") +
                           "'");
            shard_index = *k;
            shard_count = *n;
        } else if (name == "--fail-fast") {
            if (inline_value) return bad("--fail-fast takes no value");
            fail_fast = true;
        } else if (name == "--json") {
            auto text = value();
            if (!text || text->empty()) return bad("--json: missing value (a file)");
            json_path = *text;
        } else if (name == "--seed" || name == "--store") {
            return bad(name + ": a sweep takes its seeds from --seeds A..B and writes no store");
        } else if (name == "--log-stderr" || name == "--log-net-send" || name == "--log-net-recv") {
            return bad(name + ": not in sweeps (replay one seed with millpond test to see logs)");
        } else {
            test_args.push_back(args[i]);
        }
    }
    if (!range) return bad("--seeds A..B is required");
    if (!json_path.empty()) {
        if (auto problem = output_file_problem(json_path); !problem.empty())
            return bad("--json: " + problem);
    }

    // Validate the option set once, in the words of `millpond test`, and fix its canonical form.
    std::vector<std::string> probe = test_args;
    probe.insert(probe.end(), {"--seed", std::to_string(range->first)});
    auto parsed = parse_test_args(probe, range->first);
    if (auto* problem = std::get_if<CliError>(&parsed)) {
        std::string message = problem->message;
        // A scenario file's problems already name the file: "millpond: FILE: path: ...".
        if (message.rfind("millpond: ", 0) == 0) {
            err << message << "\n";
            return 254;
        }
        if (message.rfind("millpond test: ", 0) == 0) message = message.substr(15);
        return bad(message);
    }
    const TestCommand& command = std::get<TestCommand>(parsed);
    {
        std::string problem;
        if (!make_workload(command.run.workload, command.run, &problem)) return bad(problem);
    }
    SweepReport report;
    report.options = command.canonical_args;
    MP_ASSERT_GE(report.options.size(), 2u);
    MP_ASSERT_EQ(report.options[report.options.size() - 2], std::string("--seed"));
    report.options.resize(report.options.size() - 2);
    report.seed_first = range->first;
    report.seed_last = range->second;
    report.shard_index = shard_index;
    report.shard_count = shard_count;

    const std::vector<std::uint64_t> seeds =
        shard_count == 0 ? shard_seeds(range->first, range->second, 1, 1)
                         : shard_seeds(range->first, range->second, shard_index, shard_count);
    const std::size_t total = seeds.size();
    std::vector<std::optional<SeedRecord>> records(total);
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<std::size_t> failures{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::condition_variable progressed;
    std::size_t workers_left = std::min<std::size_t>(jobs, std::max<std::size_t>(total, 1));

    auto worker = [&] {
        for (;;) {
            if (stop.load()) break;
            const std::size_t index = next++;
            if (index >= total) break;
            SeedRecord record;
            try {
                record = run_seed(report.options, seeds[index], sweep_repro(report, seeds[index]));
            } catch (const std::exception& problem) {
                // A crash in one run must not take the other threads' results with it.
                record.seed = seeds[index];
                record.verdict = "aborted";
                record.aborted = std::string("crashed: ") + problem.what();
            }
            const bool failed = record.verdict != "valid";
            records[index] = std::move(record);
            if (failed) {
                ++failures;
                if (fail_fast) stop = true;
            }
            ++done;
            progressed.notify_all();
        }
        std::lock_guard<std::mutex> lock(mutex);
        --workers_left;
        progressed.notify_all();
    };

    // Wall-clock time is read here only, between runs, for the progress line; no run sees it.
    const auto started = std::chrono::steady_clock::now();
    auto elapsed_s = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    std::vector<std::thread> threads;
    const std::size_t thread_count = workers_left;
    for (std::size_t t = 0; t < thread_count; ++t) threads.emplace_back(worker);
    {
        const auto redraw =
            err_is_tty ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
        std::unique_lock<std::mutex> lock(mutex);
        while (workers_left > 0) {
            progressed.wait_for(lock, redraw, [&] { return workers_left == 0; });
            if (workers_left == 0) break;
            const std::size_t finished = done.load();
            const double seconds = elapsed_s();
            const double rate = seconds > 0 ? static_cast<double>(finished) / seconds : 0;
            std::string line = std::to_string(finished) + "/" + std::to_string(total) + " runs, " +
                               fixed(rate, 1) + " runs/s, " + std::to_string(failures.load()) +
                               " failing";
            if (rate > 0)
                line += ", ~" + fixed(static_cast<double>(total - finished) / rate, 0) + " s left";
            if (err_is_tty)
                err << "\r\x1b[Ksweep: " << line << std::flush;
            else
                err << "sweep: " << line << "\n" << std::flush;
        }
    }
    for (auto& thread : threads) thread.join();
    const double seconds = elapsed_s();
    if (err_is_tty) err << "\r\x1b[K";

    // Launches go in seed order, so every seed before the first failing one has run: cutting
    // there makes a --fail-fast table independent of --jobs and of which runs were in flight.
    std::size_t kept = total;
    if (fail_fast) {
        for (std::size_t i = 0; i < total; ++i) {
            if (records[i] && records[i]->verdict != "valid") {
                kept = i + 1;
                break;
            }
        }
        report.stopped_early = kept < total;
    }
    for (std::size_t i = 0; i < kept; ++i) {
        MP_ASSERT(records[i].has_value());
        report.records.push_back(std::move(*records[i]));
    }
    err << "sweep: " << report.records.size() << " runs in " << fixed(seconds, 1) << " s ("
        << fixed(seconds > 0 ? static_cast<double>(done.load()) / seconds : 0, 1) << " runs/s on "
        << thread_count << " threads)\n";

    if (!json_path.empty()) {
        std::string problem;
        if (!write_file_atomically(json_path, sweep_to_json(report).dump() + "\n", &problem)) {
            err << "millpond sweep: --json: " << problem << "\n";
            return 255;
        }
    }
    out << render_sweep_table(report);
    return sweep_exit_code(report);
}

int run_merge_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    auto bad = [&](const std::string& problem) {
        err << "millpond merge: " << problem << "\n";
        return 254;
    };
    std::vector<std::string> paths;
    std::string json_path;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "-h" || arg == "--help") {
            out << merge_help();
            return 0;
        }
        if (arg == "--json" || arg.rfind("--json=", 0) == 0) {
            if (arg != "--json") {
                json_path = arg.substr(7);
            } else if (i + 1 < args.size()) {
                json_path = args[++i];
            }
            if (json_path.empty()) return bad("--json: missing value (a file)");
        } else if (!arg.empty() && arg[0] == '-') {
            return bad("unknown option '" + arg + "'");
        } else {
            paths.push_back(arg);
        }
    }
    if (paths.empty()) return bad("no sweep JSON files given");
    if (!json_path.empty()) {
        if (auto problem = output_file_problem(json_path); !problem.empty())
            return bad("--json: " + problem);
    }

    std::optional<SweepReport> merged;
    std::string first_path;
    std::map<std::uint64_t, std::string> owner;  // seed -> file, to name both sides of an overlap
    for (const auto& path : paths) {
        std::ifstream in(path, std::ios::binary);
        if (!in) return bad(path + ": cannot read");
        std::ostringstream text;
        text << in.rdbuf();
        json value = json::parse(text.str(), nullptr, false);
        if (value.is_discarded()) return bad(path + ": not valid JSON");
        std::string problem;
        auto report = sweep_from_json(value, &problem);
        if (!report) return bad(path + ": " + problem);
        if (!merged) {
            merged = SweepReport{};
            merged->options = report->options;
            merged->seed_first = report->seed_first;
            merged->seed_last = report->seed_last;
            first_path = path;
        } else if (report->options != merged->options) {
            return bad(path + ": options '" + join_args(report->options) + "' differ from " +
                       first_path + "'s '" + join_args(merged->options) + "'");
        } else if (report->seed_first != merged->seed_first ||
                   report->seed_last != merged->seed_last) {
            return bad(path + ": seed range " + std::to_string(report->seed_first) + ".." +
                       std::to_string(report->seed_last) + " differs from " + first_path + "'s " +
                       std::to_string(merged->seed_first) + ".." +
                       std::to_string(merged->seed_last));
        }
        merged->stopped_early = merged->stopped_early || report->stopped_early;
        for (auto& record : report->records) {
            auto [it, fresh] = owner.emplace(record.seed, path);
            if (!fresh)
                return bad(path + ": seed " + std::to_string(record.seed) + " also in " +
                           it->second + " (overlapping shards)");
            merged->records.push_back(std::move(record));
        }
    }
    std::sort(merged->records.begin(), merged->records.end(),
              [](const SeedRecord& a, const SeedRecord& b) { return a.seed < b.seed; });
    if (!json_path.empty()) {
        std::string problem;
        if (!write_file_atomically(json_path, sweep_to_json(*merged).dump() + "\n", &problem)) {
            err << "millpond merge: --json: " << problem << "\n";
            return 255;
        }
    }
    out << render_sweep_table(*merged);
    return sweep_exit_code(*merged);
}

}  // namespace millpond::sim
