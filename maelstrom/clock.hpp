#pragma once
// The adapter's clock: where `now` comes from under real Maelstrom. A node's Instant is
// microseconds since the adapter started, read from a monotonic clock so that it never
// decreases (the Node contract) even if the wall clock is stepped. Tests inject FakeClock.

#include <chrono>

#include "core/message.hpp"

namespace millpond::maelstrom {

class Clock {
  public:
    virtual ~Clock() = default;
    // Microseconds since an arbitrary, fixed origin. Never decreases.
    virtual Instant now_us() = 0;
};

// std::chrono::steady_clock, with the origin at construction.
class SteadyClock final : public Clock {
  public:
    SteadyClock() : origin_(std::chrono::steady_clock::now()) {}
    Instant now_us() override;

  private:
    std::chrono::steady_clock::time_point origin_;
};

// Time moves only when told to.
class FakeClock final : public Clock {
  public:
    explicit FakeClock(Instant start_us = 0) : now_us_(start_us) {}
    Instant now_us() override { return now_us_; }
    // REQUIRES: to_us >= now_us().
    void advance_to(Instant to_us);
    void advance_by(Instant by_us) { advance_to(now_us_ + by_us); }

  private:
    Instant now_us_;
};

}  // namespace millpond::maelstrom
