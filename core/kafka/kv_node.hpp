#pragma once
// Kafka log, design "kv": stateless-ish nodes over Maelstrom's lin-kv service.
//
// Protocol. Any node serves any key; the truth lives in the service. A key's log is cut into
// segments of kSegmentMessagesMax messages, each one lin-kv value "log/<key>/<segment>" holding
// the segment's messages as a JSON array, so offset o is entry o % S of segment o / S. A send
// appends with one compare-and-swap on the tail segment, from the node's cached copy of it to
// that copy plus the new messages (create_if_not_exists when the copy is empty, and the next
// segment once the tail is full). Winning the CAS assigns the offsets and stores the messages
// in the same step, so there is never an allocated offset without its message: polls can never
// stop at, or skip, a hole. When the cache was stale the CAS fails (22); the node reads the
// segment, learns it (acknowledging the batch if it is there after all, see Faults below), and
// tries again, at most kSendAttemptsMax times. Sends to one key that
// arrive while its CAS is in flight wait and then go together in the next CAS.
// A poll answers each key from the cache when it holds the asked offset. When it does not,
// and the node confirmed within the freshness window W that the log ended at or before that
// offset (a read or CAS showed a tail segment that is not full, or no segment at all), it
// answers "nothing new" for that key; otherwise it reads the segment.
// Committed offsets live in "commit/<key>" on lin-kv (or seq-kv, see BackendOptions) and are
// raised with CAS from the last value seen, never written blindly, so they only move forward.
//
// Invariant. Every value of a segment is a prefix of every later value (each successful CAS
// appends, a CAS whose `from` is an older state can never succeed again), so a node's cache,
// built only from its own successful CASes and from reads, is always a prefix of the truth: a
// cached offset is never wrong, and a poll served from the cache is contiguous and skips
// nothing. A send is acknowledged only after its CAS succeeded. Sends and commits are
// linearizable; a poll may lag by at most W plus one service round trip (never wrong, only
// late; Maelstrom's checker counts realtime lag as a statistic, not an anomaly). W = 0 makes
// every poll that misses the cache read, so polls are fresh too.
//
// Cost per client op (server messages, node↔service, each RPC = 2):
//   send    2 when the cached tail is current, 6 when another node appended since (failed CAS,
//           read, CAS); concurrent sends to one key on one node share one CAS.
//   poll    0 for keys cached at the asked offset or confirmed to end there within W;
//           otherwise one read per such key, sent in parallel.
//   commit  0 when this node already knows a committed offset at least as high; otherwise a
//           CAS (2), plus a read and a CAS (4 more) when another node committed meanwhile.
//   list    one read per key (2).
// In millpond's simulator at Artemis's settings (2 nodes, --concurrency 2n, --rate 1000) this
// costs about 1.6 server messages per op at --latency 0 and 3.3 at --latency 10 (Artemis's
// kv: 6.37); with W = 0 it is 4.8 and 5.2, nearly all of the difference being polls that
// find nothing new. Higher latency costs more because more CASes lose a race.
// Where it saves messages against a naive design (a counter key plus a key per message): the
// send is one CAS instead of CAS + write, the tail guess makes most CASes succeed first time,
// polls hit the local cache or a fresh confirmed end, and non-advancing commits never reach
// the service.
//
// Partition / service trouble. Polls never fail: a read that times out leaves the cache as it
// is and the poll answers from it. A send whose CAS timed out may have been applied, so it is
// answered with error 13 (indefinite, never retried: a retry could append the message twice);
// a send whose every CAS failed, each failure confirmed by a read, definitely gets 11. Commit failures are always answered 13:
// a definite commit error would make Maelstrom's client record the poll as failed while its
// local offsets have already moved on, which its checker then reports as a poll-skip.
// RPC timeouts are kServiceTimeoutUs (Maelstrom's own lin-kv client uses max(10×latency, 1 s)).
//
// Faults beyond Maelstrom (millpond's --nemesis drop / duplicate on server messages): kv
// tolerates both. A lost message is a timeout: a lost CAS makes its sends indefinite (13), a
// lost poll read leaves the poll to answer from the cache, and a lost commit read or CAS only
// costs one of kCommitAttemptsMax attempts. Failing a commit on the first lost read would turn
// one dropped message into an :info poll, and in the final phase an :info client never polls
// again (Maelstrom assigns each thread once): its acknowledged sends go :unseen. Duplicates
// are harmless to reads and commits (reads change nothing; commit CASes are monotone), and
// the RPC helper ignores a second reply. A duplicated CAS is the one subtlety: the copy that
// runs second fails (22), and if the first copy's cas_ok was lost, that 22 is the answer the
// node sees although the batch was written. So a mismatch is never taken as proof on its own:
// the read that follows it acknowledges the batch when the segment holds exactly the CAS's
// `to` (messages are unique per key in Maelstrom's workload), and a read that fails after a
// mismatch answers 13, not 11.
// The limit is the loss rate: a commit gets kCommitAttemptsMax attempts of up to
// kServiceTimeoutUs each, which fill the client's 5 s, and each attempt needs about four
// messages through. Sweeps of 200 seeds (3 nodes, --rate 100, --time-limit 20) are valid at
// drop 0.10 and 0.15 (one run at 0.15 reported :unseen under earlier generator settings); at
// 0.24 6 runs report :unseen, every time from a final-phase commit whose attempts all lost a
// message (so the worker went :info and never polled again).
// That is unavailability turned into :unseen by Maelstrom's client rules, never a wrong
// answer; owner, whose commit is one round trip, stays valid at 0.24.
//
// kill, pause, skew and slow: kv tolerates all four. Everything acknowledged is in lin-kv
// before the reply, so a node restarted with empty memory only loses its cache and its
// freshness stamps, and reads the log back; a request in flight when it died was never
// answered, which Maelstrom's client records as indefinite. A pause or a slow link only delays;
// the freshness window W is measured on the node's own clock between two of its own readings,
// so a clock offset cancels out and a drift of d stretches W by a factor 1 + d.

#include <deque>
#include <memory>
#include <optional>

#include "../handler_node.hpp"
#include "backend.hpp"
#include "protocol.hpp"

namespace millpond::kafka {

class KvNode final : public HandlerNode {
  public:
    static constexpr Offset kSegmentMessagesMax = 32;
    static constexpr Instant kServiceTimeoutUs = 1'000'000;
    static constexpr int kSendAttemptsMax = 8;
    static constexpr int kCommitAttemptsMax = 5;
    // Reads one poll may start; misses beyond it are left out of this poll's reply, the keys
    // fetched longest ago going first so that repeated polls make progress on every key.
    static constexpr std::size_t kPollFetchKeysMax = 64;
    static constexpr std::size_t kSendsWaitingMax = 1024;  // per key

    // How long a log end confirmed by a read or CAS may stand in for reading again when a poll
    // asks at or past it (see the essay); 0 makes every such poll read.
    static constexpr Instant kFreshnessWindowUsDefault = 100'000;

    explicit KvNode(CommitKv commit_kv, Instant freshness_window_us = kFreshnessWindowUsDefault);

  private:
    struct PendingSend {
        Message handle;
        json msg;
    };
    struct CommitOp {
        Message handle;
        std::size_t keys_remaining = 0;
        bool failed = false;
    };
    struct CommitWaiter {
        Offset target;
        std::shared_ptr<CommitOp> op;
    };
    struct PollOp {
        Message handle;
        std::map<std::string, Offset> offsets;
        std::size_t reads_remaining = 0;
    };
    struct ListOp {
        Message handle;
        std::vector<std::string> keys;
        std::size_t reads_remaining = 0;
        bool failed = false;
    };
    struct KeyState {
        // Segment index → a prefix of its stored messages (never longer than the truth).
        std::map<Offset, json::array_t> segments;
        Offset tail_segment = 0;  // where the next append goes, as far as this node knows
        std::deque<PendingSend> sends_waiting;
        std::vector<PendingSend> sends_in_flight;  // the batch of the CAS in flight
        Instant fetched_at_us = -1;                // when a poll last started a read of this key
        // The log's length as last confirmed by a read or CAS of its tail segment, and when.
        Offset end_confirmed = 0;
        Instant end_confirmed_us = -1;

        // Committed offsets: the value believed stored (null: missing or unknown), the highest
        // value known to be committed, and the commits waiting for a CAS.
        json commit_stored = nullptr;
        std::optional<Offset> commit_floor;
        std::vector<CommitWaiter> commit_waiters;
        bool commit_in_flight = false;
    };

    void on_send(Message& request, Instant now_us, Out& out);
    void on_poll(Message& request, Instant now_us, Out& out);
    void on_commit_offsets(Message& request, Instant now_us, Out& out);
    void on_list_committed_offsets(Message& request, Instant now_us, Out& out);

    // Sends: start a CAS for key's waiting sends unless one is in flight.
    void pump_sends(const std::string& key, Instant now_us, Out& out);
    void cas_append(const std::string& key, int attempt, Instant now_us, Out& out);
    void on_append_reply(const std::string& key, Offset segment, std::size_t length_before,
                         const json& to, int attempt, json&& response, Instant now_us, Out& out);
    // Acknowledges the batch in flight at the offsets its CAS gave it.
    void ack_sends(const std::string& key, Offset segment, std::size_t length_before,
                   Instant now_us, Out& out);
    void finish_sends(const std::string& key, ErrorCode code, const std::string& text, Out& out);

    // Polls.
    std::vector<const json*> cached_run(const std::string& key, Offset offset,
                                        std::size_t count_max) const;
    void finish_poll(PollOp& op, Out& out);

    // Commits.
    void drive_commit(const std::string& key, Instant now_us, Out& out);
    void cas_commit(const std::string& key, Offset target, int attempt, Instant now_us, Out& out);
    void read_commit_then_retry(const std::string& key, Offset target, int attempt, Instant now_us,
                                Out& out);
    void settle_commit_waiters(const std::string& key, bool failed, Out& out);
    void learn_commit(KeyState& state, const json& value);

    // Learns a segment value read from or written to the service; false if it is not a valid
    // segment (then nothing is learnt).
    bool learn_segment(const std::string& key, Offset segment, const json& value, Instant now_us);
    Offset normalized_tail(KeyState& state) const;
    // The service showed the log ending at `end` (or before it); see KeyState::end_confirmed.
    void confirm_end(KeyState& state, Offset end, Instant now_us);

    static std::string segment_key(const std::string& key, Offset segment);
    static std::string commit_key(const std::string& key);

    Instant freshness_window_us_;
    const char* commit_service_;
    std::map<std::string, KeyState> keys_;
};

}  // namespace millpond::kafka
