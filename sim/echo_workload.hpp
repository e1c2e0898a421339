#pragma once
// Maelstrom's echo workload (spec §2.1): every thread echoes "Please echo <0..127>"; the ok
// value is the whole reply body; checked by checkers::check_echo.

#include "workload.hpp"

namespace millpond::sim {

class EchoWorkload final : public Workload {
  public:
    std::string_view name() const override { return "echo"; }
    std::unique_ptr<WorkloadClient> open_client() override;
    bool is_idempotent(std::string_view) const override { return false; }
    Invocation next_op(std::int32_t thread, Rng& rng) override;
    edn::Value check(const history::History& history) const override;
};

// Validates a reply body against a closed schema: exactly `fields` (each required) plus
// optional msg_id and required in_reply_to, all integers where Maelstrom says Int. Returns a
// problem text, or "" when the body conforms. `type` is checked separately. At most 8 fields.
std::string check_closed_schema(const json& body, std::initializer_list<const char*> fields);

// A reply's type, then its closed schema (defrpc, spec §1.3): "" when the body is a `type`
// reply with exactly `fields`, else the problem. Every workload client checks its replies so.
std::string reply_problem(const json& body, std::string_view type,
                          std::initializer_list<const char*> fields);

}  // namespace millpond::sim
