#include "backend.hpp"

#include <gtest/gtest.h>

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

TEST(Backend, RejectsAnUnknownNameWithAnError) {
    std::string error;
    EXPECT_EQ(make_backend(BackendOptions{"raft", CommitKv::kLin}, &error), nullptr);
    EXPECT_NE(error.find("raft"), std::string::npos) << error;
}

}  // namespace
}  // namespace millpond::kafka
