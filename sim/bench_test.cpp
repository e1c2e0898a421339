#include "bench.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <nlohmann/json.hpp>
#include <sstream>

namespace millpond::sim {
namespace {

std::vector<std::pair<double, double>> curve(double (*cost)(double)) {
    std::vector<std::pair<double, double>> points;
    for (double size : {1e4, 1e5, 1e6}) points.emplace_back(size, cost(size));
    return points;
}

TEST(SlopeRatio, AStraightLineIsOneWhateverItsFixedPart) {
    EXPECT_NEAR(*slope_ratio(curve([](double x) { return 3.0 * x; })), 1.0, 1e-9);
    EXPECT_NEAR(*slope_ratio(curve([](double x) { return 5e6 + 3.0 * x; })), 1.0, 1e-9);
    EXPECT_NEAR(*slope_ratio({{3, 200}, {5, 300}, {9, 500}, {25, 1300}}), 1.0, 1e-9);
}

TEST(SlopeRatio, SeparatesXLogXFromXSquared) {
    const double x_log_x = *slope_ratio(curve([](double x) { return x * std::log(x); }));
    EXPECT_GT(x_log_x, 1.1);
    EXPECT_LT(x_log_x, 1.5);
    EXPECT_NEAR(*slope_ratio(curve([](double x) { return x * x; })), 10.0, 1e-6);
}

TEST(SlopeRatio, ASublinearCurveIsBelowOne) {
    EXPECT_LT(*slope_ratio(curve([](double x) { return std::sqrt(x); })), 1.0);
}

// `millpond bench --quick` once printed a nodes ratio of 9950287750000x: its 3-node case ran in
// a slow spell and took longer than the 5-node one, and the guard divided by 1e-15.
TEST(SlopeRatio, NoRatioWhenTheLowerHalfDidNotRise) {
    EXPECT_FALSE(slope_ratio({{3, 0.1209}, {5, 0.1105}, {9, 0.1503}}).has_value());
    EXPECT_FALSE(slope_ratio({{3, 0.1}, {5, 0.1}, {9, 0.2}}).has_value());
    EXPECT_TRUE(slope_ratio({{3, 0.1}, {5, 0.11}, {9, 0.2}}).has_value());
}

// ... and none when the upper half fell: a --quick bench whose 9-node case ran faster than its
// 5-node one printed "-0.05x" and called the nodes curve linear.
TEST(SlopeRatio, NoRatioWhenTheUpperHalfFell) {
    EXPECT_FALSE(slope_ratio({{3, 0.058}, {5, 0.0706}, {9, 0.0700}}).has_value());
    // A flat upper half is a curve that levelled off: ratio 0, below one.
    EXPECT_EQ(slope_ratio({{3, 0.1}, {5, 0.2}, {9, 0.2}}), std::optional<double>(0.0));
}

// millpond maps its heap with 2 MiB pages: mimalloc takes the option for the memory it maps
// before main only from its environment, so millpond sets MIMALLOC_LARGE_OS_PAGES and runs
// itself once more (sim/millpond_main.cpp). mimalloc's verbose start-up lines show both starts.
TEST(LargePages, MillpondRunsItselfAgainWithMimallocLargeOsPages) {
    const std::string command = "env -u MIMALLOC_LARGE_OS_PAGES -u LD_PRELOAD MIMALLOC_VERBOSE=1 " +
                                std::string(MILLPOND_BINARY_DIR) + "/millpond --version 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[4096];
    for (std::size_t got; (got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
        output.append(buffer, got);
    ASSERT_EQ(::pclose(pipe), 0) << output;
    if (output.find("mimalloc:") == std::string::npos)
        GTEST_SKIP() << "this build of millpond does not link mimalloc (sanitizer build)";
    const std::string off = "option 'large_os_pages': 0";
    const std::string on = "option 'large_os_pages': 1";
    const auto first_off = output.find(off);
    const auto first_on = output.find(on);
    ASSERT_NE(first_off, std::string::npos) << output;
    ASSERT_NE(first_on, std::string::npos) << output;
    EXPECT_LT(first_off, first_on) << output;
    EXPECT_NE(output.find("millpond 0.1.0"), std::string::npos) << output;
    // Once: the second start finds the variable set and runs on.
    EXPECT_EQ(output.find(off, first_off + 1), std::string::npos) << output;
}

// One real case end to end: the JSON has the measured figures and the targets (their values
// are timings and are not asserted).
TEST(BenchCommand, OneCaseWritesItsFiguresAndTargets) {
    std::ostringstream out;
    std::ostringstream err;
    ASSERT_EQ(run_bench_command({"--case", "memory", "--repeat", "1", "--json"}, out, err), 0)
        << err.str();
    const auto report = nlohmann::json::parse(out.str());
    ASSERT_EQ(report["cases"].size(), 1u);
    const auto& result = report["cases"][0]["result"];
    EXPECT_EQ(result["valid"], true);
    EXPECT_GT(result["messages_delivered"].get<double>(), 40'000);
    EXPECT_GT(result["ops"].get<double>(), 19'000);
    EXPECT_GT(result["simulate_s"].get<double>(), 0);
    // The measured run is the second in its process; the first is timed too.
    EXPECT_GT(result["first_run_s"].get<double>(), 0);
    EXPECT_GT(result["peak_mb"].get<double>(), 0);
    // The machine check around the measured run.
    EXPECT_GT(result["machine_check_ms"].get<double>(), 0);
    EXPECT_TRUE(report.contains("allocator"));
    EXPECT_FALSE(report["targets"].empty());
}

// The table: one row per case, every header cell filled (the machine check last), and no sweep
// table when no sweep was measured.
TEST(BenchCommand, TheTableHasARowPerCaseUnderItsHeader) {
    std::ostringstream out;
    std::ostringstream err;
    ASSERT_EQ(run_bench_command({"--case", "memory", "--repeat", "1"}, out, err), 0) << err.str();
    std::istringstream table(out.str());
    std::string header, rule, row;
    ASSERT_TRUE(std::getline(table, header) && std::getline(table, rule) &&
                std::getline(table, row));
    const auto cells = [](const std::string& line) {
        return std::count(line.begin(), line.end(), '|');
    };
    EXPECT_NE(header.find("| peak MB | machine check ms |"), std::string::npos) << header;
    EXPECT_EQ(cells(rule), cells(header));
    EXPECT_EQ(cells(row), cells(header)) << row;
    EXPECT_EQ(row.rfind("| memory | 1 | ", 0), 0u) << row;
    EXPECT_EQ(out.str().find("| sweep |"), std::string::npos) << out.str();
    EXPECT_NE(out.str().find("Machine check ms: "), std::string::npos);
}

// A case that crashed keeps its row, with as many cells as the header: its empty cells were
// once counted by hand, and the row had one cell too many (18 bars against 17).
TEST(BenchCommand, AFailedCaseRowHasTheHeadersCells) {
    const auto report = nlohmann::json::parse(R"({
        "cases": [
            {"group": "nodes", "name": "owner 5 nodes", "nodes": 5,
             "problem": "the case's process was killed by signal 9"},
            {"group": "standard", "name": "memory", "nodes": 1,
             "result": {"ops": 19895, "messages_delivered": 47486, "simulate_s": 0.034,
                        "check_s": 0.01, "total_s": 0.044, "total_cpu_s": 0.044,
                        "first_run_s": 0.045, "runs_per_s": 22.6, "messages_per_s": 1.07e6,
                        "simulated_s_per_wall_s": 685, "checked_ops_per_s": 2.0e6,
                        "ns_per_op": 2223, "peak_mb": 36, "machine_check_ms": 46.8}}],
        "targets": [{"target": "t", "wanted": "w", "shown": "s", "met": false}],
        "repeat": 1, "load_before": "0 0 0", "load_after": "0 0 0", "cores": 2,
        "allocator": "mimalloc 2.0.9", "build": "Release"})");
    std::istringstream table(render_bench_report(report));
    std::string header, rule, failed, measured;
    ASSERT_TRUE(std::getline(table, header) && std::getline(table, rule) &&
                std::getline(table, failed) && std::getline(table, measured));
    const auto cells = [](const std::string& line) {
        return std::count(line.begin(), line.end(), '|');
    };
    EXPECT_EQ(cells(header), 17) << header;  // 16 columns
    EXPECT_EQ(cells(rule), cells(header)) << rule;
    EXPECT_EQ(failed.rfind(
                  "| owner 5 nodes | 5 | failed: the case's process was killed by signal 9 |", 0),
              0u)
        << failed;
    EXPECT_EQ(cells(failed), cells(header)) << failed;
    EXPECT_EQ(cells(measured), cells(header)) << measured;
    EXPECT_NE(measured.find("| 46.8 |"), std::string::npos) << measured;
    EXPECT_NE(table.str().find("| t | w | s | NO |"), std::string::npos);
}

// A --json file that cannot be written is refused before anything is measured.
TEST(BenchCommand, AnUnwritableJsonFileIsRefusedBeforeMeasuring) {
    std::ostringstream out;
    std::ostringstream err;
    const std::string missing = "/nonexistent-millpond-directory/bench.json";
    EXPECT_EQ(run_bench_command({"--case", "memory", "--json", missing}, out, err), 254);
    EXPECT_EQ(err.str(), "millpond bench: --json: cannot write '" + missing +
                             "': no directory '/nonexistent-millpond-directory'\n");
    EXPECT_TRUE(out.str().empty());
}

TEST(BenchCommand, AnUnknownCaseIsABadArgument) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(run_bench_command({"--case", "no such case"}, out, err), 254);
    EXPECT_NE(err.str().find("--case matches no case"), std::string::npos);
}

}  // namespace
}  // namespace millpond::sim
