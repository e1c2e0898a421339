#include "sim/services/service.hpp"

#include <gtest/gtest.h>

#include "sim/services/service_test_support.hpp"

namespace millpond::sim {
namespace {

using testing::ServiceHarness;

TEST(Services, NamesAreMaelstromsSortedByName) {
    EXPECT_EQ(service_names(), (std::vector<std::string>{"lin-kv", "lin-tso", "lww-kv", "seq-kv"}));
}

TEST(Services, FactoryMakesEachNamedServiceAndNothingElse) {
    for (const std::string& name : service_names()) {
        auto service = make_service(name);
        ASSERT_NE(service, nullptr) << name;
        ServiceHarness harness(std::move(service), name);
        const bool is_tso = name == "lin-tso";
        // Each answers its own protocol and ignores the other one.
        auto ts = harness.call("n1", {{"type", "ts"}});
        auto write = harness.call("n1", {{"type", "write"}, {"key", 1}, {"value", 2}});
        EXPECT_EQ(ts.has_value(), is_tso) << name;
        EXPECT_EQ(write.has_value(), !is_tso) << name;
        EXPECT_EQ(ts.value_or(json{{"type", "ts_ok"}})["type"], "ts_ok");
        EXPECT_EQ(write.value_or(json{{"type", "write_ok"}})["type"], "write_ok");
    }
    EXPECT_EQ(make_service("lin_kv"), nullptr);
    EXPECT_EQ(make_service(""), nullptr);
    EXPECT_EQ(make_service("n1"), nullptr);
}

TEST(Services, SameSeedSameAnswers) {
    for (const char* name : {"seq-kv", "lww-kv"}) {
        std::vector<std::string> runs[2];
        for (auto& run : runs) {
            ServiceHarness harness(make_service(name), name, 99);
            for (int i = 0; i < 200; ++i) {
                const NodeId src = "n" + std::to_string(i % 3);
                if (i % 2 == 0) harness.write(src, "x", i);
                run.push_back(harness.read(src, "x").dump());
            }
        }
        EXPECT_EQ(runs[0], runs[1]) << name;
    }
}

// A node may send a service an init message; the service keeps its state and seed.
TEST(Services, SecondInitIsIgnored) {
    ServiceHarness harness(make_service("lin-tso"), "lin-tso");
    EXPECT_EQ(harness.ask("n1", {{"type", "ts"}})["ts"], 0);
    Out out("lin-tso");
    harness.service().on_init(InitInfo{"lin-tso", {"n1"}, 5, {}, 0}, 0, out);
    ASSERT_EQ(out.effects().size(), 1u);
    EXPECT_TRUE(std::holds_alternative<LogEffect>(out.effects()[0]));
    EXPECT_EQ(harness.ask("n1", {{"type", "ts"}})["ts"], 1);
}

}  // namespace
}  // namespace millpond::sim
