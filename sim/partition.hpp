#pragma once
// Maelstrom's partition nemesis (spec §5.3): Jepsen's grudges. A grudge maps each node to the
// set of nodes whose messages it drops ("receiver drops these sources"); the network checks it
// when the receiver dequeues a message. Only server nodes are ever partitioned.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.hpp"
#include "core/rng.hpp"

namespace millpond::sim {

// dest -> the srcs it drops. Nodes with nothing to drop are absent.
using Grudge = std::map<NodeId, std::set<NodeId>>;

// The four grudges a :start-partition picks from, uniformly, in Jepsen's order.
inline constexpr std::string_view kGrudgeNames[] = {"one", "minority-third", "majority",
                                                    "majorities-ring"};

// Builds the named grudge over `nodes` with `rng` (shuffles and picks are Jepsen's shapes,
// drawn from millpond's RNG).
Grudge make_grudge(std::string_view name, const std::vector<NodeId>& nodes, Rng& rng);

}  // namespace millpond::sim
