#include "clock.hpp"

#include "core/assert.hpp"

namespace millpond::maelstrom {

Instant SteadyClock::now_us() {
    const auto elapsed = std::chrono::steady_clock::now() - origin_;
    const Instant now_us = std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count();
    MP_ASSERT_GE(now_us, 0);
    return now_us;
}

void FakeClock::advance_to(Instant to_us) {
    MP_ASSERT_GE(to_us, now_us_);
    now_us_ = to_us;
}

}  // namespace millpond::maelstrom
