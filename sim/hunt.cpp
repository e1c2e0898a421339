#include "hunt.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <variant>

#include "cli.hpp"
#include "commands.hpp"
#include "core/assert.hpp"
#include "core/hash.hpp"
#include "core/kafka/backend.hpp"
#include "fingerprint.hpp"
#include "hunt_budget.hpp"
#include "hunt_generators.hpp"
#include "judged_run.hpp"
#include "scenario.hpp"

namespace millpond::sim {

namespace {

// Most telling first: a wrong offset, then a skipped or repeated message, then one lost.
constexpr const char* kAnomalyPriority[] = {
    "inconsistent-offsets", "duplicate",         "int-poll-skip",    "poll-skip",
    "nonmonotonic-poll",    "int-nonmonotonic-poll", "nonmonotonic-send", "int-nonmonotonic-send",
    "lost-write",           "G1c",               "G1c-realtime",     "G1c-process",
    "unseen",
};

constexpr double kSweepShareOfBudget = 0.35;  // then generation, and shrinking after a find
constexpr int kReplays = 100;

bool has_anomaly(const HuntVerdict& verdict, const std::string& anomaly) {
    return verdict.invalid &&
           std::find(verdict.anomalies.begin(), verdict.anomalies.end(), anomaly) !=
               verdict.anomalies.end();
}

std::string format_ms(Instant us) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(3);
    out << static_cast<double>(us) / 1e3 << " ms";
    return out.str();
}

std::string format_seconds(Instant us) {
    std::ostringstream out;
    out.setf(std::ios::fixed);
    out.precision(3);
    out << static_cast<double>(us) / 1e6;
    return out.str();
}

// What a script says, as text: two scripts are the same run exactly when these are equal.
std::string script_text(const ClientScript& script) {
    std::string text;
    for (const auto& op : script) {
        text += std::to_string(op.at_us) + " " + std::to_string(op.thread) + " " + op.op.f + " " +
                edn::write(op.op.value);
        for (const auto& [name, value] : op.op.extra) text += " :" + name + " " + edn::write(value);
        text += "\n";
    }
    return text;
}

std::string join(const std::vector<std::string>& words, const std::string& separator) {
    std::string out;
    for (const auto& word : words) out += (out.empty() ? "" : separator) + word;
    return out;
}

// ---------------------------------------------------------------------------------------------
// Shrinking steps: each returns the candidates one step smaller than `run`, most ambitious first.

ClientScript& script_of(RunOptions& run) {
    if (!run.client_script) run.client_script.emplace();
    return *run.client_script;
}
FaultSchedule& faults_of(RunOptions& run) {
    if (!run.fault_schedule) run.fault_schedule.emplace();
    return *run.fault_schedule;
}

// The k-th send to a key sends k again, keys become "0", "1", ... in order of first use, and
// the main phase ends a second after the last op or fault: the same run, smaller numbers.
// With rename_keys false the keys stay (a key's name decides its owner in some designs).
RunOptions normalized(RunOptions run, bool rename_keys = true) {
    std::map<std::string, std::string> key_names;
    auto rename = [&](const std::string& key) {
        auto [it, inserted] =
            key_names.emplace(key, rename_keys ? std::to_string(key_names.size()) : key);
        return it->second;
    };
    std::map<std::string, std::int64_t> sent;
    Instant last_us = 0;
    for (auto& op : script_of(run)) {
        last_us = std::max(last_us, op.at_us);
        if (op.op.f == "send" && op.op.value.is_sequential() && op.op.value.size() == 1) {
            const edn::Value& mop = op.op.value.items()[0];
            if (!mop.is_sequential() || mop.size() != 3 || !mop.items()[1].is_string()) continue;
            const std::string key = rename(mop.items()[1].as_string());
            op.op.value = edn::Value::vector({edn::Value::vector(
                {edn::Value::keyword("send"), edn::Value(key), edn::Value(++sent[key])})});
        } else if (op.op.f == "assign" && op.op.value.is_sequential()) {
            edn::Value keys = edn::Value::vector();
            for (const auto& key : op.op.value.items())
                if (key.is_string()) keys.push(edn::Value(rename(key.as_string())));
            op.op.value = std::move(keys);
        }
    }
    for (const auto& event : faults_of(run)) last_us = std::max(last_us, event.at_us);
    if (rename_keys)
        run.key_count = std::max<std::int32_t>(1, static_cast<std::int32_t>(key_names.size()));
    run.time_limit_us = last_us + 1'000'000;
    return run;
}

// Without the node `gone`: faults lose it as a target (and vanish when nothing is left).
RunOptions without_node(RunOptions run, const NodeId& gone) {
    run.nodes.erase(std::remove(run.nodes.begin(), run.nodes.end(), gone), run.nodes.end());
    FaultSchedule kept;
    for (FaultEvent event : faults_of(run)) {
        event.nodes.erase(std::remove(event.nodes.begin(), event.nodes.end(), gone),
                          event.nodes.end());
        event.grudge.erase(gone);
        for (auto& [dest, sources] : event.grudge)
            sources.erase(std::remove(sources.begin(), sources.end(), gone), sources.end());
        for (auto it = event.grudge.begin(); it != event.grudge.end();)
            it = it->second.empty() ? event.grudge.erase(it) : std::next(it);
        if (event.link && (event.link->first == gone || event.link->second == gone))
            event.link.reset();
        const bool empty = event.kind == FaultKind::kPartition
                               ? event.grudge.empty()
                               : event.nodes.empty() && !event.link;
        if (!empty) kept.push_back(std::move(event));
    }
    run.fault_schedule = std::move(kept);
    return run;
}

RunOptions with_concurrency(RunOptions run, std::int32_t concurrency) {
    MP_ASSERT_GE(concurrency, 1);
    run.concurrency = concurrency;
    for (auto& op : script_of(run)) op.thread %= concurrency;
    return run;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

HuntVerdict judge_run(const RunOptions& run) {
    const JudgedRun judged = run_and_judge(run);
    HuntVerdict verdict;
    verdict.fingerprint = judged.outcome.fingerprint;
    const edn::Value* valid = judged.workload_result.find("valid?");
    // :unknown (truthy) and an aborted run are no counterexample; only false is.
    verdict.aborted = judged.outcome.aborted;
    verdict.invalid = verdict.aborted.empty() && valid != nullptr && !valid->truthy();
    verdict.valid = verdict.aborted.empty() && valid != nullptr && *valid == edn::Value(true);
    if (const edn::Value* bad = judged.workload_result.find("bad-error-types"))
        if (bad->is_sequential())
            for (const auto& type : bad->items()) verdict.anomalies.push_back(type.as_string());
    // A run in which no message was sent and read has nothing to check: Maelstrom calls that
    // invalid (:empty-transaction-graph), but it is no counterexample to a design.
    std::erase(verdict.anomalies, std::string("empty-transaction-graph"));
    if (verdict.invalid && verdict.anomalies.empty()) verdict.invalid = false;
    std::sort(verdict.anomalies.begin(), verdict.anomalies.end());
    return verdict;
}

std::string primary_anomaly(const std::vector<std::string>& anomalies) {
    for (const char* type : kAnomalyPriority)
        if (std::find(anomalies.begin(), anomalies.end(), type) != anomalies.end()) return type;
    return anomalies.empty() ? "" : anomalies.front();
}

RunOptions run_as_value(const RunOptions& run, const history::History& history) {
    RunOptions value = run;
    value.nemesis_partition = value.nemesis_kill = value.nemesis_pause = value.nemesis_slow = false;
    ClientScript script;
    for (const auto& op : history) {
        if (!op.is_client() || op.type != history::OpType::kInvoke) continue;
        const Instant at_us = op.time_ns / 1000;
        if (at_us >= run.time_limit_us || op.find_extra("final?") != nullptr) continue;
        ScriptedOp scripted;
        scripted.at_us = std::max<Instant>(0, at_us);
        scripted.thread = static_cast<std::int32_t>(op.process % run.concurrency);
        scripted.op.f = op.f;
        scripted.op.value = op.value;
        scripted.op.immediate_info = op.f == "crash";
        if (const edn::Value* seek = op.find_extra("seek-to-beginning?"))
            scripted.op.extra.emplace_back("seek-to-beginning?", *seek);
        script.push_back(std::move(scripted));
    }
    // Nemesis ops come in pairs (both :info): the request, then what happened.
    struct Open {
        FaultEvent event;
        std::string ends_with;
    };
    std::vector<Open> open;
    FaultSchedule faults;
    auto close = [&](const std::string& f, Instant at_us) {
        for (auto it = open.begin(); it != open.end(); ++it) {
            if (it->ends_with != f) continue;
            it->event.duration_us = std::max<Instant>(1, at_us - it->event.at_us);
            faults.push_back(std::move(it->event));
            open.erase(it);
            return;
        }
    };
    std::vector<const history::Op*> nemesis;
    for (const auto& op : history)
        if (!op.is_client()) nemesis.push_back(&op);
    for (std::size_t i = 0; i + 1 < nemesis.size(); i += 2) {
        const history::Op& request = *nemesis[i];
        const history::Op& result = *nemesis[i + 1];
        const Instant at_us = std::max<Instant>(0, request.time_ns / 1000);
        auto node_list = [](const edn::Value& value) {
            std::vector<NodeId> nodes;
            if (value.is_sequential())
                for (const auto& item : value.items())
                    if (item.is_string()) nodes.push_back(item.as_string());
            return nodes;
        };
        if (request.f == "start-partition") {
            close("stop-partition", at_us);  // a new partition replaces the old one
            FaultEvent event;
            event.kind = FaultKind::kPartition;
            event.at_us = at_us;
            if (result.value.is_sequential() && result.value.size() == 2 &&
                result.value.items()[1].is_map())
                for (const auto& [dest, sources] : result.value.items()[1].entries())
                    if (dest.is_string()) event.grudge[dest.as_string()] = node_list(sources);
            if (!event.grudge.empty()) open.push_back({std::move(event), "stop-partition"});
        } else if (request.f == "kill" || request.f == "pause") {
            FaultEvent event;
            event.kind = request.f == "kill" ? FaultKind::kKill : FaultKind::kPause;
            event.at_us = at_us;
            event.nodes = node_list(request.value);
            open.push_back({std::move(event), request.f == "kill" ? "start" : "resume"});
        } else if (request.f == "start-slow") {
            FaultEvent event;
            event.kind = FaultKind::kSlow;
            event.at_us = at_us;
            const std::vector<NodeId> nodes = node_list(request.value);
            if (nodes.size() == 2) {
                event.link = std::pair{nodes[0], nodes[1]};
            } else {
                event.nodes = nodes;
            }
            if (result.value.is_sequential() && result.value.size() == 2 &&
                result.value.items()[1].is_int())
                event.extra_latency_ms = result.value.items()[1].as_int();
            open.push_back({std::move(event), "stop-slow"});
        } else if (request.f == "stop-partition" || request.f == "start" ||
                   request.f == "resume" || request.f == "stop-slow") {
            close(request.f, at_us);
        }
    }
    // Faults still on when the main phase ended were healed then.
    for (auto& still : open) {
        still.event.duration_us = std::max<Instant>(1, run.time_limit_us - still.event.at_us);
        faults.push_back(std::move(still.event));
    }
    std::stable_sort(faults.begin(), faults.end(),
                     [](const FaultEvent& a, const FaultEvent& b) { return a.at_us < b.at_us; });
    value.client_script = std::move(script);
    value.fault_schedule = std::move(faults);
    return value;
}

RunOptions shrink_run(RunOptions failing,
                      const std::function<bool(const RunOptions&)>& still_fails,
                      const std::function<bool()>& out_of_time, std::int64_t* runs) {
    RunOptions current = std::move(failing);
    auto attempt = [&](RunOptions candidate) {
        if (out_of_time()) return false;
        ++*runs;
        if (!still_fails(candidate)) return false;
        current = std::move(candidate);
        return true;
    };
    for (bool progress = true; progress && !out_of_time();) {
        progress = false;
        // Faults, one at a time, last first.
        for (std::size_t i = faults_of(current).size(); i-- > 0;) {
            RunOptions candidate = current;
            faults_of(candidate).erase(faults_of(candidate).begin() + static_cast<std::ptrdiff_t>(i));
            progress |= attempt(std::move(candidate));
        }
        // Ops: delta debugging, removing chunks of halving size.
        for (std::size_t chunk = std::max<std::size_t>(1, script_of(current).size() / 2);;
             chunk /= 2) {
            for (std::size_t start = 0; start < script_of(current).size();) {
                RunOptions candidate = current;
                auto& ops = script_of(candidate);
                const std::size_t end = std::min(ops.size(), start + chunk);
                ops.erase(ops.begin() + static_cast<std::ptrdiff_t>(start),
                          ops.begin() + static_cast<std::ptrdiff_t>(end));
                if (attempt(std::move(candidate))) {
                    progress = true;
                } else {
                    start += chunk;
                }
                if (out_of_time()) break;
            }
            if (chunk == 1 || out_of_time()) break;
        }
        // Message faults, skew and latency: off, or plainer.
        for (int step = 0; step < 6; ++step) {
            RunOptions candidate = current;
            bool changed = false;
            switch (step) {
                case 0: changed = std::exchange(candidate.nemesis_drop, false); break;
                case 1: changed = std::exchange(candidate.nemesis_duplicate, false); break;
                case 2: changed = std::exchange(candidate.nemesis_skew, false); break;
                case 3:
                    changed = !candidate.link_latency_ms.empty() || !candidate.node_latency_ms.empty();
                    candidate.link_latency_ms.clear();
                    candidate.node_latency_ms.clear();
                    break;
                case 4:
                    changed = candidate.latency_dist != LatencyDist::kConstant;
                    candidate.latency_dist = LatencyDist::kConstant;
                    break;
                case 5:
                    changed = candidate.latency_ms != 0;
                    candidate.latency_ms = 0;
                    break;
            }
            if (changed) progress |= attempt(std::move(candidate));
        }
        // Nodes, the last first; then threads.
        for (std::size_t i = current.nodes.size(); i-- > 0 && current.nodes.size() > 1;)
            progress |= attempt(without_node(current, current.nodes[i]));
        {
            // Threads no op uses are dropped, the rest numbered in order of first use.
            RunOptions candidate = current;
            std::map<std::int32_t, std::int32_t> renumbered;
            for (auto& op : script_of(candidate)) {
                auto [it, inserted] = renumbered.emplace(
                    op.thread, static_cast<std::int32_t>(renumbered.size()));
                op.thread = it->second;
            }
            candidate.concurrency = std::max<std::int32_t>(1, static_cast<std::int32_t>(renumbered.size()));
            if (script_text(*candidate.client_script) != script_text(script_of(current)) ||
                candidate.concurrency != current.concurrency)
                progress |= attempt(std::move(candidate));
        }
        while (current.concurrency > 1 &&
               attempt(with_concurrency(current, current.concurrency - 1)))
            progress = true;
        // Fault targets: one node or grudge entry fewer.
        for (std::size_t i = 0; i < faults_of(current).size(); ++i) {
            const FaultEvent& event = faults_of(current)[i];
            for (std::size_t n = event.nodes.size(); n-- > 0 && event.nodes.size() > 1;) {
                RunOptions candidate = current;
                auto& nodes = faults_of(candidate)[i].nodes;
                nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(n));
                progress |= attempt(std::move(candidate));
            }
        }
        // Times: everything earlier, each op as early as the op before it, shorter faults.
        {
            RunOptions candidate = current;
            for (auto& op : script_of(candidate)) op.at_us /= 2;
            for (auto& event : faults_of(candidate)) event.at_us /= 2;
            candidate = normalized(std::move(candidate));
            if (script_text(*candidate.client_script) != script_text(script_of(current)))
                progress |= attempt(std::move(candidate));
        }
        for (std::size_t i = 0; i < script_of(current).size(); ++i) {
            const Instant before_us = i == 0 ? 0 : script_of(current)[i - 1].at_us;
            if (script_of(current)[i].at_us <= before_us) continue;
            RunOptions candidate = current;
            const Instant shift_us = script_of(candidate)[i].at_us - before_us;
            for (std::size_t j = i; j < script_of(candidate).size(); ++j)
                script_of(candidate)[j].at_us -= shift_us;
            progress |= attempt(std::move(candidate));
        }
        for (std::size_t i = 0; i < faults_of(current).size(); ++i) {
            if (faults_of(current)[i].duration_us <= 100'000) continue;
            RunOptions candidate = current;
            faults_of(candidate)[i].duration_us /= 2;
            progress |= attempt(std::move(candidate));
        }
        // Plainer numbers: keys 0, 1, ..., messages 1, 2, ... per key, a tight time limit.
        for (const bool rename_keys : {true, false}) {
            RunOptions candidate = normalized(current, rename_keys);
            if (script_text(*candidate.client_script) != script_text(script_of(current)) ||
                candidate.time_limit_us != current.time_limit_us)
                progress |= attempt(std::move(candidate));
        }
    }
    return current;
}

// ---------------------------------------------------------------------------------------------
// The command

namespace {

struct HuntArgs {
    std::vector<std::string> test_args;  // with the hunt's defaults, without --seed
    bool alternate_swarm = false;
    double budget_s = 60;
    bool json = false;
    std::int32_t jobs = 2;
    std::uint64_t seed = 1;
    std::string store_dir = "store";
};

bool given(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
    for (const auto& arg : args)
        for (const char* name : names)
            if (arg == name || arg.rfind(std::string(name) + "=", 0) == 0) return true;
    return false;
}

std::optional<std::string> parse_hunt_args(const std::vector<std::string>& args, HuntArgs* hunt) {
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&]() -> std::optional<std::string> {
            if (i + 1 >= args.size()) return std::nullopt;
            return args[++i];
        };
        if (arg == "--budget-s") {
            auto text = value();
            double seconds = 0;
            if (!text || std::from_chars(text->data(), text->data() + text->size(), seconds).ec !=
                             std::errc() ||
                !(seconds > 0) || seconds > 1e6)
                return "--budget-s: expected seconds > 0, got '" + text.value_or("") + "'";
            hunt->budget_s = seconds;
        } else if (arg == "--json") {
            hunt->json = true;
        } else if (arg == "--jobs") {
            auto text = value();
            std::int32_t jobs = 0;
            if (!text || std::from_chars(text->data(), text->data() + text->size(), jobs).ec !=
                             std::errc() ||
                jobs < 1 || jobs > 256)
                return "--jobs: expected 1 to 256, got '" + text.value_or("") + "'";
            hunt->jobs = jobs;
        } else if (arg == "--seed") {
            auto text = value();
            std::uint64_t seed = 0;
            if (!text || std::from_chars(text->data(), text->data() + text->size(), seed).ec !=
                             std::errc())
                return "--seed: expected a non-negative integer, got '" + text.value_or("") + "'";
            hunt->seed = seed;
        } else if (arg == "--store") {
            auto text = value();
            if (!text) return "--store: missing value (a directory)";
            hunt->store_dir = *text;
            rest.insert(rest.end(), {"--store", *text});
        } else {
            rest.push_back(arg);
        }
    }
    if (!given(rest, {"--backend"})) return "--backend NAME is required (e.g. --backend zoo/kv-no-cas)";
    bool memory = false;
    for (std::size_t i = 0; i + 1 < rest.size(); ++i)
        if (rest[i] == "--backend") memory = rest[i + 1] == "memory";
    // Small, busy runs: a bug shows in seconds of simulated time with a few nodes.
    std::vector<std::string> defaults;
    if (!given(rest, {"--node-count", "--nodes", "-n", "--node"}))
        defaults.insert(defaults.end(), {"--node-count", memory ? "1" : "2"});
    if (!given(rest, {"--concurrency"})) defaults.insert(defaults.end(), {"--concurrency", "2n"});
    if (!given(rest, {"--time-limit"})) defaults.insert(defaults.end(), {"--time-limit", "5"});
    if (!given(rest, {"--rate"})) defaults.insert(defaults.end(), {"--rate", "50"});
    if (!given(rest, {"--latency"})) defaults.insert(defaults.end(), {"--latency", "5"});
    if (!given(rest, {"--latency-dist"}))
        defaults.insert(defaults.end(), {"--latency-dist", "exponential"});
    hunt->alternate_swarm = !given(rest, {"--nemesis", "--swarm"});
    hunt->test_args = defaults;
    hunt->test_args.insert(hunt->test_args.end(), rest.begin(), rest.end());
    return std::nullopt;
}

std::variant<TestCommand, std::string> parse_seed(const HuntArgs& hunt, std::uint64_t seed,
                                                  bool swarm) {
    std::vector<std::string> args = hunt.test_args;
    if (swarm) args.push_back("--swarm");
    args.insert(args.end(), {"--seed", std::to_string(seed)});
    auto parsed = parse_test_args(args, seed);
    if (auto* problem = std::get_if<CliError>(&parsed)) return problem->message;
    return std::get<TestCommand>(std::move(parsed));
}

struct Found {
    RunOptions value;
    std::string anomaly;
    std::string found_by;  // what found it, for the summary
};

// Phase 1: seeds hunt.seed, hunt.seed + 1, ... in batches of `jobs` runs at once; the lowest
// failing seed of the first batch with one wins, whatever order the threads finish in.
std::optional<Found> sweep_seeds(const HuntArgs& hunt, const WallBudget& budget,
                                 std::int64_t* runs) {
    for (std::uint64_t first = hunt.seed; !budget.spent(kSweepShareOfBudget);
         first += static_cast<std::uint64_t>(hunt.jobs)) {
        std::vector<std::optional<TestCommand>> commands(static_cast<std::size_t>(hunt.jobs));
        std::vector<HuntVerdict> verdicts(commands.size());
        for (std::size_t j = 0; j < commands.size(); ++j) {
            const std::uint64_t seed = first + j;
            auto parsed = parse_seed(hunt, seed, hunt.alternate_swarm && seed % 2 == 0);
            if (auto* command = std::get_if<TestCommand>(&parsed)) commands[j] = std::move(*command);
        }
        std::vector<std::thread> threads;
        for (std::size_t j = 0; j < commands.size(); ++j)
            threads.emplace_back([&, j] {
                if (commands[j]) verdicts[j] = judge_run(commands[j]->run);
            });
        for (auto& thread : threads) thread.join();
        *runs += static_cast<std::int64_t>(commands.size());
        for (std::size_t j = 0; j < commands.size(); ++j) {
            if (!commands[j] || !verdicts[j].invalid) continue;
            const RunOptions& run = commands[j]->run;
            const std::string anomaly = primary_anomaly(verdicts[j].anomalies);
            // The failing seed once more, for its history, and as a value.
            const JudgedRun judged = run_and_judge(run);
            RunOptions value = run_as_value(run, judged.outcome.history);
            ++*runs;
            if (has_anomaly(judge_run(value), anomaly))
                return Found{std::move(value), anomaly,
                             "the seed sweep at seed " + std::to_string(run.seed)};
        }
    }
    return std::nullopt;
}

// Phase 2: RapidCheck's generator, case i drawn from its own Random(mix(seed, i)), and a
// failing case shrunk along RapidCheck's shrink tree (first child that still fails, repeat).
std::optional<Found> generate_runs(const HuntArgs& hunt, const RunOptions& base,
                                   const WallBudget& budget, std::int64_t* runs) {
    RunShape shape;
    if (base.backend == "memory") shape.nodes_max = 1;
    if (!hunt.alternate_swarm) {
        // The user chose the faults: generate only scheduled faults of the kinds chosen.
        shape.fault_kinds.clear();
        for (auto [on, kind] : {std::pair{base.nemesis_partition, FaultKind::kPartition},
                                std::pair{base.nemesis_kill, FaultKind::kKill},
                                std::pair{base.nemesis_pause, FaultKind::kPause},
                                std::pair{base.nemesis_slow, FaultKind::kSlow}})
            if (on) shape.fault_kinds.push_back(kind);
    }
    const rc::Gen<RunOptions> generator = gen_run(base, shape);
    for (std::uint64_t i = 0; !budget.spent(0.9); ++i) {
        const int size = static_cast<int>(std::min<std::uint64_t>(100, 10 + i));
        rc::Shrinkable<RunOptions> shrinkable =
            generator(rc::Random(mix64(hunt.seed * 0x9e3779b97f4a7c15ULL + i)), size);
        RunOptions value;
        try {
            value = shrinkable.value();
        } catch (const std::exception&) {
            continue;  // RapidCheck could not draw this case
        }
        ++*runs;
        const HuntVerdict verdict = judge_run(value);
        if (!verdict.invalid) continue;
        const std::string anomaly = primary_anomaly(verdict.anomalies);
        for (bool descended = true; descended && !budget.spent(0.95);) {
            descended = false;
            auto children = shrinkable.shrinks();
            while (auto child = children.next()) {
                if (budget.spent(0.95)) break;
                RunOptions candidate;
                try {
                    candidate = child->value();
                } catch (const std::exception&) {
                    continue;
                }
                ++*runs;
                if (has_anomaly(judge_run(candidate), anomaly)) {
                    shrinkable = std::move(*child);
                    value = std::move(candidate);
                    descended = true;
                    break;
                }
            }
        }
        return Found{std::move(value), anomaly,
                     "RapidCheck generation (case " + std::to_string(i) + ")"};
    }
    return std::nullopt;
}

std::string fault_text(const FaultEvent& event) {
    std::string text = std::string(fault_kind_name(event.kind));
    if (event.kind == FaultKind::kPartition) {
        std::vector<std::string> parts;
        for (const auto& [dest, sources] : event.grudge)
            parts.push_back(dest + " drops " + join(sources, ","));
        text += " (" + join(parts, "; ") + ")";
    } else if (event.link) {
        text += " link " + event.link->first + "->" + event.link->second;
    } else {
        text += " " + join(event.nodes, ",");
    }
    if (event.kind == FaultKind::kSlow) text += " +" + std::to_string(event.extra_latency_ms) + " ms";
    return text + " for " + format_ms(event.duration_us);
}

}  // namespace

int run_hunt_command(const std::vector<std::string>& args, std::uint64_t /*fresh_seed*/,
                     const std::string& run_id_stamp, std::ostream& out, std::ostream& err) {
    for (const auto& arg : args) {
        if (arg == "-h" || arg == "--help") {
            out << "Usage: millpond hunt --backend NAME [test options] [--budget-s S] [--seed N]\n"
                   "                     [--jobs N] [--json] [--store DIR]\n"
                   "\n"
                   "Searches for a run that the kafka checker finds invalid and shrinks it to a\n"
                   "small counterexample: a seed sweep with the test options first (every even\n"
                   "seed under a --swarm fault mix when no --nemesis is given), then RapidCheck\n"
                   "generation of whole runs (nodes, threads, latency, client ops, faults: of the\n"
                   "--nemesis kinds when given, else partition, kill, pause, slow). Prints\n"
                   "the shrunk client ops, faults and anomaly, a repro line (a scenario file\n"
                   "written under the store), and the store directory with the run's Lamport\n"
                   "diagrams and report. Deterministic given --seed (default 1); the budget\n"
                   "(default 60 s of wall time) only decides how far the search gets.\n"
                   "Defaults beside millpond test's: --node-count 2 (memory: 1) --concurrency 2n\n"
                   "--time-limit 5 --rate 50 --latency 5 --latency-dist exponential.\n"
                   "\n"
                   "Exit codes: 1 counterexample found, 0 budget spent without one, 254 bad\n"
                   "arguments, 255 crash.\n";
            return 0;
        }
    }
    HuntArgs hunt;
    if (auto problem = parse_hunt_args(args, &hunt)) {
        err << "millpond hunt: " << *problem << "\n";
        return 254;
    }
    auto base_parsed = parse_seed(hunt, hunt.seed, false);
    if (auto* problem = std::get_if<std::string>(&base_parsed)) {
        std::string text = *problem;
        if (text.rfind("millpond test: ", 0) == 0) text = text.substr(15);
        err << "millpond hunt: " << text << "\n";
        return 254;
    }
    const RunOptions base = std::get<TestCommand>(base_parsed).run;
    if (base.workload != "kafka") {
        err << "millpond hunt: only the kafka workload can be hunted (got -w " << base.workload
            << ")\n";
        return 254;
    }

    const WallBudget budget(hunt.budget_s);
    std::int64_t runs = 0;
    std::optional<Found> found = sweep_seeds(hunt, budget, &runs);
    if (!found) found = generate_runs(hunt, base, budget, &runs);
    if (!found) {
        if (hunt.json) {
            out << nlohmann::json{{"backend", base.backend}, {"found", false}, {"runs", runs},
                                  {"seconds", budget.elapsed_s()}}
                       .dump()
                << "\n";
        } else {
            out << "hunt: no counterexample for " << base.backend << " in " << runs << " runs ("
                << format_seconds(static_cast<Instant>(budget.elapsed_s() * 1e6)) << " s)\n";
        }
        return 0;
    }
    const double found_s = budget.elapsed_s();

    // Shrink, with the whole remaining budget but at least a few seconds: a found bug is
    // worth reporting small.
    const WallBudget shrink_budget(std::max(5.0, hunt.budget_s - found_s));
    const std::string anomaly = found->anomaly;
    RunOptions shrunk = shrink_run(
        found->value, [&](const RunOptions& candidate) { return has_anomaly(judge_run(candidate), anomaly); },
        [&] { return shrink_budget.spent(); }, &runs);
    const HuntVerdict verdict = judge_run(shrunk);
    MP_ASSERT(has_anomaly(verdict, anomaly));
    const double seconds = budget.elapsed_s();

    // The counterexample as a scenario file, replayed from that file.
    std::string safe_backend = base.backend;
    std::replace(safe_backend.begin(), safe_backend.end(), '/', '-');
    const std::filesystem::path hunt_dir =
        std::filesystem::path(hunt.store_dir) / "hunt" / (run_id_stamp + "-" + safe_backend);
    const std::filesystem::path scenario_path = hunt_dir / "counterexample.json";
    Scenario scenario = scenario_for_run(
        shrunk, "counterexample: " + base.backend + " shows :" + anomaly,
        "Found by millpond hunt (" + found->found_by + ") and shrunk to " +
            std::to_string(shrunk.client_script->size()) + " client ops and " +
            std::to_string(shrunk.fault_schedule->size()) + " faults.",
        "invalid");
    try {
        std::filesystem::create_directories(hunt_dir);
        std::ofstream file(scenario_path);
        file << write_scenario_json(scenario);
        if (!file) throw std::runtime_error("cannot write " + scenario_path.string());
    } catch (const std::exception& error) {
        err << "millpond hunt: " << error.what() << "\n";
        return 255;
    }
    const std::string seed_text = std::to_string(shrunk.seed);
    const std::string repro = "millpond test " + scenario_path.string() + " --seed " + seed_text;
    int replays_same = 0;
    {
        auto replay = parse_test_args({scenario_path.string(), "--seed", seed_text}, shrunk.seed);
        if (auto* command = std::get_if<TestCommand>(&replay)) {
            for (int i = 0; i < kReplays; ++i) {
                const HuntVerdict again = judge_run(command->run);
                if (again.anomalies == verdict.anomalies && again.fingerprint == verdict.fingerprint)
                    ++replays_same;
            }
        } else {
            err << "millpond hunt: warning: the scenario file does not parse back: "
                << std::get<CliError>(replay).message << "\n";
        }
    }
    // Once more through `millpond test`, for the store: history, diagrams, report.
    std::ostringstream test_out;
    std::ostringstream test_err;
    run_test_command({scenario_path.string(), "--seed", seed_text, "--store", hunt.store_dir},
                     shrunk.seed, run_id_stamp, test_out, test_err);
    std::string run_dir;
    {
        std::istringstream lines(test_out.str());
        for (std::string line; std::getline(lines, line);)
            if (line.rfind("store: ", 0) == 0) run_dir = line.substr(7);
    }
    const std::string report =
        !run_dir.empty() && std::filesystem::exists(run_dir + "/index.html")
            ? run_dir + "/index.html"
            : run_dir;
    std::string lamport;
    if (!run_dir.empty()) {
        lamport = run_dir + "/messages.svg";
        if (std::filesystem::exists(run_dir + "/lamport-anomaly-1.svg"))
            lamport = run_dir + "/lamport-anomaly-1.svg";
    }

    const nlohmann::json written = nlohmann::json::parse(write_scenario_json(scenario));
    if (hunt.json) {
        nlohmann::json message_faults = nlohmann::json::object();
        if (shrunk.nemesis_drop) message_faults["drop"] = shrunk.drop_probability;
        if (shrunk.nemesis_duplicate) message_faults["duplicate"] = shrunk.duplicate_probability;
        if (shrunk.nemesis_skew) message_faults["skew"] = shrunk.skew_max_ms;
        out << nlohmann::json{{"backend", base.backend},
                              {"found", true},
                              {"message_faults", message_faults},
                              {"found_by", found->found_by},
                              {"ops", written.value("ops", nlohmann::json::array())},
                              {"faults", written.value("faults", nlohmann::json::array())},
                              {"anomaly", anomaly},
                              {"anomalies", verdict.anomalies},
                              {"nodes", shrunk.nodes},
                              {"concurrency", shrunk.concurrency},
                              {"repro", repro},
                              {"replayed_same", replays_same},
                              {"replays", kReplays},
                              {"runs", runs},
                              {"seconds", seconds},
                              {"found_seconds", found_s},
                              {"scenario", scenario_path.string()},
                              {"store", run_dir},
                              {"report", report},
                              {"lamport", lamport}}
                   .dump()
            << "\n";
        return 1;
    }
    out << "hunt: " << base.backend << ": counterexample found by " << found->found_by << " after "
        << format_seconds(static_cast<Instant>(found_s * 1e6)) << " s, shrunk by "
        << format_seconds(static_cast<Instant>((seconds - found_s) * 1e6)) << " s (" << runs
        << " runs in all)\n";
    out << "anomaly: :" << anomaly;
    if (verdict.anomalies.size() > 1) {
        std::vector<std::string> others;
        for (const auto& type : verdict.anomalies)
            if (type != anomaly) others.push_back(":" + type);
        out << " (also " << join(others, " ") << ")";
    }
    out << "\n";
    out << "run: nodes " << join(shrunk.nodes, " ") << ", " << shrunk.concurrency
        << " client thread" << (shrunk.concurrency == 1 ? "" : "s") << " (thread i talks to node i mod "
        << shrunk.nodes.size() << "), latency " << shrunk.latency_ms << " ms "
        << latency_dist_name(shrunk.latency_dist);
    if (shrunk.nemesis_drop) out << ", drop " << shrunk.drop_probability;
    if (shrunk.nemesis_duplicate) out << ", duplicate " << shrunk.duplicate_probability;
    out << "\n";
    out << "client ops (" << shrunk.client_script->size() << "):\n";
    for (const auto& op : *shrunk.client_script) {
        out << "  at " << format_ms(op.at_us) << "  thread " << op.thread << "  " << op.op.f
            << " " << edn::write(op.op.value);
        for (const auto& [name, value] : op.op.extra) out << " :" << name << " " << edn::write(value);
        out << "\n";
    }
    out << "faults (" << shrunk.fault_schedule->size() << "):"
        << (shrunk.fault_schedule->empty() ? " none" : "") << "\n";
    for (const auto& event : *shrunk.fault_schedule)
        out << "  at " << format_ms(event.at_us) << "  " << fault_text(event) << "\n";
    out << "replayed: " << replays_same << "/" << kReplays
        << " runs of the scenario file show the same anomalies and fingerprint\n";
    out << "repro: " << repro << "\n";
    if (!run_dir.empty()) {
        out << "lamport diagram: " << lamport << "\n";
        out << "report: " << report << "\n";
    } else {
        out << "store: not written (" << test_err.str() << ")\n";
    }
    return 1;
}

}  // namespace millpond::sim
