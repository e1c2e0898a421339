#include "echo_workload.hpp"

#include <string_view>

#include "checkers/echo_checker.hpp"

namespace millpond::sim {

std::string check_closed_schema(const json& body, std::initializer_list<const char*> fields) {
    if (!body.is_object()) return "reply body is not an object";
    for (const char* field : fields)
        if (!body.contains(field)) return std::string("reply is missing required key ") + field;
    // Every reply is checked, so no allowed-set is built: a handful of fields, scanned.
    auto allowed = [&](std::string_view key) {
        if (key == "type" || key == "msg_id" || key == "in_reply_to") return true;
        for (const char* field : fields)
            if (key == field) return true;
        return false;
    };
    for (auto it = body.begin(); it != body.end(); ++it)
        if (!allowed(it.key())) return "reply has disallowed key " + it.key();
    if (!body.contains("in_reply_to")) return "reply is missing required key in_reply_to";
    if (!body["in_reply_to"].is_number_integer()) return "reply in_reply_to is not an integer";
    if (body.contains("msg_id") && !body["msg_id"].is_number_integer())
        return "reply msg_id is not an integer";
    return "";
}

namespace {

class EchoClient final : public WorkloadClient {
  public:
    void invoke(const Invocation& op, OpContext& context) override {
        context.call({{"type", "echo"}, {"echo", op.value.as_string()}});
    }
    void on_reply(json&& body, OpContext& context) override {
        if (body_type(body) != "echo_ok") {
            context.complete_with_schema_violation("expected an echo_ok reply, got type " +
                                                   body.value("type", json()).dump());
            return;
        }
        if (auto problem = check_closed_schema(body, {"echo"}); !problem.empty()) {
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
