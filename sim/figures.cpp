#include "figures.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <map>
#include <ostream>
#include <thread>

#include "checkers/history.hpp"
#include "core/assert.hpp"
#include "decimal_text.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "judged_run.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {

namespace {

struct RunFigures {
    double msgs_per_op_all = 0;
    double msgs_per_op_servers = 0;
    double ok_fraction = 0;
    std::vector<std::int64_t> ok_latencies_us;
    std::map<std::string, std::int64_t> anomalies;
    bool valid = false;
};

struct Config {
    std::string backend;
    int node_count;
    std::int64_t latency_ms;
};


RunFigures measure(const Config& config, std::uint64_t seed, Instant time_limit_us) {
    std::vector<std::string> args = {"-w", "kafka", "--backend", config.backend, "--node-count",
                                     std::to_string(config.node_count), "--concurrency", "2n",
                                     "--rate", "1000", "--latency", std::to_string(config.latency_ms),
                                     "--seed", std::to_string(seed)};
    auto parsed = parse_test_args(args, seed);
    RunOptions options = std::get<TestCommand>(parsed).run;
    options.time_limit_us = time_limit_us;
    options.journal_bodies = false;
    JudgedRun judged = run_and_judge(options);
    const RunOutcome& outcome = judged.outcome;
    const edn::Value& results = judged.results;
    const edn::Value& workload_result = judged.workload_result;
    RunFigures figures;
    figures.msgs_per_op_all = number_at(results, {"net", "all", "msgs-per-op"});
    figures.msgs_per_op_servers = number_at(results, {"net", "servers", "msgs-per-op"});
    figures.ok_fraction = number_at(results, {"availability", "ok-fraction"});
    figures.valid = outcome.aborted.empty() && *results.find("valid?") == edn::Value(true);
    if (const edn::Value* types = workload_result.find("error-types"))
        for (const auto& type : types->items())
            figures.anomalies[type.as_string()] +=
                static_cast<std::int64_t>(number_at(workload_result, {type.as_string().c_str(), "count"}));
    figures.ok_latencies_us = ok_latencies_us(outcome.history);
    return figures;
}

std::string ms(std::int64_t us) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", static_cast<double>(us) / 1000.0);
    return buffer;
}

}  // namespace

int run_figures_command(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err) {
    std::uint64_t seeds = 10;
    double time_limit_s = 20;
    unsigned jobs = std::max(1u, std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < args.size(); ++i) {
        auto number = [&](const char* name, double low) -> std::optional<double> {
            if (i + 1 >= args.size()) {
                err << "millpond figures: " << name << ": missing value\n";
                return std::nullopt;
            }
            const std::string& text = args[++i];
            double value = 0;
            auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (ec != std::errc() || end != text.data() + text.size() || value < low) {
                err << "millpond figures: " << name << ": expected a number >= " << low << ", got '" << text << "'\n";
                return std::nullopt;
            }
            return value;
        };
        if (args[i] == "--seeds") {
            auto v = number("--seeds", 1);
            if (!v) return 254;
            seeds = static_cast<std::uint64_t>(*v);
        } else if (args[i] == "--time-limit") {
            auto v = number("--time-limit", 0.1);
            if (!v) return 254;
            time_limit_s = *v;
        } else if (args[i] == "--jobs") {
            auto v = number("--jobs", 1);
            if (!v) return 254;
            jobs = static_cast<unsigned>(*v);
        } else if (args[i] == "-h" || args[i] == "--help") {
            out << "Usage: millpond figures [--seeds N] [--time-limit S] [--jobs N]\n"
                   "Measures every kafka design at Artemis's settings (memory: 1 node; kv, owner: 2\n"
                   "nodes; --concurrency 2n --rate 1000 --time-limit 20) over seeds 1..N (default 10),\n"
                   "at --latency 0 and --latency 10, and prints the README's table.\n";
            return 0;
        } else {
            err << "millpond figures: unknown option '" << args[i] << "'\n";
            return 254;
        }
    }
    std::vector<Config> configs;
    for (std::int64_t latency : {0, 10}) {
        configs.push_back({"memory", 1, latency});
        configs.push_back({"kv", 2, latency});
        configs.push_back({"owner", 2, latency});
    }
    const std::size_t total = configs.size() * seeds;
    std::vector<RunFigures> results(total);
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> threads;
    const Instant time_limit_us = static_cast<Instant>(time_limit_s * 1e6);
    for (unsigned t = 0; t < jobs; ++t) {
        threads.emplace_back([&] {
            for (std::size_t job = next++; job < total; job = next++)
                results[job] = measure(configs[job / seeds], 1 + job % seeds, time_limit_us);
        });
    }
    for (auto& thread : threads) thread.join();

    out << "| backend | nodes | latency | msgs/op (all) | msgs/op (servers) | ok latency p50 / p95 / p99 / max (ms) | availability | valid runs | anomalies |\n";
    out << "|---|---|---|---|---|---|---|---|---|\n";
    for (std::size_t c = 0; c < configs.size(); ++c) {
        double all = 0, servers = 0, availability = 0;
        std::int64_t valid = 0;
        std::vector<std::int64_t> latencies;
        std::map<std::string, std::int64_t> anomalies;
        for (std::uint64_t s = 0; s < seeds; ++s) {
            const RunFigures& run = results[c * seeds + s];
            all += run.msgs_per_op_all;
            servers += run.msgs_per_op_servers;
            availability += run.ok_fraction;
            valid += run.valid ? 1 : 0;
            latencies.insert(latencies.end(), run.ok_latencies_us.begin(), run.ok_latencies_us.end());
            for (const auto& [type, count] : run.anomalies) anomalies[type] += count;
        }
        std::sort(latencies.begin(), latencies.end());
        auto quantile = [&](double q) -> std::int64_t {
            if (latencies.empty()) return 0;
            const auto n = latencies.size();
            return latencies[std::min(n - 1, static_cast<std::size_t>(static_cast<double>(n) * q))];
        };
        std::string anomaly_text;
        for (const auto& [type, count] : anomalies)
            anomaly_text += (anomaly_text.empty() ? "" : ", ") + type + " " + std::to_string(count);
        if (anomaly_text.empty()) anomaly_text = "none";
        const double n = static_cast<double>(seeds);
        out << "| " << configs[c].backend << " | " << configs[c].node_count << " | "
            << configs[c].latency_ms << " ms | " << fixed(all / n, 2) << " | " << fixed(servers / n, 2)
            << " | " << ms(quantile(0.5)) << " / " << ms(quantile(0.95)) << " / " << ms(quantile(0.99))
            << " / " << ms(quantile(1.0)) << " | " << fixed(availability / n, 4) << " | " << valid
            << "/" << seeds << " | " << anomaly_text << " |\n";
    }
    return 0;
}

}  // namespace millpond::sim
