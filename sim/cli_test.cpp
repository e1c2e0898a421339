#include "cli.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "swarm.hpp"

namespace millpond::sim {
namespace {

std::variant<TestCommand, CliError> parse(std::vector<std::string> args) {
    return parse_test_args(args, 424242);
}

// Every field of RunOptions that shapes a run, as text: two runs with equal text are the same run.
std::string describe(const RunOptions& run) {
    std::ostringstream out;
    out.precision(17);
    out << run.workload << "|";
    for (const auto& id : run.nodes) out << id << ",";
    out << "|" << run.time_limit_us << "|" << run.rate << "|" << run.concurrency << "|"
        << run.latency_ms << "|" << latency_dist_name(run.latency_dist) << "|" << run.seed << "|"
        << (run.availability ? std::to_string(*run.availability) : "-") << "|" << run.backend
        << "|" << run.commit_kv << "|" << run.key_count << "|" << run.max_writes_per_key << "|"
        << run.nemesis_partition << run.nemesis_drop << run.nemesis_duplicate << run.nemesis_kill
        << run.nemesis_pause << run.nemesis_slow << run.nemesis_skew << "|"
        << run.nemesis_interval_us << "|" << run.drop_probability << "|"
        << run.duplicate_probability << "|" << run.kill_downtime_us << "|"
        << run.pause_duration_us << "|" << run.slow_extra_ms << "|" << run.slow_duration_us << "|"
        << run.skew_max_ms << "|" << run.drift_max_ppm << "|";
    for (const auto& [link, ms] : run.link_latency_ms)
        out << link.first << ">" << link.second << "=" << ms << ",";
    out << "|";
    for (const auto& [id, ms] : run.node_latency_ms) out << id << "=" << ms << ",";
    out << "|" << run.fault_schedule.has_value() << run.client_script.has_value() << "|"
        << run.max_events;
    return out.str();
}

// A printed command line back into words (the repro line quotes with '...' only).
std::vector<std::string> shell_split(const std::string& line) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false, quoted = false;
    for (char c : line) {
        if (quoted) {
            if (c == '\'') quoted = false;
            else word += c;
        } else if (c == '\'') {
            quoted = in_word = true;
        } else if (c == ' ') {
            if (in_word) words.push_back(word);
            word.clear();
            in_word = false;
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(word);
    return words;
}

std::string error_of(std::vector<std::string> args) {
    auto result = parse(std::move(args));
    if (auto* error = std::get_if<CliError>(&result)) return error->message;
    return "";
}

TEST(Cli, MaelstromDefaults) {
    auto result = parse({"-w", "echo"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result));
    const auto& command = std::get<TestCommand>(result);
    EXPECT_EQ(command.run.nodes, (std::vector<NodeId>{"n1", "n2", "n3", "n4", "n5"}));
    EXPECT_EQ(command.run.concurrency, 5);
    EXPECT_EQ(command.run.time_limit_us, 60'000'000);
    EXPECT_EQ(command.run.rate, 5.0);
    EXPECT_EQ(command.run.latency_ms, 0);
    EXPECT_EQ(command.run.seed, 424242u);
    EXPECT_FALSE(command.seed_given);
    EXPECT_EQ(command.store_dir, "store");
}

TEST(Cli, IssueExampleParses) {
    auto result = parse({"-w", "echo", "--node-count", "3", "--time-limit", "10", "--rate", "100",
                         "--seed", "7"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result));
    const auto& command = std::get<TestCommand>(result);
    EXPECT_EQ(command.run.nodes, (std::vector<NodeId>{"n0", "n1", "n2"}));
    EXPECT_EQ(command.run.concurrency, 3);
    EXPECT_EQ(command.run.seed, 7u);
    EXPECT_TRUE(command.seed_given);
    EXPECT_EQ(repro_command(command),
              "millpond test -w echo --node-count 3 --time-limit 10 --rate 100 --concurrency 3 "
              "--latency 0 --latency-dist constant --seed 7");
}

TEST(Cli, ConcurrencyInMultiplesOfNodeCount) {
    auto result = parse({"-w", "kafka", "--node-count", "2", "--concurrency", "2n"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result));
    EXPECT_EQ(std::get<TestCommand>(result).run.concurrency, 4);
    auto equals = parse({"--workload=echo", "--concurrency=7"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(equals));
    EXPECT_EQ(std::get<TestCommand>(equals).run.concurrency, 7);
}

TEST(Cli, BadInputNamesTheOptionInOneLine) {
    EXPECT_NE(error_of({"--bogus"}).find("'--bogus'"), std::string::npos);
    EXPECT_NE(error_of({"-w", "lin-kv-nope"}).find("unknown workload 'lin-kv-nope'"), std::string::npos);
    EXPECT_NE(error_of({"--rate", "fast"}).find("--rate"), std::string::npos);
    EXPECT_NE(error_of({"--rate", "-1"}).find("--rate"), std::string::npos);
    EXPECT_NE(error_of({"--node-count", "0"}).find("--node-count"), std::string::npos);
    EXPECT_NE(error_of({"--concurrency", "xn"}).find("--concurrency"), std::string::npos);
    EXPECT_NE(error_of({"--latency-dist", "normal"}).find("--latency-dist"), std::string::npos);
    EXPECT_NE(error_of({"--seed", "-3"}).find("--seed"), std::string::npos);
    EXPECT_NE(error_of({"--time-limit"}).find("missing value"), std::string::npos);
    EXPECT_NE(error_of({"-w", "kafka", "--backend", "nope"}).find("--backend"), std::string::npos);
    EXPECT_NE(error_of({"-w", "echo", "--backend", "kv"}).find("only applies"), std::string::npos);
    EXPECT_NE(error_of({"--nodes", "c1,n2"}).find("reserves"), std::string::npos);
    EXPECT_NE(error_of({"--availability", "2"}).find("--availability"), std::string::npos);
    EXPECT_NE(error_of({"--log-stderr=yes"}).find("takes no value"), std::string::npos);
    for (const auto& message : {error_of({"--bogus"}), error_of({"--rate", "x"})})
        EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(Cli, HelpDocumentsEveryOption) {
    const std::string help = test_help();
    for (const char* option :
         {"--workload", "--node-count", "--nodes", "--time-limit", "--rate", "--concurrency",
          "--latency", "--latency-dist", "--availability", "--key-count", "--max-writes-per-key",
          "--log-stderr", "--log-net-send", "--log-net-recv", "--seed", "--store", "--backend",
          "--commit-kv", "--max-events"})
        EXPECT_NE(help.find(option), std::string::npos) << option;
}

TEST(Cli, NemesisNamesEveryFaultAndRefusesUnknownOnes) {
    auto result = parse({"--nemesis", "partition,kill,pause,drop,duplicate,skew,slow"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result));
    const RunOptions& run = std::get<TestCommand>(result).run;
    EXPECT_TRUE(run.nemesis_partition && run.nemesis_kill && run.nemesis_pause &&
                run.nemesis_drop && run.nemesis_duplicate && run.nemesis_skew && run.nemesis_slow);
    const std::string message = error_of({"--nemesis", "partition,crash"});
    EXPECT_NE(message.find("unknown fault 'crash'"), std::string::npos) << message;
    EXPECT_NE(message.find("partition, kill, pause, drop, duplicate, skew, slow"), std::string::npos)
        << message;
}

TEST(Cli, FaultParametersParseAndValidate) {
    auto result = parse({"--node-count", "3", "--kill-downtime", "1.5", "--pause-duration", "0.25",
                         "--slow-ms", "300", "--slow-duration", "4", "--skew-ms", "80",
                         "--drift-ppm", "2000", "--link-latency", "n0:n1=50", "--link-latency",
                         "n1:n0=7", "--node-latency=n2=20"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result)) << error_of({});
    const RunOptions& run = std::get<TestCommand>(result).run;
    EXPECT_EQ(run.kill_downtime_us, 1'500'000);
    EXPECT_EQ(run.pause_duration_us, 250'000);
    EXPECT_EQ(run.slow_extra_ms, 300);
    EXPECT_EQ(run.slow_duration_us, 4'000'000);
    EXPECT_EQ(run.skew_max_ms, 80);
    EXPECT_EQ(run.drift_max_ppm, 2000);
    ASSERT_EQ(run.link_latency_ms.size(), 2u);
    EXPECT_EQ(run.link_latency_ms[0].first, (std::pair<NodeId, NodeId>{"n0", "n1"}));
    EXPECT_EQ(run.link_latency_ms[0].second, 50);
    EXPECT_EQ(run.link_latency_ms[1].first, (std::pair<NodeId, NodeId>{"n1", "n0"}));
    ASSERT_EQ(run.node_latency_ms.size(), 1u);
    EXPECT_EQ(run.node_latency_ms[0], (std::pair<NodeId, std::int64_t>{"n2", 20}));

    for (auto [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"--kill-downtime", "-1"}, "--kill-downtime: expected seconds >= 0"},
             {{"--pause-duration", "0"}, "--pause-duration: expected seconds > 0"},
             {{"--slow-duration", "x"}, "--slow-duration: expected seconds > 0"},
             {{"--slow-ms", "1.5"}, "--slow-ms: expected whole milliseconds"},
             {{"--skew-ms", "-3"}, "--skew-ms: expected whole milliseconds"},
             {{"--drift-ppm", "2000000"}, "--drift-ppm: expected an integer from 0 to 500000"},
             {{"--link-latency", "n1-n2=5"}, "--link-latency: expected FROM:TO=MS"},
             {{"--link-latency", "n1:n2=-5"}, "--link-latency: expected FROM:TO=MS"},
             {{"--link-latency", "n1:n1=5"}, "two different nodes"},
             {{"--link-latency", "n1:n9=5"}, "--link-latency: node 'n9' is not among the run's nodes (n1 n2 n3 n4 n5)"},
             {{"--link-latency", "n1:n2=5", "--link-latency", "n1:n2=6"}, "given twice"},
             {{"--node-count", "2", "--node-latency", "n2=5"}, "--node-latency: node 'n2' is not among the run's nodes (n0 n1)"},
             {{"--node-latency", "n1"}, "--node-latency: expected NODE=MS"},
             {{"--node-latency", "n1=4", "--node-latency", "n1=5"}, "given twice"},
             {{"--swarm", "--nemesis", "kill"}, "--nemesis: --swarm draws the faults"},
             {{"--swarm=yes"}, "takes no value"}}) {
        const std::string message = error_of(args);
        EXPECT_NE(message.find(expected), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos);
    }
}

// The repro line of every option combination parses back to the very same run.
TEST(Cli, ReproLineParsesBackToTheSameRun) {
    const std::vector<std::vector<std::string>> combos = {
        {},
        {"-w", "echo", "--node-count", "3", "--time-limit", "10", "--rate", "100"},
        {"--nodes", "a,b,d", "--time-limit", "12.3456789", "--rate", "0.333333333333",
         "--concurrency", "2n", "--latency", "10", "--latency-dist", "exponential"},
        {"--backend", "kv", "--commit-kv", "seq", "--key-count", "3", "--max-writes-per-key", "4"},
        {"--backend", "memory", "--node-count", "1", "--nemesis", "kill", "--kill-downtime", "0"},
        {"--nemesis", "partition,drop,duplicate", "--nemesis-interval", "2.5",
         "--drop-probability", "0.123456789", "--duplicate-probability", "1"},
        {"--nemesis", "kill,pause,slow,skew", "--kill-downtime", "0.000001", "--pause-duration",
         "3", "--slow-ms", "0", "--slow-duration", "7.25", "--skew-ms", "3600000",
         "--drift-ppm", "500000"},
        {"--kill-downtime", "9", "--skew-ms", "1", "--drop-probability", "0.5"},  // faults off
        {"-n", "x1", "-n", "x2", "--link-latency", "x2:x1=3", "--node-latency", "x1=9",
         "--link-latency", "x1:x2=0", "--availability", "total", "--max-events", "1234"},
        {"--availability", "0.75", "--rate", "1e7", "--seed", "18446744073709551615"},
        {"--swarm", "--node-count", "2", "--seed", "99"},
        {"-w", "echo", "--key-count", "5"},
    };
    for (const auto& args : combos) {
        auto first = parse(args);
        ASSERT_TRUE(std::holds_alternative<TestCommand>(first)) << error_of(args);
        const TestCommand& command = std::get<TestCommand>(first);
        const std::string repro = repro_command(command);
        std::vector<std::string> words = shell_split(repro);
        ASSERT_GE(words.size(), 2u);
        ASSERT_EQ(words[0], "millpond");
        ASSERT_EQ(words[1], "test");
        words.erase(words.begin(), words.begin() + 2);
        auto again = parse(words);
        ASSERT_TRUE(std::holds_alternative<TestCommand>(again)) << repro;
        EXPECT_EQ(describe(std::get<TestCommand>(again).run), describe(command.run)) << repro;
        EXPECT_EQ(repro_command(std::get<TestCommand>(again)), repro);
    }
}

TEST(Cli, NewFaultOptionsAppearInTheReproLine) {
    auto result = parse({"--node-count", "2", "--nemesis", "kill,slow", "--kill-downtime", "1.5",
                         "--link-latency", "n0:n1=50", "--seed", "3"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result));
    const std::string repro = repro_command(std::get<TestCommand>(result));
    for (const char* part : {"--nemesis kill,slow", "--nemesis-interval 10", "--kill-downtime 1.5",
                             "--slow-ms 100", "--slow-duration 5", "--link-latency n0:n1=50",
                             "--seed 3"})
        EXPECT_NE(repro.find(part), std::string::npos) << part << " in " << repro;
    EXPECT_EQ(repro.find("--pause-duration"), std::string::npos) << repro;
}

TEST(Cli, SwarmDrawsTheFaultsFromTheSeedAndKeepsSwarmInTheRepro) {
    auto result = parse({"--node-count", "3", "--swarm", "--seed", "7"});
    ASSERT_TRUE(std::holds_alternative<TestCommand>(result));
    const TestCommand& command = std::get<TestCommand>(result);
    EXPECT_EQ(command.swarm_args, draw_swarm_args(7));
    // The drawn options, typed out, give the same run.
    std::vector<std::string> typed = {"--node-count", "3", "--seed", "7"};
    typed.insert(typed.end(), command.swarm_args.begin(), command.swarm_args.end());
    auto explicit_run = parse(typed);
    ASSERT_TRUE(std::holds_alternative<TestCommand>(explicit_run));
    EXPECT_EQ(describe(std::get<TestCommand>(explicit_run).run), describe(command.run));
    const std::string repro = repro_command(command);
    EXPECT_NE(repro.find("--swarm --seed 7"), std::string::npos) << repro;
    EXPECT_EQ(repro.find("--nemesis"), std::string::npos) << repro;
}

TEST(Cli, HelpShowsTheFaultOptionsWithTheirDefaults) {
    const std::string help = test_help();
    for (const char* text : {"--kill-downtime S", "(default: 2)", "--pause-duration S",
                             "--slow-ms MS", "(default: 100)", "--slow-duration S", "(default: 5)",
                             "--skew-ms MS", "(default: 500)", "--drift-ppm PPM",
                             "(default: 1000)", "--link-latency FROM:TO=MS", "--node-latency NODE=MS",
                             "--swarm", "kill", "pause", "skew", "slow", "FILE.json"})
        EXPECT_NE(help.find(text), std::string::npos) << text;
    // Every option the parser knows is documented.
    for (const auto& name : test_option_names()) EXPECT_NE(help.find(name), std::string::npos) << name;
}

}  // namespace
}  // namespace millpond::sim
