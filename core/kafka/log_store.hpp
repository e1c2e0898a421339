#pragma once
// An in-memory set of logs and committed offsets: what one node holds for the keys it is the
// authority for (all keys in the memory design, the owned keys in the owner design).
// Invariants: each key's log has dense offsets from 0 and only grows; a key's committed offset
// only moves forward.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../flat_string_map.hpp"
#include "protocol.hpp"

namespace millpond::kafka {

class LogStore {
  public:
    // Appends msg to key's log and returns its offset (the log's length before).
    Offset append(const std::string& key, json msg);
    // The log's length: the next offset to be assigned (0 for an unknown key).
    Offset end(const std::string& key) const;
    // Up to count_max messages from `offset` on, in order; empty past the end. Valid until the
    // next append to key.
    std::span<const json> read(const std::string& key, Offset offset, std::size_t count_max) const;

    // Raises key's committed offset to `offset` if that is higher; a lower commit is ignored.
    // Returns the committed offset afterwards.
    Offset commit(const std::string& key, Offset offset);
    std::optional<Offset> committed(const std::string& key) const;

  private:
    // Only looked up, never iterated.
    FlatStringMap<json::array_t> logs_;
    FlatStringMap<Offset> committed_;
};

}  // namespace millpond::kafka
