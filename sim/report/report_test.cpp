#include "report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "sim/commands.hpp"
#include "sim/lamport/lamport.hpp"
#include "sim/report/evidence.hpp"
#include "sim/report/plots.hpp"
#include "sim/scratch_dir_testing.hpp"

namespace millpond::report {
namespace {

namespace fs = std::filesystem;

// One temporary directory per test process (ctest runs each case in its own), removed at exit.
const fs::path& scratch() {
    static const ScratchDir directory("report-test");
    return directory.path();
}

std::string run_test(const std::string& store, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"-w", "kafka", "--time-limit", "3", "--rate", "50",
                                     "--latency", "10", "--store", (scratch() / store).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream out;
    std::ostringstream err;
    sim::run_test_command(args, 1, "20000101T000000Z", out, err);
    EXPECT_EQ(err.str(), "");
    return fs::canonical(scratch() / store / "kafka" / "latest").string();
}

// Two nodes of the one-node design under partitions: each node keeps its own log, so the
// checker finds inconsistent offsets (kinds that name keys and offsets, not ops).
const std::string& invalid_run() {
    static const std::string directory =
        run_test("invalid", {"--backend", "memory", "--node-count", "2", "--nemesis", "partition",
                             "--nemesis-interval", "1", "--seed", "5"});
    return directory;
}

// The owner design under partitions: valid, with messages cut by the partitions.
const std::string& partitioned_run() {
    static const std::string directory =
        run_test("partitioned", {"--backend", "owner", "--node-count", "3", "--nemesis",
                                 "partition", "--nemesis-interval", "1", "--seed", "7"});
    return directory;
}

lamport::Run load(const std::string& path) {
    std::string error;
    auto run = lamport::load_run(path, &error);
    EXPECT_TRUE(run.has_value()) << error;
    return run ? std::move(*run) : lamport::Run{};
}

std::string fixture(const std::string& workload, const std::string& prefix) {
    for (const auto& entry : fs::directory_iterator(MILLPOND_FIXTURES_DIR "/maelstrom/" + workload))
        if (entry.path().filename().string().rfind(prefix, 0) == 0) return entry.path().string();
    ADD_FAILURE() << "no fixture " << workload << "/" << prefix;
    return "";
}

TEST(Report, TestCommandWritesTheReport) {
    const fs::path directory = invalid_run();
    for (const char* file : {"index.html", "latency-raw.svg", "rate.svg", "messages.svg",
                             "lamport-anomaly-1.svg"})
        EXPECT_TRUE(fs::exists(directory / file)) << file;
}

TEST(Report, InvalidRunShowsTheVerdictAndEachAnomalysOps) {
    const fs::path directory = invalid_run();
    const std::string page = read_file(directory / "index.html");
    EXPECT_NE(page.find("data-verdict=\"invalid\""), std::string::npos);
    EXPECT_NE(page.find("class=\"verdict invalid\">Invalid"), std::string::npos);
    const lamport::Run run = load(directory.string());
    ASSERT_TRUE(run.results.has_value());
    const auto anomalies = list_anomalies(*run.results, run.history, kAnomaliesPerKindMax);
    ASSERT_FALSE(anomalies.empty());
    for (std::size_t k = 0; k < anomalies.size(); ++k) {
        const std::string id = "id=\"anomaly-" + std::to_string(k + 1) + "\"";
        const std::size_t start = page.find(id);
        ASSERT_NE(start, std::string::npos) << id;
        const std::size_t end = page.find("</div>", start);
        const std::string block = page.substr(start, end - start);
        EXPECT_NE(block.find(":" + anomalies[k].kind), std::string::npos);
        ASSERT_FALSE(anomalies[k].evidence.empty()) << anomalies[k].kind;
        for (const auto& evidence : anomalies[k].evidence)
            EXPECT_NE(block.find("<tr><td>" + std::to_string(evidence.op_index) + "</td>"),
                      std::string::npos)
                << id << " lacks op " << evidence.op_index;
        // The first few link to a diagram window written beside the page.
        const std::string file = "lamport-anomaly-" + std::to_string(k + 1) + ".svg";
        if (k < kAnomalyDiagramsMax) {
            EXPECT_NE(block.find("href=\"" + file + "\""), std::string::npos) << id;
            EXPECT_NE(read_file(directory / file).find("<svg"), std::string::npos) << file;
        }
        EXPECT_NE(block.find("--around-op "), std::string::npos) << id;
    }
}

TEST(Report, InconsistentOffsetsNameAWitnessForEveryValue) {
    const lamport::Run run = load(invalid_run());
    const auto anomalies = list_anomalies(*run.results, run.history, 32);
    std::size_t checked = 0;
    for (const auto& anomaly : anomalies) {
        if (anomaly.kind != "inconsistent-offsets") continue;
        const edn::Value* values = anomaly.detail.find("values");
        ASSERT_NE(values, nullptr);
        ASSERT_EQ(anomaly.evidence.size(), values->size()) << edn::write(anomaly.detail);
        const std::string at = "offset " + edn::write(*anomaly.detail.find("offset")) + " = ";
        for (const auto& value : values->items()) {
            bool witnessed = false;
            for (const auto& evidence : anomaly.evidence)
                witnessed = witnessed || evidence.role.find(at + edn::write(value)) != std::string::npos;
            EXPECT_TRUE(witnessed) << edn::write(anomaly.detail);
        }
        ++checked;
    }
    EXPECT_GT(checked, 0u);
}

TEST(Report, ValidRunWithPartitionsShadesThemInBothPlots) {
    const fs::path directory = partitioned_run();
    const std::string page = read_file(directory / "index.html");
    EXPECT_NE(page.find("data-verdict=\"valid\""), std::string::npos);
    EXPECT_NE(page.find("None: the workload checker found no anomaly."), std::string::npos);
    for (const char* file : {"latency-raw.svg", "rate.svg"}) {
        const std::string svg = read_file(directory / file);
        EXPECT_NE(svg.find("class=\"nemesis nemesis-partition\""), std::string::npos) << file;
        // Inline in the page too.
        EXPECT_NE(page.find(svg.substr(0, svg.find('\n'))), std::string::npos) << file;
    }
    // The diagram shows the partition and the messages it cut.
    EXPECT_NE(page.find("class=\"edge band\""), std::string::npos);
    EXPECT_NE(page.find("class=\"edge drop\""), std::string::npos);
}

TEST(Report, PlotsAreDeterministic) {
    const lamport::Run run = load(partitioned_run());
    const fs::path directory = partitioned_run();
    EXPECT_EQ(latency_raw_svg(run.history), read_file(directory / "latency-raw.svg"));
    EXPECT_EQ(rate_svg(run.history), read_file(directory / "rate.svg"));
    // A second run of the same seed in another store draws the same bytes.
    const std::string again =
        run_test("partitioned-again", {"--backend", "owner", "--node-count", "3", "--nemesis",
                                       "partition", "--nemesis-interval", "1", "--seed", "7"});
    EXPECT_EQ(read_file(fs::path(again) / "latency-raw.svg"),
              read_file(directory / "latency-raw.svg"));
    EXPECT_EQ(read_file(fs::path(again) / "rate.svg"), read_file(directory / "rate.svg"));
}

TEST(Report, NoFaultsNoShading) {
    const std::string directory =
        run_test("calm", {"--backend", "owner", "--node-count", "2", "--seed", "1"});
    EXPECT_EQ(read_file(fs::path(directory) / "latency-raw.svg").find("class=\"nemesis"),
              std::string::npos);
    EXPECT_EQ(read_file(fs::path(directory) / "rate.svg").find("class=\"nemesis"),
              std::string::npos);
}

history::Op nemesis_op(std::int64_t time_ns, const std::string& f) {
    history::Op op;
    op.time_ns = time_ns;
    op.type = history::OpType::kInfo;
    op.process = history::kNemesisProcess;
    op.f = f;
    return op;
}

TEST(Report, NemesisPeriodsPairStartsWithStops) {
    history::History history;
    // Jepsen records each nemesis op twice; the stop takes effect at its completion.
    for (auto [time_ns, f] : std::vector<std::pair<std::int64_t, std::string>>{
             {10, "start-partition"}, {12, "start-partition"}, {20, "kill"}, {21, "kill"},
             {30, "stop-partition"}, {33, "stop-partition"}, {40, "start"}, {41, "start"},
             {50, "pause"}, {51, "pause"}, {90, "start-partition"}, {91, "start-partition"}})
        history.push_back(nemesis_op(time_ns, f));
    history::Op client;
    client.time_ns = 100;
    client.type = history::OpType::kOk;
    history.push_back(client);
    const auto periods = nemesis_periods(history);
    ASSERT_EQ(periods.size(), 4u);
    EXPECT_EQ(periods[0].kind, "partition");
    EXPECT_EQ(periods[0].start_ns, 10);
    EXPECT_EQ(periods[0].end_ns, 33);
    EXPECT_TRUE(periods[0].healed);
    EXPECT_EQ(periods[1].kind, "kill");
    EXPECT_EQ(periods[1].end_ns, 41);
    EXPECT_EQ(periods[2].kind, "pause");
    EXPECT_FALSE(periods[2].healed);
    EXPECT_EQ(periods[2].end_ns, 100);
    EXPECT_EQ(periods[3].kind, "partition");
    EXPECT_EQ(periods[3].start_ns, 90);
    EXPECT_FALSE(periods[3].healed);
}

TEST(Report, MaelstromStoreDirectoryWithoutJournal) {
    // Real Maelstrom's lin-kv run, judged invalid: the report goes elsewhere (fixtures are
    // read-only) and the diagram says it shows client operations only.
    const std::string store = fixture("lin-kv", "tattack99__ID2203-project__20260225");
    const fs::path out = scratch() / "maelstrom-lin-kv";
    std::ostringstream stdout_text;
    std::ostringstream stderr_text;
    ASSERT_EQ(run_report_command({store, "-o", out.string()}, stdout_text, stderr_text), 0)
        << stderr_text.str();
    const std::string page = read_file(out / "index.html");
    EXPECT_NE(page.find("data-verdict=\"invalid\""), std::string::npos);
    EXPECT_NE(page.find("id=\"client-ops-only\""), std::string::npos);
    EXPECT_NE(page.find("id=\"anomaly-1\""), std::string::npos);
    EXPECT_NE(read_file(out / "messages.svg").find("client operations only"), std::string::npos);
}

TEST(Report, MaelstromGCounterNamesTheBadRead) {
    const std::string store = fixture("g-counter", "Emmanuel32");
    const lamport::Run run = load(store);
    const auto anomalies = list_anomalies(*run.results, run.history, kAnomaliesPerKindMax);
    ASSERT_EQ(anomalies.size(), 1u);
    EXPECT_EQ(anomalies[0].kind, "errors");
    ASSERT_EQ(anomalies[0].evidence.size(), 1u);
    EXPECT_EQ(anomalies[0].evidence[0].op_index, 3912);
}

TEST(Report, MaelstromBroadcastNamesTheLostAdds) {
    // 56 lost, 39 stale: stale is allowed, so the anomaly is the lost elements, each proven
    // by the ok :broadcast that added it.
    const lamport::Run run = load(fixture("broadcast", "Emmanuel32"));
    const auto anomalies = list_anomalies(*run.results, run.history, kAnomaliesPerKindMax);
    ASSERT_EQ(anomalies.size(), 1u);
    EXPECT_EQ(anomalies[0].kind, "lost");
    EXPECT_EQ(anomalies[0].kind_count, 56);
    ASSERT_EQ(anomalies[0].evidence.size(), kEvidenceMax);
    for (const auto& evidence : anomalies[0].evidence) {
        const auto op = std::find_if(run.history.begin(), run.history.end(),
                                     [&](const history::Op& o) { return o.index == evidence.op_index; });
        ASSERT_NE(op, run.history.end());
        EXPECT_EQ(op->f, "broadcast");
        EXPECT_EQ(op->type, history::OpType::kOk);
    }
}

TEST(Report, BareHistoryFile) {
    const std::string history = fixture("echo", "yjcsivsuk") + "/history.edn";
    const fs::path out = scratch() / "bare-echo";
    std::ostringstream stdout_text;
    std::ostringstream stderr_text;
    ASSERT_EQ(run_report_command({history, "--out", out.string()}, stdout_text, stderr_text), 0)
        << stderr_text.str();
    const std::string page = read_file(out / "index.html");
    EXPECT_NE(page.find("data-verdict=\"valid\""), std::string::npos);
    EXPECT_NE(page.find("id=\"client-ops-only\""), std::string::npos);
    EXPECT_NE(page.find("id=\"diagram-svg\"><svg"), std::string::npos);
}

TEST(Report, BadInputIsOneLineAnd254) {
    std::ostringstream out;
    std::ostringstream err;
    EXPECT_EQ(run_report_command({"/nonexistent/store"}, out, err), 254);
    const std::string line = err.str();
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << line;
    std::ostringstream err2;
    EXPECT_EQ(run_report_command({}, out, err2), 254);
    EXPECT_NE(err2.str().find("missing"), std::string::npos);
    std::ostringstream err3;
    EXPECT_EQ(run_report_command({invalid_run(), "--bogus"}, out, err3), 254);
    EXPECT_NE(err3.str().find("--bogus"), std::string::npos);
}

}  // namespace
}  // namespace millpond::report
