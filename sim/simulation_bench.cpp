// Google Benchmark: one whole standard kafka test (--concurrency 2n --time-limit 20 --rate
// 1000 --seed 1) per backend, simulated only and simulated + checked, with delivered messages
// per second as a counter. `millpond bench` reports the same runs with peak memory.
// Run: build/millpond_benchmarks --benchmark_filter=StandardKafka
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "cli.hpp"
#include "commands.hpp"
#include "core/assert.hpp"
#include "judged_run.hpp"
#include "services/service.hpp"
#include "simulation.hpp"
#include "workloads.hpp"

namespace millpond::sim {
namespace {

RunOptions standard_options(const std::string& backend, int nodes) {
    auto parsed = parse_test_args({"-w", "kafka", "--backend", backend, "--node-count",
                                   std::to_string(nodes), "--concurrency", "2n", "--time-limit",
                                   "20", "--rate", "1000", "--seed", "1"},
                                  1);
    MP_ASSERT(std::holds_alternative<TestCommand>(parsed));
    RunOptions options = std::get<TestCommand>(parsed).run;
    options.journal_bodies = false;
    return options;
}

void run_standard(benchmark::State& state, const std::string& backend, int nodes, bool checked) {
    const RunOptions options = standard_options(backend, nodes);
    std::int64_t delivered = 0;
    for (auto _ : state) {
        if (checked) {
            JudgedRun judged = run_and_judge(options);
            for (const auto& event : judged.outcome.journal.events)
                delivered += event.kind == journal::EventKind::kRecv ? 1 : 0;
            benchmark::DoNotOptimize(judged);
        } else {
            auto workload = make_workload(options.workload, options, nullptr);
            RunOutcome outcome = run_simulation(options, *workload, node_factory_for(options),
                                                service_names(), [](const std::string& name) {
                                                    return make_service(name);
                                                });
            for (const auto& event : outcome.journal.events)
                delivered += event.kind == journal::EventKind::kRecv ? 1 : 0;
            benchmark::DoNotOptimize(outcome);
        }
    }
    state.counters["msgs/s"] =
        benchmark::Counter(static_cast<double>(delivered), benchmark::Counter::kIsRate);
}

void BM_StandardKafkaSimulated(benchmark::State& state, std::string backend, int nodes) {
    run_standard(state, backend, nodes, false);
}
void BM_StandardKafkaChecked(benchmark::State& state, std::string backend, int nodes) {
    run_standard(state, backend, nodes, true);
}
BENCHMARK_CAPTURE(BM_StandardKafkaSimulated, owner_2, std::string("owner"), 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StandardKafkaChecked, memory_1, std::string("memory"), 1)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StandardKafkaChecked, kv_2, std::string("kv"), 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StandardKafkaChecked, owner_2, std::string("owner"), 2)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_StandardKafkaChecked, owner_5, std::string("owner"), 5)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace millpond::sim
