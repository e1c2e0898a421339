#include "backend.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace millpond::kafka {
namespace {

TEST(Backend, NamesTheThreeDesignsInOrder) {
    EXPECT_EQ(backend_names(), (std::vector<std::string>{"memory", "kv", "owner"}));
}

TEST(Backend, MakesEveryNamedDesign) {
    for (const auto& name : backend_names()) {
        std::string error;
        EXPECT_NE(make_backend(BackendOptions{name, CommitKv::kSeq}, &error), nullptr) << name;
        EXPECT_TRUE(error.empty()) << error;
    }
}

TEST(Backend, ZooDesignsAreNamedApartAndNeverAmongTheCorrectOnes) {
    const auto correct = backend_names();
    ASSERT_GE(zoo_backend_names().size(), 6u);
    for (const auto& name : zoo_backend_names()) {
        EXPECT_EQ(name.rfind("zoo/", 0), 0u) << name;
        EXPECT_EQ(std::find(correct.begin(), correct.end(), name), correct.end()) << name;
        std::string error;
        EXPECT_NE(make_backend(BackendOptions{name, CommitKv::kLin}, &error), nullptr) << name;
        EXPECT_TRUE(error.empty()) << error;
    }
}

TEST(Backend, RejectsAnUnknownNameWithAnError) {
    std::string error;
    EXPECT_EQ(make_backend(BackendOptions{"raft", CommitKv::kLin}, &error), nullptr);
    EXPECT_NE(error.find("raft"), std::string::npos) << error;
}

}  // namespace
}  // namespace millpond::kafka
