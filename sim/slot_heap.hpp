#pragma once
// A min-heap of payloads ordered by (time, push order). The heap sifts 24-byte keys; each
// payload stays put in a slot until it is taken (a payload may own strings and a message body,
// and sifting it through the heap moved it log n times per entry). Ties go to the entry pushed
// first, never to pointer or hash order. The simulator's event queue and every receiver's
// inbox are one of these.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/assert.hpp"
#include "core/message.hpp"

namespace millpond::sim {

template <typename Payload>
class SlotHeap {
  public:
    void push(Instant time_us, Payload payload) {
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

    // The earliest entry: its time, push order and payload (to move from before pop()).
    Instant top_time_us() const { return top_key().time_us; }
    std::uint64_t top_sequence() const { return top_key().sequence; }
    Payload& top() { return payloads_[top_key().slot]; }

    // Removes the earliest entry; its slot (and whatever top() left in it) is reused.
    void pop() {
        MP_ASSERT(!heap_.empty());
        std::pop_heap(heap_.begin(), heap_.end(), Later{});
        free_slots_.push_back(heap_.back().slot);
        heap_.pop_back();
    }

  private:
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
    const Key& top_key() const {
        MP_ASSERT(!heap_.empty());
        return heap_.front();
    }

    std::vector<Key> heap_;
    std::vector<Payload> payloads_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace millpond::sim
