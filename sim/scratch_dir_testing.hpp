#pragma once
// A temporary directory for tests, created empty and removed with everything in it when the
// ScratchDir goes: a test fixture's member, a test's local, or a function-local static for a
// store that several assertions of one process share (removed at exit).
//
// ctest runs each test case in a process of its own, several at once, so the name holds the
// process id, the running test's name and a per-process count: no two directories collide.
// Before this, the stores of the Lamport and report tests were never removed, and every CI run
// left about 1,400 of them in /tmp (2.6 GB after a few sessions).

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace millpond {

// The bytes of the file at `path` ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

class ScratchDir {
  public:
    // `purpose` names the directory's user, as millpond-<purpose>-<pid>-<test>-<count>.
    explicit ScratchDir(std::string_view purpose)
        : path_(std::filesystem::temp_directory_path() / unique_name(purpose)) {
        std::filesystem::remove_all(path_);  // a leftover of a killed process with this pid
        std::filesystem::create_directories(path_);
    }
    ~ScratchDir() {
        std::error_code ignored;  // a destructor must not throw; a leftover is only litter
        std::filesystem::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // The path of `name` inside (which need not exist), as the commands take it.
    std::string file(std::string_view name) const { return (path_ / name).string(); }

    // Writes `text` to `name` inside; returns its path.
    std::string write(std::string_view name, std::string_view text) const {
        const std::string target = file(name);
        std::ofstream out(target, std::ios::binary);
        out << text;
        EXPECT_TRUE(out.good()) << "could not write " << target;
        return target;
    }

    // The bytes of `name` inside ("" when it cannot be read).
    std::string read(std::string_view name) const { return read_file(path_ / name); }

    // How many entries the directory holds.
    std::size_t entries() const {
        return static_cast<std::size_t>(
            std::distance(std::filesystem::directory_iterator(path_), {}));
    }

  private:
    static std::string unique_name(std::string_view purpose) {
        static std::atomic<int> count{0};
        std::string name = "millpond-" + std::string(purpose) + "-" + std::to_string(::getpid());
        if (const auto* test = ::testing::UnitTest::GetInstance()->current_test_info()) {
            std::string test_name = test->name();  // a parameterised case's holds a '/'
            std::replace(test_name.begin(), test_name.end(), '/', '_');
            name += "-" + test_name;
        }
        return name + "-" + std::to_string(count++);
    }

    std::filesystem::path path_;
};

}  // namespace millpond
