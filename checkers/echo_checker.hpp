#pragma once
// Maelstrom's echo checker (spec §2.1): pair each invocation with its completion; an error is
// any pair whose invoked value differs from the completion value's :echo. A timed-out or
// failed echo is therefore an error too (its completion value is the bare string).

#include "edn.hpp"
#include "history.hpp"

namespace millpond::checkers {

edn::Value check_echo(const history::History& history);

}  // namespace millpond::checkers
