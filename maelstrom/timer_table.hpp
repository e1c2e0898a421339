#pragma once
// The adapter's pending timers: what a node's SetTimerEffect / CancelTimerEffect mean under
// real time. One deadline per key; setting a key again replaces its deadline (and its place
// among equal deadlines), cancelling forgets it. Timers due at the same microsecond fire in the
// order they were set, so the order never depends on key spelling or on a hash.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "core/message.hpp"

namespace millpond::maelstrom {

class TimerTable {
  public:
    void set(const std::string& key, Instant deadline_us);
    // Cancelling a key that is not set is a no-op: a node may cancel a timer that already
    // fired.
    void cancel(const std::string& key);

    // The earliest deadline, if any timer is pending.
    std::optional<Instant> earliest_deadline_us() const;
    // Removes and returns the key of the earliest timer if its deadline is <= now_us.
    std::optional<std::string> pop_due(Instant now_us);
    // How many timers have a deadline <= now_us.
    std::size_t due_count(Instant now_us) const;

    std::size_t size() const { return by_key_.size(); }
    bool empty() const { return by_key_.empty(); }

  private:
    struct Slot {
        Instant deadline_us;
        std::uint64_t sequence;  // when it was set: breaks ties between equal deadlines
    };
    using Order = std::tuple<Instant, std::uint64_t, std::string>;

    std::map<std::string, Slot, std::less<>> by_key_;
    std::set<Order> by_deadline_;
    std::uint64_t sequence_next_ = 0;
};

}  // namespace millpond::maelstrom
