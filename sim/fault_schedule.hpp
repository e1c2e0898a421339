#pragma once
// Faults as data. A run's faults are a list of events, each with a start time, a kind, its
// targets and a duration. The simulator interprets the list the same way whether a random
// nemesis drew it from the seed or a person (a scenario file) or a generator (RapidCheck, which
// shrinks it: fewer events, fewer targets, shorter durations) wrote it.
//
// Times are relative to the start of the main phase (the first client op may be issued at 0),
// like the :time of Maelstrom's history.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message.hpp"

namespace millpond::sim {

enum class FaultKind {
    kPartition,  // `grudge`: each receiver drops messages from the listed sources
    kKill,       // `nodes` crash (memory and unsynced disk writes lost), restart after duration
    kPause,      // `nodes` stop stepping for duration; their queues build up
    kSlow,       // extra latency: on messages to and from `nodes` (a slow node) when `link` is
                 // empty, else only on the directed link link.first -> link.second
};

std::string_view fault_kind_name(FaultKind kind);  // partition | kill | pause | slow
std::optional<FaultKind> parse_fault_kind(std::string_view name);

struct FaultEvent {
    Instant at_us = 0;        // from the start of the main phase
    Instant duration_us = 0;  // the fault heals (restart, resume, unslow) after this long
    FaultKind kind = FaultKind::kPartition;
    std::vector<NodeId> nodes;                     // kill, pause, slow (a node)
    std::map<NodeId, std::vector<NodeId>> grudge;  // partition: receiver -> dropped sources
    std::optional<std::pair<NodeId, NodeId>> link;  // slow (a link): from, to
    std::int64_t extra_latency_ms = 0;             // slow
};

using FaultSchedule = std::vector<FaultEvent>;

}  // namespace millpond::sim
