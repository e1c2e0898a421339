#pragma once
// The simulator's single event queue, ordered by (time, insertion counter): time jumps from
// event to event, and events at the same instant run in the order they were scheduled (FIFO),
// never by pointer or hash order.

#include <cstdint>
#include <algorithm>
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
        std::uint32_t slot;
        if (free_slots_.empty()) {
            slot = static_cast<std::uint32_t>(payloads_.size());
            payloads_.push_back(std::move(payload));
        } else {
            slot = free_slots_.back();
            free_slots_.pop_back();
            payloads_[slot] = std::move(payload);
        }
        heap_.push_back(Key{time_us, next_sequence_++, slot});
        std::push_heap(heap_.begin(), heap_.end(), Later{});
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    Instant next_time_us() const { return heap_.front().time_us; }
    Instant now_us() const { return now_us_; }

    // Removes the earliest entry and advances the clock to its time.
    Entry pop() {
        MP_ASSERT(!heap_.empty());
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        const Key key = heap_.back();
        heap_.pop_back();
        MP_ASSERT_GE(key.time_us, now_us_);
        now_us_ = key.time_us;
        free_slots_.push_back(key.slot);
        return Entry{key.time_us, key.sequence, std::move(payloads_[key.slot])};
    }

  private:
    // The heap orders small keys; payloads stay put in their slots (a payload may own a
    // string, and sifting it through the heap moved it log n times per event).
    struct Key {
        Instant time_us;
        std::uint64_t sequence;
        std::uint32_t slot;
    };
    struct Later {
        bool operator()(const Key& a, const Key& b) const {
            if (a.time_us != b.time_us) return a.time_us > b.time_us;
            return a.sequence > b.sequence;
        }
    };
    std::vector<Key> heap_;
    std::vector<Payload> payloads_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_sequence_ = 0;
    Instant now_us_ = 0;
};

}  // namespace millpond::sim
