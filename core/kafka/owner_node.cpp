#include "owner_node.hpp"

#include <algorithm>

#include "../assert.hpp"
#include "../hash.hpp"

namespace millpond::kafka {

namespace {

// Inter-node message types. Distinct from the client types, so the closed client schemas never
// see the extra fields these carry.
constexpr const char* kForwardSend = "kafka_send";
constexpr const char* kForwardPoll = "kafka_poll";
constexpr const char* kForwardCommit = "kafka_commit";
constexpr const char* kForwardList = "kafka_list";

std::string error_text(const json& response) {
    auto it = response.find("text");
    return it != response.end() && it->is_string() ? it->get<std::string>() : "no text";
}

bool is_ok(const json& response, const char* request_type) {
    return body_type(response) == std::string(request_type) + "_ok";
}

}  // namespace

OwnerNode::OwnerNode(Instant freshness_window_us) : freshness_window_us_(freshness_window_us) {
    MP_ASSERT_GE(freshness_window_us_, 0);
    handle("send",
           [this](Message& request, Instant now_us, Out& out) { on_send(request, now_us, out); });
    handle("poll",
           [this](Message& request, Instant now_us, Out& out) { on_poll(request, now_us, out); });
    handle("commit_offsets", [this](Message& request, Instant now_us, Out& out) {
        on_commit_offsets(request, now_us, out);
    });
    handle("list_committed_offsets", [this](Message& request, Instant now_us, Out& out) {
        on_list_committed_offsets(request, now_us, out);
    });
    handle(kForwardSend,
           [this](Message& request, Instant, Out& out) { on_owner_send(request, out); });
    handle(kForwardPoll,
           [this](Message& request, Instant, Out& out) { on_owner_poll(request, out); });
    handle(kForwardCommit,
           [this](Message& request, Instant, Out& out) { on_owner_commit(request, out); });
    handle(kForwardList,
           [this](Message& request, Instant, Out& out) { on_owner_list(request, out); });
}

NodeId OwnerNode::owner_of(const std::string& key, std::vector<NodeId> node_ids) {
    MP_ASSERT(!node_ids.empty());
    std::sort(node_ids.begin(), node_ids.end());
    const std::uint64_t index = fnv1a64(key) % node_ids.size();
    MP_ASSERT_LT(index, node_ids.size());
    return node_ids[index];
}

void OwnerNode::on_start(Instant, Out&) {
    owners_ = node_ids();
    if (owners_.empty()) owners_.push_back(id());  // a lone node owns everything
    std::sort(owners_.begin(), owners_.end());
    owners_.erase(std::unique(owners_.begin(), owners_.end()), owners_.end());
    MP_ASSERT(std::binary_search(owners_.begin(), owners_.end(), id()));
    MP_ASSERT(!owners_.empty());
}

const NodeId& OwnerNode::owner(const std::string& key) const {
    MP_ASSERT(!owners_.empty());
    const std::uint64_t index = fnv1a64(key) % owners_.size();
    return owners_[index];
}

bool OwnerNode::owns(const std::string& key) const { return owner(key) == id(); }

void OwnerNode::require_owned(const std::string& key) const {
    if (!owns(key)) throw MalformedRequest("key '" + key + "' is owned by " + owner(key));
}

// ---------------------------------------------------------------------------------------------
// The cache of keys owned elsewhere

void OwnerNode::learn_msg(const std::string& key, Offset offset, const json& msg, Out& out) {
    MP_ASSERT(!owns(key));
    MP_ASSERT_GE(offset, 0);
    Replica& replica = replicas_[key];
    auto [it, inserted] = replica.msgs.emplace(offset, msg);
    if (!inserted && it->second != msg) {
        // Only an owner that lost its memory (a restart) can say two things about one offset.
        out.log("owner of " + key + " changed offset " + std::to_string(offset) +
                "; keeping the first value");
    }
    while (replica.msgs.count(replica.prefix_end) > 0) ++replica.prefix_end;
}

void OwnerNode::learn_run(const std::string& key, const json& pairs, Out& out) {
    if (!pairs.is_array()) return;
    for (const auto& pair : pairs) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer()) continue;
        learn_msg(key, pair[0].get<Offset>(), pair[1], out);
    }
}

void OwnerNode::learn_end(const std::string& key, Offset end, Instant now_us) {
    MP_ASSERT(!owns(key));
    Replica& replica = replicas_[key];
    replica.end_heard = std::max(replica.end_heard, end);
    replica.end_heard_us = now_us;
    MP_ASSERT_GE(replica.end_heard, end);
}

// `offset` null means the owner has no committed offset for key (yet).
void OwnerNode::learn_committed(const std::string& key, const json& offset, Instant now_us) {
    if (owns(key)) return;
    Replica& replica = replicas_[key];
    replica.committed_heard_us = now_us;
    if (!offset.is_number_integer()) return;
    const Offset value = offset.get<Offset>();
    if (!replica.committed || *replica.committed < value) replica.committed = value;
    MP_ASSERT_GE(*replica.committed, value);
}

bool OwnerNode::fresh(Instant heard_us, Instant now_us) const {
    MP_ASSERT_LE(heard_us, now_us);
    return heard_us >= 0 && now_us - heard_us < freshness_window_us_;
}

std::vector<const json*> OwnerNode::local_run(const std::string& key, Offset offset,
                                              std::size_t count_max) const {
    if (owns(key)) return store_.read(key, offset, count_max);
    std::vector<const json*> run;
    auto it = replicas_.find(key);
    if (it == replicas_.end()) return run;
    for (auto msg = it->second.msgs.find(offset);
         msg != it->second.msgs.end() && msg->first == offset && run.size() < count_max;
         ++msg, ++offset) {
        run.push_back(&msg->second);
    }
    MP_ASSERT_LE(run.size(), count_max);
    return run;
}

// ---------------------------------------------------------------------------------------------
// send

void OwnerNode::on_send(Message& request, Instant now_us, Out& out) {
    SendRequest send = parse_send(request.body);
    if (owns(send.key)) {
        reply(out, request, send_ok_body(store_.append(send.key, std::move(send.msg))));
        return;
    }
    const Offset have = replicas_[send.key].prefix_end;
    // Field by field: the initializer-list form allocates a temporary array per field.
    json body = json::object();
    body.emplace("type", kForwardSend);
    body.emplace("key", send.key);
    body.emplace("msg", send.msg);
    body.emplace("have", have);
    rpc(out, owner(send.key), std::move(body), now_us, kForwardTimeoutUs,
        [this, handle = reply_handle(request), key = send.key, msg = std::move(send.msg)](
            json&& response, Instant reply_now_us, Out& reply_out) {
            if (is_ok(response, kForwardSend) && response["offset"].is_number_integer()) {
                const Offset offset = response["offset"].get<Offset>();
                learn_run(key, response["msgs"], reply_out);
                learn_msg(key, offset, msg, reply_out);
                learn_end(key, offset + 1, reply_now_us);
                reply(reply_out, handle, send_ok_body(offset));
                return;
            }
            // The owner's own definite refusals mean it appended nothing; a timeout may hide an
            // append that happened, so it stays indefinite.
            const std::int64_t code = body_int_or_missing(response, "code");
            const bool definite = code >= 0 && error_info(static_cast<int>(code)).definite;
            reply_error(reply_out, handle,
                        definite ? static_cast<ErrorCode>(code) : ErrorCode::kCrash,
                        "forward to " + owner(key) + " failed: " + error_text(response));
        });
}

void OwnerNode::on_owner_send(Message& request, Out& out) {
    SendRequest send = parse_send(request.body);
    require_owned(send.key);
    // At most once per forwarded request: the network may deliver it twice (or the forwarder's
    // message may be copied), and a second append would store the message at two offsets.
    const MsgId msg_id = body_int_or_missing(request.body, "msg_id");
    AppliedSends& applied = applied_sends_[request.src];
    if (msg_id >= 0) {
        if (auto it = applied.replies.find(msg_id); it != applied.replies.end()) {
            out.log("repeated kafka_send " + std::to_string(msg_id) + " from " + request.src +
                    "; answering as before");
            reply(out, request, it->second);
            return;
        }
        if (msg_id < applied.forgotten_below) {
            // Too old to tell whether it was applied; its forwarder gave up on it long ago.
            reply_error(out, request, ErrorCode::kTemporarilyUnavailable,
                        "forwarded send " + std::to_string(msg_id) + " too old; not appended");
            return;
        }
    }
    const Offset have = std::max<Offset>(0, require_int(request.body, "have"));
    const Offset offset = store_.append(send.key, std::move(send.msg));
    // Piggyback what the forwarder lacks before its message, so its cache stays contiguous
    // and its clients' next polls of this key are served without asking.
    const Offset from = std::clamp(offset - static_cast<Offset>(kPollMessagesPerKeyMax),
                                   std::min(have, offset), offset);
    json msgs = json::array();
    Offset o = from;
    for (const json* msg : store_.read(send.key, from, static_cast<std::size_t>(offset - from))) {
        json pair = json::array();
        pair.get_ref<json::array_t&>().reserve(2);
        pair.push_back(o++);
        pair.push_back(*msg);
        msgs.push_back(std::move(pair));
    }
    MP_ASSERT_EQ(o, offset);
    json body = json::object();
    body.emplace("type", std::string(kForwardSend) + "_ok");
    body.emplace("offset", offset);
    body.emplace("msgs", std::move(msgs));
    if (msg_id >= 0) {
        applied.replies.emplace(msg_id, body);
        if (applied.replies.size() > kAppliedSendsRememberedMax) {
            applied.forgotten_below = applied.replies.begin()->first + 1;
            applied.replies.erase(applied.replies.begin());
        }
        MP_ASSERT_LE(applied.replies.size(), kAppliedSendsRememberedMax);
    }
    reply(out, request, std::move(body));
}

// ---------------------------------------------------------------------------------------------
// poll

void OwnerNode::forward_idempotent(Out& out, const NodeId& owner_id, json body, Instant now_us,
                                   int attempts_left, Rpc::Callback done) {
    MP_ASSERT_GT(attempts_left, 0);
    json again = attempts_left > 1 ? body : json();
    rpc(out, owner_id, std::move(body), now_us, kIdempotentForwardTimeoutUs,
        [this, owner_id, again = std::move(again), attempts_left, done = std::move(done)](
            json&& response, Instant reply_now_us, Out& reply_out) mutable {
            const bool timed_out = body_type(response) == "error" &&
                                   body_int_or_missing(response, "code") ==
                                       static_cast<std::int64_t>(ErrorCode::kTimeout);
            if (timed_out && attempts_left > 1) {
                forward_idempotent(reply_out, owner_id, std::move(again), reply_now_us,
                                   attempts_left - 1, std::move(done));
                return;
            }
            done(std::move(response), reply_now_us, reply_out);
        });
}

void OwnerNode::on_poll(Message& request, Instant now_us, Out& out) {
    auto op = std::make_shared<PollOp>();
    op->handle = reply_handle(request);
    op->offsets = parse_offsets(request.body);
    // One forward per owner, carrying only the keys this node can answer neither from its
    // cache nor from a fresh "the log ends before that" from the owner.
    std::map<NodeId, json> forwards;
    for (const auto& [key, offset] : op->offsets) {
        if (owns(key) || !local_run(key, offset, 1).empty()) continue;
        auto it = replicas_.find(key);
        if (it != replicas_.end() && offset >= it->second.end_heard &&
            fresh(it->second.end_heard_us, now_us)) {
            continue;
        }
        forwards[owner(key)][key] = offset;
    }
    op->forwards_remaining = forwards.size();
    MP_ASSERT_LE(forwards.size(), owners_.size());
    for (auto& [owner_id, offsets] : forwards) {
        // One attempt: a poll whose forward fails answers from the cache at once (stale,
        // never wrong) rather than keep its client waiting.
        forward_idempotent(
            out, owner_id, {{"type", kForwardPoll}, {"offsets", std::move(offsets)}}, now_us, 1,
            [this, op](json&& response, Instant reply_now_us, Out& reply_out) {
                // On failure the poll answers from the cache: stale, never wrong.
                if (is_ok(response, kForwardPoll)) learn_poll(response, reply_now_us, reply_out);
                MP_ASSERT_GT(op->forwards_remaining, 0u);
                if (--op->forwards_remaining == 0) finish_poll(*op, reply_out);
            });
    }
    if (forwards.empty()) finish_poll(*op, out);
}

void OwnerNode::learn_poll(const json& response, Instant now_us, Out& out) {
    const json& keys = response["keys"];
    if (!keys.is_object()) return;
    for (const auto& [key, entry] : keys.items()) {
        if (owns(key) || !entry.is_object()) continue;
        // find, not value(): value() returns a copy of the whole run.
        if (auto msgs = entry.find("msgs"); msgs != entry.end()) learn_run(key, *msgs, out);
        if (auto end = entry.find("end"); end != entry.end() && end->is_number_integer())
            learn_end(key, end->get<Offset>(), now_us);
        auto committed = entry.find("committed");
        learn_committed(key, committed != entry.end() ? *committed : json(), now_us);
    }
}

void OwnerNode::on_owner_poll(Message& request, Out& out) {
    const std::map<std::string, Offset> offsets = parse_offsets(request.body);
    // Per key: the run from the asked offset, the log's end, and the committed offset (which
    // the client commits past next; knowing it lets the forwarder skip a commit that is
    // already covered, and answer a list soon after without asking).
    json keys = json::object();
    for (const auto& [key, offset] : offsets) {
        require_owned(key);
        Offset o = offset;
        json pairs = json::array();
        for (const json* msg : store_.read(key, offset, kPollMessagesPerKeyMax)) {
            json pair = json::array();
            pair.get_ref<json::array_t&>().reserve(2);
            pair.push_back(o++);
            pair.push_back(*msg);
            pairs.push_back(std::move(pair));
        }
        json committed = nullptr;
        if (auto value = store_.committed(key)) committed = *value;
        json entry = json::object();
        entry.emplace("msgs", std::move(pairs));
        entry.emplace("end", store_.end(key));
        entry.emplace("committed", std::move(committed));
        keys[key] = std::move(entry);
    }
    MP_ASSERT_EQ(keys.size(), offsets.size());
    reply(out, request, {{"type", std::string(kForwardPoll) + "_ok"}, {"keys", std::move(keys)}});
}

void OwnerNode::finish_poll(PollOp& op, Out& out) {
    MP_ASSERT_EQ(op.forwards_remaining, 0u);
    PollReplyBuilder builder;
    for (const auto& [key, offset] : op.offsets)
        builder.add(key, offset, local_run(key, offset, builder.room()));
    reply(out, op.handle, builder.finish());
}

// ---------------------------------------------------------------------------------------------
// commit_offsets

void OwnerNode::on_commit_offsets(Message& request, Instant now_us, Out& out) {
    const std::map<std::string, Offset> offsets = parse_offsets(request.body);
    auto op = std::make_shared<CommitOp>();
    op->handle = reply_handle(request);
    std::map<NodeId, json> forwards;
    for (const auto& [key, offset] : offsets) {
        if (owns(key)) {
            store_.commit(key, offset);
            continue;
        }
        // Not higher than what the owner already told us it had: nothing to do.
        const Replica& replica = replicas_[key];
        if (replica.committed && *replica.committed >= offset) continue;
        forwards[owner(key)][key] = offset;
    }
    op->forwards_remaining = forwards.size();
    MP_ASSERT_LE(forwards.size(), owners_.size());
    for (auto& [owner_id, forward] : forwards) {
        forward_idempotent(
            out, owner_id, {{"type", kForwardCommit}, {"offsets", std::move(forward)}}, now_us,
            kIdempotentForwardAttempts, [this, op](json&& response, Instant reply_now_us, Out& reply_out) {
                if (is_ok(response, kForwardCommit) && response["committed"].is_object()) {
                    for (const auto& [key, offset] : response["committed"].items())
                        learn_committed(key, offset, reply_now_us);
                } else {
                    op->failed = true;
                }
                MP_ASSERT_GT(op->forwards_remaining, 0u);
                if (--op->forwards_remaining == 0) finish_commit(*op, reply_out);
            });
    }
    if (forwards.empty()) finish_commit(*op, out);
}

void OwnerNode::on_owner_commit(Message& request, Out& out) {
    const std::map<std::string, Offset> offsets = parse_offsets(request.body);
    json committed = json::object();
    for (const auto& [key, offset] : offsets) {
        require_owned(key);
        committed[key] = store_.commit(key, offset);
    }
    MP_ASSERT_EQ(committed.size(), offsets.size());
    reply(out, request,
          {{"type", std::string(kForwardCommit) + "_ok"}, {"committed", std::move(committed)}});
}

void OwnerNode::finish_commit(CommitOp& op, Out& out) {
    MP_ASSERT_EQ(op.forwards_remaining, 0u);
    if (op.failed) {
        // Indefinite on purpose: a definite error would make Maelstrom's client fail the poll
        // after moving its offsets on, which its checker reports as a poll-skip.
        reply_error(out, op.handle, ErrorCode::kCrash, "commit outcome unknown");
        return;
    }
    reply(out, op.handle, commit_offsets_ok_body());
}

// ---------------------------------------------------------------------------------------------
// list_committed_offsets

void OwnerNode::on_list_committed_offsets(Message& request, Instant now_us, Out& out) {
    const std::vector<std::string> keys = parse_keys(request.body);
    auto op = std::make_shared<ListOp>();
    op->handle = reply_handle(request);
    op->keys = keys;
    // Keys whose committed offset the owner told us within the window are answered locally.
    std::map<NodeId, json> forwards;
    for (const auto& key : keys) {
        if (owns(key)) continue;
        auto it = replicas_.find(key);
        if (it != replicas_.end() && fresh(it->second.committed_heard_us, now_us)) continue;
        forwards[owner(key)].push_back(key);
    }
    op->forwards_remaining = forwards.size();
    MP_ASSERT_LE(forwards.size(), owners_.size());
    for (auto& [owner_id, forward] : forwards) {
        forward_idempotent(
            out, owner_id, {{"type", kForwardList}, {"keys", std::move(forward)}}, now_us,
            kIdempotentForwardAttempts, [this, op](json&& response, Instant reply_now_us, Out& reply_out) {
                if (is_ok(response, kForwardList) && response["committed"].is_object()) {
                    for (const auto& [key, offset] : response["committed"].items())
                        learn_committed(key, offset, reply_now_us);
                } else {
                    op->failed = true;
                }
                MP_ASSERT_GT(op->forwards_remaining, 0u);
                if (--op->forwards_remaining == 0) finish_list(*op, reply_out);
            });
    }
    if (forwards.empty()) finish_list(*op, out);
}

void OwnerNode::on_owner_list(Message& request, Out& out) {
    const std::vector<std::string> keys = parse_keys(request.body);
    json committed = json::object();
    for (const auto& key : keys) {
        require_owned(key);
        auto value = store_.committed(key);
        committed[key] = value ? json(*value) : json(nullptr);
    }
    MP_ASSERT_EQ(committed.size(), keys.size());
    reply(out, request,
          {{"type", std::string(kForwardList) + "_ok"}, {"committed", std::move(committed)}});
}

void OwnerNode::finish_list(ListOp& op, Out& out) {
    MP_ASSERT_EQ(op.forwards_remaining, 0u);
    if (op.failed) {
        reply_error(out, op.handle, ErrorCode::kTemporarilyUnavailable,
                    "owner unreachable; committed offsets unknown");
        return;
    }
    std::map<std::string, Offset> offsets;
    for (const auto& key : op.keys) {
        std::optional<Offset> committed;
        if (owns(key)) {
            committed = store_.committed(key);
        } else if (auto it = replicas_.find(key); it != replicas_.end()) {
            committed = it->second.committed;
        }
        if (committed && *committed >= 0) offsets.emplace(key, *committed);
    }
    MP_ASSERT_LE(offsets.size(), op.keys.size());
    reply(out, op.handle, list_committed_offsets_ok_body(offsets));
}

}  // namespace millpond::kafka
