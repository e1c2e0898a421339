#pragma once
// Lamport (space-time) diagrams of a run, as Maelstrom draws them in messages.svg: one
// lifeline per participant (clients by number, then nodes, then services), time running down,
// one event per row, one arrow per delivered message from its send row to its delivery row.
// Unlike Maelstrom, which writes SVG by hand, millpond writes Graphviz DOT text (so the same
// run gives the same bytes) and renders it with Graphviz's own library, dot layout.
//
// A diagram shows a window of the run: by default the messages around the ops that prove the
// first anomaly results.edn reports (report/evidence.hpp); for a valid run the whole run if it
// has at most 2,000 journal events, else 2,000 events from just before the first fault that
// cut messages. It always says what it left out. A bare history.edn (real Maelstrom, no
// journal) gives client operations only.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"
#include "checkers/journal.hpp"

namespace millpond::lamport {

// One journal line, compact: names are interned, the body stays as text until drawn.
struct Event {
    journal::EventKind kind = journal::EventKind::kSend;
    std::int64_t time_us = 0;
    std::int64_t message_id = 0;
    std::int32_t src = 0;   // index into Run::participants
    std::int32_t dest = 0;
    std::int32_t type = 0;  // index into Run::types
    std::uint64_t body_offset = 0;  // into Run::journal_text; body_length 0: no body
    std::uint32_t body_length = 0;
};

struct Run {
    std::string directory;  // the store directory, or the history file's directory
    bool has_journal = false;
    std::vector<std::string> participants;
    std::vector<std::string> types;
    std::vector<Event> events;
    std::string journal_text;
    history::History history;
    std::optional<edn::Value> results;

    // Maelstrom's rule: a participant is a client iff its id starts with 'c'.
    bool is_client_name(std::int32_t participant) const {
        const std::string& id = participants[static_cast<std::size_t>(participant)];
        return !id.empty() && id[0] == 'c';
    }
};

// Reads a store directory (history.edn, net-journal.jsonl when present, results.edn when
// present) or a bare history.edn. On failure returns nullopt and one line naming the problem.
std::optional<Run> load_run(const std::string& path, std::string* error);

struct WindowOptions {
    // 1-based, inclusive journal event numbers (history entries for a bare history).
    std::optional<std::int64_t> from_event;
    std::optional<std::int64_t> to_event;
    std::optional<std::int64_t> around_op;  // a history :index
    // More ops to keep in the window (with around_op, if set). Every op named keeps its
    // invocation and completion in the window, however many there are.
    std::vector<std::int64_t> around_ops;
    std::string node;  // keep only messages to or from this participant
    std::string key;   // keep only messages whose body mentions this key
    std::int64_t events_max = 2000;
};

// One arrow of the diagram: a delivered (or dropped) message, or for a bare history one
// client operation from its invocation to its completion.
struct Arrow {
    std::int64_t message_id = 0;   // the op's :index for a bare history
    std::string src;
    std::string dest;
    std::int64_t start_event = 0;  // 1-based event number; 0 when sent before the window
    std::int64_t end_event = 0;    // the delivery (or drop, or completion) event number
    bool dropped = false;
    bool highlighted = false;  // part of the op or anomaly the window is around
};

struct Diagram {
    std::string dot;
    std::vector<Arrow> arrows;
    std::vector<std::string> columns;
    std::int64_t first_event = 0;  // 1-based, inclusive; 0 when nothing was in the window
    std::int64_t last_event = 0;
    std::int64_t total_events = 0;
    std::int64_t shown_events = 0;
    bool client_ops_only = false;  // drawn from a bare history
    std::string window;            // what the window is, in words
    // "dot", or "nop" (positions pinned, same geometry) for windows too big for dot to be quick.
    std::string engine;
};

// Builds the DOT text of one window. Deterministic: the same run and options give the same
// bytes. On bad options (an event range outside the run, an unknown op) returns nullopt with
// one line in *error.
std::optional<Diagram> build_diagram(const Run& run, const WindowOptions& options,
                                     std::string* error);

// Parses DOT with cgraph and renders it with the dot layout to SVG. Graphviz runs in a forked
// child: Debian 12's Graphviz 2.42 has memory bugs in dot's layout (a double free, seen when an
// arrow with a label crosses a labelled edge inside one rank), and a crash there must cost the
// diagram, not the process that drew it — `millpond test` draws after the run and still owes
// its verdict and exit code. On failure returns false with one line in *error (a crash names
// its signal). Call it from one thread only.
bool render_svg(const std::string& dot, std::string* svg, std::string* error);

// `millpond lamport STORE_DIR|HISTORY [--from-event A --to-event B | --around-op N[,M...]]
// [--node ID] [--key K] [-o FILE.svg|FILE.dot]` (args exclude "lamport").
int run_lamport_command(const std::vector<std::string>& args, std::ostream& out,
                        std::ostream& err);

}  // namespace millpond::lamport
