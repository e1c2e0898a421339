#pragma once
// Destroying a message body fast. nlohmann::json's destructor never recurses (a deep document
// must not overflow the stack): for every array or object it allocates a vector, moves each
// child onto it and destroys them one by one. That is right for untrusted input and slow for
// the simulator, which destroys every body it delivers: a tenth of a run's instructions were
// in json_value::destroy (callgrind, owner on 5 nodes). Bodies made by nodes are shallow, so
// `tear_down` empties them depth-first itself, and nlohmann's destructor then finds nothing to
// flatten. Below kMaxTearDownDepth it stops and leaves the rest to nlohmann's safe path.

#include "message.hpp"

namespace millpond {

inline constexpr int kMaxTearDownDepth = 64;

// Leaves `value` an empty array or object (or as it was, for any other type). Flattened: every
// member's destructor is inlined here, so a scalar's (nothing to free) is a few compares, not
// a call into nlohmann's out-of-line json_value::destroy (about 25 instructions, 800 k calls
// a run, owner on 5 nodes).
[[gnu::flatten]] inline void tear_down(json& value, int depth = 0) {
    if (depth >= kMaxTearDownDepth) return;
    if (auto* items = value.get_ptr<json::array_t*>()) {
        for (json& item : *items)
            if (item.is_structured()) tear_down(item, depth + 1);
        items->clear();
    } else if (auto* members = value.get_ptr<json::object_t*>()) {
        for (auto& [key, member] : *members)
            if (member.is_structured()) tear_down(member, depth + 1);
        members->clear();
    }
}

}  // namespace millpond
