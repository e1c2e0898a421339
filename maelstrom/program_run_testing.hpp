#pragma once
// Test support for the node binaries' golden tests: run a program with a file on stdin and
// capture its exit code, stdout and stderr. Header-only, used only by *_test.cpp files.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace millpond::maelstrom::test_support {

// The golden inputs and expected outputs beside the tests.
inline const std::string kTestdata = std::string(MILLPOND_SOURCE_DIR) + "/maelstrom/testdata";

inline std::string read_file(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    EXPECT_TRUE(file) << "cannot read " << path;
    std::ostringstream bytes;
    bytes << file.rdbuf();
    return bytes.str();
}

// `text` split at newlines, without them.
inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream input(text);
    for (std::string line; std::getline(input, line);) lines.push_back(line);
    return lines;
}

struct ProgramRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// `extra_env` plus MILLPOND_INCARNATION=0 unless it sets one: a node binary otherwise takes its
// incarnation, and with it its msg_ids, from the wall clock (stdio_adapter.hpp).
inline std::vector<std::string> with_fixed_incarnation(std::vector<std::string> extra_env) {
    const std::string name = "MILLPOND_INCARNATION=";
    for (const auto& entry : extra_env)
        if (entry.rfind(name, 0) == 0) return extra_env;
    extra_env.push_back(name + "0");
    return extra_env;
}

// Runs `binary` with `arguments` and `stdin_path` on stdin; stdout and stderr go to files in a
// fresh temporary directory. The environment is the test's, minus variables whose name starts
// with one of `dropped_prefixes` (so the caller's shell cannot leak into a golden run), plus
// `extra_env` ("NAME=value").
inline ProgramRun run_program(const std::string& binary, const std::vector<std::string>& arguments,
                              const std::string& stdin_path,
                              const std::vector<std::string>& dropped_prefixes,
                              const std::vector<std::string>& extra_env) {
    ProgramRun run;
    std::string directory = ::testing::TempDir() + "millpond-program-XXXXXX";
    if (::mkdtemp(directory.data()) == nullptr) {
        ADD_FAILURE() << "mkdtemp failed";
        return run;
    }
    const std::string out_path = directory + "/stdout";
    const std::string err_path = directory + "/stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, stdin_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);

    std::vector<std::string> argv_strings = {binary};
    argv_strings.insert(argv_strings.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (auto& argument : argv_strings) argv.push_back(argument.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string variable = *entry;
        bool dropped = false;
        for (const auto& prefix : dropped_prefixes) dropped = dropped || variable.rfind(prefix, 0) == 0;
        if (!dropped) env_strings.push_back(variable);
    }
    env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
    std::vector<char*> envp;
    for (auto& entry : env_strings) envp.push_back(entry.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int spawned =
        ::posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        ADD_FAILURE() << "cannot run " << binary << ": error " << spawned;
        return run;
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) {
        ADD_FAILURE() << "waitpid failed";
        return run;
    }
    EXPECT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
    if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
    run.out = read_file(out_path);
    run.err = read_file(err_path);
    std::remove(out_path.c_str());
    std::remove(err_path.c_str());
    ::rmdir(directory.c_str());
    return run;
}

}  // namespace millpond::maelstrom::test_support
