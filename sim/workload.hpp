#pragma once
// A workload is what Maelstrom's `-w` names: a generator of client operations, the client
// that turns each operation into RPCs against a node (one WorkloadClient per Maelstrom
// client c<k>), and the checker of the resulting history.
//
// The runner owns everything generic: the stagger schedule, worker threads and process ids,
// client ids, the 5 s RPC timeout, the mapping of errors to :fail / :info (spec §1.7) and
// the history. A workload only says what to send and what the reply means.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "checkers/edn.hpp"
#include "checkers/history.hpp"
#include "core/message.hpp"
#include "core/rng.hpp"

namespace millpond::sim {

struct Invocation {
    std::string f;
    edn::Value value;
    std::vector<std::pair<std::string, edn::Value>> extra;  // e.g. :final? true
    // Recorded as :invoke then immediately :info with no RPC (Maelstrom's kafka :crash).
    bool immediate_info = false;
};

// What a WorkloadClient may do while an operation is in flight.
class OpContext {
  public:
    virtual ~OpContext() = default;
    // Sends an RPC to this client's node; the reply (or a timeout) comes back through
    // WorkloadClient::on_reply / on_timeout. At most one RPC is outstanding.
    virtual void call(json body) = 0;
    // Completes the operation. `error` is the op's :error (nil for none).
    virtual void complete(history::OpType type, edn::Value value, edn::Value error = {}) = 0;
    // Completes from an error reply or timeout with Maelstrom's rules (spec §1.7): :fail when
    // the error is definite or the op's f is idempotent, :info otherwise.
    virtual void complete_with_error(const json& error_body) = 0;
    // Completes after a client-side timeout (spec §1.7).
    virtual void complete_with_timeout() = 0;
    // The reply did not match the RPC's closed schema: the op is :info with an exception,
    // as in Maelstrom's defrpc.
    virtual void complete_with_schema_violation(const std::string& problem) = 0;
    virtual Instant now_us() const = 0;
};

class WorkloadClient {
  public:
    virtual ~WorkloadClient() = default;
    virtual void invoke(const Invocation& op, OpContext& context) = 0;
    // A non-error reply to the outstanding RPC.
    virtual void on_reply(json&& body, OpContext& context) = 0;
    // An error reply to the outstanding RPC. The default completes the op by Maelstrom's rules;
    // a client with per-op state overrides it to clean up first (the client lives on after a
    // :fail).
    virtual void on_error(const json& error_body, OpContext& context) {
        context.complete_with_error(error_body);
    }
    // The outstanding RPC timed out (5 s). The default completes the op as Maelstrom does:
    // :fail for idempotent fs, else :info, with :error :net-timeout.
    virtual void on_timeout(OpContext& context) { context.complete_with_timeout(); }
};

class Workload {
  public:
    virtual ~Workload() = default;

    virtual std::string_view name() const = 0;
    virtual std::unique_ptr<WorkloadClient> open_client() = 0;
    // The fs whose errors and timeouts are :fail rather than :info (spec §1.7).
    virtual bool is_idempotent(std::string_view f) const = 0;

    // The main phase's next operation, for the free worker `thread`.
    virtual Invocation next_op(std::int32_t thread, Rng& rng) = 0;
    // A second, independent op stream merged into the main phase (kafka's crashes), with its
    // mean gap; 0 means none.
    virtual Instant side_stream_mean_gap_us(std::int32_t /*concurrency*/) const { return 0; }
    virtual Invocation next_side_op(Rng& /*rng*/) { return {}; }

    // Workloads with a final phase get the heal, the 10 s recovery wait and then, per thread,
    // final ops until next_final_op returns nullopt (or Maelstrom's 10 s cap).
    virtual bool has_final_phase() const { return false; }
    struct FinalStep {
        Invocation op;
        Instant delay_us = 0;  // wait this long after the thread's previous op completed
    };
    virtual std::optional<FinalStep> next_final_op(std::int32_t /*thread*/, Rng& /*rng*/) {
        return std::nullopt;
    }

    // Every completion, in history order, so generators can react (kafka tracks offsets).
    virtual void observe(const history::Op& /*invocation*/, const history::Op& /*completion*/) {}

    // The workload checker's result: Maelstrom's :workload entry.
    virtual edn::Value check(const history::History& history) const = 0;
};

}  // namespace millpond::sim
