#include "net_checker.hpp"

#include <vector>

#include "stats.hpp"

namespace millpond::checkers {

namespace {

struct MessageCounts {
    std::int64_t sends = 0;
    std::int64_t recvs = 0;

    edn::Value to_edn(std::int64_t op_count, bool with_msgs_per_op) const {
        edn::Value result = edn::Value::map();
        result.set_entry("send-count", sends);
        result.set_entry("recv-count", recvs);
        // Every send has its own message id, so the distinct-id count equals the send count.
        result.set_entry("msg-count", sends);
        if (with_msgs_per_op && op_count > 0)
            // Maelstrom computes this as a Java float.
            result.set_entry("msgs-per-op", as_java_float(static_cast<double>(sends) /
                                                          static_cast<double>(op_count)));
        return result;
    }
};

}  // namespace

edn::Value check_net(const journal::Journal& journal, const history::History& history) {
    MessageCounts all, clients, servers;
    // Whether each participant is a client, looked up once rather than through its id string
    // for every event (a run journals a few hundred thousand).
    std::vector<char> is_client(journal.participants.size());
    for (std::size_t i = 0; i < is_client.size(); ++i)
        is_client[i] = journal.is_client(static_cast<std::int32_t>(i));
    for (const auto& event : journal.events) {
        if (event.kind == journal::EventKind::kDrop) continue;
        const bool client = is_client[static_cast<std::size_t>(event.src)] ||
                            is_client[static_cast<std::size_t>(event.dest)];
        MessageCounts& bucket = client ? clients : servers;
        if (event.kind == journal::EventKind::kSend) {
            ++all.sends;
            ++bucket.sends;
        } else {
            ++all.recvs;
            ++bucket.recvs;
        }
    }
    std::int64_t op_count = 0;
    for (const auto& op : history)
        if (op.type == history::OpType::kInvoke && op.is_client()) ++op_count;
    edn::Value result = edn::Value::map();
    result.set_entry("all", all.to_edn(op_count, true));
    result.set_entry("clients", clients.to_edn(op_count, false));
    result.set_entry("servers", servers.to_edn(op_count, true));
    result.set_entry("valid?", true);
    return result;
}

}  // namespace millpond::checkers
