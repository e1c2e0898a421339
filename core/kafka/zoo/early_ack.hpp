#pragma once
// zoo/early-ack — the bug: a node forwarding a send acknowledges it to the client before the
// owner has it, with the offset the forwarder expects the owner to assign (one past the
// highest offset it has heard of for that key), and forwards it afterwards. The owner
// assigns the real offset when the forward arrives, which need not be the one promised, and
// a forward lost in a partition is never stored at all.
//
// The anomaly it must produce: :inconsistent-offsets (the client was told offset k for a
// message while another message sits at k) and :duplicate (polls return the message at its
// real offset, the client was told another one); under a partition :lost-write / :unseen
// (an acknowledged message that no poll ever returns). Two nodes, with sends to a key through
// its non-owner, suffice.

#include "forward_node.hpp"

namespace millpond::kafka::zoo {

class EarlyAckNode final : public ForwardNode {
  protected:
    void send_elsewhere(SendRequest send, Message& request, Instant now_us,
                        Out& out) override;

  private:
    std::map<std::string, Offset> next_expected_;  // key -> the offset the next ack promises
};

}  // namespace millpond::kafka::zoo
