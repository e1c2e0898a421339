#pragma once
// seq-kv: Maelstrom's sequentially consistent key-value service (`(sequential (persistent-kv))`),
// a ring of the last 32 states. States are numbered 0 (empty), 1, 2, ...; `last_index` is the
// newest. Each client (a request's src) has the index of the state it last observed (0 at
// first). For each request:
//
// - pick an index uniformly in [client index, last_index] and run the request speculatively
//   against that state;
// - if that leaves the state unchanged (a read, a failing cas, a write of the value the key
//   already holds), answer with its result and move the client to the picked index: reads may
//   be stale, but never older than what that client already saw;
// - otherwise throw the result away, run the request against the newest state, append what it
//   gives as state last_index + 1 (even when that run changes nothing, e.g. the cas now fails),
//   answer with that result and move the client there. So writes and successful cas are
//   totally ordered on the newest state.
//
// Quirk reproduced (amalloy/ring-buffer has no bound check): Maelstrom fetches the picked state
// at ring offset index - last_index - 1, modulo the ring's length. When a client is more than
// 32 states behind, the offset wraps and lands on the state in the window [last_index - 31,
// last_index] congruent to the picked index modulo 32, while the client's index is still set
// to the picked (older) index; while a client stays that far behind, its reads can go back.
//
// Representation: rather than 32 copies of a map, each key keeps the versions it had inside the
// window (state index -> value); a state is looked up by taking, per key, the last version at or
// before it. A request costs O(log keys), whatever the map's size; a key keeps at most 33
// versions.

#include <cstdint>
#include <map>
#include <vector>

#include "core/rng.hpp"
#include "sim/services/kv_ops.hpp"
#include "sim/services/service_node.hpp"

namespace millpond::sim {

class SeqKv final : public ServiceNode {
  public:
    static constexpr std::int64_t kStatesMax = 32;

    std::int64_t last_index() const { return last_index_; }
    // The index `client` last observed (0 for a client never seen).
    std::int64_t client_index(const NodeId& client) const;
    // The value `key` has in state `state_index` (as the ring would serve it), or nullptr.
    const json* value_in_state(const json& key, std::int64_t state_index) const;

  private:
    struct Version {
        std::int64_t state_index;  // the first state holding `value`
        json value;
    };
    using Versions = std::vector<Version>;
    using VersionMap = std::map<json, Versions, ClojureLess>;

    void on_start(const InitInfo& init) override;
    std::optional<json> on_request(Message& request, Out& out) override;

    // The state the ring hands out for a picked index: the index itself inside the window,
    // a wrapped one outside it.
    std::int64_t ring_state(std::int64_t index) const;
    std::int64_t window_start() const;
    static const json* value_at(const Versions& versions, std::int64_t state_index);
    // Records that `key` holds `value` from the newest state on, and forgets versions no state
    // in the window can see.
    void store(VersionMap::iterator it, json& key, json&& value);

    Rng rng_{0};
    std::int64_t last_index_ = 0;
    std::map<NodeId, std::int64_t> client_index_;
    VersionMap versions_;
};

}  // namespace millpond::sim
