#pragma once
// Kafka log, design "owner": every key has exactly one owner node, which holds its log and
// committed offset in memory; the other nodes forward to it and keep a cache.
//
// Protocol. The owner of a key is sorted(node_ids)[fnv1a64(key) mod n], the same on every node
// whatever order init listed the ids in. A send at the owner appends in memory; elsewhere it
// is forwarded (kafka_send), and the owner's reply carries, besides the offset, the messages
// before it that the forwarder lacks (up to the poll cap), so the forwarder's cache stays
// contiguous. A poll answers owned keys from the log and other keys from the cache when it
// holds the asked offset; a key whose offset the cache lacks is answered "nothing new" when
// the owner said, less than the freshness window W ago, that its log ends at or before that
// offset; the remaining keys go in one kafka_poll per owner involved, whose reply gives per
// key the run, the log's end and the committed offset. A commit raises owned keys locally,
// skips keys whose owner already reported a committed offset at least as high, and sends one
// kafka_commit per owner for the rest. A list answers owned keys locally and other keys from
// the owner's committed offset when it was heard within W, asking each owner at most once.
//
// Invariant. Offsets are assigned only by the owner, so they are dense and unique; everything
// in a cache came from the owner, so a cached offset is never wrong; a poll's run starts at
// the asked offset and is contiguous, so nothing is skipped; committed offsets only rise, at
// the owner and in every cache. Sends and commits are linearizable (they happen at the owner).
// Polls and lists off the owner may lag by at most W plus one network delay: never wrong,
// only late. Maelstrom's checker allows exactly that (realtime lag is a statistic, not an
// anomaly), and a stale committed offset is a lower bound, as Kafka's are after a rebalance.
//
// Cost per client op (server messages; a forward and its reply are 2):
//   send    0 at the owner, else 2 — unavoidable while the owner alone assigns offsets.
//   poll    0 when every key is owned, cached at the asked offset, or known to end there
//           within W; else 2 per owner involved (a client usually polls one key).
//   commit  0 for owned keys and keys the owner already reported committed at least as far
//           (a poll's reply reports it); else 2 per owner involved.
//   list    0 for owned keys and keys whose committed offset was heard within W; else 2 per
//           owner involved.
// With n nodes a client reaches the owner 1/n of the time. In millpond's simulator at
// Artemis's settings (2 nodes, --concurrency 2n, --rate 1000, --latency 0 or 10) this costs
// about 0.68 server messages per op (Artemis's owner: 1.18), of which forwarded sends are
// about 0.42; with 5 nodes about 1.3, forwarded sends being 0.67. Asking the owner on every
// cache miss instead costs about 0.99 / 1.25 / 1.64 at 2 / 3 / 5 nodes on the test model.
//
// Partition. The owner serves its keys to its own clients throughout. A node cut off from an
// owner asks again a forwarded commit or list that timed out (they are idempotent), up to
// kIdempotentForwardAttempts times, then answers; a send or poll is never asked again. So it
// answers, after kForwardTimeoutUs (sends), half of it (polls) or 4 s (commits and lists):
// sends with 13 (indefinite: the owner may have appended), commits with 13 (always indefinite: a definite error would make Maelstrom's
// client fail the poll after moving its offsets on, a poll-skip), lists with 11; its polls
// still answer from the cache. No replication: an owner that restarts has lost its keys.
//
// Faults beyond Maelstrom (millpond's --nemesis drop / duplicate on server messages): owner
// tolerates both. A lost forward or reply is a timeout, handled as under partition; the retry
// of idempotent forwards matters here: in the final phase one failed commit or list turns a
// Maelstrom worker into a fresh process with no keys assigned, whose polls then see nothing,
// and the checker reports every later message :unseen (8 runs in 1000 before the retry). Of the
// forwards only kafka_send changes state non-idempotently (a poll or list only reads; a commit
// only raises), so the owner remembers, per forwarding node, the reply of each forwarded send
// it applied by msg_id and answers a repeat with that reply instead of appending again (a
// duplicated send used to be stored at two offsets: :duplicate, and polls that skipped or went
// back). It remembers kAppliedSendsRememberedMax per forwarder, evicting the oldest ids, and
// refuses (11, not appended) an id older than all it remembers: a copy that late is exact
// at-most-once too. The forwarder ignores a second reply (the RPC helper has no call waiting);
// every piggybacked fact (runs, ends, committed offsets) is learnt idempotently. This relies on
// a node's msg_ids never repeating, which holds across restarts too: a restarted node numbers
// from incarnation * 2^32 (core/rpc.hpp).
//
// Kill (millpond's --nemesis kill): owner keeps acknowledged sends only in the owner's memory,
// so a killed owner forgets them and hands their offsets out again after its restart. The
// checker must report lost writes (and the offsets reused); that is this design's documented
// limit, not a bug.
// pause, skew and slow only delay (a paused owner's forwarders time out and answer as under
// a partition); W is measured on one node's own clock, so skew cannot make a cache answer
// staler than W × (1 + drift). Sweeps of 1000 seeds each are valid (README).

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "../flat_string_map.hpp"
#include "../handler_node.hpp"
#include "../recent_id_table.hpp"
#include "log_store.hpp"

namespace millpond::kafka {

class OwnerNode final : public HandlerNode {
  public:
    static constexpr Instant kForwardTimeoutUs = 1'000'000;
    // Attempts for a forwarded commit or list (idempotent: asking again is safe), each waiting
    // kIdempotentForwardTimeoutUs: eight of 0.5 s end before the client's 5 s timeout. With
    // three of 1 s, one final-phase commit in about ten thousand lost all three to a 5% drop
    // (found by `millpond hunt --backend owner --nemesis partition,drop,duplicate,...`).
    static constexpr int kIdempotentForwardAttempts = 8;
    static constexpr Instant kIdempotentForwardTimeoutUs = 500'000;
    // Forwarded sends remembered per forwarding node (see AppliedSends): at 1000 sends/s a
    // forwarder's request is forgotten only seconds after it timed out there.
    static constexpr std::size_t kAppliedSendsRememberedMax = 4096;
    // How long what the owner said about a key's log end and committed offset may stand in
    // for asking again (see the essay): the bound on how stale a local answer can be.
    static constexpr Instant kFreshnessWindowUsDefault = 100'000;

    explicit OwnerNode(Instant freshness_window_us = kFreshnessWindowUsDefault);

    // The owner of `key` among `node_ids`: fnv1a64(key) mod n over the sorted ids, so every
    // node computes the same owner whatever order its init listed the ids in.
    // REQUIRES: node_ids is not empty.
    static NodeId owner_of(const std::string& key, std::vector<NodeId> node_ids);

  private:
    // What a node knows about a key another node owns. Every entry came from the owner, so it
    // is exactly the owner's message at that offset; the committed offset is one the owner had.
    struct Replica {
        // Offsets [0, prefix_end()) by position: what polls and sends read, with no search.
        json::array_t prefix;
        // Messages learnt past a gap: every key is above prefix_end(), which is never here.
        std::map<Offset, json> beyond;
        // The owner's log end as last heard, and when (-1: never).
        Offset end_heard = 0;
        Instant end_heard_us = -1;
        std::optional<Offset> committed;
        Instant committed_heard_us = -1;  // when the owner last told us its committed offset

        Offset prefix_end() const { return static_cast<Offset>(prefix.size()); }
        // The cached message at `offset`, or nullptr.
        const json* cached(Offset offset) const;
    };
    struct PollOp {
        ReplyTo reply_to;
        json::object_t offsets;  // the request's, moved (see take_offsets)
        std::size_t forwards_remaining = 0;
    };
    struct CommitOp {
        ReplyTo reply_to;
        std::size_t forwards_remaining = 0;
        bool failed = false;
    };
    struct ListOp {
        ReplyTo reply_to;
        std::vector<std::string> keys;
        std::size_t forwards_remaining = 0;
        bool failed = false;
    };
    // A forwarded send applied here: its key, the offset it got, and where the run of earlier
    // messages its reply carried began. The log never changes below its end, so this rebuilds
    // exactly the reply it got (keeping the reply itself copied every forwarded send's body).
    struct AppliedSend {
        std::string key;
        Offset from = 0;
        Offset offset = 0;
    };
    // The forwarded sends one node applied here, by its msg_id: a repeat is answered as before
    // instead of appended again. Ids below forgotten_below were evicted (the lowest go first);
    // a request among them is refused, never applied. (A std::map held them before: its
    // descent through 4,096 nodes missed the cache at every step; see recent_id_table.hpp.)
    struct AppliedSends {
        RecentIdTable<AppliedSend> sends{kAppliedSendsRememberedMax};
        MsgId forgotten_below = 0;
    };

    void on_start(Instant now_us, Out& out) override;

    // Client requests, at any node.
    void on_send(Message& request, Instant now_us, Out& out);
    void on_poll(Message& request, Instant now_us, Out& out);
    void on_commit_offsets(Message& request, Instant now_us, Out& out);
    void on_list_committed_offsets(Message& request, Instant now_us, Out& out);

    // Forwarded requests, at the owner.
    void on_owner_send(Message& request, Out& out);
    void on_owner_poll(Message& request, Out& out);
    void on_owner_commit(Message& request, Out& out);
    void on_owner_list(Message& request, Out& out);

    // The owner's position in owners_.
    std::size_t owner_index(const std::string& key) const;
    bool owns(const std::string& key) const;
    const NodeId& owner(const std::string& key) const;
    // Throws MalformedRequest unless this node owns key (a forward reached the wrong node).
    void require_owned(const std::string& key) const;
    // The reply to a forwarded send, first or repeated.
    json forwarded_send_reply(const AppliedSend& send) const;

    // REQUIRES: key is owned elsewhere.
    Replica& replica_of(const std::string& key);
    void learn_msg(Replica& replica, const std::string& key, Offset offset, const json& msg,
                   Out& out);
    void learn_run(Replica& replica, const std::string& key, const json& pairs, Out& out);
    void learn_poll(const json& response, Instant now_us, Out& out);
    // rpc() for forwards that only read or raise: a timeout is asked again, up to
    // kIdempotentForwardAttempts in all; `done` sees the first reply or the last timeout.
    void forward_idempotent(Out& out, const NodeId& owner_id, json body, Instant now_us,
                            int attempts_left, Rpc::Callback done);
    void learn_end(Replica& replica, Offset end, Instant now_us);
    void learn_committed(const std::string& key, const json& offset, Instant now_us);
    void learn_committed(Replica& replica, const json& offset, Instant now_us);
    bool fresh(Instant heard_us, Instant now_us) const;
    // Sets run to the cache's contiguous messages of a key owned elsewhere from `offset` on,
    // at most count_max (a vector the caller reuses: a poll asks for every key of its client).
    void cached_run(const std::string& key, Offset offset, std::size_t count_max,
                    std::vector<const json*>& run) const;
    void finish_poll(PollOp& op, Out& out);
    void finish_commit(CommitOp& op, Out& out);
    void finish_list(ListOp& op, Out& out);
    // Commit and list alike: sends each owner its part (`part` under `field`, as `type`),
    // learns the committed offsets every `ok_type` reply carries, marks the op failed on any
    // other answer, and calls `finish` once every owner has answered (at once if none was
    // asked).
    template <typename Op, typename Part>
    void forward_learning_committed(Out& out, Instant now_us, std::map<std::size_t, Part> parts,
                                    const char* type, const char* field, const char* ok_type,
                                    std::shared_ptr<Op> op, void (OwnerNode::*finish)(Op&, Out&));

    Instant freshness_window_us_;
    std::vector<NodeId> owners_;  // the node ids, sorted
    std::size_t self_index_ = 0;  // this node's position in owners_
    LogStore store_;              // the keys this node owns
    // Keys owned elsewhere. Only looked up, never iterated.
    FlatStringMap<Replica> replicas_;
    std::map<NodeId, AppliedSends> applied_sends_;  // by forwarding node
};

}  // namespace millpond::kafka
