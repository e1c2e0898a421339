#pragma once
// A client operation sequence as data: which worker thread issues which op, and when. When a run
// carries a script, the workload's generator is not consulted during the main phase: each op
// is issued at its time on its thread (later if the thread is still busy, in script order).
// The final phase, if the workload has one, runs as usual. RapidCheck generates and shrinks
// these.

#include <cstdint>
#include <vector>

#include "core/message.hpp"
#include "workload.hpp"

namespace millpond::sim {

struct ScriptedOp {
    Instant at_us = 0;        // from the start of the main phase
    std::int32_t thread = 0;  // worker thread, < concurrency
    Invocation op;
};

using ClientScript = std::vector<ScriptedOp>;

}  // namespace millpond::sim
