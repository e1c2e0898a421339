#pragma once
// Test support: the real Maelstrom kafka runs in ../shared/fixtures (one directory each, with
// history.edn and its restored twin history.restored.edn). Header-only, used only by
// *_test.cpp files.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "history.hpp"

namespace millpond::checkers::testing {

inline std::filesystem::path kafka_fixtures() {
    return std::filesystem::path(MILLPOND_FIXTURES_DIR) / "maelstrom" / "kafka";
}

// Every run's directory, in name order.
inline std::vector<std::filesystem::path> kafka_runs() {
    std::vector<std::filesystem::path> runs;
    for (const auto& entry : std::filesystem::directory_iterator(kafka_fixtures()))
        if (entry.is_directory()) runs.push_back(entry.path());
    std::sort(runs.begin(), runs.end());
    return runs;
}

// A history file read whole; a read error fails the test and gives an empty history.
inline history::History load_history(const std::filesystem::path& path) {
    history::ReadError error;
    auto loaded = history::read_history(path.string(), &error);
    EXPECT_TRUE(loaded) << path << ":" << error.line << ": " << error.message;
    return loaded ? *loaded : history::History{};
}

}  // namespace millpond::checkers::testing
