#include "stats.hpp"

#include <charconv>
#include <map>
#include <string>
#include <vector>

#include "core/assert.hpp"

namespace millpond::checkers {

namespace {

struct Counts {
    std::int64_t ok = 0;
    std::int64_t fail = 0;
    std::int64_t info = 0;

    std::int64_t total() const { return ok + fail + info; }

    void add(history::OpType type) {
        switch (type) {
            case history::OpType::kOk: ++ok; break;
            case history::OpType::kFail: ++fail; break;
            case history::OpType::kInfo: ++info; break;
            case history::OpType::kInvoke: MP_ASSERT(false); break;
        }
    }
};

edn::Entries counts_entries(const Counts& counts, bool valid) {
    edn::Entries entries;
    entries.emplace_back(edn::Value::keyword("valid?"), valid);
    entries.emplace_back(edn::Value::keyword("count"), counts.total());
    entries.emplace_back(edn::Value::keyword("ok-count"), counts.ok);
    entries.emplace_back(edn::Value::keyword("fail-count"), counts.fail);
    entries.emplace_back(edn::Value::keyword("info-count"), counts.info);
    return entries;
}

// §6.3 / §3.5: Maelstrom's kafka stats wrapper, applied to every workload.
bool ignored_for_validity(const std::string& f) {
    return f == "crash" || f == "debug-topic-partitions";
}

}  // namespace

edn::Value check_stats(const history::History& history) {
    Counts all;
    std::map<std::string, Counts> by_f;  // sorted by f, as Jepsen's (into (sorted-map) by-f)
    // Histories repeat a handful of fs: remember the last one's counts rather than searching
    // the map for every op.
    Counts* last_counts = nullptr;
    const std::string* last_f = nullptr;
    for (const auto& op : history) {
        if (!op.is_client() || op.type == history::OpType::kInvoke) continue;
        all.add(op.type);
        if (!last_f || *last_f != op.f) {
            auto it = by_f.try_emplace(op.f).first;
            last_f = &it->first;
            last_counts = &it->second;
        }
        last_counts->add(op.type);
    }
    edn::Entries by_f_entries;
    bool valid = true;
    for (const auto& [f, counts] : by_f) {
        const bool f_valid = counts.ok > 0;
        if (!f_valid && !ignored_for_validity(f)) valid = false;
        by_f_entries.emplace_back(edn::Value::keyword(f),
                                  edn::Value::map(counts_entries(counts, f_valid)));
    }
    edn::Entries entries = counts_entries(all, valid);
    entries.emplace_back(edn::Value::keyword("by-f"), edn::Value::map(std::move(by_f_entries)));
    return edn::Value::map(std::move(entries));
}

double as_java_float(double value) {
    const float narrowed = static_cast<float>(value);
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, narrowed);
    MP_ASSERT(ec == std::errc());
    double widened = 0;
    auto [parsed_end, parse_ec] = std::from_chars(buffer, end, widened);
    MP_ASSERT(parse_ec == std::errc());
    MP_ASSERT_EQ(parsed_end, end);
    return widened;
}

edn::Value check_availability(const history::History& history, std::optional<double> min_fraction) {
    std::int64_t invokes = 0;
    std::int64_t oks = 0;
    for (const auto& op : history) {
        // Nemesis ops are :info on both sides, so they count in neither (§6.4).
        if (op.type == history::OpType::kInvoke) ++invokes;
        if (op.type == history::OpType::kOk) ++oks;
    }
    const double fraction =
        invokes == 0 ? 1.0 : static_cast<double>(oks) / static_cast<double>(invokes);
    bool valid = true;
    if (min_fraction) {
        MP_ASSERT(*min_fraction >= 0.0 && *min_fraction <= 1.0);
        // Compare exactly (oks >= min * invokes), not through the rounded fraction: with
        // `total`, 9999/10000 must fail even though it prints as 0.9999.
        valid = invokes == 0 ||
                static_cast<double>(oks) >= *min_fraction * static_cast<double>(invokes);
    }
    edn::Entries entries;
    entries.emplace_back(edn::Value::keyword("valid?"), valid);
    entries.emplace_back(edn::Value::keyword("ok-fraction"), as_java_float(fraction));
    return edn::Value::map(std::move(entries));
}

}  // namespace millpond::checkers
