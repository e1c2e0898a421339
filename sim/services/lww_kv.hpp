#pragma once
// lww-kv: Maelstrom's "eventually consistent" key-value service (`(eventual (lww-kv))`), kept
// deliberately pathological, bug for bug. It is 2 replicas (the docs say 5; the code passes 2)
// of a last-write-wins map: each replica has a Lamport clock, each entry a {ts, value}, and a
// write or successful cas stamps the entry with the clock and then increments it.
//
// For each request Maelstrom merges a random replica into a random replica, then applies the
// request to a random replica i - but writes i's result back into the *pre-merge* vector, so
// every merge is discarded. The replicas never exchange anything: each request acts on one of
// two independent stores picked at random, and a read after a write sees it about half the time
// (otherwise error 20 or an older value), however long one waits.
//
// Because the merge result is thrown away, computing it would change nothing observable; we
// draw its two random indices (so the stream of draws keeps Maelstrom's shape: three per
// request) and skip the work. For the same reason ts and the clocks never reach a reply; they
// are kept so the state is Maelstrom's. cas ignores create_if_not_exists and prints `from` with
// str in its error 22 text (kv_ops.hpp).

#include <array>
#include <cstdint>
#include <map>

#include "core/rng.hpp"
#include "sim/services/kv_ops.hpp"
#include "sim/services/service_node.hpp"

namespace millpond::sim {

class LwwKv final : public ServiceNode {
  public:
    static constexpr std::size_t kReplicas = 2;

    struct Entry {
        std::int64_t ts;  // the replica's clock when the value was written
        json value;
    };
    struct Replica {
        std::int64_t clock = 0;
        std::map<json, Entry, ClojureLess> entries;
    };

    const std::array<Replica, kReplicas>& replicas() const { return replicas_; }

  private:
    void on_start(const InitInfo& init) override;
    std::optional<json> on_request(Message& request, Out& out) override;

    Rng rng_{0};
    std::array<Replica, kReplicas> replicas_;
};

}  // namespace millpond::sim
