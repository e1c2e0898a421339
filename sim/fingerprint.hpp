#pragma once
// The run fingerprint: one stable 64-bit hash over every event of a run (sends with their
// bodies, deliveries, drops, timer firings, history ops). Two runs with the same fingerprint
// took the same path; --check-determinism and the determinism tests compare them.

#include <string>

#include "core/hash.hpp"
#include "core/message.hpp"

namespace millpond::sim {

// Absorbs a JSON value structurally (objects in key order), without serialising it.
void hash_json(Hasher& hasher, const json& value);

std::string fingerprint_hex(std::uint64_t fingerprint);

}  // namespace millpond::sim
