#include "cli.hpp"

#include <charconv>
#include <cmath>
#include <sstream>

#include "core/kafka/backend.hpp"

namespace millpond::sim {

namespace {

std::optional<std::int64_t> parse_int(const std::string& text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<std::uint64_t> parse_uint(const std::string& text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

std::optional<double> parse_double(const std::string& text) {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream in(text);
    while (std::getline(in, part, ','))
        if (!part.empty()) parts.push_back(part);
    return parts;
}

std::string format_number(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

}  // namespace

std::variant<TestCommand, CliError> parse_test_args(const std::vector<std::string>& args,
                                                    std::uint64_t fresh_seed) {
    TestCommand command;
    RunOptions& run = command.run;
    std::optional<std::int64_t> node_count;
    std::vector<std::string> nodes_listed;
    std::string concurrency_text = "1n";
    std::string workload_given;
    bool backend_given = false;
    bool commit_kv_given = false;

    auto error = [](std::string text) { return CliError{"millpond test: " + std::move(text)}; };

    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string name = args[i];
        std::optional<std::string> inline_value;
        if (name.rfind("--", 0) == 0) {
            if (auto eq = name.find('='); eq != std::string::npos) {
                inline_value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
        }
        auto take_value = [&]() -> std::optional<std::string> {
            if (inline_value) return inline_value;
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        auto flag = [&](bool& target) -> std::optional<CliError> {
            if (inline_value) return error(name + " takes no value");
            target = true;
            return std::nullopt;
        };
        std::optional<std::string> value;
        auto need = [&](const char* what) -> std::optional<CliError> {
            value = take_value();
            if (!value) return error(name + ": missing value (" + what + ")");
            return std::nullopt;
        };

        std::optional<CliError> problem;
        if (name == "-w" || name == "--workload") {
            if ((problem = need("a workload name"))) return *problem;
            workload_given = *value;
        } else if (name == "--node-count") {
            if ((problem = need("a node count"))) return *problem;
            auto n = parse_int(*value);
            if (!n || *n < 1 || *n > 1000)
                return error("--node-count: expected an integer from 1 to 1000, got '" + *value + "'");
            node_count = *n;
        } else if (name == "--nodes") {
            if ((problem = need("comma-separated node ids"))) return *problem;
            for (auto& id : split_commas(*value)) nodes_listed.push_back(id);
        } else if (name == "-n" || name == "--node") {
            if ((problem = need("a node id"))) return *problem;
            nodes_listed.push_back(*value);
        } else if (name == "--time-limit") {
            if ((problem = need("seconds"))) return *problem;
            auto seconds = parse_double(*value);
            if (!seconds || *seconds <= 0 || *seconds > 1e6)
                return error("--time-limit: expected seconds > 0, got '" + *value + "'");
            run.time_limit_us = static_cast<Instant>(std::llround(*seconds * 1e6));
        } else if (name == "--rate") {
            if ((problem = need("ops per second"))) return *problem;
            auto rate = parse_double(*value);
            if (!rate || *rate < 0 || *rate > 1e7)
                return error("--rate: expected ops per second >= 0, got '" + *value + "'");
            run.rate = *rate;
        } else if (name == "--concurrency") {
            if ((problem = need("N or Kn"))) return *problem;
            concurrency_text = *value;
        } else if (name == "--latency") {
            if ((problem = need("milliseconds"))) return *problem;
            auto latency = parse_int(*value);
            if (!latency || *latency < 0 || *latency > 3'600'000)
                return error("--latency: expected whole milliseconds >= 0, got '" + *value + "'");
            run.latency_ms = *latency;
        } else if (name == "--latency-dist") {
            if ((problem = need("constant, uniform or exponential"))) return *problem;
            auto dist = parse_latency_dist(*value);
            if (!dist)
                return error("--latency-dist: expected constant, uniform or exponential, got '" +
                             *value + "'");
            run.latency_dist = *dist;
        } else if (name == "--seed") {
            if ((problem = need("an unsigned integer"))) return *problem;
            auto seed = parse_uint(*value);
            if (!seed) return error("--seed: expected an unsigned 64-bit integer, got '" + *value + "'");
            run.seed = *seed;
            command.seed_given = true;
        } else if (name == "--store") {
            if ((problem = need("a directory"))) return *problem;
            if (value->empty()) return error("--store: expected a directory, got ''");
            command.store_dir = *value;
        } else if (name == "--availability") {
            if ((problem = need("total or a fraction"))) return *problem;
            if (*value == "total") {
                run.availability = 1.0;
            } else {
                auto fraction = parse_double(*value);
                if (!fraction || *fraction < 0 || *fraction > 1)
                    return error("--availability: expected 'total' or a number in [0, 1], got '" +
                                 *value + "'");
                run.availability = *fraction;
            }
        } else if (name == "--backend") {
            if ((problem = need("a kafka design"))) return *problem;
            run.backend = *value;
            backend_given = true;
        } else if (name == "--commit-kv") {
            if ((problem = need("lin or seq"))) return *problem;
            if (*value != "lin" && *value != "seq")
                return error("--commit-kv: expected lin or seq, got '" + *value + "'");
            run.commit_kv = *value;
            commit_kv_given = true;
        } else if (name == "--key-count") {
            if ((problem = need("a count"))) return *problem;
            auto count = parse_int(*value);
            if (!count || *count < 1 || *count > 60)
                return error("--key-count: expected an integer from 1 to 60, got '" + *value + "'");
            run.key_count = static_cast<std::int32_t>(*count);
        } else if (name == "--max-writes-per-key") {
            if ((problem = need("a count"))) return *problem;
            auto count = parse_int(*value);
            if (!count || *count < 1 || *count > 1'000'000)
                return error("--max-writes-per-key: expected a positive integer, got '" + *value + "'");
            run.max_writes_per_key = static_cast<std::int32_t>(*count);
        } else if (name == "--check-determinism") {
            if ((problem = flag(command.check_determinism))) return *problem;
        } else if (name == "--log-stderr") {
            if ((problem = flag(run.log_stderr))) return *problem;
        } else if (name == "--log-net-send") {
            if ((problem = flag(run.log_net_send))) return *problem;
        } else if (name == "--log-net-recv") {
            if ((problem = flag(run.log_net_recv))) return *problem;
        } else if (name == "--nemesis") {
            if ((problem = need("comma-separated faults"))) return *problem;
            for (const auto& fault : split_commas(*value)) {
                if (fault == "partition") {
                    run.nemesis_partition = true;
                } else if (fault == "drop") {
                    run.nemesis_drop = true;
                } else if (fault == "duplicate") {
                    run.nemesis_duplicate = true;
                } else {
                    return error("--nemesis: unknown fault '" + fault +
                                 "' (this millpond knows partition, drop and duplicate; kill, "
                                 "pause and skew are planned)");
                }
            }
        } else if (name == "--drop-probability" || name == "--duplicate-probability") {
            if ((problem = need("a probability"))) return *problem;
            auto p = parse_double(*value);
            if (!p || *p < 0 || *p > 1)
                return error(name + ": expected a probability in [0, 1], got '" + *value + "'");
            (name == "--drop-probability" ? run.drop_probability : run.duplicate_probability) = *p;
        } else if (name == "--nemesis-interval") {
            if ((problem = need("seconds"))) return *problem;
            auto seconds = parse_double(*value);
            if (!seconds || *seconds <= 0 || *seconds > 1e6)
                return error("--nemesis-interval: expected seconds > 0, got '" + *value + "'");
            run.nemesis_interval_us = static_cast<Instant>(std::llround(*seconds * 1e6));
        } else if (name == "--bin") {
            return error("--bin: millpond runs its node designs in-process (choose one with "
                         "--backend); run a binary under real Maelstrom instead");
        } else if (name == "--max-events") {
            if ((problem = need("a count"))) return *problem;
            auto count = parse_uint(*value);
            if (!count || *count == 0)
                return error("--max-events: expected a positive integer, got '" + *value + "'");
            run.max_events = *count;
        } else {
            return error("unknown option '" + args[i] + "' (see millpond test --help)");
        }
    }

    run.workload = workload_given.empty() ? "kafka" : workload_given;
    if (run.workload != "echo" && run.workload != "kafka")
        return error("-w/--workload: unknown workload '" + run.workload +
                     "' (this millpond knows echo and kafka)");
    if (run.workload == "kafka") {
        bool known = false;
        for (const auto& name : kafka::backend_names()) known = known || name == run.backend;
        for (const auto& name : kafka::zoo_backend_names()) known = known || name == run.backend;
        if (!known) {
            std::string names;
            for (const auto& name : kafka::backend_names()) names += (names.empty() ? "" : ", ") + name;
            return error("--backend: unknown kafka design '" + run.backend + "' (known: " + names + ")");
        }
    } else if (backend_given || commit_kv_given) {
        return error(std::string(backend_given ? "--backend" : "--commit-kv") +
                     ": only applies to -w kafka");
    }

    if (node_count && !nodes_listed.empty())
        return error("--node-count and --nodes/--node both set the nodes; give one");
    if (node_count) {
        // Maelstrom: with --node-count N the nodes are n0 .. n(N-1).
        for (std::int64_t i = 0; i < *node_count; ++i) run.nodes.push_back("n" + std::to_string(i));
    } else if (!nodes_listed.empty()) {
        run.nodes = nodes_listed;
        for (const auto& id : run.nodes) {
            if (id[0] == 'c')
                return error("--nodes: node id '" + id +
                             "' starts with 'c', which Maelstrom reserves for clients");
            for (const auto& other : {"lin-kv", "seq-kv", "lww-kv", "lin-tso"})
                if (id == other) return error("--nodes: node id '" + id + "' is a service name");
        }
        for (std::size_t a = 0; a < run.nodes.size(); ++a)
            for (std::size_t b = a + 1; b < run.nodes.size(); ++b)
                if (run.nodes[a] == run.nodes[b]) return error("--nodes: node id '" + run.nodes[a] + "' appears twice");
    } else {
        // Jepsen's default node list.
        run.nodes = {"n1", "n2", "n3", "n4", "n5"};
    }

    {
        const std::string& text = concurrency_text;
        std::optional<std::int64_t> threads;
        if (!text.empty() && text.back() == 'n') {
            auto k = text.size() == 1 ? std::optional<std::int64_t>(1) : parse_int(text.substr(0, text.size() - 1));
            if (k && *k > 0) threads = *k * static_cast<std::int64_t>(run.nodes.size());
        } else {
            threads = parse_int(text);
        }
        if (!threads || *threads < 1 || *threads > 100000)
            return error("--concurrency: expected a positive integer or Kn (K times the node count), got '" +
                         text + "'");
        run.concurrency = static_cast<std::int32_t>(*threads);
    }
    if (!command.seed_given) run.seed = fresh_seed;

    // Canonical, explicit arguments: everything that shapes the run.
    auto& out = command.canonical_args;
    out = {"-w", run.workload};
    if (run.workload == "kafka") {
        out.insert(out.end(), {"--backend", run.backend});
        if (run.backend == "kv") out.insert(out.end(), {"--commit-kv", run.commit_kv});
        out.insert(out.end(), {"--key-count", std::to_string(run.key_count), "--max-writes-per-key",
                               std::to_string(run.max_writes_per_key)});
    }
    if (node_count) {
        out.insert(out.end(), {"--node-count", std::to_string(*node_count)});
    } else {
        std::string joined;
        for (const auto& id : run.nodes) joined += (joined.empty() ? "" : ",") + id;
        out.insert(out.end(), {"--nodes", joined});
    }
    out.insert(out.end(), {"--time-limit", format_number(static_cast<double>(run.time_limit_us) / 1e6),
                           "--rate", format_number(run.rate), "--concurrency",
                           std::to_string(run.concurrency), "--latency", std::to_string(run.latency_ms),
                           "--latency-dist", std::string(latency_dist_name(run.latency_dist))});
    {
        std::string faults;
        for (auto [on, fault] : {std::pair{run.nemesis_partition, "partition"},
                                 std::pair{run.nemesis_drop, "drop"},
                                 std::pair{run.nemesis_duplicate, "duplicate"}})
            if (on) faults += (faults.empty() ? "" : ",") + std::string(fault);
        if (!faults.empty()) out.insert(out.end(), {"--nemesis", faults});
        if (run.nemesis_partition)
            out.insert(out.end(), {"--nemesis-interval",
                                   format_number(static_cast<double>(run.nemesis_interval_us) / 1e6)});
        if (run.nemesis_drop)
            out.insert(out.end(), {"--drop-probability", format_number(run.drop_probability)});
        if (run.nemesis_duplicate)
            out.insert(out.end(),
                       {"--duplicate-probability", format_number(run.duplicate_probability)});
    }
    if (run.availability)
        out.insert(out.end(), {"--availability", *run.availability == 1.0 ? std::string("total")
                                                                          : format_number(*run.availability)});
    out.insert(out.end(), {"--seed", std::to_string(run.seed)});
    return command;
}

std::string repro_command(const TestCommand& command) {
    std::string line = "millpond test";
    for (const auto& arg : command.canonical_args) line += " " + arg;
    return line;
}

std::string main_help() {
    return R"(millpond — a deterministic, fast stand-in for Jepsen Maelstrom.

Usage:
  millpond test [options]              run one simulated test (see: millpond test --help)
  millpond check -w WORKLOAD HISTORY   judge a history.edn written by millpond or by Maelstrom
  millpond figures [--seeds N]         measure the kafka designs (the README table)
  millpond lamport STORE_DIR [...]     Lamport diagram of a run's messages (see: --help)
  millpond sweep [test options] --seeds A..B [--jobs N] [--shard K/N] [--json FILE]
                                       one test over many seeds, in parallel, one table
  millpond merge FILE.json...          combine sharded sweeps' JSON into that table
  millpond bench [--quick] [--json]    measure simulator and checker speed (the README table)
  millpond lamport STORE_DIR [...]     Lamport diagram of a run's messages (see: --help)
  millpond --help | --version

Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 crash.
)";
}

std::string test_help() {
    std::string backends;
    for (const auto& name : kafka::backend_names()) backends += (backends.empty() ? "" : "|") + name;
    std::string zoo;
    for (const auto& name : kafka::zoo_backend_names()) zoo += "                             " + name + "\n";
    return R"(Usage: millpond test [options]

Runs one deterministic simulated test and writes store/<workload>/<run-id>/ (history.edn,
history.txt, results.edn, results.json, node-logs/, net-journal.jsonl, test.json) with links
store/latest and store/<workload>/latest. Prints a summary ending in the seed, the run's
fingerprint and Maelstrom's verdict line.

Maelstrom's options (same names and defaults):
  -w, --workload NAME        echo | kafka (default: kafka; Maelstrom's own default lin-kv is
                             not simulated yet)
  --node-count N             nodes n0..n(N-1) (default: unset, nodes n1..n5)
  --nodes A,B,...            explicit node ids;  -n, --node ID  adds one node id
  --time-limit S             seconds of main phase, decimals allowed (default: 60)
  --rate R                   client ops per second over all threads, staggered (default: 5;
                             0 = no client ops)
  --concurrency N|Kn         worker threads, or K times the node count (default: 1n);
                             worker i talks to node i mod n
  --latency MS               mean server-to-server latency in ms; clients get 0 (default: 0)
  --latency-dist D           constant | uniform | exponential (default: constant); a mean of
                             0 works for all three
  --nemesis FAULTS           comma-separated faults (default: none):
                             partition  Jepsen's grudges (one, minority-third, majority,
                                        majorities-ring); receivers drop the listed sources;
                                        healed before a final phase
                             drop       each server-to-server message lost (millpond's own)
                             duplicate  each server-to-server message delivered twice
  --drop-probability P       for drop (default: 0.05)
  --duplicate-probability P  for duplicate (default: 0.05)
  --nemesis-interval S       mean seconds between nemesis ops; gaps are uniform in
                             [0, 2S] (default: 10)
  --availability A           'total' or a fraction in [0,1]: minimum ok/invoke ratio
                             (default: unset, always valid)
  --key-count N              kafka: active keys (default: 10)
  --max-writes-per-key N     kafka: sends per key before it retires (default: 16)
  --log-stderr               copy node log lines to stderr
  --log-net-send             print every message sent;  --log-net-recv  every one received

millpond's own:
  --seed N                   root seed (default: a fresh random seed, printed)
  --store DIR                where runs are written (default: ./store)
  --backend NAME             kafka design: )" + backends + R"( (default: owner; memory is
                             a one-node design)
  --commit-kv lin|seq        kafka kv design: service holding committed offsets (default: lin)
  --check-determinism        run the seed twice; if the traces differ, name the first
                             divergent event, show both versions, and exit 1
  --max-events N             event budget; a run that hits it stops and says so
                             (default: 200000000)
  -h, --help                 this text

zoo (deliberately broken kafka designs, for millpond hunt; see core/kafka/zoo/):
  --backend NAME             one bug each:
)" + zoo + R"(
Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments, 255 crash.
)";
}

}  // namespace millpond::sim
