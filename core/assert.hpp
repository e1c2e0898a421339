#pragma once
// Always-on assertions. An impossible state aborts with the expression, both values and the
// place; they stay on in every build type because a simulator that silently continues past a
// broken invariant produces histories nobody can trust.

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

namespace millpond::detail {

template <typename T>
std::string assert_show(const T& value) {
    if constexpr (requires(std::ostream& os, const T& v) { os << v; }) {
        std::ostringstream os;
        os << value;
        return os.str();
    } else {
        return "<unprintable>";
    }
}

// Out of line and cold: an assertion's call site stays a compare and a jump, so the small
// accessors that assert (edn::Value::items(), as_int()) stay small enough to inline.
[[noreturn, gnu::cold, gnu::noinline]] inline void assert_fail(const char* expression,
                                                               const std::string& detail,
                                                               const char* file, int line) {
    std::cerr << "assertion failed: " << expression << detail << " at " << file << ":" << line
              << std::endl;
    std::abort();
}
// MP_ASSERT's failure, with no detail: no std::string is built at the call site.
[[noreturn, gnu::cold, gnu::noinline]] inline void assert_fail(const char* expression,
                                                               const char* file, int line) {
    assert_fail(expression, std::string(), file, line);
}

}  // namespace millpond::detail

#define MP_ASSERT(condition)                                                         \
    do {                                                                             \
        if (!(condition)) [[unlikely]]                                               \
            ::millpond::detail::assert_fail(#condition, __FILE__, __LINE__);         \
    } while (0)

#define MP_ASSERT_OP_(a, op, b)                                                                \
    do {                                                                                       \
        const auto mp_lhs_ = (a);                                                              \
        const auto mp_rhs_ = (b);                                                              \
        if (!(mp_lhs_ op mp_rhs_)) [[unlikely]]                                                \
            ::millpond::detail::assert_fail(                                                   \
                #a " " #op " " #b,                                                             \
                " (left: " + ::millpond::detail::assert_show(mp_lhs_) +                        \
                    ", right: " + ::millpond::detail::assert_show(mp_rhs_) + ")",              \
                __FILE__, __LINE__);                                                           \
    } while (0)

#define MP_ASSERT_EQ(a, b) MP_ASSERT_OP_(a, ==, b)
#define MP_ASSERT_NE(a, b) MP_ASSERT_OP_(a, !=, b)
#define MP_ASSERT_LT(a, b) MP_ASSERT_OP_(a, <, b)
#define MP_ASSERT_LE(a, b) MP_ASSERT_OP_(a, <=, b)
#define MP_ASSERT_GT(a, b) MP_ASSERT_OP_(a, >, b)
#define MP_ASSERT_GE(a, b) MP_ASSERT_OP_(a, >=, b)
