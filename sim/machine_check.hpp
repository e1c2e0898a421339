#pragma once
// The bench's measure of the machine itself: a fixed integer loop, timed.
//
// This VM's two cores are shares of a host's. When another tenant's thread runs on the same
// physical core, code that issues several instructions per cycle (a simulation does: about 2.5
// on a quiet minute) runs 1.4 to 1.7 times slower, CPU time included, while a loop bound by one
// chain of multiplies does not slow at all. So the loop here is six independent chains of
// shifts, adds and xors, wide enough to want the whole core, and its time moves with the core's
// share as a run's does, though not in step: in session 10, owner on 5 nodes (Release) took
// 85-89 ms beside checks of 32-33 ms, and 133-147 ms beside checks of 38-44 ms, minutes apart
// (the check slowed less than the run); on 2026-11-22 (`run`'s build) the run took 93-105 ms
// beside checks of 46-48 ms all session, against 74 ms beside 32 ms (the check slowed more). The
// bench runs it just before and just after each measured run, in that run's process, and shows the
// mean beside the run's time, so that two benches -- or a bench and the README's table -- can
// be compared knowing how fast the core was.

#include <cstdint>

namespace millpond::sim {

struct MachineCheck {
    double wall_ms = 0;
    std::uint64_t checksum = 0;  // the loop's result, so that none of it can be left out
};

// Steps of the loop the bench runs around each measured run: about 33 ms on this VM on a quiet
// minute (41-44 ms while runs took 1.55 times as long). Those figures, like the ones above, are
// from before the loop was aligned (machine_check.cpp), when its reading also varied by build;
// aligned, it read about 47 ms on the shared core of session 13.
inline constexpr std::int64_t kMachineCheckSteps = 30'000'000;

// Runs `steps` steps of the loop and times them (steady clock).
MachineCheck run_machine_check(std::int64_t steps = kMachineCheckSteps);

}  // namespace millpond::sim
