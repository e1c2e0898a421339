#pragma once
// Jepsen's three-valued validity (spec §6.2): a checker says true, false or :unknown, and a
// composed result merges its parts so that false beats :unknown, which beats true. Anything
// else in a :valid? slot (nil, a stray value) ranks below true and is ignored, as Jepsen's
// merge-valid does.

#include <span>

#include "edn.hpp"

namespace millpond::checkers {

enum class Validity { kTrue, kUnknown, kFalse };

inline edn::Value validity_value(Validity validity) {
    switch (validity) {
        case Validity::kTrue: return edn::Value(true);
        case Validity::kFalse: return edn::Value(false);
        case Validity::kUnknown: return edn::Value::keyword("unknown");
    }
    return edn::Value::keyword("unknown");
}

// The rank of a :valid? value for merging; -1 for values that are not a validity.
inline int validity_rank(const edn::Value& valid) {
    if (valid.kind() == edn::Kind::kBool) return valid.as_bool() ? 0 : 2;
    if (valid.is_keyword("unknown")) return 1;
    return -1;
}

inline Validity merge_valid(Validity a, Validity b) {
    return static_cast<int>(a) >= static_cast<int>(b) ? a : b;
}

// Merges :valid? values; the empty merge is true.
inline edn::Value merge_valid(std::span<const edn::Value> valids) {
    edn::Value merged(true);
    for (const auto& valid : valids)
        if (validity_rank(valid) > validity_rank(merged)) merged = valid;
    return merged;
}

inline edn::Value merge_valid(std::initializer_list<edn::Value> valids) {
    return merge_valid(std::span<const edn::Value>(valids.begin(), valids.size()));
}

}  // namespace millpond::checkers
