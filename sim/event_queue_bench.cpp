// Google Benchmark: the simulator's event queue, pushing and popping in the steady state a
// run sees (a few thousand pending events, payloads that own a string, like timer keys).
// Run: build/millpond_benchmarks --benchmark_filter=EventQueue
#include <benchmark/benchmark.h>

#include <string>
#include <variant>

#include "event_queue.hpp"

namespace millpond::sim {
namespace {

struct Deliver {
    std::int32_t participant;
};
struct Timer {
    std::int32_t participant;
    std::string key;
};
using Payload = std::variant<Deliver, Timer>;

void BM_EventQueuePushPop(benchmark::State& state) {
    const auto pending = static_cast<std::int64_t>(state.range(0));
    EventQueue<Payload> queue;
    std::uint64_t x = 88172645463325252ULL;
    auto next = [&] {  // xorshift: deterministic delays without the simulator's Rng
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return static_cast<Instant>(x % 10'000);
    };
    for (std::int64_t i = 0; i < pending; ++i)
        queue.push(next(), i % 4 == 0 ? Payload(Timer{1, "rpc:" + std::to_string(i)}) : Payload(Deliver{2}));
    std::int64_t i = 0;
    for (auto _ : state) {
        auto entry = queue.pop();
        benchmark::DoNotOptimize(entry);
        queue.push(queue.now_us() + next(),
                   ++i % 4 == 0 ? Payload(Timer{1, "rpc:" + std::to_string(i)}) : Payload(Deliver{2}));
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EventQueuePushPop)->Arg(64)->Arg(4096);

}  // namespace
}  // namespace millpond::sim
