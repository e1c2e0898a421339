#include "fingerprint.hpp"

#include <cstdio>
#include <cstring>

namespace millpond::sim {

// Every message body passes through here (a tenth of a run's instructions before this was
// written against the containers directly): arrays and objects are walked as the std::vector
// and std::map nlohmann keeps inside, not through basic_json's type-dispatching iterators. The
// sequence absorbed is unchanged, so fingerprints are too.
void hash_json(Hasher& hasher, const json& value) {
    const json::value_t type = value.type();
    hasher.add(static_cast<std::uint64_t>(type));
    switch (type) {
        case json::value_t::null:
        case json::value_t::discarded:
            return;
        case json::value_t::boolean:
            hasher.add(*value.get_ptr<const json::boolean_t*>() ? 1u : 0u);
            return;
        case json::value_t::number_integer:
            hasher.add(static_cast<std::uint64_t>(*value.get_ptr<const json::number_integer_t*>()));
            return;
        case json::value_t::number_unsigned:
            hasher.add(*value.get_ptr<const json::number_unsigned_t*>());
            return;
        case json::value_t::number_float: {
            const double d = *value.get_ptr<const json::number_float_t*>();
            std::uint64_t bits = 0;
            std::memcpy(&bits, &d, sizeof bits);
            hasher.add(bits);
            return;
        }
        case json::value_t::string:
            hasher.add(*value.get_ptr<const json::string_t*>());
            return;
        case json::value_t::array: {
            const auto& items = *value.get_ptr<const json::array_t*>();
            hasher.add(static_cast<std::uint64_t>(items.size()));
            for (const json& item : items) hash_json(hasher, item);
            return;
        }
        case json::value_t::object: {
            // nlohmann::json objects are std::map: iteration is in key order.
            const auto& members = *value.get_ptr<const json::object_t*>();
            hasher.add(static_cast<std::uint64_t>(members.size()));
            for (const auto& [key, member] : members) {
                hasher.add(key);
                hash_json(hasher, member);
            }
            return;
        }
        case json::value_t::binary:
            hasher.add(static_cast<std::uint64_t>(value.get_binary().size()));
            return;
    }
}

std::string fingerprint_hex(std::uint64_t fingerprint) {
    char buffer[17];
    std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(fingerprint));
    return buffer;
}

}  // namespace millpond::sim
