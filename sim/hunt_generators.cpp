#include "hunt_generators.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include "core/assert.hpp"
#include "scenario.hpp"

namespace millpond::sim {

namespace {

Invocation send_op(const std::string& key, std::int64_t msg) {
    Invocation op;
    op.f = "send";
    op.value = edn::Value::vector({edn::Value::vector(
        {edn::Value::keyword("send"), edn::Value(key), edn::Value(msg)})});
    return op;
}

Invocation poll_op() {
    Invocation op;
    op.f = "poll";
    op.value = edn::Value::vector({edn::Value::vector({edn::Value::keyword("poll")})});
    return op;
}

Invocation assign_op(const std::vector<std::string>& keys, bool seek_to_beginning) {
    Invocation op;
    op.f = "assign";
    op.value = edn::Value::vector();
    for (const auto& key : keys) op.value.push(edn::Value(key));
    if (seek_to_beginning) op.extra.emplace_back("seek-to-beginning?", edn::Value(true));
    return op;
}

}  // namespace

rc::Gen<RunOptions> gen_run(const RunOptions& base, const RunShape& shape) {
    MP_ASSERT_GE(shape.nodes_max, 1);
    return rc::gen::exec([base, shape]() {
        RunOptions run = base;
        const std::int32_t node_count = *rc::gen::inRange<std::int32_t>(1, shape.nodes_max + 1);
        run.nodes.clear();
        for (std::int32_t i = 0; i < node_count; ++i) run.nodes.push_back("n" + std::to_string(i));
        run.concurrency = *rc::gen::inRange<std::int32_t>(1, 2 * node_count + 1);
        run.latency_ms = *rc::gen::element<std::int64_t>(0, 1, 5, 20);
        run.latency_dist = *rc::gen::element(LatencyDist::kConstant, LatencyDist::kUniform,
                                             LatencyDist::kExponential);
        const std::int32_t key_count = *rc::gen::inRange<std::int32_t>(1, 4);
        run.key_count = key_count;
        run.nemesis_partition = run.nemesis_kill = run.nemesis_pause = run.nemesis_slow = false;

        // Ops: (gap in ms, thread, kind, key). Kinds shrink towards 0, the plainest op.
        const auto op_count = *rc::gen::inRange<std::int32_t>(1, shape.ops_max + 1);
        const auto steps = *rc::gen::container<std::vector<std::tuple<int, int, int, int>>>(
            static_cast<std::size_t>(op_count),
            rc::gen::tuple(rc::gen::inRange(0, 300), rc::gen::inRange(0, run.concurrency),
                           rc::gen::inRange(0, 10), rc::gen::inRange(0, key_count)));
        ClientScript script;
        std::map<std::string, std::int64_t> sent;
        Instant at_us = 0;
        for (const auto& [gap_ms, thread, kind, key_index] : steps) {
            at_us += static_cast<Instant>(gap_ms) * 1000;
            const std::string key = std::to_string(key_index);
            ScriptedOp op;
            op.at_us = at_us;
            op.thread = thread;
            if (kind <= 3) {
                op.op = send_op(key, ++sent[key]);
            } else if (kind <= 6) {
                op.op = poll_op();
            } else if (kind <= 8) {
                op.op = assign_op({key}, false);
            } else {
                // A rewind, as Maelstrom's final phase does it: a fresh process first (a
                // process whose polls went back would be :nonmonotonic-poll), then every key
                // from offset 0.
                ScriptedOp crash = op;
                crash.op = Invocation{"crash", edn::Value(), {}, true};
                script.push_back(std::move(crash));
                std::vector<std::string> all;
                for (std::int32_t k = 0; k < key_count; ++k) all.push_back(std::to_string(k));
                op.op = assign_op(all, true);
            }
            script.push_back(std::move(op));
        }

        // Faults: (start in ms, kind, target node, duration in ms).
        FaultSchedule faults;
        if (!shape.fault_kinds.empty() && shape.faults_max > 0) {
            const auto fault_count = *rc::gen::inRange<std::int32_t>(0, shape.faults_max + 1);
            const Instant span_ms = std::max<Instant>(at_us / 1000, 100);
            const auto events = *rc::gen::container<std::vector<std::tuple<int, int, int, int>>>(
                static_cast<std::size_t>(fault_count),
                rc::gen::tuple(rc::gen::inRange(0, static_cast<int>(span_ms) + 1),
                               rc::gen::inRange(0, static_cast<int>(shape.fault_kinds.size())),
                               rc::gen::inRange(0, node_count), rc::gen::inRange(100, 3000)));
            for (const auto& [start_ms, kind_index, target, duration_ms] : events) {
                FaultEvent event;
                event.at_us = static_cast<Instant>(start_ms) * 1000;
                event.duration_us = static_cast<Instant>(duration_ms) * 1000;
                event.kind = shape.fault_kinds[static_cast<std::size_t>(kind_index)];
                const NodeId& node = run.nodes[static_cast<std::size_t>(target)];
                if (event.kind == FaultKind::kPartition) {
                    // The target is cut off from every other node, both ways.
                    if (node_count < 2) continue;
                    for (const auto& other : run.nodes) {
                        if (other == node) continue;
                        event.grudge[node].push_back(other);
                        event.grudge[other].push_back(node);
                    }
                } else {
                    event.nodes = {node};
                    if (event.kind == FaultKind::kSlow) event.extra_latency_ms = 100;
                }
                faults.push_back(std::move(event));
            }
        }

        Instant last_us = at_us;
        for (const auto& event : faults) last_us = std::max(last_us, event.at_us);
        run.time_limit_us = last_us + 1'000'000;
        run.client_script = std::move(script);
        run.fault_schedule = std::move(faults);
        return run;
    });
}

void showValue(const RunOptions& run, std::ostream& out) {
    out << write_scenario_json(scenario_for_run(run, "generated run", "", "any"));
}

}  // namespace millpond::sim
