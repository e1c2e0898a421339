#pragma once
// A map from short strings to values, for lookups on the hot path: kafka keys in the nodes'
// logs and replicas, participant ids in the simulator's send.
//
// std::unordered_map cost more time than its instructions suggest: a perf profile of owner on
// 5 nodes put 5 % of the run's time in four such maps (replicas, the log store's logs and
// committed offsets, the simulator's index of ids) against about 2 % of its instructions.
// Every lookup there divides by a prime bucket count (a 64-bit division) and follows a pointer
// to a bucket, then to a node, then compares the key inside the node. Here a lookup hashes the
// key a word at a time, takes the hash's top bits as its place in a power-of-two table of slots
// that hold each entry's hash and address, and compares the key only when the hashes match.
//
// Entries live in a deque, so a reference to a value stays valid while other keys are added, as
// with std::unordered_map. It has no iteration (its users only look keys up, so no order can
// reach a run's output through it) and no erase (none of them removes a key).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "hash.hpp"
#include "short_keys.hpp"

namespace millpond {

template <typename Value>
class FlatStringMap {
  public:
    using value_type = std::pair<const std::string, Value>;
    // A pointer to the entry, and end() is nullptr: find's answer reads as a map iterator's
    // (`it == map.end()`, `it->second`).
    using iterator = value_type*;
    using const_iterator = const value_type*;

    FlatStringMap() = default;
    // A copy gets its own slots, pointing into its own entries. A move keeps the entries where
    // they are (a deque's move takes its blocks), so the slots stay right.
    FlatStringMap(const FlatStringMap& other) : entries_(other.entries_), shift_(other.shift_) {
        slots_.resize(other.slots_.size());
        for (value_type& entry : entries_) place(hash_of(entry.first), &entry);
    }
    FlatStringMap& operator=(const FlatStringMap& other) {
        if (this != &other) *this = FlatStringMap(other);
        return *this;
    }
    FlatStringMap(FlatStringMap&&) noexcept = default;
    FlatStringMap& operator=(FlatStringMap&&) noexcept = default;

    iterator end() noexcept { return nullptr; }
    const_iterator end() const noexcept { return nullptr; }
    std::size_t size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }

    iterator find(std::string_view key) noexcept { return locate(key, hash_of(key)); }
    const_iterator find(std::string_view key) const noexcept { return locate(key, hash_of(key)); }
    bool contains(std::string_view key) const noexcept { return find(key) != end(); }

    Value& at(std::string_view key) {
        if (iterator found = find(key)) return found->second;
        throw std::out_of_range("FlatStringMap::at: no such key");
    }
    const Value& at(std::string_view key) const {
        if (const_iterator found = find(key)) return found->second;
        throw std::out_of_range("FlatStringMap::at: no such key");
    }

    // As std::map's: the value for key, value-initialised if it was absent.
    Value& operator[](std::string_view key) { return try_emplace(key).first->second; }

    // As std::map's: adds key with a value built from args unless key is present; either way
    // the entry for key, and whether it was added.
    template <typename... Args>
    std::pair<iterator, bool> try_emplace(std::string_view key, Args&&... args) {
        const std::uint64_t hash = hash_of(key);
        if (iterator found = locate(key, hash)) return {found, false};
        if ((entries_.size() + 1) * 2 > slots_.size()) grow();
        value_type& entry =
            entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(key),
                                  std::forward_as_tuple(std::forward<Args>(args)...));
        place(hash, &entry);
        return {&entry, true};
    }
    template <typename... Args>
    std::pair<iterator, bool> emplace(std::string_view key, Args&&... args) {
        return try_emplace(key, std::forward<Args>(args)...);
    }

  private:
    // A slot: the entry's full hash, so most mismatches are rejected and growing needs no
    // hashing, and the entry itself (nullptr when empty): one load from the slot to the key.
    struct Slot {
        std::uint64_t hash = 0;
        value_type* entry = nullptr;
    };

    static std::uint64_t hash_of(std::string_view key) noexcept {
        // Hasher's absorb multiplies by an odd constant, which leaves the top bits depending on
        // every bit of the key: the table takes its index from there.
        return Hasher::absorb(0x6b61666b616b6579ULL, key);  // "kafkakey"
    }

    // Key's entry, or nullptr. The table is at most half full, so the probe ends.
    value_type* locate(std::string_view key, std::uint64_t hash) const noexcept {
        if (slots_.empty()) return nullptr;
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t at = static_cast<std::size_t>(hash >> shift_);; at = (at + 1) & mask) {
            const Slot& slot = slots_[at];
            if (slot.entry == nullptr) return nullptr;
            if (slot.hash == hash && keys_equal(slot.entry->first, key)) return slot.entry;
        }
    }

    void place(std::uint64_t hash, value_type* entry) noexcept {
        const std::size_t mask = slots_.size() - 1;
        std::size_t at = static_cast<std::size_t>(hash >> shift_);
        while (slots_[at].entry != nullptr) at = (at + 1) & mask;
        slots_[at] = Slot{hash, entry};
    }

    // Doubles the table (16 slots at first) and places every entry again; at most half full.
    void grow() {
        std::vector<Slot> old(slots_.empty() ? 16 : slots_.size() * 2);
        old.swap(slots_);
        shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(slots_.size()));
        for (const Slot& slot : old)
            if (slot.entry != nullptr) place(slot.hash, slot.entry);
    }

    std::deque<value_type> entries_;
    std::vector<Slot> slots_;
    unsigned shift_ = 64;
};

}  // namespace millpond
