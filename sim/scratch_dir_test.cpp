#include <gtest/gtest.h>

#include <filesystem>

#include "scratch_dir_testing.hpp"

namespace millpond {
namespace {

namespace fs = std::filesystem;

TEST(ScratchDir, StartsEmptyAndGoesWithEverythingInIt) {
    fs::path kept;
    {
        const ScratchDir scratch("scratch-dir-test");
        kept = scratch.path();
        ASSERT_TRUE(fs::is_directory(kept));
        EXPECT_EQ(scratch.entries(), 0u);
        fs::create_directories(kept / "store" / "kafka");
        EXPECT_EQ(scratch.write("store/kafka/history.edn", "[]\n"),
                  (kept / "store" / "kafka" / "history.edn").string());
        EXPECT_EQ(scratch.read("store/kafka/history.edn"), "[]\n");
        EXPECT_EQ(scratch.entries(), 1u);
    }
    EXPECT_FALSE(fs::exists(kept));
}

TEST(ScratchDir, TwoInOneTestAreApart) {
    const ScratchDir first("scratch-dir-test");
    const ScratchDir second("scratch-dir-test");
    EXPECT_NE(first.path(), second.path());
    EXPECT_EQ(first.path().parent_path(), fs::temp_directory_path());
    EXPECT_NE(first.path().filename().string().find("TwoInOneTestAreApart"), std::string::npos)
        << first.path();
}

}  // namespace
}  // namespace millpond
