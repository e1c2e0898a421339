#include "rng.hpp"

#include <cmath>

#include "assert.hpp"
#include "hash.hpp"

namespace millpond {

namespace {

std::uint64_t splitmix64_next(std::uint64_t& state) {
    state += 0x9e3779b97f4a7c15ULL;
    return mix64(state);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed) : seed_(seed) {
    std::uint64_t sm = seed;
    for (auto& word : state_) word = splitmix64_next(sm);
    // xoshiro's only forbidden state is all zeros; SplitMix64 cannot produce four zeros in a row.
    MP_ASSERT((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

std::uint64_t Rng::next_u64() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
}

std::uint64_t Rng::uniform(std::uint64_t bound) {
    MP_ASSERT_GT(bound, 0u);
    // Lemire's multiply-shift: the high half of x * bound is uniform once the low half
    // falls outside the biased zone [0, 2^64 mod bound).
    unsigned __int128 product = static_cast<unsigned __int128>(next_u64()) * bound;
    auto low = static_cast<std::uint64_t>(product);
    if (low < bound) {
        const std::uint64_t threshold = (0 - bound) % bound;
        while (low < threshold) {
            product = static_cast<unsigned __int128>(next_u64()) * bound;
            low = static_cast<std::uint64_t>(product);
        }
    }
    return static_cast<std::uint64_t>(product >> 64);
}

std::int64_t Rng::uniform_inclusive(std::int64_t lo, std::int64_t hi) {
    MP_ASSERT_LE(lo, hi);
    const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
    if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + uniform(span + 1));
}

double Rng::uniform_double() {
    return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

bool Rng::chance(double p) {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return uniform_double() < p;
}

double Rng::exponential(double mean) {
    MP_ASSERT_GE(mean, 0.0);
    if (mean == 0) return 0;
    // 1 - u lies in (0, 1], so the logarithm is finite.
    return -mean * portable_log(1.0 - uniform_double());
}

Rng Rng::derive(std::uint64_t stream) const {
    return Rng(mix64(seed_ ^ mix64(stream + 0x5851f42d4c957f2dULL)));
}

Rng Rng::derive(std::string_view name) const { return derive(fnv1a64(name)); }

double portable_log(double x) {
    MP_ASSERT_GT(x, 0.0);
    MP_ASSERT(std::isfinite(x));
    int exponent = 0;
    double mantissa = std::frexp(x, &exponent);  // exact: x = mantissa * 2^exponent, [0.5, 1)
    if (mantissa < 0.70710678118654752440) {
        mantissa *= 2;  // exact
        exponent -= 1;
    }
    // ln(m) = 2 atanh(s) with s = (m-1)/(m+1), |s| < 0.172: the odd series converges fast.
    const double s = (mantissa - 1.0) / (mantissa + 1.0);
    const double s2 = s * s;
    double term = s;
    double sum = 0;
    for (int k = 1; k <= 41; k += 2) {
        sum += term / k;
        term *= s2;
    }
    // ln 2 split into a part exact in few bits and a correction, to keep e*ln2 accurate.
    constexpr double kLn2High = 6.93147180369123816490e-01;
    constexpr double kLn2Low = 1.90821492927058770002e-10;
    const double e = exponent;
    return e * kLn2High + (2.0 * sum + e * kLn2Low);
}

}  // namespace millpond
