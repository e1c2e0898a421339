#pragma once
// The simulator's single event queue, ordered by (time, insertion counter): time jumps from
// event to event, and events at the same instant run in the order they were scheduled (FIFO),
// never by pointer or hash order.

#include <cstdint>

#include "core/assert.hpp"
#include "core/message.hpp"
#include "slot_heap.hpp"

namespace millpond::sim {

template <typename Payload>
class EventQueue {
  public:
    struct Entry {
        Instant time_us;
        std::uint64_t sequence;
        Payload payload;
    };

    template <typename Value>
    void push(Instant time_us, Value&& value) {
        MP_ASSERT_GE(time_us, now_us_);
        heap_.push(time_us, std::forward<Value>(value));
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    Instant next_time_us() const { return heap_.top_time_us(); }
    Instant now_us() const { return now_us_; }

    // Removes the earliest entry and advances the clock to its time.
    Entry pop() {
        MP_ASSERT_GE(heap_.top_time_us(), now_us_);
        now_us_ = heap_.top_time_us();
        Entry entry{now_us_, heap_.top_sequence(), std::move(heap_.top())};
        heap_.pop();
        return entry;
    }

  private:
    SlotHeap<Payload> heap_;
    Instant now_us_ = 0;
};

}  // namespace millpond::sim
