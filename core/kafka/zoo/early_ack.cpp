#include "early_ack.hpp"

#include "../../assert.hpp"

namespace millpond::kafka::zoo {

void EarlyAckNode::send_elsewhere(SendRequest send, Message& request, Instant now_us, Out& out) {
    Offset& expected = next_expected_[send.key];
    const Offset promised = expected++;
    MP_ASSERT_GE(promised, 0);
    reply(out, request, send_ok_body(promised));
    // Fire and forget: the client already has its answer.
    rpc(out, owner(send.key),
        {{"type", "zoo_send"},
         {"key", send.key},
         {"msg", std::move(send.msg)},
         {"incarnation", incarnation()}}, now_us,
        kForwardTimeoutUs, [this, key = send.key](json&& response, Instant, Out&) {
            if (!response.contains("offset") || !response["offset"].is_number_integer()) return;
            Offset& next = next_expected_[key];
            next = std::max(next, response["offset"].get<Offset>() + 1);
        });
}

}  // namespace millpond::kafka::zoo
