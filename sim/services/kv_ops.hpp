#pragma once
// The key-value request semantics shared by lin-kv, seq-kv and lww-kv: Maelstrom's
// PersistentKV and LWWKV `handle`. A request touches exactly the one key it names, so the whole
// operation is a function of (request, that key's current value) -> (reply, value written);
// each service only decides which state the key is looked up in and where the result goes.
//
// read {key}               -> read_ok {value}, or error 20 "key does not exist"
// write {key, value}       -> write_ok; creates the key
// cas {key, from, to[, create_if_not_exists]}
//                          -> cas_ok when the value equals `from` (Clojure's =), else error 22
//                             "current value <pr-str current> is not <pr-str from>"; a missing
//                             key is error 20 unless create_if_not_exists is truthy, which
//                             creates it with `to` (lww-kv ignores the flag and prints `from`
//                             with str, so a string `from` appears unquoted)
//
// Malformed requests: Maelstrom reads every field with a keyword lookup, so a missing field is
// nil, never an error: a read without `key` reads the key null, a write without `value` writes
// null. The services do exactly that (and log a line, since it is almost certainly a node bug),
// because answering error 12 instead would let a node pass here and misbehave under Maelstrom.
// A body that is not an object, or whose type is not read/write/cas, gets no reply at all: the
// `case` in Maelstrom's service throws and the caller times out.

#include <map>
#include <optional>

#include "core/effects.hpp"
#include "core/message.hpp"
#include "sim/services/clojure_value.hpp"

namespace millpond::sim {

enum class KvRequest { kRead, kWrite, kCas };

enum class KvFlavor {
    kPersistent,     // lin-kv and seq-kv (PersistentKV)
    kLastWriteWins,  // lww-kv (LWWKV): cas ignores create_if_not_exists, str-prints `from`
};

// The KV request `body` asks for, or nullopt when it asks for none (no reply is due).
std::optional<KvRequest> kv_request_of(const json& body);

// Gives every field `request` reads that the body lacks the value null, as Maelstrom's keyword
// lookup does, logging one line per request that lacked any. After this, body["key"] etc. are
// present. REQUIRES: kv_request_of(message.body) == request.
void fill_missing_kv_fields(KvRequest request, Message& message, Out& out);

struct KvStep {
    json reply;  // the reply body, without in_reply_to
    // The value the key holds after the request, pointing into the request body (the caller
    // may move from it once it is done with the body); nullptr when the request writes nothing.
    json* written = nullptr;
};

// Applies the request to its key's current value (`current`; nullptr when the key is absent).
// Does not modify the body. REQUIRES: fill_missing_kv_fields was applied to `body`.
KvStep kv_step(KvRequest request, json& body, const json* current, KvFlavor flavor);

// Whether applying `step` changes the state. Maelstrom compares whole states with `=`, so
// writing (or cas-ing to) the value a key already holds is no change.
bool kv_step_changes(const KvStep& step, const json* current);

// One plain KV state, as lin-kv keeps it. Keys compare with Clojure's `=`.
using KvMap = std::map<json, json, ClojureLess>;

struct KvResult {
    json reply;  // without in_reply_to
    bool changed = false;
};

// Applies `request` to `map`: kv_step on the key's current value, then stores what it wrote.
// Moves the key and the written value out of `body`.
KvResult apply_kv_request(KvMap& map, KvRequest request, json& body);

}  // namespace millpond::sim
