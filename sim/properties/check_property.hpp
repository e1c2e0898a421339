#pragma once
// rc::check for the property suites: a fixed RapidCheck seed and case count instead of
// RC_PARAMS, so a CI failure replays exactly, and a gtest failure carrying RapidCheck's report
// (the shrunk counterexample; a generated run prints as the scenario file that replays it).

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <sstream>
#include <string>
#include <utility>

namespace millpond::sim {

template <typename Testable>
void check_property(const std::string& name, int cases, Testable&& testable) {
    rc::detail::TestMetadata metadata;
    metadata.id = name;
    metadata.description = name;
    rc::detail::TestParams params;
    params.seed = 1;
    params.maxSuccess = cases;
    params.maxSize = 100;
    const auto result =
        rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
    if (!result.template is<rc::detail::SuccessResult>()) {
        std::ostringstream report;
        rc::detail::printResultMessage(result, report);
        FAIL() << report.str();
    }
}

}  // namespace millpond::sim
