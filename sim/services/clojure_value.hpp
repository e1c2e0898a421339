#pragma once
// JSON values seen the way Maelstrom's services see them. Maelstrom parses a request body into
// Clojure data (integers as Long, fractions as Double, arrays as vectors, nested objects as maps
// with string keys) and then compares, looks up and prints those values with Clojure's own
// functions. The services reproduce that, because a node can observe it:
//
// - Equality is Clojure's `=`: structural, and numbers of different categories are never equal,
//   so 1 and 1.0 are different keys and a cas from 1 does not match a stored 1.0. (nlohmann's
//   operator== would call them equal.) 0.0 and -0.0 are equal.
// - Error texts print values with `pr-str` (strings quoted, null as nil, arrays as [1 2]) or
//   `str` (strings bare, null as empty).
//
// Not reproduced: the print order of an object's entries (Clojure prints in its hash-map order,
// we print in key order), and integers beyond 64 bits (Clojure keeps them as BigInt, nlohmann
// parses them as doubles).

#include <string>

#include "core/message.hpp"

namespace millpond::sim {

// Clojure's `=` on parsed JSON.
bool clojure_equal(const json& a, const json& b);

// A strict weak order whose equivalence is exactly clojure_equal: the ordered containers of
// the KV services use it, so key lookup agrees with Clojure's `contains?`. Kinds rank
// null < boolean < integer < float < string < array < object, then values compare within a kind.
struct ClojureLess {
    bool operator()(const json& a, const json& b) const;
};

// Clojure truthiness: everything but null and false (0, "" and [] are true).
bool clojure_truthy(const json& value);

// `pr-str`: the readable printing Maelstrom's cas error texts use.
std::string clojure_pr_str(const json& value);

// `str`: like pr-str, except a string prints bare and null prints as nothing.
std::string clojure_str(const json& value);

// Java's Double.toString (JDK 19 and later: shortest digits), which Clojure prints doubles with:
// 1.0, 0.001, 1.0E7, 1.0E-4, -0.0.
std::string java_double_string(double value);

}  // namespace millpond::sim
