#pragma once
// zoo/watermark-backwards — the bug: every node keeps a replica of every key, which the owner
// feeds by broadcasting each append (zoo_replicate), and serves polls of keys it does not own
// from the replica, up to a watermark. The watermark should be the end of the contiguous
// prefix the replica holds; this design sets it to one past the offset of the last replicated
// message received. When two broadcasts arrive out of order (latency varies, or one is lost),
// the watermark first jumps over the missing offset and then moves backwards when it arrives.
// While it is past the hole, a poll returns the messages after the hole as if the hole were
// not there.
//
// The anomaly it must produce: :int-poll-skip (one poll returns offsets k-1 and k+1 of a key
// whose offset k exists), or :poll-skip when the hole falls between two polls. Needs two
// nodes, polls through the non-owner, and reordered or lost server messages: a latency
// distribution that is not constant, drop, or a partition.

#include "forward_node.hpp"

namespace millpond::kafka::zoo {

class WatermarkBackwardsNode final : public ForwardNode {
  public:
    WatermarkBackwardsNode();

  protected:
    void on_appended(const std::string& key, Offset offset, const json& msg, Instant now_us,
                     Out& out) override;
    bool poll_without_owner(const std::string& key, Offset asked, json& pairs) const override;

  private:
    struct Replica {
        std::map<Offset, json> msgs;
        Offset watermark = 0;  // polls return offsets below it
    };

    void on_replicate(Message& message);

    std::map<std::string, Replica> replicas_;
};

}  // namespace millpond::kafka::zoo
