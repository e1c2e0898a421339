#include "echo_workload.hpp"

#include <array>
#include <string_view>

#include "checkers/echo_checker.hpp"
#include "core/assert.hpp"

namespace millpond::sim {

std::string check_closed_schema(const json& body, std::initializer_list<const char*> fields) {
    const auto* members = body.get_ptr<const json::object_t*>();
    if (members == nullptr) return "reply body is not an object";
    // Every reply is checked: one pass over the body's keys, then the problems in Maelstrom's
    // order of precedence (a missing required key, then a disallowed key, then the ids).
    // Views with their lengths known: comparing a key costs a length check, not a strlen.
    // Replies have a handful of required fields; a small array keeps this cheap to set up.
    MP_ASSERT_LE(fields.size(), 8u);
    std::array<std::string_view, 8> wanted;
    std::size_t wanted_count = 0;
    for (const char* field : fields) wanted[wanted_count++] = field;
    using namespace std::string_view_literals;
    std::uint32_t present = 0;  // bit i: fields[i] seen
    std::string_view disallowed;
    bool has_disallowed = false;
    const json* in_reply_to = nullptr;
    const json* msg_id = nullptr;
    for (const auto& [key_string, value] : *members) {
        const std::string_view key = key_string;
        std::uint32_t seen = 0;
        for (std::size_t i = 0; i < wanted_count; ++i)
            if (key == wanted[i]) seen |= std::uint32_t{1} << i;
        present |= seen;
        if (key == "in_reply_to"sv) {
            in_reply_to = &value;
        } else if (key == "msg_id"sv) {
            msg_id = &value;
        } else if (seen == 0 && key != "type"sv && !has_disallowed) {
            // type, msg_id and in_reply_to are always allowed, and may also be required.
            has_disallowed = true;
            disallowed = key;
        }
    }
    std::uint32_t bit = 1;
    for (const char* field : fields) {
        if ((present & bit) == 0) return std::string("reply is missing required key ") + field;
        bit <<= 1;
    }
    if (has_disallowed) return "reply has disallowed key " + std::string(disallowed);
    if (in_reply_to == nullptr) return "reply is missing required key in_reply_to";
    if (!in_reply_to->is_number_integer()) return "reply in_reply_to is not an integer";
    if (msg_id != nullptr && !msg_id->is_number_integer()) return "reply msg_id is not an integer";
    return "";
}

std::string reply_problem(const json& body, std::string_view type,
                          std::initializer_list<const char*> fields) {
    if (body_type_view(body) != type) {
        const bool vowel =
            !type.empty() && std::string_view("aeiou").find(type[0]) != std::string_view::npos;
        return std::string(vowel ? "expected an " : "expected a ") + std::string(type) +
               " reply, got type " +
               (body.is_object() ? body.value("type", json()).dump() : body.dump());
    }
    return check_closed_schema(body, fields);
}

namespace {

class EchoClient final : public WorkloadClient {
  public:
    void invoke(const Invocation& op, OpContext& context) override {
        context.call({{"type", "echo"}, {"echo", op.value.as_string()}});
    }
    void on_reply(json&& body, OpContext& context) override {
        if (auto problem = reply_problem(body, "echo_ok", {"echo"}); !problem.empty()) {
            context.complete_with_schema_violation(problem);
            return;
        }
        // Maelstrom records the whole reply body, keys as keywords.
        context.complete(history::OpType::kOk, edn::from_json(body, true));
    }
};

}  // namespace

std::unique_ptr<WorkloadClient> EchoWorkload::open_client() {
    return std::make_unique<EchoClient>();
}

Invocation EchoWorkload::next_op(std::int32_t, Rng& rng) {
    return Invocation{"echo", edn::Value("Please echo " + std::to_string(rng.uniform(128))), {}, false};
}

edn::Value EchoWorkload::check(const history::History& history) const {
    return checkers::check_echo(history);
}

}  // namespace millpond::sim
