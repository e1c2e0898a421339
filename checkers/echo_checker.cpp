#include "echo_checker.hpp"

namespace millpond::checkers {

edn::Value check_echo(const history::History& history) {
    const history::Pairs pairs = history::pair_ops(history);
    edn::Items errors;
    for (std::size_t i = 0; i < history.size(); ++i) {
        const history::Op& invoke = history[i];
        if (invoke.type != history::OpType::kInvoke || !invoke.is_client() || invoke.f != "echo")
            continue;
        const std::int64_t completion_index = pairs.completion_of[i];
        if (completion_index < 0) continue;  // never completed: Maelstrom pairs nothing
        const history::Op& completion = history[static_cast<std::size_t>(completion_index)];
        const edn::Value* echoed = completion.value.find("echo");
        if (echoed && *echoed == invoke.value) continue;
        edn::Value error = edn::Value::map();
        error.set_entry("invocation", history::op_to_edn(invoke));
        error.set_entry("completion", history::op_to_edn(completion));
        errors.push_back(std::move(error));
    }
    edn::Value result = edn::Value::map();
    result.set_entry("valid?", errors.empty());
    result.set_entry("errors", edn::Value::list(std::move(errors)));
    return result;
}

}  // namespace millpond::checkers
