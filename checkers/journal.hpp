#pragma once
// The network journal: every message the network accepted (send), handed to its receiver
// (recv) or lost (drop), with simulated time. Like Maelstrom's net-journal, a send is logged
// before any loss decision; a drop is millpond's addition (Maelstrom logs nothing for a
// message a partition ate).

#include <cstdint>
#include "core/message.hpp"
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace millpond::journal {

enum class EventKind : std::uint8_t { kSend, kRecv, kDrop };

// 32 bytes, trivially copyable: a run journals two or three events per message, so the vector
// grows by memcpy and its size is what the run's memory is made of. Bodies live beside it.
struct Event {
    std::int64_t time_us;
    std::int64_t message_id;  // the network's global message counter, from 0
    std::int32_t src;         // participant index, see Journal::participants
    std::int32_t dest;
    std::int32_t type;        // the body's "type": an index into Journal::types
    EventKind kind;
};
static_assert(std::is_trivially_copyable_v<Event>);
static_assert(sizeof(Event) == 32);

struct Journal {
    std::vector<std::string> participants;  // index -> id ("c3", "n0", "lin-kv")
    // Every body type seen, once, in order of first appearance. Events name theirs by index:
    // a run has a dozen types and hundreds of thousands of events.
    std::vector<std::string> types;
    std::vector<Event> events;
    // Each message's whole body, by message id, when the run records bodies (RunOptions::
    // journal_bodies); empty otherwise. Diagrams use them for labels and tooltips.
    std::vector<millpond::json> bodies;

    // The body of a send event, or null when the run did not record it (or for recv and drop
    // events, which carry none of their own).
    const millpond::json* body_of(const Event& event) const {
        if (event.kind != EventKind::kSend || event.message_id < 0) return nullptr;
        const auto id = static_cast<std::size_t>(event.message_id);
        if (id >= bodies.size() || bodies[id].is_null()) return nullptr;
        return &bodies[id];
    }

    const std::string& type_of(const Event& event) const {
        return types[static_cast<std::size_t>(event.type)];
    }
    // The index of `type` in types, added if new.
    std::int32_t type_id(std::string_view type) {
        // Every send asks; "poll", "send" and "init" share a length, so the first byte is
        // compared before calling memcmp.
        for (std::size_t i = 0; i < types.size(); ++i) {
            const std::string& known = types[i];
            if (known.size() == type.size() && (type.empty() || known[0] == type[0]) &&
                known == type)
                return static_cast<std::int32_t>(i);
        }
        types.emplace_back(type);
        return static_cast<std::int32_t>(types.size() - 1);
    }

    // Maelstrom's rule: a participant is a client iff its id starts with 'c'.
    bool is_client(std::int32_t participant) const {
        const std::string& id = participants[static_cast<std::size_t>(participant)];
        return !id.empty() && id[0] == 'c';
    }
};

}  // namespace millpond::journal
