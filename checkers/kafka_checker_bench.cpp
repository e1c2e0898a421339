// Google Benchmark: check_kafka on synthetic valid histories of growing length, so the
// checker's cost per op can be followed without the simulator (which `millpond bench` times
// end to end). Run: build/millpond_benchmarks --benchmark_filter=CheckKafka
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "history.hpp"
#include "kafka_checker.hpp"

namespace millpond::checkers {
namespace {

// A valid history shaped like Maelstrom's kafka client ops: `processes` threads take turns;
// each op is a send to one of `key_count` keys (offsets dense per key) or a poll returning, per
// key, the messages that process has not read yet (up to 8 per key, as the designs cap it).
history::History synthetic_history(std::int64_t ops, std::int64_t processes, std::int64_t key_count) {
    history::History history;
    history.reserve(static_cast<std::size_t>(ops * 2));
    std::vector<std::vector<std::int64_t>> logs(static_cast<std::size_t>(key_count));
    std::vector<std::map<std::int64_t, std::int64_t>> read_upto(static_cast<std::size_t>(processes));
    std::int64_t next_msg = 1;
    auto add = [&](history::OpType type, std::int64_t process, const char* f, edn::Value value) {
        history::Op op;
        op.index = static_cast<std::int64_t>(history.size());
        op.time_ns = op.index * 1'000'000;
        op.type = type;
        op.process = process;
        op.f = f;
        op.value = std::move(value);
        history.push_back(std::move(op));
    };
    for (std::int64_t i = 0; i < ops; ++i) {
        const std::int64_t process = i % processes;
        const std::int64_t key = (i * 7 + i / 3) % key_count;
        const std::string key_text = std::to_string(key);
        if (i % 2 == 0) {
            const std::int64_t msg = next_msg++;
            auto& log = logs[static_cast<std::size_t>(key)];
            const auto offset = static_cast<std::int64_t>(log.size());
            log.push_back(msg);
            add(history::OpType::kInvoke, process, "send",
                edn::Value::vector({edn::Value::vector({edn::Value::keyword("send"), edn::Value(key_text), edn::Value(msg)})}));
            add(history::OpType::kOk, process, "send",
                edn::Value::vector({edn::Value::vector(
                    {edn::Value::keyword("send"), edn::Value(key_text),
                     edn::Value::vector({edn::Value(offset), edn::Value(msg)})})}));
        } else {
            add(history::OpType::kInvoke, process, "poll",
                edn::Value::vector({edn::Value::vector({edn::Value::keyword("poll")})}));
            edn::Entries polled;
            for (std::int64_t k = 0; k < key_count; ++k) {
                auto& from = read_upto[static_cast<std::size_t>(process)][k];
                const auto& log = logs[static_cast<std::size_t>(k)];
                edn::Items pairs;
                for (std::int64_t o = from; o < static_cast<std::int64_t>(log.size()) && o < from + 8; ++o)
                    pairs.push_back(edn::Value::vector({edn::Value(o), edn::Value(log[static_cast<std::size_t>(o)])}));
                if (pairs.empty()) continue;
                from += static_cast<std::int64_t>(pairs.size());
                polled.emplace_back(edn::Value(std::to_string(k)), edn::Value::vector(std::move(pairs)));
            }
            add(history::OpType::kOk, process, "poll",
                edn::Value::vector({edn::Value::vector(
                    {edn::Value::keyword("poll"), edn::Value::map(std::move(polled))})}));
        }
    }
    return history;
}

void BM_CheckKafka(benchmark::State& state) {
    const history::History history = synthetic_history(state.range(0), 4, 10);
    for (auto _ : state) {
        edn::Value result = check_kafka(history);
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
    state.counters["ops"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_CheckKafka)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

void BM_EdnValueCopy(benchmark::State& state) {
    const history::History history = synthetic_history(1'000, 4, 10);
    for (auto _ : state) {
        history::History copy = history;
        benchmark::DoNotOptimize(copy);
    }
    state.SetItemsProcessed(state.iterations() * 2'000);
}
BENCHMARK(BM_EdnValueCopy);

}  // namespace
}  // namespace millpond::checkers
