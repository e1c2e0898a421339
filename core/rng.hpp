#pragma once
// The in-house random number generator. SplitMix64 expands a seed into state, xoshiro256**
// draws, and every range mapping (bounded integers, doubles, exponential) is written here, so
// the same seed gives the same numbers on every platform and standard library. std::*
// distributions are banned in the simulator: their output differs between libstdc++ and libc++.
//
// Streams: every consumer (the network, each node, each client, the nemesis) takes its own
// stream with derive(name) or derive(number). A derived stream depends only on the parent's
// seed and the stream id, never on how many numbers the parent has drawn, so adding a draw in
// one consumer never shifts the numbers another consumer sees.

#include <array>
#include <cstdint>
#include <string_view>

namespace millpond {

class Rng {
  public:
    explicit Rng(std::uint64_t seed);

    std::uint64_t seed() const { return seed_; }

    // A raw 64-bit draw.
    std::uint64_t next_u64();
    // Uniform integer in [0, bound). REQUIRES: bound > 0. Unbiased (Lemire, with rejection).
    std::uint64_t uniform(std::uint64_t bound);
    // Uniform integer in [lo, hi]. REQUIRES: lo <= hi.
    std::int64_t uniform_inclusive(std::int64_t lo, std::int64_t hi);
    // Uniform double in [0, 1), 53 random bits.
    double uniform_double();
    // True with probability p (p outside [0,1] clamps).
    bool chance(double p);
    // Exponential with the given mean (rate 1/mean); mean 0 gives 0.
    double exponential(double mean);

    Rng derive(std::uint64_t stream) const;
    Rng derive(std::string_view name) const;

  private:
    std::uint64_t seed_;
    std::array<std::uint64_t, 4> state_;
};

// Natural logarithm from IEEE basic operations only (+ - * / and exact frexp), so it is
// bit-identical everywhere. REQUIRES: x > 0.
double portable_log(double x);

}  // namespace millpond
