#pragma once
// The stdio adapter: runs one pure millpond::Node as a Maelstrom node process. It is the
// second interpreter of the node's effects (the simulator is the first) and the only place
// where a node meets real time and real streams.
//
// One thread, one loop (quinn-proto's "poll until the next timeout"): fire the timers that
// are due, in deadline order; then wait for an input line no longer than until the earliest
// remaining deadline; decode it, step the node, interpret its effects; repeat. A sent message
// is one JSON line on stdout, flushed at once, because Maelstrom reads stdout line by line and
// a message stuck in a buffer is a message delayed. Logs go to stderr; stdout carries
// messages only, since any other line there makes Maelstrom stop reading this node forever.
//
// What the adapter answers by itself, so that the node only ever sees well-formed messages:
//   * a line that is not JSON or not an envelope: one log line naming the problem and the
//     line number, then skipped (there is nobody to answer);
//   * a body that is not an object, lacks a string `type`, or has a non-integer `msg_id` or
//     `in_reply_to`: error 12 (malformed-request) to `src`, with `in_reply_to` when the
//     msg_id is usable. Error bodies are never answered, so two nodes cannot ping-pong;
//   * anything before `init`: error 11 (temporarily-unavailable) if it has a msg_id, else a
//     log line; a second `init`: error 14 (abort) and the node is not re-initialised;
//   * a node step that throws (a node bug; nodes must not throw): the step's effects are
//     dropped, the exception is logged, and a request gets error 13 (crash, indefinite).
// Only end of input (or a failed read) ends the loop.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "clock.hpp"
#include "core/node.hpp"
#include "line_source.hpp"
#include "timer_table.hpp"

namespace millpond::maelstrom {

// The environment variable that fixes every node's seed (for replaying a run).
inline constexpr const char* kSeedEnvironmentVariable = "MILLPOND_SEED";
// The environment variable that fixes the incarnation (for golden tests and replays).
inline constexpr const char* kIncarnationEnvironmentVariable = "MILLPOND_INCARNATION";

struct StdioAdapterOptions {
    // The seed handed to the node at init. nullopt: default_node_seed(node id), so each node
    // of a test draws its own stream and a rerun draws the same ones.
    std::optional<std::uint64_t> seed;
    // Prefixes the adapter's own log lines ("millpond-echo: stdin line 3: ...").
    std::string program_name = "millpond";
    // Handed to the node at init (InitInfo::incarnation). A node process cannot tell a first
    // start from a restart: Maelstrom's kill (PR #102, newer than the spec's snapshot; spec §5
    // and §9) starts a fresh process and sends init again. run_on_process_stdio therefore
    // takes the wall clock's seconds (incarnation_at), so a restarted process numbers its
    // msg_ids past the killed one's (core/rpc.hpp); the owner design's filter of repeated
    // forwarded sends relies on that.
    std::int32_t incarnation = 0;
};

class StdioAdapter {
  public:
    // The adapter borrows everything; all must outlive it. `output` gets messages only,
    // `log` gets the node's LogEffects (verbatim) and the adapter's own lines (prefixed).
    StdioAdapter(Node& node, LineSource& input, std::ostream& output, std::ostream& log,
                 Clock& clock, StdioAdapterOptions options = {});

    // Steps until end of input. A failed read is logged and treated as end of input.
    void run();
    // One round: fires the timers due now, then waits for and handles at most one input line.
    // Returns false once input has ended (pending timers are then abandoned: Maelstrom closes
    // stdin only when it is done with the node).
    bool step();

    bool initialised() const { return initialised_; }
    // The node's own id; "" before init.
    const NodeId& node_id() const { return self_; }
    std::uint64_t seed() const { return seed_; }
    std::size_t pending_timer_count() const { return timers_.size(); }
    // Input lines consumed so far; the number the adapter's log lines cite.
    std::uint64_t lines_read() const { return lines_read_; }

  private:
    Instant now_us();
    void fire_due_timers();
    void handle_line(const std::string& line);
    void handle_malformed_body(const Message& message, const std::string& problem);
    void deliver(Message&& message);
    void initialise(Message&& message);
    // Runs one node step through `step`; on an exception drops its effects, logs, and answers
    // `request_for_crash_reply` (if any) with error 13. Otherwise interprets the effects.
    template <typename Step>
    void run_node_step(std::string_view what, const Message* request_for_crash_reply,
                       const NodeId& self, Step&& step);
    void apply(Out& out);
    void send(const Message& message);
    void log_line(std::string_view text);
    void log_input_problem(std::string_view text);

    Node& node_;
    LineSource& input_;
    std::ostream& output_;
    std::ostream& log_;
    Clock& clock_;
    StdioAdapterOptions options_;

    TimerTable timers_;
    bool initialised_ = false;
    NodeId self_;
    std::uint64_t seed_ = 0;
    Instant now_last_us_ = 0;
    std::uint64_t lines_read_ = 0;
    bool output_failed_ = false;
    bool warned_about_disk_ = false;
};

// fnv1a64 of the node id: fixed across platforms and runs.
std::uint64_t default_node_seed(std::string_view node_id);

// A seed as written in MILLPOND_SEED: decimal digits only, fitting in 64 bits.
std::optional<std::uint64_t> parse_seed(std::string_view text);

// The incarnation of a process started at `unix_seconds`: whole seconds since
// 2026-01-01T00:00:00Z, clamped to [0, 2^31 - 1] (good until 2094). Two starts of one node
// differ as long as they are a second apart; Maelstrom's kill and restart are nemesis ops,
// seconds apart.
std::int32_t incarnation_at(std::int64_t unix_seconds);

// An incarnation as written in MILLPOND_INCARNATION: decimal digits only, below 2^31.
std::optional<std::int32_t> parse_incarnation(std::string_view text);

// The whole life of a node binary under Maelstrom: reads MILLPOND_SEED and
// MILLPOND_INCARNATION (default: incarnation_at(now)), then runs `node` on the process's
// stdin, stdout and stderr with the steady clock until end of input. Returns the process exit
// code: 0 at end of input, 254 (bad arguments) if either variable does not parse, after one
// line on stderr.
int run_on_process_stdio(Node& node, std::string_view program_name);

}  // namespace millpond::maelstrom
