#include "output_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "scratch_dir_testing.hpp"

namespace millpond::sim {
namespace {

namespace fs = std::filesystem;

class OutputFileTest : public ::testing::Test {
  protected:
    std::string path(const std::string& name) const { return scratch_.file(name); }
    std::string read(const std::string& name) const { return scratch_.read(name); }
    std::size_t entries() const { return scratch_.entries(); }
    ScratchDir scratch_{"output-file-test"};
    const fs::path& dir_ = scratch_.path();
};

TEST_F(OutputFileTest, AWritablePathHasNoProblem) {
    EXPECT_EQ(output_file_problem(path("new.json")), "");
    std::ofstream(path("old.json")) << "x";
    EXPECT_EQ(output_file_problem(path("old.json")), "");
    EXPECT_EQ(output_file_problem("relative-in-the-working-directory.json"), "");
}

TEST_F(OutputFileTest, EachUnwritablePathNamesItsProblem) {
    EXPECT_EQ(output_file_problem(""), "no file named");
    EXPECT_EQ(output_file_problem(path("missing/x.json")),
              "cannot write '" + path("missing/x.json") + "': no directory '" + path("missing") +
                  "'");
    EXPECT_EQ(output_file_problem(dir_.string()), "'" + dir_.string() + "' is a directory");
    std::ofstream(path("plain")) << "x";
    EXPECT_EQ(output_file_problem(path("plain/x.json")),
              "cannot write '" + path("plain/x.json") + "': no directory '" + path("plain") +
                  "'");
}

TEST_F(OutputFileTest, WritesWholeReplacesAndLeavesNoTemporary) {
    std::string problem;
    ASSERT_TRUE(write_file_atomically(path("out.json"), "first\n", &problem)) << problem;
    EXPECT_EQ(read("out.json"), "first\n");
    ASSERT_TRUE(write_file_atomically(path("out.json"), "second, longer\n", &problem)) << problem;
    EXPECT_EQ(read("out.json"), "second, longer\n");
    EXPECT_EQ(entries(), 1u);
}

TEST_F(OutputFileTest, AFailedWriteSaysWhyAndLeavesNothing) {
    std::string problem;
    EXPECT_FALSE(write_file_atomically(path("missing/out.json"), "text", &problem));
    EXPECT_EQ(problem.rfind("cannot write '" + path("missing/out.json") + ".tmp.", 0), 0u)
        << problem;
    // A directory in the way: written aside, then the rename fails and the temporary goes.
    fs::create_directories(dir_ / "taken" / "inside");
    problem.clear();
    EXPECT_FALSE(write_file_atomically(path("taken"), "text", &problem));
    EXPECT_NE(problem.find("cannot rename"), std::string::npos) << problem;
    EXPECT_TRUE(fs::is_directory(dir_ / "taken" / "inside"));
    EXPECT_EQ(entries(), 1u);
}

}  // namespace
}  // namespace millpond::sim
