#include "judged_run.hpp"

#include "commands.hpp"
#include "core/assert.hpp"
#include "results.hpp"
#include "services/service.hpp"
#include "workloads.hpp"

namespace millpond::sim {

JudgedRun run_and_judge(const RunOptions& options) {
    std::string error;
    auto workload = make_workload(options.workload, options, &error);
    MP_ASSERT(workload != nullptr);
    JudgedRun judged;
    judged.outcome = run_simulation(options, *workload, node_factory_for(options),
                                    service_names(), [](const std::string& name) {
                                        return make_service(name);
                                    });
    const RunOutcome& outcome = judged.outcome;
    if (outcome.aborted.empty()) {
        judged.workload_result = workload->check(outcome.history);
    } else {
        // A run that stopped early has a history no checker should judge as complete.
        judged.workload_result = edn::Value::map();
        judged.workload_result.set_entry("valid?", edn::Value::keyword("unknown"));
        judged.workload_result.set_entry("error", outcome.aborted);
    }
    judged.results = compose_results(outcome.history, &outcome.journal, judged.workload_result,
                                     options.availability, outcome.exceptions);
    if (!outcome.aborted.empty()) judged.results.set_entry("valid?", edn::Value::keyword("unknown"));
    return judged;
}

std::vector<Instant> ok_latencies_us(const history::History& history) {
    std::vector<Instant> latencies;
    const auto pairs = history::pair_ops(history);
    for (std::size_t i = 0; i < history.size(); ++i) {
        const auto& op = history[i];
        if (op.type != history::OpType::kOk || pairs.invocation_of[i] < 0) continue;
        const auto& invoke = history[static_cast<std::size_t>(pairs.invocation_of[i])];
        latencies.push_back((op.time_ns - invoke.time_ns) / 1000);
    }
    return latencies;
}

}  // namespace millpond::sim
