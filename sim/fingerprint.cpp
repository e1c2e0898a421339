#include "fingerprint.hpp"

#include <cstdio>
#include <cstring>

namespace millpond::sim {

void hash_json(Hasher& hasher, const json& value) {
    hasher.add(static_cast<std::uint64_t>(value.type()));
    switch (value.type()) {
        case json::value_t::null:
        case json::value_t::discarded:
            return;
        case json::value_t::boolean:
            hasher.add(value.get<bool>() ? 1u : 0u);
            return;
        case json::value_t::number_integer:
            hasher.add(static_cast<std::uint64_t>(value.get<std::int64_t>()));
            return;
        case json::value_t::number_unsigned:
            hasher.add(value.get<std::uint64_t>());
            return;
        case json::value_t::number_float: {
            const double d = value.get<double>();
            std::uint64_t bits = 0;
            std::memcpy(&bits, &d, sizeof bits);
            hasher.add(bits);
            return;
        }
        case json::value_t::string:
            hasher.add(value.get_ref<const std::string&>());
            return;
        case json::value_t::array:
            hasher.add(static_cast<std::uint64_t>(value.size()));
            for (const auto& item : value) hash_json(hasher, item);
            return;
        case json::value_t::object:
            // nlohmann::json objects are std::map: iteration is in key order.
            hasher.add(static_cast<std::uint64_t>(value.size()));
            for (auto it = value.begin(); it != value.end(); ++it) {
                hasher.add(it.key());
                hash_json(hasher, it.value());
            }
            return;
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
