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

// Integers are most of a body's leaves (offsets, messages, ids): absorbed here without a call,
// exactly as hash_json would absorb them.
void hash_member(Hasher& hasher, const json& value) {
    if (const auto* integer = value.get_ptr<const json::number_integer_t*>())
        hasher.add(salt(json::value_t::number_integer) ^ static_cast<std::uint64_t>(*integer));
    else
        hash_json(hasher, value);
}
}  // namespace

void hash_json(Hasher& hasher, const json& value) {
    const json::value_t type = value.type();
    switch (type) {
        case json::value_t::null:
        case json::value_t::discarded:
            hasher.add(salt(type));
            return;
        case json::value_t::boolean:
            hasher.add(salt(type) ^ (*value.get_ptr<const json::boolean_t*>() ? 1u : 0u));
            return;
        case json::value_t::number_integer:
            hasher.add(salt(type) ^
                       static_cast<std::uint64_t>(*value.get_ptr<const json::number_integer_t*>()));
            return;
        case json::value_t::number_unsigned:
            hasher.add(salt(type) ^ *value.get_ptr<const json::number_unsigned_t*>());
            return;
        case json::value_t::number_float: {
            const double d = *value.get_ptr<const json::number_float_t*>();
            std::uint64_t bits = 0;
            std::memcpy(&bits, &d, sizeof bits);
            hasher.add(salt(type) ^ bits);
            return;
        }
        case json::value_t::string:
            hasher.add(salt(type));
            hasher.add(*value.get_ptr<const json::string_t*>());
            return;
        case json::value_t::array: {
            const auto& items = *value.get_ptr<const json::array_t*>();
            hasher.add(salt(type) ^ static_cast<std::uint64_t>(items.size()));
            for (const json& item : items) hash_member(hasher, item);
            return;
        }
        case json::value_t::object: {
            // SortedFields keeps members in key order, as std::map did: the same walk.
            const auto& members = *value.get_ptr<const json::object_t*>();
            hasher.add(salt(type) ^ static_cast<std::uint64_t>(members.size()));
            for (const auto& [key, member] : members) {
                hasher.add(key);
                hash_member(hasher, member);
            }
            return;
        }
        case json::value_t::binary:
            hasher.add(salt(type) ^ static_cast<std::uint64_t>(value.get_binary().size()));
            return;
    }
}

std::string fingerprint_hex(std::uint64_t fingerprint) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fingerprint));
    return buffer;
}

}  // namespace millpond::sim
