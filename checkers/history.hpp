#pragma once
// The Jepsen history model: what clients invoked and how each op completed. Checkers read only
// histories (and the network journal), never node internals. history.edn holds one op map per
// line in Maelstrom's key order: {:index :time :type :process :f :value ...extras}.

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "edn.hpp"

namespace millpond::history {

enum class OpType { kInvoke, kOk, kFail, kInfo };

std::string_view op_type_name(OpType type);  // "invoke", "ok", "fail", "info"

// Process ids are non-negative integers; the nemesis is Jepsen's :nemesis.
inline constexpr std::int64_t kNemesisProcess = -1;

struct Op {
    std::int64_t index = 0;
    std::int64_t time_ns = 0;  // since the start of the test
    OpType type = OpType::kInvoke;
    std::int64_t process = 0;
    std::string f;  // keyword name, e.g. "send"
    edn::Value value;
    // Every other key of the op map, in order (:error, :exception, :poll-ms, :final? ...).
    std::vector<std::pair<std::string, edn::Value>> extra;

    const edn::Value* find_extra(std::string_view key) const;
    void set_extra(std::string_view key, edn::Value value);
    bool is_client() const { return process != kNemesisProcess; }
};

using History = std::vector<Op>;

edn::Value op_to_edn(const Op& op);
// Converts one parsed op map; on failure returns nullopt with *problem set.
std::optional<Op> op_from_edn(const edn::Value& value, std::string* problem);

// One op per line, in Maelstrom's format.
void write_history(std::ostream& out, const History& history);

struct ReadError {
    std::size_t line = 0;  // 1-based; 0 when the file could not be opened
    std::string message;
};

// Reads a history.edn (one op map per line; also accepts a single top-level vector of ops).
// Blank lines are skipped. Ops are re-indexed only if the file has no :index.
std::optional<History> read_history(const std::string& path, ReadError* error);
std::optional<History> parse_history(std::string_view text, ReadError* error);

// Pairs each invoke with its completion: completion_of[i] is the index (position in the
// history vector) of op i's completion, or -1 (for invokes that never completed and for
// completions themselves). invocation_of is the converse.
struct Pairs {
    std::vector<std::int64_t> completion_of;
    std::vector<std::int64_t> invocation_of;
};
Pairs pair_ops(const History& history);

}  // namespace millpond::history
