#pragma once
// Stable hashing: the same bytes give the same value on every platform and every run.
// Used wherever a hash reaches routing, ordering or output (std::hash never does).

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace millpond {

inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
inline constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;

constexpr std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t state = kFnvOffset) {
    for (unsigned char c : bytes) {
        state ^= c;
        state *= kFnvPrime;
    }
    return state;
}

// For unordered containers keyed by strings that are only looked up, never iterated (so their
// order cannot reach a run): fnv1a64, the same on every platform (std::hash is not), and
// usable for string_view lookups with std::equal_to<>.
struct StableStringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const noexcept { return fnv1a64(key); }
};

// SplitMix64's finaliser: a bijective mixer with good avalanche, used to seed and derive.
constexpr std::uint64_t mix64(std::uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

// Incremental 64-bit hasher for fingerprints: absorbs integers and strings in order.
class Hasher {
  public:
    // One rotate, xor and multiply per word (a run absorbs millions: every key and scalar of
    // every body). Each step is a bijection of the state for a given word (rotation, xor and
    // a multiply by an odd constant all are), so two sequences that differ in one word always
    // end in different states; the rotation carries the high bits, which a multiply never
    // moves down, into the next word's low ones. value() applies mix64 once, for avalanche.
    void add(std::uint64_t value) { state_ = absorb(state_, value); }
    // Every key and string of every message body comes through here, so strings go in eight
    // bytes at a time (as little-endian words: the same value on every platform); the last,
    // partial word carries the length in its top byte. One mix for a key like "type".
    void add(std::string_view bytes) { state_ = absorb(state_, bytes); }

    // The same steps on a bare state, for walks that keep it in a register (hash_json passes
    // it down and back up a body's tree) and hand it back through with_state.
    static constexpr std::uint64_t absorb(std::uint64_t state, std::uint64_t value) {
        return (std::rotl(state, 23) ^ value) * kAbsorbFactor;
    }
    static std::uint64_t absorb(std::uint64_t state, std::string_view bytes) {
        const std::size_t size = bytes.size();
        std::size_t at = 0;
        for (; at + 8 <= size; at += 8) state = absorb(state, load_le(bytes.data() + at, 8));
        return absorb(state,
                      load_le(bytes.data() + at, size - at) ^ (static_cast<std::uint64_t>(size) << 56));
    }
    // Runs `steps` on this hasher's state: state = steps(state).
    template <typename Steps>
    void with_state(Steps&& steps) {
        state_ = steps(state_);
    }
    std::uint64_t value() const { return mix64(state_); }

    // `count` (at most 8) bytes as a little-endian integer: what memcpy into a zeroed word
    // gives on a little-endian machine. Public so a test can hold it to exactly that.
    static std::uint64_t load_le(const char* bytes, std::size_t count) {
        if (count == 8) return word_le(bytes);
        // Shorter tails (most keys: "type", "msg_id") are read as two overlapping loads, not
        // through a call to memcpy with a variable length; the overlapping bytes are equal,
        // so OR-ing them changes nothing.
        if (count >= 4) {
            const std::uint64_t low = half_le(bytes);
            const std::uint64_t high = half_le(bytes + count - 4);
            return low | high << (8 * (count - 4));
        }
        if (count == 0) return 0;
        const auto byte = [bytes](std::size_t at) {
            return static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at]));
        };
        return byte(0) | byte(count / 2) << (8 * (count / 2)) | byte(count - 1) << (8 * (count - 1));
    }

  private:
    static std::uint64_t word_le(const char* bytes) {
        std::uint64_t word = 0;
        std::memcpy(&word, bytes, 8);
        if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
        return word;
    }
    static std::uint64_t half_le(const char* bytes) {
        std::uint32_t half = 0;
        std::memcpy(&half, bytes, 4);
        if constexpr (std::endian::native == std::endian::big) half = __builtin_bswap32(half);
        return half;
    }

    static constexpr std::uint64_t kAbsorbFactor = 0x9e3779b97f4a7c15ULL;  // odd: 2^64 / phi
    std::uint64_t state_ = 0x6d696c6c706f6e64ULL;  // "millpond"
};

}  // namespace millpond
