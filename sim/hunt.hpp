#pragma once
// `millpond hunt`: search for a counterexample to a kafka design and shrink it until a person
// can read it.
//
// A run is a value: its options (nodes, threads, latency), its client ops as a script and its
// faults as a schedule (RunOptions::client_script / fault_schedule). The simulator runs a
// value deterministically, so a value that fails fails every time, and a smaller value that
// still fails the same way is a smaller counterexample. The hunt
//   1. sweeps seeds with the given options (every even seed under a --swarm fault mix when
//      no fault was asked for), several runs at once; a failing seed's history becomes a
//      value (its main-phase ops a script, its nemesis ops a fault schedule);
//   2. otherwise generates values with RapidCheck (hunt_generators.hpp), and shrinks a failing
//      one along RapidCheck's shrink tree;
//   3. shrinks the value greedily (shrink_run: fewer faults, fewer ops, fewer nodes and
//      threads, earlier times, smaller keys and messages), keeping only steps after which the
//      run still shows the same anomaly;
//   4. writes the value as a scenario file, replays it from that file 100 times, and runs it
//      once more through `millpond test` for the store (history, Lamport diagrams, report).
// The candidates it tries depend only on the options and --seed; the wall-clock budget only
// decides how far down that sequence it gets.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "checkers/history.hpp"
#include "run_options.hpp"

namespace millpond::sim {

struct HuntVerdict {
    bool valid = false;                  // the checker said :valid? true
    bool invalid = false;                // the checker said :valid? false (not unknown)
    std::string aborted;                 // why the run stopped early, when it did
    std::vector<std::string> anomalies;  // the workload's :bad-error-types, sorted
    std::uint64_t fingerprint = 0;
};

// One run of `run`, judged. REQUIRES: a kafka run parse_test_args would accept.
HuntVerdict judge_run(const RunOptions& run);

// The most telling of a run's anomalies (a wrong offset before a skip before a lost write
// before an unseen message), "" for none.
std::string primary_anomaly(const std::vector<std::string>& anomalies);

// `run` (which produced `history`) as a value: the main phase's client ops as a script, the
// nemesis's partitions, kills, pauses and slow-downs as a fault schedule; the random fault
// schedules off.
RunOptions run_as_value(const RunOptions& run, const history::History& history);

// Greedy shrinking. Tries smaller versions of `failing` in a fixed order and keeps each one
// for which `still_fails` holds, until no step helps or `out_of_time` says so. `runs` counts
// the candidates tried. REQUIRES: still_fails(failing).
RunOptions shrink_run(RunOptions failing, const std::function<bool(const RunOptions&)>& still_fails,
                      const std::function<bool()>& out_of_time, std::int64_t* runs);

// `millpond hunt ...` (args exclude "hunt"). Exit 1 with a counterexample, 0 when the budget
// ran out without one, 254 for bad arguments.
int run_hunt_command(const std::vector<std::string>& args, std::uint64_t fresh_seed,
                     const std::string& run_id_stamp, std::ostream& out, std::ostream& err);

}  // namespace millpond::sim
