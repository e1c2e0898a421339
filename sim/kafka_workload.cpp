#include "kafka_workload.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "checkers/kafka_checker.hpp"
#include "core/assert.hpp"
#include "echo_workload.hpp"

namespace millpond::sim {

namespace {

// Maelstrom keeps integer keys inside its generator and turns them into strings on the way out
// (`gen-string-keys`, spec §3.3 stage 6); the history and the wire only ever see the strings.
std::string key_string(std::int64_t key) { return std::to_string(key); }

// Clojure's parse-long, used on the way back in: nullopt for anything but an optional minus
// sign and decimal digits that fit a long.
std::optional<std::int64_t> parse_key(const std::string& text) {
    std::int64_t key = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, key);
    if (error != std::errc() || stop != end || text.empty()) return std::nullopt;
    return key;
}

edn::Value single_mop(edn::Items mop) {
    edn::Items txn;
    txn.reserve(1);
    txn.push_back(edn::Value::vector(std::move(mop)));
    return edn::Value::vector(std::move(txn));
}

// Maelstrom's `Int` (spec §1.3): an integral JSON number; 1.0 is rejected. Offsets beyond a
// signed 64-bit long are rejected too (Clojure would accept a bignum; no node sends one).
bool read_offset(const json& value, std::int64_t* offset) {
    if (!value.is_number_integer()) return false;
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return false;
    *offset = value.get<std::int64_t>();
    return true;
}

// The client of spec §3.2: Maelstrom's kafka Client record. One per Maelstrom client c<k>,
// never reused after an :info (the runner opens a fresh one, with empty offsets).
class KafkaClient final : public WorkloadClient {
  public:
    explicit KafkaClient(PolledPairs* polled_pairs) : polled_pairs_(polled_pairs) {}

    void invoke(const Invocation& op, OpContext& context) override {
        MP_ASSERT(awaiting_ == Awaiting::kNothing);
        if (op.f == "send") {
            const edn::Value& mop = only_mop(op.value);
            MP_ASSERT_EQ(mop.size(), 3u);
            MP_ASSERT(mop.items()[0].is_keyword("send"));
            MP_ASSERT(mop.items()[1].is_string());
            send_mop_ = mop;
            awaiting_ = Awaiting::kSendOk;
            // Field by field, in key order: the initializer-list form allocates a temporary
            // array per field, and appending in order needs no search.
            json body(json::value_t::object);
            append_field(body, "key", mop.items()[1].as_string());
            append_field(body, "msg", edn::to_json(mop.items()[2]));
            append_field(body, "type", "send");
            context.call(std::move(body));
        } else if (op.f == "poll") {
            poll_keyword_ = only_mop(op.value).items()[0];
            MP_ASSERT(poll_keyword_.is_keyword("poll"));
            // The whole local offsets map, {} before any assign. Both maps order keys alike, so
            // each goes in at the end with no search.
            json::object_t offsets;
            for (const auto& [key, offset] : offsets_)
                offsets.emplace_hint(offsets.end(), key, offset);
            MP_ASSERT_EQ(offsets.size(), offsets_.size());
            awaiting_ = Awaiting::kPollOk;
            json body(json::value_t::object);
            append_field(body, "offsets", std::move(offsets));
            append_field(body, "type", "poll");
            context.call(std::move(body));
        } else {
            MP_ASSERT(op.f == "assign");
            MP_ASSERT(op.value.is_sequential());
            assign_value_ = op.value;
            bool seek_to_beginning = false;
            for (const auto& [name, item] : op.extra)
                if (name == "seek-to-beginning?") seek_to_beginning = item.truthy();
            if (seek_to_beginning) {
                // Rewind every listed key to 0; no RPC at all.
                offsets_.clear();
                for (const auto& key : assign_value_.items()) offsets_[key.as_string()] = 0;
                context.complete(history::OpType::kOk, assign_value_);
                return;
            }
            json keys = json::array();
            for (const auto& key : assign_value_.items()) keys.push_back(key.as_string());
            awaiting_ = Awaiting::kListCommittedOk;
            context.call({{"type", "list_committed_offsets"}, {"keys", std::move(keys)}});
        }
    }

    // Every completion in this class is the last thing its method does: an :info completion
    // destroys this client, and any completion may start the thread's next op on it at once.

    // An error or timeout ends the op; the client itself lives on after a :fail (an assign
    // that timed out, a definite error), so it must stop waiting before the next invoke.
    void on_error(const json& error_body, OpContext& context) override {
        awaiting_ = Awaiting::kNothing;
        context.complete_with_error(error_body);
    }
    void on_timeout(OpContext& context) override {
        awaiting_ = Awaiting::kNothing;
        context.complete_with_timeout();
    }

    void on_reply(json&& body, OpContext& context) override {
        const Awaiting awaiting = awaiting_;
        awaiting_ = Awaiting::kNothing;
        switch (awaiting) {
            case Awaiting::kSendOk:
                return on_send_ok(body, context);
            case Awaiting::kPollOk:
                return on_poll_ok(body, context);
            case Awaiting::kCommitOk:
                return on_commit_offsets_ok(body, context);
            case Awaiting::kListCommittedOk:
                return on_list_committed_offsets_ok(body, context);
            case Awaiting::kNothing:
                break;
        }
        MP_ASSERT(!"a reply arrived with no RPC outstanding");
    }

  private:
    enum class Awaiting { kNothing, kSendOk, kPollOk, kCommitOk, kListCommittedOk };

    static const edn::Value& only_mop(const edn::Value& value) {
        MP_ASSERT(value.is_sequential());
        MP_ASSERT_EQ(value.size(), 1u);
        const edn::Value& mop = value.items()[0];
        MP_ASSERT(mop.is_sequential() && mop.size() >= 1);
        return mop;
    }

    void on_send_ok(const json& body, OpContext& context) {
        if (auto problem = reply_problem(body, "send_ok", {"offset"}); !problem.empty())
            return context.complete_with_schema_violation(problem);
        // The closed schema made sure every required field is there.
        const json& offset_field = *body_field(body, "offset");
        std::int64_t offset = 0;
        if (!read_offset(offset_field, &offset))
            return context.complete_with_schema_violation("send_ok offset is not an integer: " +
                                                          offset_field.dump());
        // The message recorded is the one the client sent, not anything from the reply. The
        // invocation's values are shared, not built again (edn values copy on write).
        const edn::Items& sent = send_mop_.items();
        edn::Items offset_msg;
        offset_msg.reserve(2);
        offset_msg.emplace_back(offset);
        offset_msg.push_back(sent[2]);
        edn::Items mop;
        mop.reserve(3);
        mop.push_back(sent[0]);  // :send
        mop.push_back(sent[1]);  // the key
        mop.push_back(edn::Value::vector(std::move(offset_msg)));
        context.complete(history::OpType::kOk, single_mop(std::move(mop)));
    }

    void on_poll_ok(const json& body, OpContext& context) {
        if (auto problem = reply_problem(body, "poll_ok", {"msgs"}); !problem.empty())
            return context.complete_with_schema_violation(problem);
        const json& msgs = *body_field(body, "msgs");
        if (!msgs.is_object())
            return context.complete_with_schema_violation("poll_ok msgs is not an object: " +
                                                          msgs.dump());
        // Validate the whole reply before acting on any of it, as defrpc does. The EDN value
        // is built straight from the JSON, each vector reserved at its final size.
        const json::object_t& keys = msgs.get_ref<const json::object_t&>();
        edn::Entries polled;
        polled.reserve(keys.size());
        std::vector<std::int64_t> next_offsets;  // per key of msgs, in its order
        next_offsets.reserve(keys.size());
        json::object_t commit;
        for (const auto& [key, run] : keys) {
            if (!run.is_array())
                return context.complete_with_schema_violation("poll_ok msgs for key " + key +
                                                              " is not an array: " + run.dump());
            PolledPairs::Key& polled_key = polled_pairs_->key(key);
            edn::Items pairs;
            pairs.reserve(run.size());
            std::int64_t highest = -1;
            std::int64_t committed = 0;  // txn-offsets starts each key's max at 0
            for (const json& pair : run.get_ref<const json::array_t&>()) {
                // The pair's two items read straight from its vector: json's operator[] is a
                // call with its own type check, and a run reads about six pairs per message.
                const auto* items = pair.get_ptr<const json::array_t*>();
                std::int64_t offset = 0;
                if (items == nullptr || items->size() != 2 || !read_offset((*items)[0], &offset))
                    return context.complete_with_schema_violation(
                        "poll_ok msgs for key " + key +
                        " holds something other than an [offset, msg] pair: " + pair.dump());
                pairs.push_back(polled_pairs_->pair(polled_key, offset, (*items)[1]));
                highest = std::max(highest, offset);
                committed = std::max(committed, offset);
            }
            // The next offset to read: one past the highest returned; 0 for an empty list.
            next_offsets.push_back(
                highest == std::numeric_limits<std::int64_t>::max() ? highest : highest + 1);
            // msgs is in key order: appended.
            if (!pairs.empty()) commit.emplace_hint(commit.end(), key, committed);
            polled.emplace_back(polled_key.name, edn::Value::vector(std::move(pairs)));
        }
        MP_ASSERT_EQ(next_offsets.size(), keys.size());
        // merge-with max: local offsets never move back, and keys that were never assigned
        // but came back anyway are added.
        auto next_offset = next_offsets.begin();
        for (const auto& [key, run] : keys) {
            const std::int64_t offset = *next_offset++;
            auto [slot, inserted] = offsets_.try_emplace(key, offset);
            if (!inserted) slot->second = std::max(slot->second, offset);
        }
        edn::Items mop;
        mop.reserve(2);
        mop.push_back(poll_keyword_);
        mop.push_back(edn::Value::map(std::move(polled)));
        polled_ = single_mop(std::move(mop));
        if (commit.empty()) return context.complete(history::OpType::kOk, polled_);
        // The poll is ok only once its highest offsets are committed.
        awaiting_ = Awaiting::kCommitOk;
        json request(json::value_t::object);
        append_field(request, "offsets", std::move(commit));
        append_field(request, "type", "commit_offsets");
        context.call(std::move(request));
    }

    void on_commit_offsets_ok(const json& body, OpContext& context) {
        if (auto problem = reply_problem(body, "commit_offsets_ok", {}); !problem.empty())
            return context.complete_with_schema_violation(problem);
        context.complete(history::OpType::kOk, std::move(polled_));
    }

    void on_list_committed_offsets_ok(const json& body, OpContext& context) {
        if (auto problem = reply_problem(body, "list_committed_offsets_ok", {"offsets"});
            !problem.empty())
            return context.complete_with_schema_violation(problem);
        const json& committed = *body_field(body, "offsets");
        if (!committed.is_object())
            return context.complete_with_schema_violation(
                "list_committed_offsets_ok offsets is not an object: " + committed.dump());
        for (auto it = committed.begin(); it != committed.end(); ++it) {
            std::int64_t offset = 0;
            if (!read_offset(it.value(), &offset))
                return context.complete_with_schema_violation(
                    "list_committed_offsets_ok offset for key " + it.key() +
                    " is not an integer: " + it.value().dump());
        }
        // Maelstrom's bug, reproduced (spec §3.2): it looks the committed offset up in the
        // reply body instead of its `offsets` field, so the committed offsets are never used.
        // A listed key keeps its local offset or starts at 0; unlisted keys are dropped.
        std::map<std::string, std::int64_t, KeyLess> offsets;
        for (const auto& item : assign_value_.items()) {
            const std::string& key = item.as_string();
            auto found = offsets_.find(key);
            offsets[key] = found == offsets_.end() ? 0 : found->second;
        }
        offsets_ = std::move(offsets);
        context.complete(history::OpType::kOk, assign_value_);
    }

    PolledPairs* polled_pairs_;  // the workload's, shared by its clients
    std::map<std::string, std::int64_t, KeyLess> offsets_;  // key -> next offset to read
    Awaiting awaiting_ = Awaiting::kNothing;
    edn::Value send_mop_;      // [:send key msg] of the send in flight
    edn::Value poll_keyword_;  // :poll of the poll in flight
    edn::Value polled_;        // the ok value of a poll waiting for its commit
    edn::Value assign_value_;  // the keys of the assign in flight
};

// op->max-send-offsets and op->max-poll-offsets of an ok op, as (key, offset) entries in op
// order. A key may come twice (keys "1" and "01" both parse to 1); every use takes the max over
// a key's entries, so that equals Jepsen's merged map, without building a map per op.
using KeyOffsets = std::vector<std::pair<std::int64_t, std::int64_t>>;

// Key -> highest offset sent, floored at 0 as Jepsen's `(max (get offsets k 0) offset)` does.
void max_send_offsets(const history::Op& op, KeyOffsets* offsets) {
    offsets->clear();
    if (op.f != "send" || !op.value.is_sequential()) return;
    for (const auto& mop : op.value.items()) {
        if (!mop.is_sequential() || mop.size() != 3 || !mop.items()[0].is_keyword("send")) continue;
        const edn::Value& pair = mop.items()[2];
        if (!mop.items()[1].is_string() || !pair.is_sequential() || pair.size() != 2 ||
            !pair.items()[0].is_int())
            continue;
        const auto key = parse_key(mop.items()[1].as_string());
        if (!key) continue;
        offsets->emplace_back(*key, std::max<std::int64_t>(0, pair.items()[0].as_int()));
    }
}

// Key -> highest offset polled, -1 for a key that came back with an empty list.
void max_poll_offsets(const history::Op& op, KeyOffsets* offsets) {
    offsets->clear();
    if (op.f != "poll" || !op.value.is_sequential()) return;
    for (const auto& mop : op.value.items()) {
        if (!mop.is_sequential() || mop.size() != 2 || !mop.items()[0].is_keyword("poll") ||
            !mop.items()[1].is_map())
            continue;
        for (const auto& [key_value, pairs] : mop.items()[1].entries()) {
            if (!key_value.is_string() || !pairs.is_sequential()) continue;
            const auto key = parse_key(key_value.as_string());
            if (!key) continue;
            std::int64_t highest = -1;
            for (const auto& pair : pairs.items())
                if (pair.is_sequential() && pair.size() == 2 && pair.items()[0].is_int())
                    highest = std::max(highest, pair.items()[0].as_int());
            offsets->emplace_back(*key, highest);
        }
    }
}

void merge_max(std::map<std::int64_t, std::int64_t>& into, const KeyOffsets& from) {
    for (const auto& [key, offset] : from) {
        auto [slot, inserted] = into.emplace(key, offset);
        if (!inserted) slot->second = std::max(slot->second, offset);
    }
}

std::int64_t get_or(const std::map<std::int64_t, std::int64_t>& map, std::int64_t key,
                    std::int64_t fallback) {
    auto found = map.find(key);
    return found == map.end() ? fallback : found->second;
}

}  // namespace

KafkaWorkload::KafkaWorkload(const RunOptions& options)
    : key_count_(options.key_count),
      max_writes_per_key_(options.max_writes_per_key),
      concurrency_(options.concurrency) {
    // 2^(key_count + 1) must stay a finite double for the slot formula.
    MP_ASSERT_GE(key_count_, 1);
    MP_ASSERT_LE(key_count_, 1000);
    MP_ASSERT_GE(max_writes_per_key_, 1);
    MP_ASSERT_GE(concurrency_, 1);
    for (std::int32_t i = 0; i < key_count_; ++i) active_keys_.push_back(i);
    send_keyword_ = edn::Value::keyword("send");
    poll_value_ = single_mop({edn::Value::keyword("poll")});
}

std::unique_ptr<WorkloadClient> KafkaWorkload::open_client() {
    return std::make_unique<KafkaClient>(&polled_pairs_);
}

std::size_t KafkaWorkload::draw_slot(Rng& rng) const {
    // Elle's exponential key distribution with base 2 (spec §2.7): U uniform in
    // [0, (2^n - 1) * 2) and slot = floor(log2(U + 2) - 1), so slot i is 2^i times as likely
    // as slot 0. frexp gives floor(log2) exactly: U + 2 = m * 2^e with m in [0.5, 1).
    const double scale = (std::ldexp(1.0, key_count_) - 1.0) * 2.0;
    const double u = rng.uniform_double() * scale;
    int exponent = 0;
    (void)std::frexp(u + 2.0, &exponent);
    const std::int64_t slot = std::clamp<std::int64_t>(exponent - 2, 0, key_count_ - 1);
    return static_cast<std::size_t>(slot);
}

KafkaWorkload::Txn KafkaWorkload::draw_txn(Rng& rng) {
    // Elle's wr-txns with max-txn-length 1: a read (which becomes [:poll]) or an append (which
    // becomes [:send k v]), 50/50, on an exponentially chosen slot.
    for (;;) {
        const bool send = rng.uniform(2) == 1;
        const std::size_t slot = draw_slot(rng);
        const std::int64_t key = active_keys_[slot];
        if (!send) return Txn{false, key, 0};
        const std::int64_t msg = get_or(next_msg_, key, 1);
        if (msg > max_writes_per_key_) {
            // The key has had all its writes: the slot gets (largest active key + 1) and the
            // micro-op is drawn again. Retired keys never come back.
            active_keys_[slot] = *std::max_element(active_keys_.begin(), active_keys_.end()) + 1;
            next_msg_.erase(key);
            continue;
        }
        next_msg_[key] = msg + 1;
        return Txn{true, key, msg};
    }
}

Invocation KafkaWorkload::assign_for(const Txn& txn, Rng& rng) {
    Invocation op;
    op.f = "assign";
    op.value = edn::Value::vector();
    // poll-unseen (spec §3.3 stage 4): on a third of the assigns, when the ok sends of some keys
    // are ahead of their ok polls, assign those keys too (first, as Jepsen's concat puts them).
    // Jepsen iterates a hash map here; millpond takes the keys in ascending order. Jepsen's
    // current source also attaches a debugging :unseen map to the op; the Jepsen that
    // Maelstrom 0.2.x bundles does not, and no recorded Maelstrom history holds one.
    if (!unseen_sent_.empty() && rng.uniform_double() < 1.0 / 3.0) {
        for (const auto& entry : unseen_sent_) op.value.push(edn::Value(key_string(entry.first)));
        if (!unseen_sent_.count(txn.key)) op.value.push(edn::Value(key_string(txn.key)));
    } else {
        op.value.push(edn::Value(key_string(txn.key)));
    }
    return op;
}

Invocation KafkaWorkload::next_op(std::int32_t /*thread*/, Rng& rng) {
    if (!pending_) pending_ = draw_txn(rng);
    // interleave-subscribes (spec §3.3 stage 3): with probability kAssignShare an assign of
    // the pending op's key goes out instead, and the pending op waits for the next call.
    if (rng.uniform_double() < kAssignShare) return assign_for(*pending_, rng);
    const Txn txn = *pending_;
    pending_.reset();
    Invocation op;
    if (txn.send) {
        op.f = "send";
        edn::Items mop;
        mop.reserve(3);
        mop.push_back(send_keyword_);
        mop.emplace_back(key_string(txn.key));
        mop.emplace_back(txn.msg);
        op.value = single_mop(std::move(mop));
    } else {
        op.f = "poll";
        op.value = poll_value_;
    }
    return op;
}

Instant KafkaWorkload::side_stream_mean_gap_us(std::int32_t concurrency) const {
    MP_ASSERT_GT(concurrency, 0);
    // Each client is crashed about every 30 s.
    return 30'000'000 / concurrency;
}

Invocation KafkaWorkload::next_side_op(Rng& /*rng*/) {
    return Invocation{"crash", edn::Value(), {}, true};
}

std::int32_t KafkaWorkload::thread_of(std::int64_t process) const {
    // A thread's process grows by the concurrency after every :info (spec §1.7).
    MP_ASSERT_GE(process, 0);
    return static_cast<std::int32_t>(process % concurrency_);
}

std::optional<Workload::FinalStep> KafkaWorkload::next_final_op(std::int32_t thread, Rng& rng) {
    MP_ASSERT_GE(thread, 0);
    MP_ASSERT_LT(thread, concurrency_);
    if (!final_started_) {
        // final-polls derefs the tracked offsets once, when the final phase first asks.
        final_started_ = true;
        final_offsets_ = max_offsets_;
        final_threads_.assign(static_cast<std::size_t>(concurrency_), FinalThread{});
        for (auto& state : final_threads_) state.targets = final_offsets_;
    }
    FinalThread& state = final_threads_[static_cast<std::size_t>(thread)];
    // FinalPolls emits nothing once the thread has caught up on every key, nor at all when no
    // key was ever tracked.
    if (state.targets.empty()) return std::nullopt;
    switch (state.stage) {
        case FinalStage::kCrash:
            // A fresh client, in case the old one holds broken state.
            state.stage = FinalStage::kAssign;
            return FinalStep{Invocation{"crash", edn::Value(), {}, true}, 0};
        case FinalStage::kAssign: {
            state.stage = FinalStage::kPoll;
            Invocation op;
            op.f = "assign";
            op.value = edn::Value::vector();
            for (const auto& [key, offset] : final_offsets_)
                op.value.push(edn::Value(key_string(key)));
            op.extra.emplace_back("seek-to-beginning?", edn::Value(true));
            return FinalStep{std::move(op), 0};
        }
        case FinalStage::kPoll: {
            // gen/stagger 1/5: the first poll at once, each later one uniform [0, 0.4 s) after
            // the previous one's *scheduled* time, so a slow poll is followed at once.
            const Instant now_us = state.last_completion_us;
            const Instant due_us = state.poll_due_us.value_or(now_us);
            state.poll_due_us = due_us + static_cast<Instant>(rng.uniform(400'000));
            Invocation op;
            op.f = "poll";
            op.value = poll_value_;
            op.extra.emplace_back("poll-ms", edn::Value(1000));
            return FinalStep{std::move(op), std::max<Instant>(0, due_us - now_us)};
        }
    }
    MP_ASSERT(!"unreachable final stage");
    return std::nullopt;
}

void KafkaWorkload::observe(const history::Op& /*invocation*/, const history::Op& completion) {
    if (final_started_) {
        // FinalPolls, per thread: a key is done once an ok poll of this thread reached its
        // tracked offset. The main-phase trackers no longer see anything.
        FinalThread& state =
            final_threads_[static_cast<std::size_t>(thread_of(completion.process))];
        state.last_completion_us = completion.time_ns / 1000;
        if (completion.type != history::OpType::kOk || completion.f != "poll") return;
        max_poll_offsets(completion, &polled_scratch_);
        for (const auto& [key, seen] : polled_scratch_) {
            auto target = state.targets.find(key);
            if (target != state.targets.end() && target->second <= seen)
                state.targets.erase(target);
        }
        return;
    }
    if (completion.type != history::OpType::kOk) return;
    KeyOffsets& sent = sent_scratch_;
    KeyOffsets& polled = polled_scratch_;
    max_send_offsets(completion, &sent);
    max_poll_offsets(completion, &polled);
    merge_max(max_offsets_, sent);
    merge_max(max_offsets_, polled);
    // poll-unseen keeps only the keys whose ok sends are ahead of their ok polls.
    merge_max(unseen_sent_, sent);
    merge_max(unseen_polled_, polled);
    // A key caught up drops out of both maps. After every call no key left in unseen_polled_
    // has caught up, and only the keys this op touched changed, so only they are looked at
    // (scanning every polled key was about a twelfth of this function's instructions).
    auto drop_if_caught_up = [this](std::int64_t key) {
        auto polled_it = unseen_polled_.find(key);
        if (polled_it == unseen_polled_.end()) return;
        auto sent_it = unseen_sent_.find(key);
        const std::int64_t sent_offset = sent_it == unseen_sent_.end() ? -1 : sent_it->second;
        if (sent_offset > polled_it->second) return;
        unseen_polled_.erase(polled_it);
        if (sent_it != unseen_sent_.end()) unseen_sent_.erase(sent_it);
    };
    for (const auto& [key, offset] : sent) drop_if_caught_up(key);
    for (const auto& [key, offset] : polled) drop_if_caught_up(key);
}

edn::Value KafkaWorkload::check(const history::History& history) const {
    return checkers::check_kafka(history);
}

}  // namespace millpond::sim
