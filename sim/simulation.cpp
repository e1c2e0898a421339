#include "simulation.hpp"

#include <algorithm>
#include <deque>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <variant>

#include "core/assert.hpp"
#include "core/errors.hpp"
#include "core/flat_string_map.hpp"
#include "core/hash.hpp"
#include "core/json_teardown.hpp"
#include "event_queue.hpp"
#include "fingerprint.hpp"
#include "partition.hpp"
#include "slot_heap.hpp"

namespace millpond::sim {

namespace {

// Life cycle of a run (Maelstrom's, spec §0):
//   1. t = 0: one init client per node sends `init`; the run waits for every init_ok (10 s).
//   2. Setup clients are opened and closed (they only consume client ids, as in Maelstrom).
//   3. Main phase: ops staggered at --rate over --concurrency worker threads for --time-limit;
//      worker i talks to node i mod n; an :info op gives the thread a new process and client.
//   4. Workloads with a final phase: wait for in-flight ops, heal, wait 10 s, then final ops
//      per thread, capped at 10 s.
//   5. The run ends when every thread is idle after the last phase.
// The network reproduces Maelstrom's per-receiver queue: the receiver takes the message with
// the earliest deadline as soon as it is free and holds it until that deadline, so a long
// delay blocks what queues behind it (head-of-line), exactly like Maelstrom's delivery thread.

enum class ParticipantKind { kNode, kService, kClient };

struct Timer {
    Instant deadline_us;
    std::uint64_t generation;
};

// A message on its way: only the body travels; the envelope's ids are the participants'
// (src here, the receiver by whose inbox it is in), filled in at delivery, so no id strings are
// copied or moved between send and delivery.
struct InFlight {
    Instant deadline_us;
    std::int64_t message_id;
    std::int32_t src;
    json body;
    std::int32_t type;  // the body's (journal::Journal::types), read once at send
};

struct HeldTimer {
    Instant deadline_us;
    std::string key;
};

struct Participant {
    NodeId id;
    ParticipantKind kind;
    std::unique_ptr<Node> node;  // nodes and services; null while a node is killed
    std::uint64_t seed = 0;
    // Set and cancelled by every RPC a node makes; only looked up, never iterated.
    std::unordered_map<std::string, Timer, StableStringHash, KeyEqual> timers;
    SlotHeap<InFlight> inbox;  // by deadline, ties in send order
    std::optional<InFlight> receiving;  // taken from the inbox, waiting for its deadline
    std::uint64_t delivery_generation = 0;  // bumped when a kill discards `receiving`
    std::vector<std::string> log;
    bool closed = false;         // clients after close
    std::int32_t worker = -1;    // clients: the worker thread using it; -1 for init clients

    // Faults. A killed node has no object, no timers and no unsynced writes; its inbox stays
    // (as in Maelstrom's kill, which unregisters nothing) and is delivered after the restart.
    bool down = false;
    std::int32_t down_fault = -1;  // the fault that killed it: only that fault restarts it
    std::int32_t incarnation = 0;
    std::map<std::string, std::string> disk;  // synced: survives a kill
    std::vector<std::pair<std::string, std::string>> unsynced;  // lost on a kill
    // A paused node steps nothing: a delivery or timer that comes due waits for the resume.
    bool paused = false;
    std::int32_t pause_fault = -1;
    bool delivery_held = false;
    std::vector<HeldTimer> held_timers;
    // Skew: the node's clock reads clock_offset_us + t + t * drift_ppm / 10^6 at true time t.
    std::int64_t clock_offset_us = 0;
    std::int64_t drift_ppm = 0;

    // A killed or paused node takes nothing from its inbox: the queue builds up until it is
    // back. send's shortcut past the inbox and take_next both ask this.
    bool takes_messages() const { return !down && !paused; }
};

struct DeliverEvent {
    std::int32_t participant;
    std::uint64_t generation;
};
struct TimerEvent {
    std::int32_t participant;
    std::string key;
    std::uint64_t generation;
};
struct ClientTimeoutEvent {
    std::int32_t worker;
    std::uint64_t generation;
};
struct GeneratorEvent {
    std::int32_t stream;  // 0 main, 1 side
};
struct PhaseEvent {
    enum class Kind { kInitDeadline, kMainEnd, kFinalStart, kFinalEnd } kind;
};
struct NemesisEvent {};
// millpond's scheduled faults: a random stream's tick, and a fault starting or healing.
struct RandomFaultEvent {
    FaultKind kind;
};
struct FaultStartEvent {
    std::int32_t fault;  // index into Simulation::faults_
};
struct FaultEndEvent {
    std::int32_t fault;
};
struct ScriptOpEvent {
    std::int32_t op;  // index into the client script
};
struct FinalOpEvent {
    std::int32_t worker;
};

using Payload = std::variant<DeliverEvent, TimerEvent, ClientTimeoutEvent, GeneratorEvent,
                             PhaseEvent, FinalOpEvent, NemesisEvent, RandomFaultEvent,
                             FaultStartEvent, FaultEndEvent, ScriptOpEvent>;

// A fault in progress or done: the event, and whether it has healed.
struct ActiveFault {
    FaultEvent event;
    bool started = false;
    bool ended = false;
};

enum class Phase { kInit, kMain, kDrainMain, kRecovery, kFinal, kDone };

struct Worker {
    std::int32_t thread = 0;
    std::int64_t process = 0;
    std::int32_t node = 0;     // participant index of its node
    std::int32_t client = -1;  // participant index of its open client, -1 when none
    std::unique_ptr<WorkloadClient> workload_client;
    MsgId next_msg_id = 1;
    bool busy = false;
    std::size_t invoke_index = 0;  // position of the in-flight invoke in the history
    MsgId outstanding = -1;        // msg_id awaited, -1 when none
    std::uint64_t timeout_generation = 0;
    bool final_done = false;
};

class Simulation;

class WorkerContext final : public OpContext {
  public:
    WorkerContext(Simulation& sim, std::int32_t worker) : sim_(sim), worker_(worker) {}
    void call(json body) override;
    void complete(history::OpType type, edn::Value value, edn::Value error) override;
    void complete_with_error(const json& error_body) override;
    void complete_with_timeout() override;
    void complete_with_schema_violation(const std::string& problem) override;
    Instant now_us() const override;

  private:
    Simulation& sim_;
    std::int32_t worker_;
};

class Simulation {
  public:
    Simulation(const RunOptions& options, Workload& workload, const NodeFactory& make_node,
               const std::vector<std::string>& services, const ServiceFactory& make_service)
        : options_(options),
          workload_(workload),
          make_node_(make_node),
          root_rng_(options.seed),
          network_rng_(root_rng_.derive("network")),
          generator_rng_(root_rng_.derive("generator")),
          side_rng_(root_rng_.derive("side-generator")),
          final_rng_(root_rng_.derive("final-generator")),
          thread_choice_rng_(root_rng_.derive("thread-choice")),
          nemesis_rng_(root_rng_.derive("nemesis")),
          faults_rng_(root_rng_.derive("message-faults")),
          kill_rng_(root_rng_.derive("nemesis/kill")),
          pause_rng_(root_rng_.derive("nemesis/pause")),
          slow_rng_(root_rng_.derive("nemesis/slow")) {
        MP_ASSERT(!options.nodes.empty());
        MP_ASSERT_GT(options.concurrency, 0);
        for (const auto& id : options.nodes) {
            const std::int32_t index = add_participant(id, ParticipantKind::kNode);
            participant_at(index).node = make_node(id);
            MP_ASSERT(participant_at(index).node != nullptr);
            participant_at(index).seed = root_rng_.derive("node/" + id).next_u64();
            node_indices_.push_back(index);
        }
        if (options.nemesis_skew) {
            // Offsets uniform in [-S, S] around a common base of S, so no clock reads negative.
            Rng skew_rng = root_rng_.derive("nemesis/skew");
            for (std::int32_t index : node_indices_) {
                Participant& node = participant_at(index);
                node.clock_offset_us = static_cast<std::int64_t>(skew_rng.uniform(
                                           static_cast<std::uint64_t>(2 * options.skew_max_ms) + 1)) *
                                       1000;
                node.drift_ppm = static_cast<std::int64_t>(skew_rng.uniform(
                                     static_cast<std::uint64_t>(2 * options.drift_max_ppm) + 1)) -
                                 options.drift_max_ppm;
            }
        }
        for (const auto& name : services) {
            const std::int32_t index = add_participant(name, ParticipantKind::kService);
            participant_at(index).node = make_service(name);
            MP_ASSERT(participant_at(index).node != nullptr);
            participant_at(index).seed = root_rng_.derive("service/" + name).next_u64();
        }
        // The history's size is known ahead: an invocation and a completion per op, at the
        // generator's rate. Reserving it saves moving every op as the vector doubles (and,
        // for a 10^6-op run, the moment it holds old and new buffers at once). Pages reserved
        // and never filled are never touched, so an over-guess (a run that stops early) costs
        // address space, not memory; past 2 * 10^6 ops the vector just grows as usual.
        const double expected_ops = options.rate * static_cast<double>(options.time_limit_us) / 1e6;
        // The journal likewise: a send and a receive per message come to about 5 (memory on
        // 1 node) to 10.5 (kv, or owner on 25 nodes) 32-byte events per op in the kafka
        // runs, so 12 per op leave them no copy at all.
        if (expected_ops > 0 && expected_ops <= 2e6) {
            outcome_.history.reserve(static_cast<std::size_t>(2 * expected_ops) + 256);
            outcome_.journal.events.reserve(static_cast<std::size_t>(12 * expected_ops) + 4096);
        }
        for (const auto& [link, extra_ms] : options.link_latency_ms) {
            const std::int32_t from = node_index_or_abort(link.first, "--link-latency");
            const std::int32_t to = node_index_or_abort(link.second, "--link-latency");
            if (from >= 0 && to >= 0) link_extra_ms_[{from, to}] += extra_ms;
        }
        for (const auto& [id, extra_ms] : options.node_latency_ms) {
            const std::int32_t index = node_index_or_abort(id, "--node-latency");
            if (index >= 0) node_extra_ms_[index] += extra_ms;
        }
        if (options.fault_schedule) {
            for (std::size_t i = 0; i < options.fault_schedule->size(); ++i)
                validate_fault((*options.fault_schedule)[i], "fault " + std::to_string(i));
            for (const auto& event : *options.fault_schedule)
                faults_.push_back(ActiveFault{event, false, false});
        }
        if (options.client_script) {
            for (std::size_t i = 0; i < options.client_script->size(); ++i) {
                const ScriptedOp& op = (*options.client_script)[i];
                if (op.thread < 0 || op.thread >= options.concurrency)
                    abort_setup("client script op " + std::to_string(i) + " names thread " +
                                std::to_string(op.thread) + " but the run has " +
                                std::to_string(options.concurrency) + " threads");
                if (op.at_us < 0)
                    abort_setup("client script op " + std::to_string(i) + " has a negative time");
            }
            script_waiting_.resize(static_cast<std::size_t>(options.concurrency));
        }
        workers_.resize(static_cast<std::size_t>(options.concurrency));
        for (std::int32_t i = 0; i < options.concurrency; ++i) {
            Worker& worker = workers_[static_cast<std::size_t>(i)];
            worker.thread = i;
            worker.process = i;
            worker.node = node_indices_[static_cast<std::size_t>(i) % node_indices_.size()];
        }
    }

    RunOutcome run();

    // --- used by WorkerContext ---
    void worker_call(std::int32_t worker_index, json body);
    void worker_complete(std::int32_t worker_index, history::OpType type, edn::Value value,
                         edn::Value error);
    void worker_complete_with_error(std::int32_t worker_index, const json& error_body);
    void worker_complete_with_timeout(std::int32_t worker_index);
    Instant now_us() const { return queue_.now_us(); }
    edn::Value invoke_value(std::int32_t worker_index) const {
        return outcome_.history[workers_[static_cast<std::size_t>(worker_index)].invoke_index].value;
    }
    void add_exception(std::string text) { outcome_.exceptions.push_back(std::move(text)); }

  private:
    // Setup problems (a fault naming a node the run does not have...) abort the run before
    // its first event, with one line.
    void abort_setup(std::string problem) {
        if (outcome_.aborted.empty()) outcome_.aborted = std::move(problem);
    }
    std::int32_t node_index_or_abort(const NodeId& id, const std::string& where) {
        auto found = index_by_id_.find(id);
        if (found == index_by_id_.end() ||
            participant_at(found->second).kind != ParticipantKind::kNode) {
            abort_setup(where + " names '" + id + "', which is not a node of this run");
            return -1;
        }
        return found->second;
    }
    void validate_fault(const FaultEvent& event, const std::string& where) {
        if (event.at_us < 0 || event.duration_us < 0)
            abort_setup(where + ": times must not be negative");
        for (const auto& id : event.nodes) node_index_or_abort(id, where);
        for (const auto& [dest, srcs] : event.grudge) {
            node_index_or_abort(dest, where);
            for (const auto& src : srcs) node_index_or_abort(src, where);
        }
        if (event.link) {
            node_index_or_abort(event.link->first, where);
            node_index_or_abort(event.link->second, where);
        }
        switch (event.kind) {
            case FaultKind::kPartition:
                if (event.grudge.empty()) abort_setup(where + ": a partition needs a grudge");
                break;
            case FaultKind::kKill:
            case FaultKind::kPause:
                if (event.nodes.empty())
                    abort_setup(where + ": a " + std::string(fault_kind_name(event.kind)) +
                                " needs nodes");
                break;
            case FaultKind::kSlow:
                if (event.nodes.empty() == !event.link.has_value())
                    abort_setup(where + ": a slow fault needs nodes or a link (one of them)");
                if (event.extra_latency_ms < 0)
                    abort_setup(where + ": extra latency must not be negative");
                break;
        }
    }

    // The node's own clock at the current true time (skew), and the true time at which its
    // clock first reads `local_us`.
    Instant local_now_us(const Participant& participant) const {
        const Instant t = now_us();
        if (participant.clock_offset_us == 0 && participant.drift_ppm == 0) return t;
        return participant.clock_offset_us + t + t * participant.drift_ppm / 1'000'000;
    }
    Instant true_time_us(const Participant& participant, Instant local_us) const {
        if (participant.clock_offset_us == 0 && participant.drift_ppm == 0) return local_us;
        auto local_at = [&](Instant t) {
            return participant.clock_offset_us + t + t * participant.drift_ppm / 1'000'000;
        };
        Instant t = (local_us - participant.clock_offset_us) * 1'000'000 /
                    (1'000'000 + participant.drift_ppm);
        while (local_at(t) < local_us) ++t;
        while (t > 0 && local_at(t - 1) >= local_us) --t;
        return std::max(t, now_us());
    }

    std::int32_t add_participant(const NodeId& id, ParticipantKind kind) {
        auto& participant = participants_.emplace_back(std::make_unique<Participant>());
        participant->id = id;
        participant->kind = kind;
        outcome_.journal.participants.push_back(id);
        const auto [it, inserted] =
            index_by_id_.emplace(id, static_cast<std::int32_t>(participants_.size() - 1));
        MP_ASSERT(inserted);
        return static_cast<std::int32_t>(participants_.size() - 1);
    }

    std::int32_t open_client() {
        const std::int32_t index =
            add_participant("c" + std::to_string(next_client_number_++), ParticipantKind::kClient);
        return index;
    }

    // ---- network ----
    void send(std::int32_t src, std::int32_t dest, json&& body);
    void take_next(std::int32_t receiver);
    // For the message just put in `receiving`: drops it if the receiver's partition drops its
    // source (false), else schedules its delivery at its deadline (true).
    bool schedule_delivery(std::int32_t receiver);
    void on_deliver(std::int32_t receiver);
    // `body` is kept only for a send when the run records bodies.
    void journal(journal::EventKind kind, std::int64_t message_id, std::int32_t src,
                 std::int32_t dest, std::int32_t type, const json& body = json());

    // ---- nodes ----
    // `input` gets the node's own clock reading (skew), which it must pass on as `now`.
    // A template, not a std::function: one step per delivered message, and the lambdas that
    // call it capture more than std::function keeps without a heap allocation.
    template <typename Input>
    void step_node(std::int32_t index, const Input& input);
    void apply_effects(std::int32_t index, Out& out);
    void on_timer(const TimerEvent& event);

    // ---- clients ----
    void on_client_message(std::int32_t client, json&& body);
    void on_client_timeout(const ClientTimeoutEvent& event);
    void on_generator(std::int32_t stream);
    void try_issue(std::int32_t stream);
    void issue(std::int32_t worker_index, Invocation op);
    std::int32_t free_worker();
    // A stream's first op, due at the start of the main phase.
    void start_stream(std::int32_t stream);
    void schedule_stream(std::int32_t stream, Instant after_us, bool first = false);
    void on_thread_freed(std::int32_t worker_index);
    void start_final_phase();
    void on_nemesis();
    void start_partition();
    void heal_partition();
    // ---- millpond's scheduled faults ----
    void schedule_random_fault(FaultKind kind);
    void on_random_fault(FaultKind kind);
    void start_fault(std::int32_t fault);
    void end_fault(std::int32_t fault);
    void heal_all_faults();
    // Drops, per receiver, messages from the listed sources; records :start-partition `how`.
    void impose_grudge(const std::string& how,
                       const std::map<NodeId, std::vector<NodeId>>& grudge);
    // For a kill or pause starting or ending: `act` on each target node (false: not this
    // fault's to act on), then the :nemesis pair `f` with {node outcome} for those it did.
    void act_on_nodes(const char* f, const FaultEvent& event, const char* outcome,
                      const std::function<bool(std::int32_t)>& act);
    void kill_node(std::int32_t index, std::int32_t fault);
    void restart_node(std::int32_t index);
    void pause_node(std::int32_t index, std::int32_t fault);
    void resume_node(std::int32_t index);
    void add_slow(const FaultEvent& event, std::int64_t sign);
    Instant extra_latency_us(std::int32_t src, std::int32_t dest) const;
    void on_script_op(std::int32_t op);
    void schedule_nemesis();
    void record_nemesis(const char* f, edn::Value invoke_value, edn::Value completion_value);
    void schedule_final_op(std::int32_t worker_index, Instant delay_us);
    void on_final_op(std::int32_t worker_index);
    void maybe_finish();
    bool all_idle() const;
    void record(history::Op&& op);  // moved in once, straight into the history
    std::int64_t history_time_ns() const { return (now_us() - main_start_us_) * 1000; }

    const RunOptions& options_;
    Workload& workload_;
    const NodeFactory& make_node_;
    Rng root_rng_;
    Rng network_rng_;
    Rng generator_rng_;
    Rng side_rng_;
    Rng final_rng_;
    Rng thread_choice_rng_;
    Rng nemesis_rng_;
    Rng faults_rng_;
    Rng kill_rng_;
    Rng pause_rng_;
    Rng slow_rng_;
    std::vector<ActiveFault> faults_;
    std::int32_t partition_fault_ = -1;  // the scheduled partition in force, -1 if none/random
    // Extra latency in ms: static (options) plus slow faults in force.
    std::map<std::pair<std::int32_t, std::int32_t>, std::int64_t> link_extra_ms_;
    std::map<std::int32_t, std::int64_t> node_extra_ms_;
    // Client script: per thread, the scripted ops that came due while it was busy.
    std::vector<std::deque<std::int32_t>> script_waiting_;
    std::vector<std::int32_t> free_scratch_;
    // The partition in force: dest participant -> src participants whose messages it drops.
    std::map<std::int32_t, std::set<std::int32_t>> drops_;
    bool next_nemesis_starts_ = true;

    EventQueue<Payload> queue_;
    // Each participant on the heap, so references stay valid as clients open; every send and
    // delivery looks up two of them by index (a deque's indexing divided by its block size).
    std::vector<std::unique_ptr<Participant>> participants_;
    Participant& participant_at(std::int32_t index) {
        return *participants_[static_cast<std::size_t>(index)];
    }
    const Participant& participant_at(std::int32_t index) const {
        return *participants_[static_cast<std::size_t>(index)];
    }
    std::vector<std::int32_t> node_indices_;
    std::vector<Worker> workers_;
    std::int64_t next_client_number_ = 0;
    std::int64_t next_message_id_ = 0;
    std::uint64_t next_timer_generation_ = 0;
    Hasher fingerprint_;
    RunOutcome outcome_;
    Out step_out_{NodeId()};  // step_node's effects buffer, reused
    bool stepping_ = false;

    Phase phase_ = Phase::kInit;
    std::int32_t init_pending_ = 0;
    Instant main_start_us_ = 0;
    Instant main_end_us_ = 0;
    Instant final_end_us_ = 0;
    // Per op stream: the time its next op is due, and whether it waits for a free thread.
    Instant stream_due_us_[2] = {0, 0};
    bool stream_waiting_[2] = {false, false};
    bool stream_active_[2] = {false, false};
    Instant side_gap_mean_us_ = 0;
    std::vector<Invocation> pending_final_;
    std::vector<std::pair<std::int32_t, std::int32_t>> init_clients_;  // (client, node)
    // Every send looks its destination up here; never iterated.
    FlatStringMap<std::int32_t> index_by_id_;
};

void WorkerContext::call(json body) { sim_.worker_call(worker_, std::move(body)); }
void WorkerContext::complete(history::OpType type, edn::Value value, edn::Value error) {
    sim_.worker_complete(worker_, type, std::move(value), std::move(error));
}
void WorkerContext::complete_with_error(const json& error_body) {
    sim_.worker_complete_with_error(worker_, error_body);
}
void WorkerContext::complete_with_timeout() { sim_.worker_complete_with_timeout(worker_); }
void WorkerContext::complete_with_schema_violation(const std::string& problem) {
    // Maelstrom's defrpc throws on a reply that breaks the closed schema; the worker records
    // the op as :info with the exception.
    sim_.add_exception(problem);
    // Jepsen keeps the invocation's value on an :info completion.
    sim_.worker_complete(worker_, history::OpType::kInfo, sim_.invoke_value(worker_),
                         edn::Value("indeterminate: " + problem));
}
Instant WorkerContext::now_us() const { return sim_.now_us(); }

// ---------------------------------------------------------------------------------------------
// Network

void Simulation::journal(journal::EventKind kind, std::int64_t message_id, std::int32_t src,
                         std::int32_t dest, std::int32_t type, const json& body) {
    outcome_.journal.events.push_back(journal::Event{now_us(), message_id, src, dest, type, kind});
    if (kind == journal::EventKind::kSend && options_.journal_bodies) {
        // Message ids are handed out in order and each is sent once: nearly always an append.
        auto& bodies = outcome_.journal.bodies;
        const auto id = static_cast<std::size_t>(message_id);
        if (id >= bodies.size()) bodies.resize(id + 1);
        bodies[id] = body;
    }
    fingerprint_.add(static_cast<std::uint64_t>(kind));
    fingerprint_.add(static_cast<std::uint64_t>(now_us()));
    fingerprint_.add(static_cast<std::uint64_t>(message_id));
    fingerprint_.add(static_cast<std::uint64_t>(src) << 32 | static_cast<std::uint32_t>(dest));
}

void Simulation::send(std::int32_t src, std::int32_t dest, json&& body) {
    const std::int64_t message_id = next_message_id_++;
    const std::int32_t type = outcome_.journal.type_id(body_type_view(body));
    journal(journal::EventKind::kSend, message_id, src, dest, type, body);
    hash_json(fingerprint_, body);
    Participant& from = participant_at(src);
    Participant& to = participant_at(dest);
    if (options_.log_net_send)
        std::cerr << ":send {:id " << message_id << ", :src \"" << from.id << "\", :dest \""
                  << to.id << "\", :body " << body.dump() << "}\n";
    // Clients get 0 ms; servers (nodes and services) pay the drawn latency (spec §5.1).
    const bool client_involved =
        from.kind == ParticipantKind::kClient || to.kind == ParticipantKind::kClient;
    const Instant latency_us =
        client_involved ? 0
                        : sample_latency_ms(options_.latency_dist, options_.latency_ms,
                                            network_rng_) * 1000 +
                              extra_latency_us(src, dest);
    // millpond's faults beyond Maelstrom: server-to-server messages (node<->node and
    // node<->service; never client traffic) lost or delivered twice, each with a probability.
    // Drawn from their own stream so turning a fault on never shifts the latency draws.
    if (!client_involved && options_.nemesis_drop &&
        faults_rng_.chance(options_.drop_probability)) {
        journal(journal::EventKind::kDrop, message_id, src, dest, type);
        return;
    }
    if (!client_involved && options_.nemesis_duplicate &&
        faults_rng_.chance(options_.duplicate_probability)) {
        // The copy travels independently, with its own latency, under the same message id.
        const Instant copy_latency_us =
            sample_latency_ms(options_.latency_dist, options_.latency_ms, faults_rng_) * 1000 +
            extra_latency_us(src, dest);
        to.inbox.push(now_us() + copy_latency_us,
                      InFlight{now_us() + copy_latency_us, message_id, src, body, type});
    }
    const Instant deadline_us = now_us() + latency_us;
    if (!to.receiving && to.inbox.empty() && to.takes_messages()) {
        // The inbox would hold this message alone and take_next would take it out at once:
        // it goes straight to `receiving`, the same step without a push and a pop.
        to.receiving.emplace(InFlight{deadline_us, message_id, src, std::move(body), type});
        schedule_delivery(dest);
        return;
    }
    to.inbox.emplace(deadline_us, deadline_us, message_id, src, std::move(body), type);
    if (!to.receiving) take_next(dest);
}

bool Simulation::schedule_delivery(std::int32_t receiver) {
    Participant& to = participant_at(receiver);
    MP_ASSERT(to.receiving.has_value());
    // Maelstrom checks partitions when the receiver dequeues a message, before its latency
    // wait (spec §5.3): a message already taken is delivered even if a partition starts
    // meanwhile, and one sent during a partition but dequeued after the heal goes through.
    auto grudge = drops_.find(receiver);
    if (grudge != drops_.end() && grudge->second.count(to.receiving->src)) {
        journal(journal::EventKind::kDrop, to.receiving->message_id, to.receiving->src,
                receiver, to.receiving->type);
        to.receiving.reset();
        return false;
    }
    queue_.push(std::max(now_us(), to.receiving->deadline_us),
                DeliverEvent{receiver, to.delivery_generation});
    return true;
}

void Simulation::take_next(std::int32_t receiver) {
    Participant& to = participant_at(receiver);
    MP_ASSERT(!to.receiving);
    if (!to.takes_messages()) return;
    while (!to.inbox.empty()) {
        to.receiving.emplace(std::move(to.inbox.top()));
        to.inbox.pop();
        if (schedule_delivery(receiver)) return;
    }
}

void Simulation::on_deliver(std::int32_t receiver) {
    Participant& to = participant_at(receiver);
    MP_ASSERT(to.receiving.has_value());
    if (to.paused) {
        to.delivery_held = true;  // delivered on resume
        return;
    }
    // `receiving` is emptied before the step, as the step's own sends to this receiver must
    // find it free; the body moves out of it once, straight into the delivered message.
    InFlight& taken = *to.receiving;
    const std::int64_t message_id = taken.message_id;
    const std::int32_t src = taken.src;
    const std::int32_t type = taken.type;
    if (to.kind == ParticipantKind::kClient && to.closed) {
        // Maelstrom's network would blow up the sender's stdout thread here (spec §1.1); we
        // drop the message and journal the drop instead.
        journal(journal::EventKind::kDrop, message_id, src, receiver, type);
        tear_down(taken.body);
        to.receiving.reset();
    } else {
        journal(journal::EventKind::kRecv, message_id, src, receiver, type);
        if (options_.log_net_recv)
            std::cerr << ":recv {:id " << message_id << ", :src \"" << participant_at(src).id
                      << "\", :dest \"" << to.id << "\", :body " << taken.body.dump() << "}\n";
        if (to.kind == ParticipantKind::kClient) {
            // A client reads only the body: no envelope, no copies of the two ids.
            json body = std::move(taken.body);
            to.receiving.reset();
            on_client_message(receiver, std::move(body));
            tear_down(body);
        } else {
            Message message{participant_at(src).id, to.id, std::move(taken.body)};
            to.receiving.reset();
            const std::uint64_t seed = to.seed;
            // Only nodes get Maelstrom's init handshake; a service was initialised by the
            // simulator and treats an `init` like any other request.
            const bool is_node = to.kind == ParticipantKind::kNode;
            step_node(receiver, [&](Node& node, Out& out, Instant local_now) {
                if (is_node)
                    dispatch_message(node, std::move(message), seed, local_now, out);
                else
                    node.on_message(std::move(message), local_now, out);
            });
            // The body dies here whether the receiver kept parts of it or not
            // (core/json_teardown.hpp).
            tear_down(message.body);
        }
    }
    if (!participant_at(receiver).receiving) take_next(receiver);
}

Instant Simulation::extra_latency_us(std::int32_t src, std::int32_t dest) const {
    if (link_extra_ms_.empty() && node_extra_ms_.empty()) return 0;
    std::int64_t extra_ms = 0;
    if (auto it = link_extra_ms_.find({src, dest}); it != link_extra_ms_.end())
        extra_ms += it->second;
    if (auto it = node_extra_ms_.find(src); it != node_extra_ms_.end()) extra_ms += it->second;
    if (auto it = node_extra_ms_.find(dest); it != node_extra_ms_.end()) extra_ms += it->second;
    return extra_ms * 1000;
}

// ---------------------------------------------------------------------------------------------
// Nodes and services

template <typename Input>
void Simulation::step_node(std::int32_t index, const Input& input) {
    Participant& participant = participant_at(index);
    if (!outcome_.aborted.empty()) return;
    MP_ASSERT(participant.node != nullptr);
    MP_ASSERT(!participant.paused);
    // Steps never nest (effects are applied after the step), so one buffer serves them all.
    MP_ASSERT(!stepping_);
    stepping_ = true;
    Out& out = step_out_;
    out.reset(participant.id);
    try {
        input(*participant.node, out, local_now_us(participant));
    } catch (const std::exception& error) {
        stepping_ = false;
        outcome_.aborted = participant.id + " threw out of a step: " + error.what();
        return;
    }
    stepping_ = false;
    apply_effects(index, out);
    out.clear();  // moved-from bodies and keys go now, not at the next step
}

void Simulation::apply_effects(std::int32_t index, Out& out) {
    Participant& participant = participant_at(index);
    for (auto& effect : out.effects()) {
        if (auto* send_effect = std::get_if<SendEffect>(&effect)) {
            auto found = index_by_id_.find(send_effect->message.dest);
            if (found == index_by_id_.end()) {
                participant_at(index).log.push_back(
                    "millpond: dropped a message to unknown destination '" +
                    send_effect->message.dest + "'");
                continue;
            }
            send(index, found->second, std::move(send_effect->message.body));
        } else if (auto* set = std::get_if<SetTimerEffect>(&effect)) {
            const std::uint64_t generation = ++next_timer_generation_;
            // The deadline is on the node's own clock (skew).
            participant.timers[set->key] = Timer{set->deadline_us, generation};
            queue_.push(true_time_us(participant, set->deadline_us),
                        TimerEvent{index, set->key, generation});
        } else if (auto* cancel = std::get_if<CancelTimerEffect>(&effect)) {
            participant.timers.erase(cancel->key);
        } else if (auto* log = std::get_if<LogEffect>(&effect)) {
            if (options_.log_stderr) std::cerr << participant.id << ": " << log->line << "\n";
            participant.log.push_back(std::move(log->line));
        } else if (auto* write = std::get_if<DiskWriteEffect>(&effect)) {
            participant.unsynced.emplace_back(std::move(write->key), std::move(write->value));
        } else {
            MP_ASSERT(std::holds_alternative<DiskSyncEffect>(effect));
            for (auto& [key, value] : participant.unsynced) {
                if (value.empty())
                    participant.disk.erase(key);
                else
                    participant.disk[key] = std::move(value);
            }
            participant.unsynced.clear();
        }
    }
}

void Simulation::on_timer(const TimerEvent& event) {
    Participant& participant = participant_at(event.participant);
    auto it = participant.timers.find(event.key);
    if (it == participant.timers.end() || it->second.generation != event.generation) return;
    if (participant.paused) {
        // Fires on resume; the timer stays set meanwhile.
        participant.held_timers.push_back(HeldTimer{it->second.deadline_us, event.key});
        return;
    }
    participant.timers.erase(it);
    fingerprint_.add(0x74696d6572ULL);  // "timer"
    fingerprint_.add(static_cast<std::uint64_t>(event.participant));
    fingerprint_.add(event.key);
    step_node(event.participant, [&](Node& node, Out& out, Instant local_now) {
        node.on_timer(event.key, local_now, out);
    });
}

// ---------------------------------------------------------------------------------------------
// Clients

void Simulation::record(history::Op&& op) {
    op.index = static_cast<std::int64_t>(outcome_.history.size());
    op.time_ns = history_time_ns();
    fingerprint_.add(static_cast<std::uint64_t>(op.type));
    fingerprint_.add(static_cast<std::uint64_t>(op.process));
    fingerprint_.add(op.f);
    outcome_.history.push_back(std::move(op));
}

void Simulation::on_client_message(std::int32_t client, json&& body) {
    Participant& participant = participant_at(client);
    if (participant.worker < 0) {
        // An init client: the only check Maelstrom makes is type == init_ok. (Init clients
        // of restarted nodes just close.)
        if (body_type(body) == "init_ok" && !participant.closed) {
            participant.closed = true;
            if (phase_ == Phase::kInit && --init_pending_ == 0) {
                phase_ = Phase::kMain;
                main_start_us_ = now_us();
                main_end_us_ = main_start_us_ + options_.time_limit_us;
                // Setup clients: one per node, opened and closed (spec §1.5 numbering).
                for (std::size_t i = 0; i < node_indices_.size(); ++i)
                    participant_at(open_client()).closed = true;
                queue_.push(main_end_us_, PhaseEvent{PhaseEvent::Kind::kMainEnd});
                if (options_.client_script) {
                    // Written-down ops replace both generated streams.
                    const ClientScript& script = *options_.client_script;
                    for (std::size_t i = 0; i < script.size(); ++i)
                        if (main_start_us_ + script[i].at_us < main_end_us_)
                            queue_.push(main_start_us_ + script[i].at_us,
                                        ScriptOpEvent{static_cast<std::int32_t>(i)});
                } else {
                    // Jepsen's stagger issues its first op at once (its next time starts out
                    // empty), so both streams open the main phase: real kafka histories begin
                    // with a :crash and a workload op within a few ms. Jepsen's gen/any breaks
                    // the tie between them with a coin (soonest-op-map), so a real history
                    // opens with either; the coin here comes from the side stream's own Rng.
                    side_gap_mean_us_ =
                        workload_.side_stream_mean_gap_us(options_.concurrency);
                    const bool side_stream = side_gap_mean_us_ > 0 && options_.rate > 0;
                    const bool side_first = side_stream && side_rng_.uniform_double() < 0.5;
                    if (side_first) start_stream(1);
                    if (options_.rate > 0) start_stream(0);
                    if (side_stream && !side_first) start_stream(1);
                }
                if (options_.nemesis_skew) {
                    edn::Entries clocks;
                    for (std::int32_t index : node_indices_) {
                        const Participant& node = participant_at(index);
                        clocks.emplace_back(
                            edn::Value(node.id),
                            edn::Value::vector({edn::Value(node.clock_offset_us / 1000),
                                                edn::Value(node.drift_ppm)}));
                    }
                    record_nemesis("skew-clocks", edn::Value::keyword("offset-ms-drift-ppm"),
                                   edn::Value::map(std::move(clocks)));
                }
                if (options_.fault_schedule) {
                    for (std::size_t i = 0; i < faults_.size(); ++i)
                        if (main_start_us_ + faults_[i].event.at_us < main_end_us_)
                            queue_.push(main_start_us_ + faults_[i].event.at_us,
                                        FaultStartEvent{static_cast<std::int32_t>(i)});
                } else {
                    if (options_.nemesis_partition) schedule_nemesis();
                    if (options_.nemesis_kill) schedule_random_fault(FaultKind::kKill);
                    if (options_.nemesis_pause) schedule_random_fault(FaultKind::kPause);
                    if (options_.nemesis_slow) schedule_random_fault(FaultKind::kSlow);
                }
            }
        }
        return;
    }
    Worker& worker = workers_[static_cast<std::size_t>(participant.worker)];
    const std::int64_t in_reply_to = body_int_or_missing(body, "in_reply_to");
    // A reply to anything but the awaited request is dropped silently (spec §1.3).
    if (!worker.busy || worker.client != client || worker.outstanding < 0 ||
        in_reply_to != worker.outstanding)
        return;
    worker.outstanding = -1;
    ++worker.timeout_generation;
    WorkerContext context(*this, participant.worker);
    if (is_error_body(body)) {
        worker.workload_client->on_error(body, context);
        return;
    }
    worker.workload_client->on_reply(std::move(body), context);
}

void Simulation::worker_call(std::int32_t worker_index, json body) {
    Worker& worker = workers_[static_cast<std::size_t>(worker_index)];
    MP_ASSERT(worker.busy);
    MP_ASSERT_EQ(worker.outstanding, -1);
    MP_ASSERT_GE(worker.client, 0);
    const MsgId msg_id = worker.next_msg_id++;
    set_body_int(body, "msg_id", msg_id);
    worker.outstanding = msg_id;
    const std::uint64_t generation = ++worker.timeout_generation;
    queue_.push(now_us() + kClientTimeoutUs, ClientTimeoutEvent{worker_index, generation});
    send(worker.client, worker.node, std::move(body));
}

void Simulation::on_client_timeout(const ClientTimeoutEvent& event) {
    Worker& worker = workers_[static_cast<std::size_t>(event.worker)];
    if (!worker.busy || worker.timeout_generation != event.generation) return;
    worker.outstanding = -1;
    ++worker.timeout_generation;
    WorkerContext context(*this, event.worker);
    worker.workload_client->on_timeout(context);
}

void Simulation::worker_complete_with_timeout(std::int32_t worker_index) {
    const history::Op& invoke =
        outcome_.history[workers_[static_cast<std::size_t>(worker_index)].invoke_index];
    // Client timeout: :fail when f is idempotent, else :info; error :net-timeout (spec §1.7).
    worker_complete(worker_index,
                    workload_.is_idempotent(invoke.f) ? history::OpType::kFail
                                                      : history::OpType::kInfo,
                    invoke.value, edn::Value::keyword("net-timeout"));
}

void Simulation::worker_complete_with_error(std::int32_t worker_index, const json& error_body) {
    Worker& worker = workers_[static_cast<std::size_t>(worker_index)];
    const history::Op& invoke = outcome_.history[worker.invoke_index];
    const std::int64_t code = body_int_or_missing(error_body, "code");
    const ErrorInfo info = error_info(static_cast<int>(code));
    edn::Value text = error_body.contains("text") ? edn::from_json(error_body["text"], false)
                                                  : edn::Value();
    edn::Value error = edn::Value::vector({edn::Value::keyword(std::string(info.name)), text});
    const bool fail = info.definite || workload_.is_idempotent(invoke.f);
    worker_complete(worker_index, fail ? history::OpType::kFail : history::OpType::kInfo,
                    invoke.value, std::move(error));
}

void Simulation::worker_complete(std::int32_t worker_index, history::OpType type,
                                 edn::Value value, edn::Value error) {
    Worker& worker = workers_[static_cast<std::size_t>(worker_index)];
    MP_ASSERT(worker.busy);
    MP_ASSERT(type != history::OpType::kInvoke);
    if (worker.outstanding >= 0) {
        worker.outstanding = -1;
        ++worker.timeout_generation;
    }
    history::Op completion;
    {
        // By reference only until record(): the history may grow and move.
        const history::Op& invoke = outcome_.history[worker.invoke_index];
        completion.type = type;
        completion.process = worker.process;
        completion.f = invoke.f;
        completion.value = std::move(value);
        completion.extra = invoke.extra;
    }
    if (!error.is_nil()) completion.set_extra("error", std::move(error));
    record(std::move(completion));
    workload_.observe(outcome_.history[worker.invoke_index], outcome_.history.back());
    worker.busy = false;
    if (type == history::OpType::kInfo) {
        // Indeterminate: a new process, and a fresh client (kafka, echo... are not reusable).
        worker.process += options_.concurrency;
        if (worker.client >= 0) participant_at(worker.client).closed = true;
        worker.client = -1;
        worker.workload_client.reset();
    }
    on_thread_freed(worker_index);
}

std::int32_t Simulation::free_worker() {
    // Which free thread gets the next op. Real Maelstrom runs show thread 0 taking 2/(n+1) of
    // the ops and every other thread 1/(n+1) (g-counter, 3 threads: 955/513/489; broadcast,
    // 5 threads: 66/34/34/33/33; kafka, 2 threads: 2:1), consistent with Jepsen drawing
    // uniformly among the free threads *and* the idle nemesis thread, a draw of the nemesis
    // falling to the first free client thread. We draw the same way.
    free_scratch_.clear();
    for (std::size_t i = 0; i < workers_.size(); ++i)
        if (!workers_[i].busy) free_scratch_.push_back(static_cast<std::int32_t>(i));
    if (free_scratch_.empty()) return -1;
    const std::uint64_t pick = thread_choice_rng_.uniform(free_scratch_.size() + 1);
    return pick == free_scratch_.size() ? free_scratch_.front()
                                        : free_scratch_[static_cast<std::size_t>(pick)];
}

void Simulation::start_stream(std::int32_t stream) {
    stream_active_[stream] = true;
    schedule_stream(stream, main_start_us_, /*first=*/true);
}

void Simulation::schedule_stream(std::int32_t stream, Instant after_us, bool first) {
    // Maelstrom's stagger: the first op at once, then successive ops spaced by uniform gaps
    // in [0, 2 * mean).
    Instant gap_us = 0;
    if (!first) {
        const double mean_gap_us =
            stream == 0 ? 1e6 / options_.rate : static_cast<double>(side_gap_mean_us_);
        Rng& rng = stream == 0 ? generator_rng_ : side_rng_;
        gap_us = static_cast<Instant>(rng.uniform_double() * 2.0 * mean_gap_us);
    }
    stream_due_us_[stream] = after_us + gap_us;
    stream_waiting_[stream] = false;
    if (stream_due_us_[stream] < main_end_us_)
        queue_.push(stream_due_us_[stream], GeneratorEvent{stream});
    else
        stream_active_[stream] = false;
}

void Simulation::on_generator(std::int32_t stream) {
    if (phase_ != Phase::kMain || !stream_active_[stream]) return;
    try_issue(stream);
}

void Simulation::try_issue(std::int32_t stream) {
    const std::int32_t worker_index = free_worker();
    if (worker_index < 0) {
        stream_waiting_[stream] = true;  // issued the moment a thread frees; no catch-up burst
        return;
    }
    Invocation op = stream == 0 ? workload_.next_op(worker_index, generator_rng_)
                                : workload_.next_side_op(side_rng_);
    // Schedule the stream's next op before issuing: an op that completes at once (a kafka
    // crash) frees its thread inside issue(), and the stream must not look still waiting.
    schedule_stream(stream, now_us());
    issue(worker_index, std::move(op));
}

void Simulation::issue(std::int32_t worker_index, Invocation op) {
    Worker& worker = workers_[static_cast<std::size_t>(worker_index)];
    MP_ASSERT(!worker.busy);
    worker.busy = true;
    history::Op invoke;
    invoke.type = history::OpType::kInvoke;
    invoke.process = worker.process;
    invoke.f = op.f;
    invoke.value = op.value;
    invoke.extra = op.extra;
    record(std::move(invoke));
    worker.invoke_index = outcome_.history.size() - 1;
    if (worker.client < 0) {
        // Clients open lazily on a thread's first op, and again after an :info — a kafka
        // :crash too, so client ids advance exactly as in Maelstrom.
        worker.client = open_client();
        participant_at(worker.client).worker = worker_index;
        worker.workload_client = workload_.open_client();
        worker.next_msg_id = 1;
    }
    if (op.immediate_info) {
        worker_complete(worker_index, history::OpType::kInfo, op.value, edn::Value());
        return;
    }
    WorkerContext context(*this, worker_index);
    worker.workload_client->invoke(op, context);
}

void Simulation::on_thread_freed(std::int32_t worker_index) {
    if (phase_ == Phase::kMain && options_.client_script) {
        auto& waiting = script_waiting_[static_cast<std::size_t>(worker_index)];
        if (!waiting.empty()) {
            const std::int32_t op = waiting.front();
            waiting.pop_front();
            issue(worker_index, (*options_.client_script)[static_cast<std::size_t>(op)].op);
        }
        return;
    }
    if (phase_ == Phase::kMain) {
        // The stream that has waited longest goes first.
        std::int32_t first = -1;
        for (std::int32_t s = 0; s < 2; ++s)
            if (stream_active_[s] && stream_waiting_[s] &&
                (first < 0 || stream_due_us_[s] < stream_due_us_[first]))
                first = s;
        if (first >= 0) try_issue(first);
        return;
    }
    if (phase_ == Phase::kDrainMain) {
        if (all_idle()) {
            phase_ = Phase::kRecovery;
            // The nemesis's final op heals the network, then Maelstrom sleeps 10 s. millpond's
            // faults heal at the same moment: killed nodes restart, paused ones resume.
            if (options_.nemesis_partition && !options_.fault_schedule) heal_partition();
            heal_all_faults();
            queue_.push(now_us() + kRecoveryWaitUs, PhaseEvent{PhaseEvent::Kind::kFinalStart});
        }
        return;
    }
    if (phase_ == Phase::kFinal) {
        Worker& worker = workers_[static_cast<std::size_t>(worker_index)];
        if (!worker.final_done) {
            auto step = workload_.next_final_op(worker_index, final_rng_);
            if (!step) {
                worker.final_done = true;
            } else {
                pending_final_[static_cast<std::size_t>(worker_index)] = std::move(step->op);
                queue_.push(now_us() + step->delay_us, FinalOpEvent{worker_index});
                return;
            }
        }
        maybe_finish();
    }
}

void Simulation::start_final_phase() {
    phase_ = Phase::kFinal;
    final_end_us_ = now_us() + kFinalPhaseCapUs;
    queue_.push(final_end_us_, PhaseEvent{PhaseEvent::Kind::kFinalEnd});
    pending_final_.resize(workers_.size());
    for (std::size_t i = 0; i < workers_.size(); ++i) on_thread_freed(static_cast<std::int32_t>(i));
}

void Simulation::on_final_op(std::int32_t worker_index) {
    if (phase_ != Phase::kFinal) return;
    Worker& worker = workers_[static_cast<std::size_t>(worker_index)];
    MP_ASSERT(!worker.busy);
    issue(worker_index, std::move(pending_final_[static_cast<std::size_t>(worker_index)]));
}

bool Simulation::all_idle() const {
    for (const auto& worker : workers_)
        if (worker.busy) return false;
    return true;
}

void Simulation::maybe_finish() {
    if (phase_ != Phase::kFinal) return;
    for (const auto& worker : workers_)
        if (worker.busy || !worker.final_done) return;
    phase_ = Phase::kDone;
}

// ---------------------------------------------------------------------------------------------
// Nemesis (spec §5.3-5.4): start, stop, start, ... spaced by uniform gaps in [0, 2 * interval],
// during the main phase only, on Jepsen's :nemesis process; both ops of a pair are :info.

void Simulation::schedule_nemesis() {
    const auto gap_us = static_cast<Instant>(nemesis_rng_.uniform_double() * 2.0 *
                                             static_cast<double>(options_.nemesis_interval_us));
    if (now_us() + gap_us < main_end_us_) queue_.push(now_us() + gap_us, NemesisEvent{});
}

void Simulation::on_nemesis() {
    if (phase_ != Phase::kMain) return;
    if (next_nemesis_starts_)
        start_partition();
    else
        heal_partition();
    schedule_nemesis();
}

void Simulation::record_nemesis(const char* f, edn::Value invoke_value,
                                edn::Value completion_value) {
    for (edn::Value* value : {&invoke_value, &completion_value}) {
        history::Op op;
        op.type = history::OpType::kInfo;
        op.process = history::kNemesisProcess;
        op.f = f;
        op.value = std::move(*value);
        record(std::move(op));
    }
}

void Simulation::start_partition() {
    const std::string_view name =
        kGrudgeNames[nemesis_rng_.uniform(std::size(kGrudgeNames))];
    std::map<NodeId, std::vector<NodeId>> grudge;
    for (const auto& [dest, srcs] : make_grudge(name, options_.nodes, nemesis_rng_))
        grudge[dest].assign(srcs.begin(), srcs.end());
    impose_grudge(std::string(name), grudge);
    next_nemesis_starts_ = false;
}

void Simulation::impose_grudge(const std::string& how,
                               const std::map<NodeId, std::vector<NodeId>>& grudge) {
    drops_.clear();
    edn::Entries isolated;
    for (const auto& [dest, srcs] : grudge) {
        edn::Items sources;
        for (const auto& src : srcs) {
            drops_[index_by_id_.at(dest)].insert(index_by_id_.at(src));
            sources.emplace_back(src);
        }
        isolated.emplace_back(edn::Value(dest), edn::Value::set(std::move(sources)));
    }
    record_nemesis("start-partition", edn::Value::keyword(how),
                   edn::Value::vector({edn::Value::keyword("isolated"),
                                       edn::Value::map(std::move(isolated))}));
}

void Simulation::heal_partition() {
    drops_.clear();
    record_nemesis("stop-partition", edn::Value(), edn::Value::keyword("network-healed"));
    next_nemesis_starts_ = true;
}

// ---------------------------------------------------------------------------------------------
// millpond's scheduled faults: kill, pause, slow, and partitions written down in a schedule.
// Each random kind has its own stream, so turning one on never shifts another's draws. In the
// history they are :nemesis ops like Maelstrom's partitions, both of a pair :info, named as
// in Jepsen's combined nemesis: :kill / :start, :pause / :resume, plus :start-slow /
// :stop-slow.

void Simulation::schedule_random_fault(FaultKind kind) {
    Rng& rng = kind == FaultKind::kKill    ? kill_rng_
               : kind == FaultKind::kPause ? pause_rng_
                                           : slow_rng_;
    const auto gap_us = static_cast<Instant>(rng.uniform_double() * 2.0 *
                                             static_cast<double>(options_.nemesis_interval_us));
    if (now_us() + gap_us < main_end_us_) queue_.push(now_us() + gap_us, RandomFaultEvent{kind});
}

void Simulation::on_random_fault(FaultKind kind) {
    if (phase_ != Phase::kMain) return;
    FaultEvent event;
    event.kind = kind;
    event.at_us = now_us() - main_start_us_;
    const auto pick_node = [&](Rng& rng, auto&& eligible) -> std::int32_t {
        std::vector<std::int32_t> candidates;
        for (std::int32_t index : node_indices_)
            if (eligible(participant_at(index))) candidates.push_back(index);
        if (candidates.empty()) return -1;
        return candidates[static_cast<std::size_t>(rng.uniform(candidates.size()))];
    };
    std::int32_t target = -1;
    switch (kind) {
        case FaultKind::kKill:
            target = pick_node(kill_rng_, [](const Participant& p) { return !p.down; });
            event.duration_us = options_.kill_downtime_us;
            if (target >= 0) event.nodes = {participant_at(target).id};
            break;
        case FaultKind::kPause:
            target = pick_node(pause_rng_,
                               [](const Participant& p) { return !p.down && !p.paused; });
            event.duration_us = options_.pause_duration_us;
            if (target >= 0) event.nodes = {participant_at(target).id};
            break;
        case FaultKind::kSlow: {
            event.duration_us = options_.slow_duration_us;
            event.extra_latency_ms = options_.slow_extra_ms;
            // Half the time a slow node, half a slow directed link.
            const std::size_t n = node_indices_.size();
            if (n < 2 || slow_rng_.chance(0.5)) {
                target = node_indices_[static_cast<std::size_t>(slow_rng_.uniform(n))];
                event.nodes = {participant_at(target).id};
            } else {
                const auto from = static_cast<std::size_t>(slow_rng_.uniform(n));
                auto to = static_cast<std::size_t>(slow_rng_.uniform(n - 1));
                if (to >= from) ++to;
                target = node_indices_[from];
                event.link = std::pair{participant_at(node_indices_[from]).id,
                                       participant_at(node_indices_[to]).id};
            }
            break;
        }
        case FaultKind::kPartition:
            MP_ASSERT(false);  // random partitions are Maelstrom's nemesis (on_nemesis)
    }
    if (target >= 0) {
        faults_.push_back(ActiveFault{std::move(event), false, false});
        const auto fault = static_cast<std::int32_t>(faults_.size() - 1);
        start_fault(fault);
    }
    schedule_random_fault(kind);
}

void Simulation::start_fault(std::int32_t fault) {
    ActiveFault& active = faults_[static_cast<std::size_t>(fault)];
    if (active.started) return;
    active.started = true;
    const FaultEvent& event = active.event;
    switch (event.kind) {
        case FaultKind::kPartition:
            impose_grudge("scheduled", event.grudge);
            partition_fault_ = fault;
            break;
        case FaultKind::kKill:
            act_on_nodes("kill", event, "killed", [&](std::int32_t index) {
                kill_node(index, fault);
                return true;
            });
            break;
        case FaultKind::kPause:
            act_on_nodes("pause", event, "paused", [&](std::int32_t index) {
                pause_node(index, fault);
                return true;
            });
            break;
        case FaultKind::kSlow: {
            add_slow(event, +1);
            edn::Items targets;
            for (const auto& id : event.nodes) targets.emplace_back(id);
            edn::Value what = event.link ? edn::Value::vector({edn::Value(event.link->first),
                                                               edn::Value(event.link->second)})
                                         : edn::Value::vector(targets);
            record_nemesis("start-slow", what,
                           edn::Value::vector({edn::Value::keyword("extra-ms"),
                                               edn::Value(event.extra_latency_ms)}));
            break;
        }
    }
    queue_.push(now_us() + event.duration_us, FaultEndEvent{fault});
}

void Simulation::end_fault(std::int32_t fault) {
    ActiveFault& active = faults_[static_cast<std::size_t>(fault)];
    if (!active.started || active.ended) return;
    active.ended = true;
    const FaultEvent& event = active.event;
    switch (event.kind) {
        case FaultKind::kPartition:
            // A later partition replaced this one: nothing of it is left to heal.
            if (partition_fault_ == fault) {
                partition_fault_ = -1;
                heal_partition();
            }
            break;
        // Only the fault that killed or paused a node brings it back.
        case FaultKind::kKill:
            act_on_nodes("start", event, "started", [&](std::int32_t index) {
                if (participant_at(index).down_fault != fault)
                    return false;
                restart_node(index);
                return true;
            });
            break;
        case FaultKind::kPause:
            act_on_nodes("resume", event, "resumed", [&](std::int32_t index) {
                if (participant_at(index).pause_fault != fault)
                    return false;
                resume_node(index);
                return true;
            });
            break;
        case FaultKind::kSlow:
            add_slow(event, -1);
            record_nemesis("stop-slow", edn::Value(), edn::Value::keyword("latency-restored"));
            break;
    }
}

void Simulation::act_on_nodes(const char* f, const FaultEvent& event, const char* outcome,
                              const std::function<bool(std::int32_t)>& act) {
    edn::Items targets;
    edn::Entries result;
    for (const auto& id : event.nodes) {
        targets.emplace_back(id);
        if (act(index_by_id_.at(id)))
            result.emplace_back(edn::Value(id), edn::Value::keyword(outcome));
    }
    record_nemesis(f, edn::Value::vector(std::move(targets)), edn::Value::map(std::move(result)));
}

void Simulation::heal_all_faults() {
    for (std::size_t i = 0; i < faults_.size(); ++i) end_fault(static_cast<std::int32_t>(i));
}

void Simulation::add_slow(const FaultEvent& event, std::int64_t sign) {
    const auto apply = [&](auto& map, const auto& key) {
        auto& extra = map[key];
        extra += sign * event.extra_latency_ms;
        if (extra == 0) map.erase(key);
    };
    if (event.link)
        apply(link_extra_ms_,
              std::pair{index_by_id_.at(event.link->first), index_by_id_.at(event.link->second)});
    for (const auto& id : event.nodes) apply(node_extra_ms_, index_by_id_.at(id));
}

void Simulation::kill_node(std::int32_t index, std::int32_t fault) {
    Participant& node = participant_at(index);
    if (node.down) return;
    node.down = true;
    node.down_fault = fault;
    node.node.reset();
    node.timers.clear();
    node.unsynced.clear();  // never synced: gone with the process
    node.paused = false;
    node.pause_fault = -1;
    node.delivery_held = false;
    node.held_timers.clear();
    if (node.receiving) {
        // Taken off the queue by the process that died: lost with it.
        journal(journal::EventKind::kDrop, node.receiving->message_id, node.receiving->src, index,
                node.receiving->type);
        node.receiving.reset();
        ++node.delivery_generation;
    }
    node.log.push_back("millpond: killed at " + std::to_string(now_us()) +
                       " us (memory and unsynced disk writes lost)");
}

void Simulation::restart_node(std::int32_t index) {
    Participant& node = participant_at(index);
    MP_ASSERT(node.down);
    node.down = false;
    node.down_fault = -1;
    ++node.incarnation;
    node.node = make_node_(node.id);
    MP_ASSERT(node.node != nullptr);
    node.seed = root_rng_.derive("node/" + node.id + "/incarnation/" + std::to_string(node.incarnation))
                    .next_u64();
    node.log.push_back("millpond: restarted at " + std::to_string(now_us()) + " us (incarnation " +
                       std::to_string(node.incarnation) + ")");
    // A fresh init from a fresh client, handed over at once: a new process reads init before
    // anything that queued while it was down.
    const std::int32_t client = open_client();
    json node_ids = json::array();
    for (const auto& id : options_.nodes) node_ids.push_back(id);
    json body = {{"type", "init"}, {"msg_id", 1}, {"node_id", node.id}, {"node_ids", node_ids}};
    const std::int64_t message_id = next_message_id_++;
    const std::int32_t init_type = outcome_.journal.type_id("init");
    journal(journal::EventKind::kSend, message_id, client, index, init_type, body);
    hash_json(fingerprint_, body);
    journal(journal::EventKind::kRecv, message_id, client, index, init_type);
    InitInfo restart{node.id, options_.nodes, node.seed, node.disk, node.incarnation};
    Message message{participant_at(client).id, node.id, std::move(body)};
    const std::uint64_t seed = node.seed;
    step_node(index, [&](Node& fresh, Out& out, Instant local_now) {
        dispatch_message(fresh, std::move(message), seed, local_now, out, &restart);
    });
    if (!participant_at(index).receiving) take_next(index);
}

void Simulation::pause_node(std::int32_t index, std::int32_t fault) {
    Participant& node = participant_at(index);
    if (node.down || node.paused) return;
    node.paused = true;
    node.pause_fault = fault;
}

void Simulation::resume_node(std::int32_t index) {
    Participant& node = participant_at(index);
    MP_ASSERT(node.paused);
    node.paused = false;
    node.pause_fault = -1;
    // What came due while paused runs now, in the order it came due.
    std::vector<HeldTimer> held = std::move(node.held_timers);
    node.held_timers.clear();
    for (auto& timer : held) {
        auto it = node.timers.find(timer.key);
        if (it != node.timers.end())
            queue_.push(now_us(), TimerEvent{index, timer.key, it->second.generation});
    }
    if (node.delivery_held) {
        node.delivery_held = false;
        queue_.push(now_us(), DeliverEvent{index, node.delivery_generation});
    } else if (!node.receiving) {
        take_next(index);
    }
}

void Simulation::on_script_op(std::int32_t op) {
    if (phase_ != Phase::kMain) return;
    const ScriptedOp& scripted = (*options_.client_script)[static_cast<std::size_t>(op)];
    Worker& worker = workers_[static_cast<std::size_t>(scripted.thread)];
    auto& waiting = script_waiting_[static_cast<std::size_t>(scripted.thread)];
    if (worker.busy || !waiting.empty()) {
        waiting.push_back(op);  // issued when the thread frees, in script order
        return;
    }
    issue(scripted.thread, scripted.op);
}

RunOutcome Simulation::run() {
    if (!outcome_.aborted.empty()) return std::move(outcome_);  // a setup problem
    // Init: one fresh client per node, in node order.
    json node_ids = json::array();
    for (const auto& id : options_.nodes) node_ids.push_back(id);
    for (std::int32_t node : node_indices_) {
        const std::int32_t client = open_client();
        ++init_pending_;
        init_clients_.emplace_back(client, node);
        send(client, node,
             json{{"type", "init"},
                  {"msg_id", 1},
                  {"node_id", participant_at(node).id},
                  {"node_ids", node_ids}});
    }
    for (std::size_t i = 0; i < participants_.size(); ++i) {
        Participant& participant = *participants_[i];
        if (participant.kind != ParticipantKind::kService) continue;
        InitInfo init{participant.id, options_.nodes, participant.seed, {}, 0};
        step_node(static_cast<std::int32_t>(i), [&](Node& node, Out& out, Instant local_now) {
            node.on_init(init, local_now, out);
        });
    }
    queue_.push(kInitTimeoutUs, PhaseEvent{PhaseEvent::Kind::kInitDeadline});

    while (phase_ != Phase::kDone && outcome_.aborted.empty()) {
        if (queue_.empty()) {
            // Nothing left to happen: only possible when clients wait on nothing.
            if (phase_ == Phase::kMain || phase_ == Phase::kDrainMain) {
                phase_ = Phase::kDone;
                break;
            }
            outcome_.aborted = "the event queue ran dry before the run finished";
            break;
        }
        if (outcome_.events_processed >= options_.max_events) {
            outcome_.aborted = "event budget of " + std::to_string(options_.max_events) +
                               " events exhausted at simulated time " +
                               std::to_string(now_us()) + " us";
            break;
        }
        auto entry = queue_.pop();
        ++outcome_.events_processed;
        std::visit(
            [&](auto& event) {
                using T = std::decay_t<decltype(event)>;
                if constexpr (std::is_same_v<T, DeliverEvent>) {
                    if (event.generation ==
                        participant_at(event.participant)
                            .delivery_generation)
                        on_deliver(event.participant);
                } else if constexpr (std::is_same_v<T, TimerEvent>) {
                    on_timer(event);
                } else if constexpr (std::is_same_v<T, ClientTimeoutEvent>) {
                    on_client_timeout(event);
                } else if constexpr (std::is_same_v<T, GeneratorEvent>) {
                    on_generator(event.stream);
                } else if constexpr (std::is_same_v<T, FinalOpEvent>) {
                    on_final_op(event.worker);
                } else if constexpr (std::is_same_v<T, NemesisEvent>) {
                    on_nemesis();
                } else if constexpr (std::is_same_v<T, RandomFaultEvent>) {
                    on_random_fault(event.kind);
                } else if constexpr (std::is_same_v<T, FaultStartEvent>) {
                    if (phase_ == Phase::kMain) start_fault(event.fault);
                } else if constexpr (std::is_same_v<T, FaultEndEvent>) {
                    end_fault(event.fault);
                } else if constexpr (std::is_same_v<T, ScriptOpEvent>) {
                    on_script_op(event.op);
                } else if constexpr (std::is_same_v<T, PhaseEvent>) {
                    switch (event.kind) {
                        case PhaseEvent::Kind::kInitDeadline:
                            if (phase_ == Phase::kInit) {
                                std::string missing;
                                for (const auto& [client, node] : init_clients_) {
                                    if (participant_at(client).closed)
                                        continue;
                                    if (!missing.empty()) missing += ", ";
                                    missing += participant_at(node).id;
                                }
                                outcome_.aborted = "init failed: " + missing +
                                                   " did not answer init with init_ok within 10 s";
                            }
                            break;
                        case PhaseEvent::Kind::kMainEnd:
                            stream_active_[0] = stream_active_[1] = false;
                            if (workload_.has_final_phase()) {
                                phase_ = Phase::kDrainMain;
                                if (all_idle()) on_thread_freed(0);
                            } else {
                                phase_ = Phase::kFinal;  // no final ops: just drain
                                for (auto& worker : workers_) worker.final_done = true;
                                maybe_finish();
                            }
                            break;
                        case PhaseEvent::Kind::kFinalStart:
                            start_final_phase();
                            break;
                        case PhaseEvent::Kind::kFinalEnd:
                            // Maelstrom caps the final phase at 10 s: no new final ops.
                            for (auto& worker : workers_) worker.final_done = true;
                            maybe_finish();
                            break;
                    }
                }
            },
            entry.payload);
    }
    outcome_.end_time_us = now_us();
    outcome_.fingerprint = fingerprint_.value();
    for (auto& participant : participants_)
        if (participant->kind != ParticipantKind::kClient)
            outcome_.node_logs.emplace_back(participant->id, std::move(participant->log));
    return std::move(outcome_);
}

}  // namespace

RunOutcome run_simulation(const RunOptions& options, Workload& workload,
                          const NodeFactory& make_node, const std::vector<std::string>& services,
                          const ServiceFactory& make_service) {
    Simulation simulation(options, workload, make_node, services, make_service);
    return simulation.run();
}

}  // namespace millpond::sim
