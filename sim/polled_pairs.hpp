#pragma once
// The [offset msg] pairs of poll results, made once per run and shared.
//
// A kafka history's polls repeat one another: every client that reads a key is sent the same
// pairs again, poll after poll, so a standard run records each pair about a dozen times. Each
// recorded pair is an EDN vector, two allocations to build and two to free. EDN values are
// immutable once built and shared by reference, so the workload keeps the pair it built for
// each (key, offset) and hands the same value to every poll that returns that offset with the
// same message. A reply that pairs the offset with a different message -- a buggy node -- gets
// a new value, so the history records exactly what each reply said; only memory is shared.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "checkers/edn.hpp"
#include "core/message.hpp"

namespace millpond::sim {

class PolledPairs {
  public:
    // Offsets at or past this are not kept (a node may answer any integer; a correct log's
    // offsets per key stay far below it), so the memory is bounded per key.
    static constexpr std::int64_t kMaxKeptOffset = 1 << 16;

    // What is kept for one key: the key as an EDN string, and the pair per offset.
    struct Key {
        edn::Value name;
        struct Slot {
            std::int64_t msg = 0;
            edn::Value pair;  // nil until made
        };
        std::vector<Slot> slots;
    };

    // The row of `key`; the reference stays valid for the run.
    Key& key(const std::string& name) {
        auto [it, inserted] = keys_.try_emplace(name);
        if (inserted) it->second.name = edn::Value(name);
        return it->second;
    }

    // [offset msg] as an EDN vector, the msg converted from JSON as edn::from_json does.
    static edn::Value make_pair(std::int64_t offset, const json& msg) {
        edn::Items pair;
        pair.reserve(2);
        pair.emplace_back(offset);
        pair.push_back(edn::from_json(msg, false));
        return edn::Value::vector(std::move(pair));
    }

    // Kept when msg is a JSON integer: nlohmann hands out a signed or unsigned one through the
    // same pointer, as the same 64 bits, and edn::from_json turns both into that long.
    edn::Value pair(Key& row, std::int64_t offset, const json& msg) {
        const auto* integer = msg.get_ptr<const json::number_integer_t*>();
        if (integer == nullptr || offset < 0 || offset >= kMaxKeptOffset)
            return make_pair(offset, msg);
        const auto at = static_cast<std::size_t>(offset);
        if (at >= row.slots.size()) row.slots.resize(at + 1);
        Key::Slot& slot = row.slots[at];
        if (slot.pair.is_nil() || slot.msg != *integer) {
            slot.msg = *integer;
            slot.pair = make_pair(offset, msg);
        }
        return slot.pair;
    }

  private:
    std::map<std::string, Key, KeyLess> keys_;  // std::less's order
};

}  // namespace millpond::sim
