#pragma once
// The simulator's single event queue, ordered by (time, insertion counter): time jumps from
// event to event, and events at the same instant run in the order they were scheduled (FIFO),
// never by pointer or hash order.

#include <cstdint>
#include <queue>
#include <vector>

#include "core/assert.hpp"
#include "core/message.hpp"

namespace millpond::sim {

template <typename Payload>
class EventQueue {
  public:
    struct Entry {
        Instant time_us;
        std::uint64_t sequence;
        Payload payload;
    };

    void push(Instant time_us, Payload payload) {
        MP_ASSERT_GE(time_us, now_us_);
        heap_.push(Entry{time_us, next_sequence_++, std::move(payload)});
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    Instant next_time_us() const { return heap_.top().time_us; }
    Instant now_us() const { return now_us_; }

    // Removes the earliest entry and advances the clock to its time.
    Entry pop() {
        MP_ASSERT(!heap_.empty());
        Entry entry = std::move(const_cast<Entry&>(heap_.top()));
        heap_.pop();
        MP_ASSERT_GE(entry.time_us, now_us_);
        now_us_ = entry.time_us;
        return entry;
    }

  private:
    struct Later {
        bool operator()(const Entry& a, const Entry& b) const {
            if (a.time_us != b.time_us) return a.time_us > b.time_us;
            return a.sequence > b.sequence;
        }
    };
    std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
    std::uint64_t next_sequence_ = 0;
    Instant now_us_ = 0;
};

}  // namespace millpond::sim
