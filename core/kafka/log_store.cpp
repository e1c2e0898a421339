#include "log_store.hpp"

#include <algorithm>

#include "../assert.hpp"

namespace millpond::kafka {

Offset LogStore::append(const std::string& key, json msg) {
    json::array_t& log = logs_[key];
    const auto offset = static_cast<Offset>(log.size());
    log.push_back(std::move(msg));
    MP_ASSERT_EQ(static_cast<Offset>(log.size()), offset + 1);
    return offset;
}

Offset LogStore::end(const std::string& key) const {
    auto it = logs_.find(key);
    return it == logs_.end() ? 0 : static_cast<Offset>(it->second.size());
}

std::span<const json> LogStore::read(const std::string& key, Offset offset,
                                     std::size_t count_max) const {
    MP_ASSERT_GE(offset, 0);
    auto it = logs_.find(key);
    if (it == logs_.end()) return {};
    const json::array_t& log = it->second;
    const auto size = static_cast<Offset>(log.size());
    const Offset first = std::min(size, offset);
    const std::size_t count = std::min(count_max, static_cast<std::size_t>(size - first));
    std::span<const json> run(log.data() + first, count);
    MP_ASSERT_LE(run.size(), count_max);
    return run;
}

Offset LogStore::commit(const std::string& key, Offset offset) {
    MP_ASSERT_GE(offset, 0);
    auto [it, inserted] = committed_.emplace(key, offset);
    if (!inserted) it->second = std::max(it->second, offset);
    MP_ASSERT_GE(it->second, offset);
    return it->second;
}

std::optional<Offset> LogStore::committed(const std::string& key) const {
    auto it = committed_.find(key);
    if (it == committed_.end()) return std::nullopt;
    return it->second;
}

}  // namespace millpond::kafka
