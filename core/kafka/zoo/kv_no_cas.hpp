#pragma once
// zoo/kv-no-cas — the bug: a key's whole log is one lin-kv value ("log/<key>", a JSON array),
// and a send appends by reading it and then writing it back with the new message at the end,
// a read-then-write instead of a compare-and-swap. Two sends to one key whose reads both come
// before either write both take the same offset (the array's old length), and the second write
// erases the first message.
//
// Otherwise plain: any node serves any key; a poll reads each asked key from lin-kv and returns
// the run from the asked offset; committed offsets are kept per node in memory (Maelstrom's
// client never reads them back). A failed read answers a send with 11 (nothing written), a
// failed write with 13 (it may have happened).
//
// The anomaly it must produce: :inconsistent-offsets (two messages acknowledged at one offset
// of a key) and :lost-write / :unseen (the overwritten message is never polled). Needs two
// sends to one key in flight at once: two client threads, and a latency above zero.

#include <map>
#include <memory>
#include <string>

#include "../../handler_node.hpp"
#include "../protocol.hpp"
#include "local_commits.hpp"

namespace millpond::kafka::zoo {

class KvNoCasNode final : public HandlerNode {
  public:
    static constexpr Instant kServiceTimeoutUs = 1'000'000;

    KvNoCasNode();

  private:
    struct PollOp {
        Message handle;
        json msgs = json::object();
        std::size_t reads_remaining = 0;
    };

    void on_send(Message& request, Instant now_us, Out& out);
    void on_poll(Message& request, Instant now_us, Out& out);
    void on_commit_offsets(Message& request, Out& out);
    void on_list_committed_offsets(Message& request, Out& out);

    LocalCommits commits_;
};

}  // namespace millpond::kafka::zoo
