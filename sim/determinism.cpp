#include "determinism.hpp"

#include "fingerprint.hpp"

namespace millpond::sim {

namespace {

std::string describe(const journal::Journal& journal, const journal::Event& event) {
    static const char* kKinds[] = {"send", "recv", "drop"};
    std::string text = std::to_string(event.time_us) + " us " +
                       kKinds[static_cast<int>(event.kind)] + " #" +
                       std::to_string(event.message_id) + " " +
                       journal.participants[static_cast<std::size_t>(event.src)] + " -> " +
                       journal.participants[static_cast<std::size_t>(event.dest)] + " " +
                       journal.type_of(event);
    if (const json* body = journal.body_of(event)) text += " " + body->dump();
    return text;
}

bool same_body(const json* a, const json* b) {
    if (a == nullptr || b == nullptr) return a == b;
    return *a == *b;
}

bool same(const journal::Journal& ja, const journal::Event& a, const journal::Journal& jb,
          const journal::Event& b) {
    return a.kind == b.kind && a.time_us == b.time_us && a.message_id == b.message_id &&
           ja.participants[static_cast<std::size_t>(a.src)] ==
               jb.participants[static_cast<std::size_t>(b.src)] &&
           ja.participants[static_cast<std::size_t>(a.dest)] ==
               jb.participants[static_cast<std::size_t>(b.dest)] &&
           ja.type_of(a) == jb.type_of(b) && same_body(ja.body_of(a), jb.body_of(b));
}

}  // namespace

std::optional<Divergence> first_divergence(const RunOutcome& a, const RunOutcome& b) {
    const auto& ea = a.journal.events;
    const auto& eb = b.journal.events;
    for (std::size_t i = 0; i < std::max(ea.size(), eb.size()); ++i) {
        if (i < ea.size() && i < eb.size() && same(a.journal, ea[i], b.journal, eb[i])) continue;
        return Divergence{"journal event " + std::to_string(i),
                          i < ea.size() ? describe(a.journal, ea[i]) : "<none>",
                          i < eb.size() ? describe(b.journal, eb[i]) : "<none>"};
    }
    for (std::size_t i = 0; i < std::max(a.history.size(), b.history.size()); ++i) {
        const std::string oa = i < a.history.size() ? edn::write(history::op_to_edn(a.history[i])) : "<none>";
        const std::string ob = i < b.history.size() ? edn::write(history::op_to_edn(b.history[i])) : "<none>";
        if (oa != ob) return Divergence{"history op " + std::to_string(i), oa, ob};
    }
    if (a.fingerprint != b.fingerprint)
        return Divergence{"fingerprint (timers or node state: journal and history agree)",
                          fingerprint_hex(a.fingerprint), fingerprint_hex(b.fingerprint)};
    return std::nullopt;
}

}  // namespace millpond::sim
