#pragma once
// Maelstrom's :net result (spec §6.5): send/recv/msg counts for all traffic, client traffic
// (src or dest a client) and server traffic (everything else, node<->service included), and
// msgs-per-op = messages / client invocations on :all and :servers.

#include "edn.hpp"
#include "history.hpp"
#include "journal.hpp"

namespace millpond::checkers {

edn::Value check_net(const journal::Journal& journal, const history::History& history);

}  // namespace millpond::checkers
