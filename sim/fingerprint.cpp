#include "fingerprint.hpp"

#include <cstdio>
#include <cstring>
#include <iterator>

namespace millpond::sim {

// Every message body passes through here. Containers are walked as the vectors nlohmann and
// SortedFields keep inside, not through basic_json's type-dispatching iterators, and a
// scalar goes in as one word: its value salted with a constant per type, so 1, 1u, 1.0-as-bits
// and true stay apart.
namespace {
constexpr std::uint64_t kTypeSalt[] = {
    0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL, 0x082efa98ec4e6c89ULL,
    0x452821e638d01377ULL, 0xbe5466cf34e90c6cULL, 0xc0ac29b7c97c50ddULL, 0x3f84d5b5b5470917ULL,
    0x9216d5d98979fb1bULL, 0xd1310ba698dfb5acULL};

std::uint64_t salt(json::value_t type) {
    const auto index = static_cast<std::size_t>(type);
    return index < std::size(kTypeSalt) ? kTypeSalt[index] : 0;
}

// The walk passes the state by value, down and back up, so it stays in a register; through
// the Hasher it went to memory and back at every word, as nothing told the compiler a body's
// integers could not alias it.
std::uint64_t walk(std::uint64_t state, const json& value);

// Integers are most of a body's leaves (offsets, messages, ids): absorbed here without a call,
// exactly as walk would absorb them.
inline std::uint64_t walk_member(std::uint64_t state, const json& value) {
    if (const auto* integer = value.get_ptr<const json::number_integer_t*>())
        return Hasher::absorb(state, salt(json::value_t::number_integer) ^
                                         static_cast<std::uint64_t>(*integer));
    return walk(state, value);
}

std::uint64_t walk(std::uint64_t state, const json& value) {
    const json::value_t type = value.type();
    switch (type) {
        case json::value_t::null:
        case json::value_t::discarded:
            return Hasher::absorb(state, salt(type));
        case json::value_t::boolean:
            return Hasher::absorb(
                state, salt(type) ^ (*value.get_ptr<const json::boolean_t*>() ? 1u : 0u));
        case json::value_t::number_integer:
            return Hasher::absorb(state, salt(type) ^ static_cast<std::uint64_t>(
                                                          *value.get_ptr<const json::number_integer_t*>()));
        case json::value_t::number_unsigned:
            return Hasher::absorb(state,
                                  salt(type) ^ *value.get_ptr<const json::number_unsigned_t*>());
        case json::value_t::number_float: {
            const double d = *value.get_ptr<const json::number_float_t*>();
            std::uint64_t bits = 0;
            std::memcpy(&bits, &d, sizeof bits);
            return Hasher::absorb(state, salt(type) ^ bits);
        }
        case json::value_t::string:
            state = Hasher::absorb(state, salt(type));
            return Hasher::absorb(state, std::string_view(*value.get_ptr<const json::string_t*>()));
        case json::value_t::array: {
            const auto& items = *value.get_ptr<const json::array_t*>();
            state = Hasher::absorb(state, salt(type) ^ static_cast<std::uint64_t>(items.size()));
            for (const json& item : items) state = walk_member(state, item);
            return state;
        }
        case json::value_t::object: {
            // SortedFields keeps members in key order, as std::map did: the same walk.
            const auto& members = *value.get_ptr<const json::object_t*>();
            state = Hasher::absorb(state, salt(type) ^ static_cast<std::uint64_t>(members.size()));
            for (const auto& [key, member] : members) {
                state = Hasher::absorb(state, std::string_view(key));
                state = walk_member(state, member);
            }
            return state;
        }
        case json::value_t::binary:
            return Hasher::absorb(state,
                                  salt(type) ^ static_cast<std::uint64_t>(value.get_binary().size()));
    }
    return state;
}
}  // namespace

void hash_json(Hasher& hasher, const json& value) {
    hasher.with_state([&](std::uint64_t state) { return walk(state, value); });
}

std::string fingerprint_hex(std::uint64_t fingerprint) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fingerprint));
    return buffer;
}

}  // namespace millpond::sim
