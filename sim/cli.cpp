#include "cli.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "core/kafka/backend.hpp"
#include "scenario.hpp"
#include "swarm.hpp"

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

// The shortest text that parses back to the same double, so a repro line replays exactly.
std::string format_number(double value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return ec == std::errc() ? std::string(buffer, end) : std::string("nan");
}

// Microseconds as decimal seconds, exact: 2500000 -> "2.5", 1 -> "0.000001".
std::string format_seconds(Instant us) {
    std::string sign = us < 0 ? "-" : "";
    const std::uint64_t magnitude =
        us < 0 ? static_cast<std::uint64_t>(-(us + 1)) + 1 : static_cast<std::uint64_t>(us);
    std::string text = sign + std::to_string(magnitude / 1'000'000);
    std::string fraction = std::to_string(magnitude % 1'000'000);
    fraction.insert(0, 6 - fraction.size(), '0');
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    if (!fraction.empty()) text += "." + fraction;
    return text;
}

// Seconds given as decimals, rounded to microseconds; nullopt outside [min, 1e6] (min_exclusive
// excludes min itself) or when not a number.
std::optional<Instant> parse_seconds(const std::string& text, double min, bool min_exclusive) {
    auto seconds = parse_double(text);
    if (!seconds || *seconds < min || (min_exclusive && *seconds == min) || *seconds > 1e6)
        return std::nullopt;
    return static_cast<Instant>(std::llround(*seconds * 1e6));
}

// The faults --nemesis knows, in the order --help and repro lines list them.
constexpr const char* kNemesisNames[] = {"partition", "kill", "pause", "drop",
                                         "duplicate", "skew", "slow"};

bool* nemesis_flag(RunOptions& run, const std::string& name) {
    if (name == "partition") return &run.nemesis_partition;
    if (name == "kill") return &run.nemesis_kill;
    if (name == "pause") return &run.nemesis_pause;
    if (name == "drop") return &run.nemesis_drop;
    if (name == "duplicate") return &run.nemesis_duplicate;
    if (name == "skew") return &run.nemesis_skew;
    if (name == "slow") return &run.nemesis_slow;
    return nullptr;
}

constexpr std::pair<std::string_view, OptionKind> kTestOptions[] = {
    {"--workload", OptionKind::kValue},
    {"--node-count", OptionKind::kValue},
    {"--nodes", OptionKind::kValue},
    {"--node", OptionKind::kRepeatable},
    {"--time-limit", OptionKind::kValue},
    {"--rate", OptionKind::kValue},
    {"--concurrency", OptionKind::kValue},
    {"--latency", OptionKind::kValue},
    {"--latency-dist", OptionKind::kValue},
    {"--nemesis", OptionKind::kValue},
    {"--nemesis-interval", OptionKind::kValue},
    {"--drop-probability", OptionKind::kValue},
    {"--duplicate-probability", OptionKind::kValue},
    {"--kill-downtime", OptionKind::kValue},
    {"--pause-duration", OptionKind::kValue},
    {"--slow-ms", OptionKind::kValue},
    {"--slow-duration", OptionKind::kValue},
    {"--skew-ms", OptionKind::kValue},
    {"--drift-ppm", OptionKind::kValue},
    {"--link-latency", OptionKind::kRepeatable},
    {"--node-latency", OptionKind::kRepeatable},
    {"--swarm", OptionKind::kFlag},
    {"--availability", OptionKind::kValue},
    {"--key-count", OptionKind::kValue},
    {"--max-writes-per-key", OptionKind::kValue},
    {"--log-stderr", OptionKind::kFlag},
    {"--log-net-send", OptionKind::kFlag},
    {"--log-net-recv", OptionKind::kFlag},
    {"--seed", OptionKind::kValue},
    {"--store", OptionKind::kValue},
    {"--backend", OptionKind::kValue},
    {"--commit-kv", OptionKind::kValue},
    {"--check-determinism", OptionKind::kFlag},
    {"--max-events", OptionKind::kValue},
};

// Options a --swarm draws: giving one beside --swarm would be overridden, so it is refused.
constexpr std::string_view kSwarmDrawnOptions[] = {
    "--nemesis",      "--nemesis-interval", "--drop-probability", "--duplicate-probability",
    "--kill-downtime", "--pause-duration",  "--slow-ms",          "--slow-duration",
    "--skew-ms",      "--drift-ppm"};

bool swarm_draws(std::string_view long_name) {
    for (auto drawn : kSwarmDrawnOptions)
        if (drawn == long_name) return true;
    return false;
}

}  // namespace

std::string long_option_name(std::string_view name) {
    if (name == "-w") return "--workload";
    if (name == "-n") return "--node";
    return std::string(name);
}

std::optional<OptionKind> test_option_kind(std::string_view name) {
    const std::string long_name = long_option_name(name);
    for (const auto& [known, kind] : kTestOptions)
        if (known == long_name) return kind;
    return std::nullopt;
}

std::vector<std::string> test_option_names() {
    std::vector<std::string> names;
    for (const auto& [known, kind] : kTestOptions) names.emplace_back(known);
    return names;
}

namespace {

// One pass over the arguments: the options as given, before a swarm draws its faults.
struct Parsed {
    TestCommand command;
    std::vector<std::string> given;  // long names of the options given, in order
    std::optional<std::int64_t> node_count;
    bool swarm = false;
};

std::vector<std::string> canonical_args_of(const RunOptions& run,
                                           std::optional<std::int64_t> node_count, bool swarm);

std::variant<Parsed, CliError> parse_options(const std::vector<std::string>& args,
                                             std::uint64_t fresh_seed) {
    Parsed parsed;
    TestCommand& command = parsed.command;
    RunOptions& run = command.run;
    std::optional<std::int64_t>& node_count = parsed.node_count;
    // Repeatable options keep their text until the nodes are known.
    std::vector<std::string> link_latency_given;
    std::vector<std::string> node_latency_given;
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
        if (test_option_kind(name)) parsed.given.push_back(long_option_name(name));
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
                bool* on = nemesis_flag(run, fault);
                if (!on) {
                    std::string known;
                    for (const char* n : kNemesisNames) known += (known.empty() ? "" : ", ") + std::string(n);
                    return error("--nemesis: unknown fault '" + fault + "' (known: " + known + ")");
                }
                *on = true;
            }
        } else if (name == "--drop-probability" || name == "--duplicate-probability") {
            if ((problem = need("a probability"))) return *problem;
            auto p = parse_double(*value);
            if (!p || *p < 0 || *p > 1)
                return error(name + ": expected a probability in [0, 1], got '" + *value + "'");
            (name == "--drop-probability" ? run.drop_probability : run.duplicate_probability) = *p;
        } else if (name == "--nemesis-interval" || name == "--pause-duration" ||
                   name == "--slow-duration") {
            if ((problem = need("seconds"))) return *problem;
            auto us = parse_seconds(*value, 0, true);
            if (!us) return error(name + ": expected seconds > 0, got '" + *value + "'");
            (name == "--nemesis-interval" ? run.nemesis_interval_us
             : name == "--pause-duration" ? run.pause_duration_us
                                          : run.slow_duration_us) = *us;
        } else if (name == "--kill-downtime") {
            if ((problem = need("seconds"))) return *problem;
            auto us = parse_seconds(*value, 0, false);
            if (!us) return error(name + ": expected seconds >= 0, got '" + *value + "'");
            run.kill_downtime_us = *us;
        } else if (name == "--slow-ms" || name == "--skew-ms") {
            if ((problem = need("milliseconds"))) return *problem;
            auto ms = parse_int(*value);
            if (!ms || *ms < 0 || *ms > 3'600'000)
                return error(name + ": expected whole milliseconds from 0 to 3600000, got '" +
                             *value + "'");
            (name == "--slow-ms" ? run.slow_extra_ms : run.skew_max_ms) = *ms;
        } else if (name == "--drift-ppm") {
            if ((problem = need("parts per million"))) return *problem;
            auto ppm = parse_int(*value);
            // Below 10^6 a drifting clock still moves forward.
            if (!ppm || *ppm < 0 || *ppm > 500'000)
                return error(name + ": expected an integer from 0 to 500000, got '" + *value + "'");
            run.drift_max_ppm = *ppm;
        } else if (name == "--link-latency") {
            if ((problem = need("FROM:TO=MS"))) return *problem;
            link_latency_given.push_back(*value);
        } else if (name == "--node-latency") {
            if ((problem = need("NODE=MS"))) return *problem;
            node_latency_given.push_back(*value);
        } else if (name == "--swarm") {
            if ((problem = flag(parsed.swarm))) return *problem;
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
            // The zoo is named apart, as in --help: broken on purpose, never a real choice.
            return error("--backend: unknown kafka design '" + run.backend + "' (known: " + names +
                         "; deliberately broken ones: zoo/<name>, see --help)");
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

    // Static latency names nodes, so it is checked once the run's nodes are known.
    auto node_problem = [&](const std::string& option, const NodeId& id) -> std::optional<CliError> {
        for (const auto& known : run.nodes)
            if (known == id) return std::nullopt;
        std::string known;
        for (const auto& other : run.nodes) known += (known.empty() ? "" : " ") + other;
        return error(option + ": node '" + id + "' is not among the run's nodes (" + known + ")");
    };
    auto parse_ms = [](const std::string& text) -> std::optional<std::int64_t> {
        auto ms = parse_int(text);
        if (!ms || *ms < 0 || *ms > 3'600'000) return std::nullopt;
        return ms;
    };
    for (const auto& text : link_latency_given) {
        const auto colon = text.find(':');
        const auto eq = text.find('=');
        std::optional<std::int64_t> ms;
        if (colon != std::string::npos && eq != std::string::npos && colon < eq)
            ms = parse_ms(text.substr(eq + 1));
        const std::string from = colon == std::string::npos ? "" : text.substr(0, colon);
        const std::string to =
            ms ? text.substr(colon + 1, eq - colon - 1) : std::string();
        if (!ms || from.empty() || to.empty())
            return error("--link-latency: expected FROM:TO=MS (node ids, whole milliseconds "
                         "from 0 to 3600000), got '" + text + "'");
        if (from == to) return error("--link-latency: a link joins two different nodes, got '" + text + "'");
        if (auto problem = node_problem("--link-latency", from)) return *problem;
        if (auto problem = node_problem("--link-latency", to)) return *problem;
        for (const auto& [link, given_ms] : run.link_latency_ms)
            if (link == std::pair{from, to})
                return error("--link-latency: the link " + from + ":" + to + " is given twice");
        run.link_latency_ms.push_back({{from, to}, *ms});
    }
    for (const auto& text : node_latency_given) {
        const auto eq = text.find('=');
        std::optional<std::int64_t> ms;
        if (eq != std::string::npos && eq > 0) ms = parse_ms(text.substr(eq + 1));
        if (!ms)
            return error("--node-latency: expected NODE=MS (a node id, whole milliseconds from 0 "
                         "to 3600000), got '" + text + "'");
        const std::string id = text.substr(0, eq);
        if (auto problem = node_problem("--node-latency", id)) return *problem;
        for (const auto& [given_id, given_ms] : run.node_latency_ms)
            if (given_id == id) return error("--node-latency: node " + id + " is given twice");
        run.node_latency_ms.push_back({id, *ms});
    }
    command.canonical_args = canonical_args_of(run, node_count, parsed.swarm);
    return parsed;
}

// Canonical, explicit arguments: everything that shapes the run, so that parsing them again
// gives the same RunOptions (tested). Parameters of a fault that is off appear only when they
// differ from the default; they do not change the run but keep the round trip exact.
std::vector<std::string> canonical_args_of(const RunOptions& run,
                                           std::optional<std::int64_t> node_count, bool swarm) {
    const RunOptions defaults;
    std::vector<std::string> out = {"-w", run.workload};
    if (run.workload == "kafka") out.insert(out.end(), {"--backend", run.backend});
    if ((run.workload == "kafka" && run.backend == "kv") || run.commit_kv != defaults.commit_kv)
        out.insert(out.end(), {"--commit-kv", run.commit_kv});
    if (run.workload == "kafka" || run.key_count != defaults.key_count ||
        run.max_writes_per_key != defaults.max_writes_per_key)
        out.insert(out.end(), {"--key-count", std::to_string(run.key_count),
                               "--max-writes-per-key", std::to_string(run.max_writes_per_key)});
    if (node_count) {
        out.insert(out.end(), {"--node-count", std::to_string(*node_count)});
    } else {
        std::string joined;
        for (const auto& id : run.nodes) joined += (joined.empty() ? "" : ",") + id;
        out.insert(out.end(), {"--nodes", joined});
    }
    out.insert(out.end(), {"--time-limit", format_seconds(run.time_limit_us), "--rate",
                           format_number(run.rate), "--concurrency",
                           std::to_string(run.concurrency), "--latency",
                           std::to_string(run.latency_ms), "--latency-dist",
                           std::string(latency_dist_name(run.latency_dist))});
    {
        RunOptions copy = run;
        std::string faults;
        for (const char* name : kNemesisNames)
            if (*nemesis_flag(copy, name)) faults += (faults.empty() ? "" : ",") + std::string(name);
        if (!faults.empty()) out.insert(out.end(), {"--nemesis", faults});
        auto seconds = [&](const char* option, bool on, Instant us, Instant default_us) {
            if (on || us != default_us) out.insert(out.end(), {option, format_seconds(us)});
        };
        auto number = [&](const char* option, bool on, double value, double default_value) {
            if (on || value != default_value) out.insert(out.end(), {option, format_number(value)});
        };
        auto integer = [&](const char* option, bool on, std::int64_t value,
                           std::int64_t default_value) {
            if (on || value != default_value)
                out.insert(out.end(), {option, std::to_string(value)});
        };
        seconds("--nemesis-interval",
                run.nemesis_partition || run.nemesis_kill || run.nemesis_pause || run.nemesis_slow,
                run.nemesis_interval_us, defaults.nemesis_interval_us);
        number("--drop-probability", run.nemesis_drop, run.drop_probability,
               defaults.drop_probability);
        number("--duplicate-probability", run.nemesis_duplicate, run.duplicate_probability,
               defaults.duplicate_probability);
        seconds("--kill-downtime", run.nemesis_kill, run.kill_downtime_us, defaults.kill_downtime_us);
        seconds("--pause-duration", run.nemesis_pause, run.pause_duration_us,
                defaults.pause_duration_us);
        integer("--slow-ms", run.nemesis_slow, run.slow_extra_ms, defaults.slow_extra_ms);
        seconds("--slow-duration", run.nemesis_slow, run.slow_duration_us, defaults.slow_duration_us);
        integer("--skew-ms", run.nemesis_skew, run.skew_max_ms, defaults.skew_max_ms);
        integer("--drift-ppm", run.nemesis_skew, run.drift_max_ppm, defaults.drift_max_ppm);
    }
    for (const auto& [link, ms] : run.link_latency_ms)
        out.insert(out.end(),
                   {"--link-latency", link.first + ":" + link.second + "=" + std::to_string(ms)});
    for (const auto& [id, ms] : run.node_latency_ms)
        out.insert(out.end(), {"--node-latency", id + "=" + std::to_string(ms)});
    if (run.availability)
        out.insert(out.end(), {"--availability", *run.availability == 1.0 ? std::string("total")
                                                                          : format_number(*run.availability)});
    if (run.max_events != defaults.max_events)
        out.insert(out.end(), {"--max-events", std::to_string(run.max_events)});
    if (swarm) out.push_back("--swarm");
    out.insert(out.end(), {"--seed", std::to_string(run.seed)});
    return out;
}

bool ends_with(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The swarm's draw replaces the fault options: they are drawn from the run's seed and parsed
// like typed options, so the printed line is itself a valid command line.
std::variant<Parsed, CliError> apply_swarm(const std::vector<std::string>& args, Parsed parsed) {
    for (const auto& name : parsed.given)
        if (swarm_draws(name))
            return CliError{"millpond test: " + name +
                            ": --swarm draws the faults and their parameters from the seed; "
                            "give one or the other"};
    std::vector<std::string> drawn = draw_swarm_args(parsed.command.run.seed);
    std::vector<std::string> with_draw = args;
    with_draw.insert(with_draw.end(), drawn.begin(), drawn.end());
    with_draw.insert(with_draw.end(), {"--seed", std::to_string(parsed.command.run.seed)});
    auto reparsed = parse_options(with_draw, parsed.command.run.seed);
    if (auto* problem = std::get_if<CliError>(&reparsed)) return *problem;
    Parsed result = std::move(std::get<Parsed>(reparsed));
    result.command.seed_given = parsed.command.seed_given;
    result.command.swarm_args = std::move(drawn);
    // The repro line keeps --swarm: the draw is a function of the seed.
    result.command.canonical_args = parsed.command.canonical_args;
    return result;
}

// `millpond test FILE.json [options]`: the file's options, minus those the command line gives
// again (the command line wins), then the command line's, through the same parser.
std::variant<TestCommand, CliError> parse_scenario_run(const std::vector<std::string>& args,
                                                       std::uint64_t fresh_seed) {
    const std::string& path = args[0];
    auto loaded = load_scenario(path);
    if (auto* problem = std::get_if<std::string>(&loaded))
        return CliError{"millpond: " + path + ": " + *problem};
    const Scenario& scenario = std::get<Scenario>(loaded);

    // The command line's options: their names (to override the file's) and the words that
    // shape the run (for the repro line).
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    std::set<std::string> overridden;
    std::vector<std::string> shaping;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        std::string name = rest[i];
        const bool inline_value = name.rfind("--", 0) == 0 && name.find('=') != std::string::npos;
        if (inline_value) name = name.substr(0, name.find('='));
        if (ends_with(rest[i], ".json") && rest[i][0] != '-')
            return CliError{"millpond test: " + rest[i] +
                            ": give one scenario file, as the first argument"};
        const auto kind = test_option_kind(name);
        std::vector<std::string> words = {rest[i]};
        if (kind && *kind != OptionKind::kFlag && !inline_value && i + 1 < rest.size())
            words.push_back(rest[++i]);
        const std::string long_name = long_option_name(name);
        overridden.insert(long_name);
        if (long_name == "--node-count" || long_name == "--nodes" || long_name == "--node")
            overridden.insert({"--node-count", "--nodes", "--node"});
        if (long_name == "--swarm")
            for (auto drawn : kSwarmDrawnOptions) overridden.insert(std::string(drawn));
        if (swarm_draws(long_name)) overridden.insert("--swarm");
        const bool replays_without =
            long_name == "--seed" || long_name == "--store" || long_name == "--check-determinism" ||
            long_name.rfind("--log-", 0) == 0;
        if (!replays_without) shaping.insert(shaping.end(), words.begin(), words.end());
    }
    std::vector<std::string> file_args;
    for (std::size_t i = 0; i < scenario.option_args.size();) {
        const std::string& name = scenario.option_args[i];
        const bool flag = test_option_kind(name) == OptionKind::kFlag;
        const std::size_t width = flag ? 1 : 2;
        if (!overridden.count(name))
            file_args.insert(file_args.end(), scenario.option_args.begin() + static_cast<long>(i),
                             scenario.option_args.begin() + static_cast<long>(i + width));
        i += width;
    }
    // The file alone, as written, must make sense: its mistakes are named by their JSON path.
    if (auto alone = parse_options(scenario.option_args, fresh_seed);
        std::holds_alternative<CliError>(alone)) {
        std::string message = std::get<CliError>(alone).message;
        if (message.rfind("millpond test: ", 0) == 0) message = message.substr(15);
        if (message.rfind("-w/", 0) == 0) message = message.substr(3);
        if (message.rfind("--", 0) == 0) message = "options." + message.substr(2);
        return CliError{"millpond: " + path + ": " + message};
    }
    std::vector<std::string> combined = file_args;
    combined.insert(combined.end(), rest.begin(), rest.end());
    auto first = parse_options(combined, fresh_seed);
    if (auto* problem = std::get_if<CliError>(&first)) return *problem;
    Parsed parsed = std::move(std::get<Parsed>(first));
    if (parsed.swarm) {
        auto swarmed = apply_swarm(combined, std::move(parsed));
        if (auto* problem = std::get_if<CliError>(&swarmed)) return *problem;
        parsed = std::move(std::get<Parsed>(swarmed));
    }
    TestCommand& command = parsed.command;
    if (scenario.faults) command.run.fault_schedule = scenario.faults;
    if (scenario.ops) command.run.client_script = scenario.ops;
    if (auto problem = scenario_problem_for_run(scenario, command.run))
        return CliError{"millpond: " + path + ": " + *problem};
    command.scenario_path = path;
    command.scenario_title = scenario.title;
    command.scenario_expect = scenario.expect;
    command.canonical_args = {path};
    command.canonical_args.insert(command.canonical_args.end(), shaping.begin(), shaping.end());
    command.canonical_args.insert(command.canonical_args.end(),
                                  {"--seed", std::to_string(command.run.seed)});
    return std::move(command);
}

}  // namespace

std::variant<TestCommand, CliError> parse_test_args(const std::vector<std::string>& args,
                                                    std::uint64_t fresh_seed) {
    if (!args.empty() && ends_with(args[0], ".json") && args[0][0] != '-')
        return parse_scenario_run(args, fresh_seed);
    auto first = parse_options(args, fresh_seed);
    if (auto* problem = std::get_if<CliError>(&first)) return *problem;
    Parsed parsed = std::move(std::get<Parsed>(first));
    if (parsed.swarm) {
        auto swarmed = apply_swarm(args, std::move(parsed));
        if (auto* problem = std::get_if<CliError>(&swarmed)) return *problem;
        return std::move(std::get<Parsed>(swarmed).command);
    }
    return std::move(parsed.command);
}

std::vector<std::string> canonical_run_args(const RunOptions& run) {
    return canonical_args_of(run, std::nullopt, false);
}

std::string shell_word(const std::string& word) {
    bool plain = !word.empty();
    for (char c : word)
        plain = plain && (std::isalnum(static_cast<unsigned char>(c)) ||
                          std::string_view("-_./:=,+@%").find(c) != std::string_view::npos);
    if (plain) return word;
    std::string quoted = "'";
    for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string repro_command(const TestCommand& command) {
    std::string line = "millpond test";
    for (const auto& arg : command.canonical_args) line += " " + shell_word(arg);
    return line;
}

std::string main_help() {
    return R"(millpond — a deterministic, fast stand-in for Jepsen Maelstrom.

Usage:
  millpond test [FILE.json] [options]  run one simulated test, or a scenario file from
                                       scenarios/ (see: millpond test --help)
  millpond check -w WORKLOAD HISTORY   judge a history.edn written by millpond or by Maelstrom
  millpond figures [--seeds N]         measure the kafka designs (the README table)
  millpond lamport STORE_DIR [...]     Lamport diagram of a run's messages (see: --help)
  millpond sweep [FILE.json] [test options] --seeds A..B [--jobs N] [--shard K/N] [--json F]
                                       one test over many seeds, in parallel, one table
  millpond hunt --backend NAME [test options] [--budget-s S] [--json]
                                       search for a counterexample and shrink it (see: --help)
  millpond merge FILE.json...          combine sharded sweeps' JSON into that table
  millpond bench [--quick] [--json]    measure simulator and checker speed (the README table)
  millpond report STORE_DIR|HISTORY    the run report STORE_DIR/index.html (verdict, anomalies,
                                       figures, plots, diagram); Maelstrom's stores too
  millpond --help | --version

Exit codes: 0 valid, 1 invalid, 2 unknown, 254 bad arguments or input, 255 crash.
)";
}

std::string test_help() {
    std::string backends;
    for (const auto& name : kafka::backend_names()) backends += (backends.empty() ? "" : "|") + name;
    std::string zoo;
    for (const auto& name : kafka::zoo_backend_names()) zoo += "                             " + name + "\n";
    const RunOptions defaults;
    auto seconds = [](Instant us) { return format_seconds(us); };
    return R"(Usage: millpond test [options]
       millpond test FILE.json [options]   a scenario file (see scenarios/); options given
                                           after it override the file's

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
                             drop       each server-to-server message lost (this and the
                                        faults below are millpond's own)
                             duplicate  each server-to-server message delivered twice
                             kill       a random node crashes (memory and unsynced disk
                                        lost) and restarts with a fresh init after
                                        --kill-downtime
                             pause      a random node stops for --pause-duration; its
                                        messages wait
                             skew       each node's clock gets its own offset and drift
                             slow       a random node or link gets --slow-ms more latency
                                        for --slow-duration
                             any combination, e.g. --nemesis partition,kill,drop
  --nemesis-interval S       mean seconds between partition, kill, pause and slow ops, each
                             on its own schedule; gaps are uniform in [0, 2S] (default: )" +
           seconds(defaults.nemesis_interval_us) + R"()
  --availability A           'total' or a fraction in [0,1]: minimum ok/invoke ratio
                             (default: unset, always valid)
  --key-count N              kafka: active keys (default: 10)
  --max-writes-per-key N     kafka: sends per key before it retires (default: 16)
  --log-stderr               copy node log lines to stderr
  --log-net-send             print every message sent;  --log-net-recv  every one received

millpond's own:
  --seed N                   root seed (default: a fresh random seed, printed)
  --drop-probability P       for drop (default: )" + format_number(defaults.drop_probability) + R"()
  --duplicate-probability P  for duplicate (default: )" +
           format_number(defaults.duplicate_probability) + R"()
  --kill-downtime S          kill: seconds before the node restarts (default: )" +
           seconds(defaults.kill_downtime_us) + R"()
  --pause-duration S         pause: seconds the node stays paused (default: )" +
           seconds(defaults.pause_duration_us) + R"()
  --slow-ms MS               slow: extra latency in ms (default: )" +
           std::to_string(defaults.slow_extra_ms) + R"()
  --slow-duration S          slow: seconds a node or link stays slow (default: )" +
           seconds(defaults.slow_duration_us) + R"()
  --skew-ms MS               skew: clock offsets uniform in [-MS, MS] (default: )" +
           std::to_string(defaults.skew_max_ms) + R"()
  --drift-ppm PPM            skew: clock drifts uniform in [-PPM, PPM] parts per million
                             (default: )" + std::to_string(defaults.drift_max_ppm) + R"()
  --link-latency FROM:TO=MS  extra ms on every server message from FROM to TO, the whole
                             run (repeatable; default: none)
  --node-latency NODE=MS     extra ms on every server message to or from NODE (repeatable;
                             default: none)
  --swarm                    draw the fault mix (a non-empty subset of the seven faults)
                             and each fault's parameters from the seed; printed before the
                             run, replayed by --swarm --seed N
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
