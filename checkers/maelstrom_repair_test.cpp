#include "maelstrom_repair.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kafka_fixtures_testing.hpp"

namespace millpond::checkers {
namespace {

using testing::kafka_fixtures;
using testing::kafka_runs;
using testing::load_history;

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A scratch directory under the build tree, fresh for each test.
std::filesystem::path scratch(const std::string& name) {
    const auto dir = std::filesystem::path(MILLPOND_BINARY_DIR) / "test-scratch" / name;
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    return dir;
}

TEST(MaelstromRepair, ReproducesTheRestoredFixtures) {
    ASSERT_EQ(kafka_runs().size(), 4u);
    for (const auto& run : kafka_runs()) {
        SCOPED_TRACE(run.filename().string());
        history::History history = load_history(run / "history.edn");
        const history::History restored = load_history(run / "history.restored.edn");
        EXPECT_GT(count_lossy_ops(history), 0);
        const RepairReport report =
            repair_maelstrom_history(history, (run / "history.edn").string());
        EXPECT_TRUE(report.lossy);
        EXPECT_TRUE(report.repaired) << report.note;
        EXPECT_EQ(report.lossy_ops, count_lossy_ops(load_history(run / "history.edn")));
        EXPECT_NE(report.note.find("restored all of them from history.txt"), std::string::npos)
            << report.note;
        ASSERT_EQ(history.size(), restored.size());
        for (std::size_t i = 0; i < history.size(); ++i)
            ASSERT_EQ(history::op_to_edn(history[i]), history::op_to_edn(restored[i])) << i;
        // Byte for byte, too: the values keep history.txt's key order.
        std::ostringstream written;
        history::write_history(written, history);
        EXPECT_EQ(written.str(), slurp(run / "history.restored.edn"));
        EXPECT_EQ(count_lossy_ops(history), 0);
    }
}

TEST(MaelstromRepair, LeavesGoodHistoriesAlone) {
    const auto run = kafka_runs().front();
    history::History history = load_history(run / "history.restored.edn");
    const history::History before = history;
    const RepairReport report =
        repair_maelstrom_history(history, (run / "history.restored.edn").string());
    EXPECT_FALSE(report.lossy);
    EXPECT_FALSE(report.repaired);
    EXPECT_TRUE(report.note.empty());
    EXPECT_EQ(history.size(), before.size());
    EXPECT_EQ(history::op_to_edn(history.back()), history::op_to_edn(before.back()));
}

TEST(MaelstromRepair, WarnsWhenThereIsNoHistoryTxt) {
    const auto run =
        kafka_fixtures() / "Emmanuel32__distributed-systems-practice__20230514T220346.004-0400";
    const auto dir = scratch("no-txt");
    std::filesystem::copy_file(run / "history.edn", dir / "history.edn");
    history::History history = load_history(dir / "history.edn");
    const history::History before = history;
    const RepairReport report = repair_maelstrom_history(history, (dir / "history.edn").string());
    EXPECT_TRUE(report.lossy);
    EXPECT_FALSE(report.repaired);
    EXPECT_EQ(report.lossy_ops, 6);  // 4 assigns with integer keys, 2 bare ok polls
    EXPECT_NE(report.note.find("no history.txt"), std::string::npos) << report.note;
    EXPECT_NE(report.note.find("the verdict is on the lossy file"), std::string::npos);
    for (std::size_t i = 0; i < history.size(); ++i)
        ASSERT_EQ(history::op_to_edn(history[i]), history::op_to_edn(before[i]));
}

TEST(MaelstromRepair, RefusesAHistoryTxtThatDoesNotLineUp) {
    const auto run =
        kafka_fixtures() / "Emmanuel32__distributed-systems-practice__20230514T220346.004-0400";
    const auto dir = scratch("short-txt");
    std::filesystem::copy_file(run / "history.edn", dir / "history.edn");
    {
        // Drop the first line: every op is now one line off.
        std::string txt = slurp(run / "history.txt");
        std::ofstream out(dir / "history.txt", std::ios::binary);
        out << txt.substr(txt.find('\n') + 1) << "0\t:ok\t:poll\t[[:poll {}]]\n";
    }
    history::History history = load_history(dir / "history.edn");
    const RepairReport report = repair_maelstrom_history(history, (dir / "history.edn").string());
    EXPECT_TRUE(report.lossy);
    EXPECT_FALSE(report.repaired);
    EXPECT_NE(report.note.find("is not the same op"), std::string::npos) << report.note;
    EXPECT_EQ(count_lossy_ops(history), 6);  // untouched: all or nothing
}

TEST(MaelstromRepair, IntegerKeysAloneAreNotALossWithoutStringKeys) {
    // A Jepsen-style history with integer keys throughout is not a Maelstrom 0.2.3 file.
    history::ReadError error;
    auto history = history::parse_history(
        "{:index 0, :time 0, :type :invoke, :process 0, :f :assign, :value [1 2]}\n"
        "{:index 1, :time 1, :type :ok, :process 0, :f :assign, :value [1 2]}\n"
        "{:index 2, :time 2, :type :invoke, :process 0, :f :send, :value [[:send 1 5]]}\n",
        &error);
    ASSERT_TRUE(history);
    EXPECT_EQ(count_lossy_ops(*history), 0);
}

}  // namespace
}  // namespace millpond::checkers
