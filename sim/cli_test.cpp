#include "cli.hpp"

#include <gtest/gtest.h>

namespace millpond::sim {
namespace {

std::variant<TestCommand, CliError> parse(std::vector<std::string> args) {
    return parse_test_args(args, 424242);
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

}  // namespace
}  // namespace millpond::sim
