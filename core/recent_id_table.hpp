#pragma once
// The last `capacity` entries by integer id, the lowest id evicted first: the owner design's
// memory of the forwarded sends it applied, by the forwarder's msg_id.
//
// A std::map held them before, and a perf profile of owner on 5 nodes put 1.75 % of the run's
// time in on_owner_send against 0.39 % of its instructions, 70 % of it on one compare in the
// map's descent: with 4,096 nodes per forwarder, each step of the search is a cache miss. Here
// the ids sit in one sorted vector (32 KB at the owner's capacity), searched by bisection, and
// the values beside them in another. A forwarder's msg_ids grow, so a new id nearly always goes
// at the end (out of order only by the network's reordering, a few places from it); eviction
// only moves a mark past the lowest entry, and the evicted prefix is cut off once it is as long
// as the table's capacity, so every operation is O(log n) amortised.
//
// Iteration is not offered: the table is only asked whether it holds an id.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "assert.hpp"

namespace millpond {

template <typename Value>
class RecentIdTable {
  public:
    explicit RecentIdTable(std::size_t capacity) : capacity_(capacity) {
        MP_ASSERT_GT(capacity, 0u);
    }

    std::size_t size() const { return ids_.size() - first_; }

    // The entry of `id`, or nullptr.
    Value* find(std::int64_t id) {
        const std::size_t at = position_of(id);
        return at < ids_.size() && ids_[at] == id ? &values_[at] : nullptr;
    }
    const Value* find(std::int64_t id) const {
        return const_cast<RecentIdTable*>(this)->find(id);
    }

    // Adds (id, value); when that makes more than capacity() entries, the lowest entry (which
    // may be this one) is evicted and its id returned. REQUIRES: id is not in the table.
    std::optional<std::int64_t> insert(std::int64_t id, Value value) {
        const std::size_t at = position_of(id);
        MP_ASSERT(at == ids_.size() || ids_[at] != id);
        const auto offset = static_cast<std::ptrdiff_t>(at);
        ids_.insert(ids_.begin() + offset, id);
        values_.insert(values_.begin() + offset, std::move(value));
        if (size() <= capacity_) return std::nullopt;
        const std::int64_t evicted = ids_[first_];
        values_[first_] = Value();  // what it owns goes now, not at the next cut
        ++first_;
        if (first_ >= capacity_) {
            const auto cut = static_cast<std::ptrdiff_t>(first_);
            ids_.erase(ids_.begin(), ids_.begin() + cut);
            values_.erase(values_.begin(), values_.begin() + cut);
            first_ = 0;
        }
        MP_ASSERT_EQ(size(), capacity_);
        return evicted;
    }

  private:
    // The first live position whose id is not below `id`.
    std::size_t position_of(std::int64_t id) const {
        const auto live = ids_.begin() + static_cast<std::ptrdiff_t>(first_);
        return static_cast<std::size_t>(std::lower_bound(live, ids_.end(), id) - ids_.begin());
    }

    std::size_t capacity_;
    std::vector<std::int64_t> ids_;  // ascending from first_; before it, evicted entries
    std::vector<Value> values_;      // values_[i] belongs to ids_[i]
    std::size_t first_ = 0;
};

}  // namespace millpond
