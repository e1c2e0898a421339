#include "timer_table.hpp"

#include "core/assert.hpp"

namespace millpond::maelstrom {

void TimerTable::set(const std::string& key, Instant deadline_us) {
    cancel(key);
    const Slot slot{deadline_us, sequence_next_++};
    by_key_.emplace(key, slot);
    auto [it, inserted] = by_deadline_.emplace(slot.deadline_us, slot.sequence, key);
    MP_ASSERT(inserted);
    MP_ASSERT_EQ(by_key_.size(), by_deadline_.size());
}

void TimerTable::cancel(const std::string& key) {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return;
    const std::size_t erased =
        by_deadline_.erase({it->second.deadline_us, it->second.sequence, key});
    MP_ASSERT_EQ(erased, 1u);
    by_key_.erase(it);
    MP_ASSERT_EQ(by_key_.size(), by_deadline_.size());
}

std::optional<Instant> TimerTable::earliest_deadline_us() const {
    if (by_deadline_.empty()) return std::nullopt;
    return std::get<0>(*by_deadline_.begin());
}

std::optional<std::string> TimerTable::pop_due(Instant now_us) {
    if (by_deadline_.empty()) return std::nullopt;
    auto first = by_deadline_.begin();
    if (std::get<0>(*first) > now_us) return std::nullopt;
    std::string key = std::get<2>(*first);
    by_deadline_.erase(first);
    const std::size_t erased = by_key_.erase(key);
    MP_ASSERT_EQ(erased, 1u);
    return key;
}

std::size_t TimerTable::due_count(Instant now_us) const {
    std::size_t count = 0;
    for (const auto& order : by_deadline_) {
        if (std::get<0>(order) > now_us) break;
        ++count;
    }
    return count;
}

}  // namespace millpond::maelstrom
