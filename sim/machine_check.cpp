#include "machine_check.hpp"

#include <chrono>

#include "core/assert.hpp"

namespace millpond::sim {

// Never inlined, and starting a 64-byte line, so that its loop sits at the same offset within
// its cache lines in every build of this code. Inlined where link-time optimisation put it, two
// builds of the same code (trained on different runs, so laid out differently) placed the loop
// at different offsets, and side by side their checks read 46.7 and 51.3 ms (session 13).
[[gnu::noinline, gnu::aligned(64)]] MachineCheck run_machine_check(std::int64_t steps) {
    MP_ASSERT_GE(steps, 0);
    const auto started = std::chrono::steady_clock::now();
    std::uint64_t a = 1, b = 2, c = 3, d = 4, e = 5, f = 6;
    for (std::int64_t step = 0; step < steps; ++step) {
        const auto i = static_cast<std::uint64_t>(step);
        a = (a << 7) ^ (a >> 3) ^ i;
        b = (b << 5) + (b >> 9) + i;
        c = (c ^ (c >> 11)) + a;
        d = (d << 3) ^ b;
        e += c ^ d;
        f ^= e + i;
        // Each value stays a register the compiler must compute, step by step: no
        // vectorising, no folding of the loop into a formula.
        asm volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f));
    }
    const std::chrono::duration<double, std::milli> elapsed =
        std::chrono::steady_clock::now() - started;
    return {elapsed.count(), a ^ b ^ c ^ d ^ e ^ f};
}

}  // namespace millpond::sim
