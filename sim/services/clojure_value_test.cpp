#include "sim/services/clojure_value.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace millpond::sim {
namespace {

TEST(ClojureValue, EqualityKeepsIntegersAndFloatsApart) {
    EXPECT_TRUE(clojure_equal(json(1), json::parse("1")));  // signed vs unsigned
    EXPECT_FALSE(clojure_equal(json(1), json(1.0)));
    EXPECT_TRUE(clojure_equal(json(0.0), json(-0.0)));
    EXPECT_FALSE(clojure_equal(json(-1), json::parse("18446744073709551615")));
    EXPECT_FALSE(clojure_equal(json("1"), json(1)));
    EXPECT_FALSE(clojure_equal(json(nullptr), json(false)));
    EXPECT_TRUE(clojure_equal(json::parse(R"({"a":[1,{"b":null}]})"),
                              json::parse(R"({"a":[1,{"b":null}]})")));
    EXPECT_FALSE(clojure_equal(json::parse(R"({"a":[1]})"), json::parse(R"({"a":[1.0]})")));
    EXPECT_FALSE(clojure_equal(json::parse("[1,2]"), json::parse("[1,2,3]")));
    EXPECT_FALSE(clojure_equal(json::parse(R"({"a":1})"), json::parse(R"({"b":1})")));
}

TEST(ClojureValue, OrderIsStrictAndMatchesEquality) {
    const json::array_t values = {json(nullptr),
                                      json(false),
                                      json(true),
                                      json(-5),
                                      json(0),
                                      json::parse("0"),
                                      json::parse("18446744073709551615"),
                                      json(-0.5),
                                      json(0.0),
                                      json(-0.0),
                                      json(2.5),
                                      json(""),
                                      json("a"),
                                      json::array(),
                                      json::array({1}),
                                      json::array({1.0}),
                                      json::object(),
                                      json::parse(R"({"a":1})"),
                                      json::parse(R"({"a":1,"b":2})")};
    const ClojureLess less;
    for (const json& a : values) {
        EXPECT_FALSE(less(a, a)) << a;
        for (const json& b : values) {
            const bool equivalent = !less(a, b) && !less(b, a);
            EXPECT_EQ(equivalent, clojure_equal(a, b)) << a << " vs " << b;
            if (less(a, b)) {
                EXPECT_FALSE(less(b, a)) << a << " vs " << b;
            }
            for (const json& c : values) {
                if (less(a, b) && less(b, c)) {
                    EXPECT_TRUE(less(a, c)) << a << b << c;
                }
            }
        }
    }
}

TEST(ClojureValue, PrStrAndStrPrintLikeClojure) {
    EXPECT_EQ(clojure_pr_str(json(nullptr)), "nil");
    EXPECT_EQ(clojure_pr_str(json(true)), "true");
    EXPECT_EQ(clojure_pr_str(json(-12)), "-12");
    EXPECT_EQ(clojure_pr_str(json::parse("18446744073709551615")), "18446744073709551615");
    EXPECT_EQ(clojure_pr_str(json("a\"b\\c\nd\te")), R"("a\"b\\c\nd\te")");
    EXPECT_EQ(clojure_pr_str(json::parse(R"([1, "x", [], null, 2.0])")), R"([1 "x" [] nil 2.0])");
    EXPECT_EQ(clojure_pr_str(json::parse(R"({"b": 2, "a": [1]})")), R"({"a" [1], "b" 2})");
    EXPECT_EQ(clojure_pr_str(json::object()), "{}");
    EXPECT_EQ(clojure_str(json("plain")), "plain");
    EXPECT_EQ(clojure_str(json(nullptr)), "");
    EXPECT_EQ(clojure_str(json::parse(R"(["x"])")), R"(["x"])");
    EXPECT_EQ(clojure_str(json(3)), "3");
}

TEST(ClojureValue, DoublesPrintLikeJava) {
    EXPECT_EQ(java_double_string(1.0), "1.0");
    EXPECT_EQ(java_double_string(-0.0), "-0.0");
    EXPECT_EQ(java_double_string(0.0), "0.0");
    EXPECT_EQ(java_double_string(1.5), "1.5");
    EXPECT_EQ(java_double_string(100.0), "100.0");
    EXPECT_EQ(java_double_string(123.456), "123.456");
    EXPECT_EQ(java_double_string(1234567.0), "1234567.0");
    EXPECT_EQ(java_double_string(1e7), "1.0E7");
    EXPECT_EQ(java_double_string(12345678.9), "1.23456789E7");
    EXPECT_EQ(java_double_string(0.001), "0.001");
    EXPECT_EQ(java_double_string(0.0123), "0.0123");
    EXPECT_EQ(java_double_string(0.0001), "1.0E-4");
    EXPECT_EQ(java_double_string(-2.5e-10), "-2.5E-10");
    EXPECT_EQ(java_double_string(0.1 + 0.2), "0.30000000000000004");
    EXPECT_EQ(java_double_string(1e100), "1.0E100");
}

TEST(ClojureValue, TruthinessIsEverythingButNilAndFalse) {
    EXPECT_FALSE(clojure_truthy(json(nullptr)));
    EXPECT_FALSE(clojure_truthy(json(false)));
    for (const json& v : {json(true), json(0), json(""), json::array(), json::object(), json(0.0)})
        EXPECT_TRUE(clojure_truthy(v)) << v;
}

RC_GTEST_PROP(ClojureValueProperty, PrintedDoublesReadBackExactly, (double value)) {
    RC_PRE(std::isfinite(value));
    const std::string text = java_double_string(value);
    RC_ASSERT(std::strtod(text.c_str(), nullptr) == value);
    RC_ASSERT(text.find('.') != std::string::npos);
}

}  // namespace
}  // namespace millpond::sim
