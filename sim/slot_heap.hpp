#pragma once
// A min-queue of payloads ordered by (time, push order). Ties go to the entry pushed first,
// never to pointer or hash order. The simulator's event queue and every receiver's inbox are
// one of these.
//
// Each payload stays put in a slot until it is taken (a payload may own strings and a message
// body, and sifting it through a heap moved it log n times per entry); only 24-byte keys move.
//
// Most pushes come in runs whose times never decrease: client timeouts at now + a constant,
// deliveries at now, RPC timers, the generator's next op. A binary heap sifts every one of them
// through up to log n levels, and the event queue also holds every stale client timeout. So
// keys go first into a few sorted lanes (patience sorting): a key joins the lane whose last
// time is the latest one not after its own, and only a key that fits no lane goes to the heap.
// Every lane is sorted by (time, push order) because times in it never decrease and push order
// always grows; the earliest entry is the least of the heap's top and the lanes' fronts. The
// order taken out is exactly the heap's alone. (The standard owner run, 104 k pushes, put none
// in the heap with 8 lanes.)

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "core/assert.hpp"
#include "core/message.hpp"

namespace millpond::sim {

template <typename Payload>
class SlotHeap {
  public:
    // Takes anything a Payload can be assigned from: an alternative of a variant payload goes
    // straight into its slot, with no temporary variant to move and destroy on the way.
    template <typename Value>
    void push(Instant time_us, Value&& value) {
        emplace(time_us, std::forward<Value>(value));
    }

    // Builds the payload in its slot from `args` (a reused slot's old payload, moved from
    // when it was taken, is destroyed first). No temporary payload: each one holding a message
    // body cost a move and a call to nlohmann's out-of-line destroy.
    template <typename... Args>
    void emplace(Instant time_us, Args&&... args) {
        std::uint32_t slot;
        if (free_slots_.empty()) {
            slot = static_cast<std::uint32_t>(payloads_.size());
            payloads_.emplace_back(std::forward<Args>(args)...);
        } else {
            slot = free_slots_.back();
            free_slots_.pop_back();
            Payload* payload = &payloads_[slot];
            if constexpr (std::is_nothrow_constructible_v<Payload, Args&&...>) {
                std::destroy_at(payload);
                std::construct_at(payload, std::forward<Args>(args)...);
            } else {
                // Built aside first, so a throw leaves the slot's old payload whole.
                *payload = Payload(std::forward<Args>(args)...);
            }
        }
        const Key key{time_us, next_sequence_++, slot};
        const int source = place(key);
        // The new key has the largest push order, so it is the earliest only by time.
        if (size_ == 0 || time_us < earliest_key_.time_us) {
            earliest_ = source;
            earliest_key_ = key;
        }
        ++size_;
    }

    bool empty() const { return size_ == 0; }
    std::size_t size() const { return size_; }

    // The earliest entry: its time, push order and payload (to move from before pop()).
    Instant top_time_us() const { return top_key().time_us; }
    std::uint64_t top_sequence() const { return top_key().sequence; }
    Payload& top() { return payloads_[top_key().slot]; }

    // Removes the earliest entry; its slot (and whatever top() left in it) is reused.
    void pop() {
        MP_ASSERT(size_ > 0);
        free_slots_.push_back(top_key().slot);
        if (earliest_ == kHeap) {
            std::pop_heap(heap_.begin(), heap_.end(), Later{});
            heap_.pop_back();
        } else {
            Lane& lane = lanes_[static_cast<std::size_t>(earliest_)];
            lane.pop_front();
            if (lane.empty()) lane_back_us_[static_cast<std::size_t>(earliest_)] = kEmptyLaneUs;
        }
        --size_;
        find_earliest();
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

    // A sorted run: appended at the back, taken from the front. The taken prefix is dropped
    // when the lane empties or once it is at least half the storage, so space stays O(size).
    class Lane {
      public:
        bool empty() const { return head_ == keys_.size(); }
        const Key& front() const { return keys_[head_]; }
        void push_back(const Key& key) { keys_.push_back(key); }
        void pop_front() {
            ++head_;
            if (head_ == keys_.size()) {
                keys_.clear();
                head_ = 0;
            } else if (head_ >= 1024 && head_ * 2 >= keys_.size()) {
                keys_.erase(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(head_));
                head_ = 0;
            }
        }

      private:
        std::vector<Key> keys_;
        std::size_t head_ = 0;
    };

    static constexpr int kHeap = -1;
    static constexpr std::size_t kLanes = 8;
    static constexpr Instant kEmptyLaneUs = std::numeric_limits<Instant>::min();

    // Puts the key in the best-fitting lane, or the heap; returns where it went. An empty
    // lane's back time is the lowest there is, so it is taken only when no other lane fits.
    // Lanes are opened in index order and only the opened ones are scanned: an inbox rarely
    // needs more than two, and scanning all eight on every push and pop was a twentieth of a
    // run (callgrind). The lane chosen is the one a scan of all eight would choose: unopened
    // lanes are empty, and the lowest-indexed empty lane wins among empty ones either way.
    int place(const Key& key) {
        int best = kHeap;
        Instant best_back_us = 0;
        for (std::size_t i = 0; i < open_lanes_; ++i) {
            const Instant back_us = lane_back_us_[i];
            if (back_us <= key.time_us && (best == kHeap || back_us > best_back_us)) {
                best = static_cast<int>(i);
                best_back_us = back_us;
            }
        }
        if (best == kHeap && open_lanes_ < kLanes) best = static_cast<int>(open_lanes_++);
        if (best == kHeap) {
            heap_.push_back(key);
            std::push_heap(heap_.begin(), heap_.end(), Later{});
            return kHeap;
        }
        lanes_[static_cast<std::size_t>(best)].push_back(key);
        lane_back_us_[static_cast<std::size_t>(best)] = key.time_us;
        return best;
    }

    void find_earliest() {
        const Key* earliest = heap_.empty() ? nullptr : &heap_.front();
        earliest_ = kHeap;
        for (std::size_t i = 0; i < open_lanes_; ++i) {
            if (lanes_[i].empty()) continue;
            const Key& front = lanes_[i].front();
            if (earliest == nullptr || Later{}(*earliest, front)) {
                earliest = &front;
                earliest_ = static_cast<int>(i);
            }
        }
        if (earliest != nullptr) earliest_key_ = *earliest;
    }

    static std::array<Instant, kLanes> filled(Instant value) {
        std::array<Instant, kLanes> values;
        values.fill(value);
        return values;
    }

    const Key& top_key() const {
        MP_ASSERT(size_ > 0);
        return earliest_key_;
    }

    std::vector<Key> heap_;
    std::array<Lane, kLanes> lanes_;
    std::array<Instant, kLanes> lane_back_us_ = filled(kEmptyLaneUs);  // each lane's last time
    std::size_t open_lanes_ = 0;  // lanes [0, open_lanes_) have been used
    int earliest_ = kHeap;  // where the earliest key is: kHeap or a lane's index
    Key earliest_key_{};    // a copy of it, valid while size_ > 0
    std::size_t size_ = 0;
    std::vector<Payload> payloads_;
    std::vector<std::uint32_t> free_slots_;
    std::uint64_t next_sequence_ = 0;
};

}  // namespace millpond::sim
