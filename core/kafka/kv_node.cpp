#include "kv_node.hpp"

#include <algorithm>
#include <tuple>

#include "../assert.hpp"

namespace millpond::kafka {

namespace {

int reply_code(const json& reply) {
    if (!is_error_body(reply)) return -1;
    const std::int64_t code = body_int_or_missing(reply, "code");
    return code < 0 ? static_cast<int>(ErrorCode::kCrash) : static_cast<int>(code);
}

// A failure that proves the request changed nothing: the value did not match or is missing.
bool is_mismatch(int code) {
    return code == static_cast<int>(ErrorCode::kPreconditionFailed) ||
           code == static_cast<int>(ErrorCode::kKeyDoesNotExist);
}

}  // namespace

KvNode::KvNode(CommitKv commit_kv, Instant freshness_window_us)
    : freshness_window_us_(freshness_window_us),
      commit_service_(commit_kv == CommitKv::kSeq ? "seq-kv" : "lin-kv") {
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
}

std::string KvNode::segment_key(const std::string& key, Offset segment) {
    MP_ASSERT_GE(segment, 0);
    // The segment number is the last component, so keys containing '/' stay unambiguous.
    return "log/" + key + "/" + std::to_string(segment);
}

std::string KvNode::commit_key(const std::string& key) { return "commit/" + key; }

// ---------------------------------------------------------------------------------------------
// Segments

bool KvNode::learn_segment(const std::string& key, Offset segment, const json& value,
                           Instant now_us) {
    MP_ASSERT_GE(segment, 0);
    if (!value.is_array() || static_cast<Offset>(value.size()) > kSegmentMessagesMax) return false;
    KeyState& state = keys_[key];
    // A segment that is not full was the tail when the service answered: the log ended there.
    if (static_cast<Offset>(value.size()) < kSegmentMessagesMax)
        confirm_end(state, segment * kSegmentMessagesMax + static_cast<Offset>(value.size()),
                    now_us);
    json::array_t& known = state.segments[segment];
    if (value.size() <= known.size()) return true;  // nothing new (or an older state)
    // Every stored value is a prefix of every later one; a service breaking that is not one
    // this design can run on, and the cache keeps what it already served.
    for (std::size_t i = 0; i < known.size(); ++i) {
        if (known[i] != value[i]) return false;
    }
    for (std::size_t i = known.size(); i < value.size(); ++i) known.push_back(value[i]);
    MP_ASSERT_EQ(known.size(), value.size());
    return true;
}

void KvNode::confirm_end(KeyState& state, Offset end, Instant now_us) {
    MP_ASSERT_GE(end, 0);
    // The log only grows, so the larger of two confirmed ends is the later truth.
    state.end_confirmed = std::max(state.end_confirmed, end);
    state.end_confirmed_us = std::max(state.end_confirmed_us, now_us);
    MP_ASSERT_GE(state.end_confirmed, end);
}

Offset KvNode::normalized_tail(KeyState& state) const {
    // A full segment is never the tail: appends go to the first one that is not known full.
    for (;;) {
        auto it = state.segments.find(state.tail_segment);
        if (it == state.segments.end() ||
            static_cast<Offset>(it->second.size()) < kSegmentMessagesMax) {
            break;
        }
        ++state.tail_segment;
    }
    MP_ASSERT_GE(state.tail_segment, 0);
    return state.tail_segment;
}

std::vector<const json*> KvNode::cached_run(const std::string& key, Offset offset,
                                            std::size_t count_max) const {
    MP_ASSERT_GE(offset, 0);
    std::vector<const json*> run;
    auto key_it = keys_.find(key);
    if (key_it == keys_.end()) return run;
    Offset segment = offset / kSegmentMessagesMax;
    auto index = static_cast<std::size_t>(offset % kSegmentMessagesMax);
    while (run.size() < count_max) {
        auto it = key_it->second.segments.find(segment);
        if (it == key_it->second.segments.end() || index >= it->second.size()) break;
        run.push_back(&it->second[index]);
        if (++index == static_cast<std::size_t>(kSegmentMessagesMax)) {
            ++segment;
            index = 0;
        }
    }
    MP_ASSERT_LE(run.size(), count_max);
    return run;
}

// ---------------------------------------------------------------------------------------------
// send

void KvNode::on_send(Message& request, Instant now_us, Out& out) {
    SendRequest send = parse_send(request.body);
    KeyState& state = keys_[send.key];
    if (state.sends_waiting.size() >= kSendsWaitingMax) {
        reply_error(out, request, ErrorCode::kTemporarilyUnavailable,
                    "too many sends waiting for key " + send.key);
        return;
    }
    state.sends_waiting.push_back(PendingSend{reply_handle(request), std::move(send.msg)});
    MP_ASSERT_LE(state.sends_waiting.size(), kSendsWaitingMax);
    pump_sends(send.key, now_us, out);
}

void KvNode::pump_sends(const std::string& key, Instant now_us, Out& out) {
    KeyState& state = keys_[key];
    if (!state.sends_in_flight.empty() || state.sends_waiting.empty()) return;
    cas_append(key, 1, now_us, out);
    MP_ASSERT(!state.sends_in_flight.empty());
}

void KvNode::cas_append(const std::string& key, int attempt, Instant now_us, Out& out) {
    MP_ASSERT_GE(attempt, 1);
    KeyState& state = keys_[key];
    const Offset segment = normalized_tail(state);
    const json::array_t& known = state.segments[segment];
    const std::size_t room = static_cast<std::size_t>(kSegmentMessagesMax) - known.size();
    MP_ASSERT_GT(room, 0u);
    // The batch is what is in flight (on a retry) topped up from the waiting queue; what no
    // longer fits in the tail segment goes back to the front of the queue, order kept.
    while (state.sends_in_flight.size() > room) {
        state.sends_waiting.push_front(std::move(state.sends_in_flight.back()));
        state.sends_in_flight.pop_back();
    }
    while (state.sends_in_flight.size() < room && !state.sends_waiting.empty()) {
        state.sends_in_flight.push_back(std::move(state.sends_waiting.front()));
        state.sends_waiting.pop_front();
    }
    MP_ASSERT(!state.sends_in_flight.empty());

    json from(known);
    json to = from;
    for (const auto& send : state.sends_in_flight) to.push_back(send.msg);
    json body = {
        {"type", "cas"}, {"key", segment_key(key, segment)}, {"from", std::move(from)}, {"to", to}};
    // An empty cache may mean a segment nobody created yet; create it then. If it does exist,
    // it is not empty (nobody stores an empty segment), so `from: []` still fails as it must.
    if (known.empty()) body["create_if_not_exists"] = true;
    const std::size_t length_before = known.size();
    rpc(out, "lin-kv", std::move(body), now_us, kServiceTimeoutUs,
        [this, key, segment, length_before, to = std::move(to), attempt](
            json&& response, Instant reply_now_us, Out& reply_out) mutable {
            if (body_type(response) == "cas_ok" && !learn_segment(key, segment, to, reply_now_us))
                reply_out.log("service contradicts the cache of " + segment_key(key, segment));
            on_append_reply(key, segment, length_before, to, attempt, std::move(response),
                            reply_now_us, reply_out);
        });
}

void KvNode::ack_sends(const std::string& key, Offset segment, std::size_t length_before,
                       Instant now_us, Out& out) {
    KeyState& state = keys_[key];
    MP_ASSERT(!state.sends_in_flight.empty());
    Offset offset = segment * kSegmentMessagesMax + static_cast<Offset>(length_before);
    for (const auto& send : state.sends_in_flight) reply(out, send.handle, send_ok_body(offset++));
    MP_ASSERT_LE(offset, (segment + 1) * kSegmentMessagesMax);
    state.sends_in_flight.clear();
    pump_sends(key, now_us, out);
}

void KvNode::on_append_reply(const std::string& key, Offset segment, std::size_t length_before,
                             const json& to, int attempt, json&& response, Instant now_us,
                             Out& out) {
    KeyState& state = keys_[key];
    MP_ASSERT(!state.sends_in_flight.empty());
    if (body_type(response) == "cas_ok") {
        ack_sends(key, segment, length_before, now_us, out);
        return;
    }
    const int code = reply_code(response);
    if (!is_mismatch(code)) {
        // A timeout, or anything else we cannot prove changed nothing: the CAS may yet apply.
        // Retrying could store the messages twice, so the outcome is reported as unknown.
        finish_sends(key, ErrorCode::kCrash,
                     "append outcome unknown: service error " + std::to_string(code), out);
        pump_sends(key, now_us, out);
        return;
    }
    // Our copy of the tail was stale, or, when the network copies messages, this mismatch
    // answers a second copy of a CAS whose first copy applied (and whose reply was lost). The
    // read tells them apart: the segment then holds our batch exactly where the CAS put it.
    rpc(out, "lin-kv", {{"type", "read"}, {"key", segment_key(key, segment)}}, now_us,
        kServiceTimeoutUs,
        [this, key, segment, length_before, to, attempt](json&& read_response, Instant read_now_us,
                                                         Out& read_out) {
            const std::string type = body_type(read_response);
            const bool missing =
                reply_code(read_response) == static_cast<int>(ErrorCode::kKeyDoesNotExist);
            const bool learnt =
                type == "read_ok" && learn_segment(key, segment, read_response["value"], read_now_us);
            if (learnt && read_response["value"].size() >= to.size() &&
                std::equal(to.begin(), to.end(), read_response["value"].begin())) {
                read_out.log("append to " + segment_key(key, segment) +
                             " applied although its answer said otherwise");
                ack_sends(key, segment, length_before, read_now_us, read_out);
                return;
            }
            if (!learnt && !missing) {
                // Under message duplication a mismatch is no proof, so neither is this.
                finish_sends(key, ErrorCode::kCrash,
                             "cannot read " + segment_key(key, segment) + "; outcome unknown",
                             read_out);
                pump_sends(key, read_now_us, read_out);
                return;
            }
            if (attempt >= kSendAttemptsMax) {
                // The segment moved past our `from` without our batch: no copy of our CASes can
                // ever match again, so nothing was or will be written.
                finish_sends(key, ErrorCode::kTemporarilyUnavailable,
                             "append lost " + std::to_string(attempt) +
                                 " races; nothing was written",
                             read_out);
                pump_sends(key, read_now_us, read_out);
                return;
            }
            cas_append(key, attempt + 1, read_now_us, read_out);
        });
}

void KvNode::finish_sends(const std::string& key, ErrorCode code, const std::string& text,
                          Out& out) {
    KeyState& state = keys_[key];
    MP_ASSERT(!state.sends_in_flight.empty());
    for (const auto& send : state.sends_in_flight) reply_error(out, send.handle, code, text);
    state.sends_in_flight.clear();
    MP_ASSERT(state.sends_in_flight.empty());
}

// ---------------------------------------------------------------------------------------------
// poll

void KvNode::on_poll(Message& request, Instant now_us, Out& out) {
    auto op = std::make_shared<PollOp>();
    op->handle = reply_handle(request);
    op->offsets = parse_offsets(request.body);

    // Keys whose requested offset is not cached need a read, unless the log was confirmed to
    // end at or before it within the freshness window; the longest unread go first.
    std::vector<std::tuple<Instant, std::string, Offset>> misses;
    for (const auto& [key, offset] : op->offsets) {
        if (!cached_run(key, offset, 1).empty()) continue;
        const KeyState& state = keys_[key];
        MP_ASSERT_LE(state.end_confirmed_us, now_us);
        if (offset >= state.end_confirmed && state.end_confirmed_us >= 0 &&
            now_us - state.end_confirmed_us < freshness_window_us_) {
            continue;
        }
        misses.emplace_back(state.fetched_at_us, key, offset);
    }
    std::sort(misses.begin(), misses.end());
    if (misses.size() > kPollFetchKeysMax) misses.resize(kPollFetchKeysMax);

    op->reads_remaining = misses.size();
    for (const auto& [fetched_at_us, key, offset] : misses) {
        keys_[key].fetched_at_us = now_us;
        const Offset segment = offset / kSegmentMessagesMax;
        rpc(out, "lin-kv", {{"type", "read"}, {"key", segment_key(key, segment)}}, now_us,
            kServiceTimeoutUs,
            [this, op, key, segment](json&& response, Instant reply_now_us, Out& reply_out) {
                // A failed read leaves the cache as it is: the poll answers from what is known.
                // A missing segment means the log ended at or before its first offset.
                if (body_type(response) == "read_ok" &&
                    !learn_segment(key, segment, response["value"], reply_now_us)) {
                    reply_out.log("ignoring invalid value of " + segment_key(key, segment));
                } else if (reply_code(response) == static_cast<int>(ErrorCode::kKeyDoesNotExist)) {
                    confirm_end(keys_[key], segment * kSegmentMessagesMax, reply_now_us);
                }
                MP_ASSERT_GT(op->reads_remaining, 0u);
                if (--op->reads_remaining == 0) finish_poll(*op, reply_out);
            });
    }
    if (misses.empty()) finish_poll(*op, out);
}

void KvNode::finish_poll(PollOp& op, Out& out) {
    MP_ASSERT_EQ(op.reads_remaining, 0u);
    PollReplyBuilder builder;
    for (const auto& [key, offset] : op.offsets) {
        std::vector<const json*> run = cached_run(key, offset, builder.room());
        builder.add(key, offset, run);
    }
    reply(out, op.handle, builder.finish());
}

// ---------------------------------------------------------------------------------------------
// commit_offsets

void KvNode::on_commit_offsets(Message& request, Instant now_us, Out& out) {
    const std::map<std::string, Offset> offsets = parse_offsets(request.body);
    auto op = std::make_shared<CommitOp>();
    op->handle = reply_handle(request);
    std::vector<std::string> pending;
    for (const auto& [key, offset] : offsets) {
        KeyState& state = keys_[key];
        // Already covered by a committed offset this node knows: nothing to store.
        if (state.commit_floor && *state.commit_floor >= offset) continue;
        state.commit_waiters.push_back(CommitWaiter{offset, op});
        pending.push_back(key);
    }
    op->keys_remaining = pending.size();
    MP_ASSERT_LE(pending.size(), offsets.size());
    if (pending.empty()) {
        reply(out, op->handle, commit_offsets_ok_body());
        return;
    }
    for (const auto& key : pending) drive_commit(key, now_us, out);
}

void KvNode::drive_commit(const std::string& key, Instant now_us, Out& out) {
    KeyState& state = keys_[key];
    if (state.commit_in_flight) return;
    settle_commit_waiters(key, false, out);
    if (state.commit_waiters.empty()) return;
    Offset target = 0;
    for (const auto& waiter : state.commit_waiters) target = std::max(target, waiter.target);
    MP_ASSERT(!state.commit_floor || *state.commit_floor < target);
    cas_commit(key, target, 1, now_us, out);
}

void KvNode::cas_commit(const std::string& key, Offset target, int attempt, Instant now_us,
                        Out& out) {
    KeyState& state = keys_[key];
    MP_ASSERT_GE(attempt, 1);
    state.commit_in_flight = true;
    json body = {
        {"type", "cas"}, {"key", commit_key(key)}, {"from", state.commit_stored}, {"to", target}};
    // Null means "missing as far as we know": create it then; if it exists, the CAS fails.
    if (state.commit_stored.is_null()) body["create_if_not_exists"] = true;
    MP_ASSERT(state.commit_stored.is_null() || state.commit_stored.get<Offset>() < target);
    rpc(out, commit_service_, std::move(body), now_us, kServiceTimeoutUs,
        [this, key, target, attempt](json&& response, Instant reply_now_us, Out& reply_out) {
            KeyState& key_state = keys_[key];
            if (body_type(response) == "cas_ok") {
                learn_commit(key_state, target);
                key_state.commit_in_flight = false;
                drive_commit(key, reply_now_us, reply_out);
                return;
            }
            // Any failure: the CAS is monotone, so a retry is safe even if this one applied.
            read_commit_then_retry(key, target, attempt, reply_now_us, reply_out);
        });
}

void KvNode::read_commit_then_retry(const std::string& key, Offset target, int attempt,
                                    Instant now_us, Out& out) {
    MP_ASSERT(keys_[key].commit_in_flight);
    if (attempt >= kCommitAttemptsMax) {
        settle_commit_waiters(key, true, out);
        keys_[key].commit_in_flight = false;
        return;
    }
    rpc(out, commit_service_, {{"type", "read"}, {"key", commit_key(key)}}, now_us,
        kServiceTimeoutUs,
        [this, key, target, attempt](json&& response, Instant reply_now_us, Out& reply_out) {
            KeyState& state = keys_[key];
            const bool missing =
                reply_code(response) == static_cast<int>(ErrorCode::kKeyDoesNotExist);
            const bool valid =
                body_type(response) == "read_ok" && response["value"].is_number_integer();
            if (missing && !state.commit_floor) state.commit_stored = nullptr;
            if (valid) learn_commit(state, response["value"]);
            if (!missing && !valid) {
                // A lost read (or reply) proves nothing either way; it only costs an attempt.
                // Failing here would turn one dropped message into an :info poll, and an
                // :info in the final phase leaves its thread unassigned (:unseen).
                read_commit_then_retry(key, target, attempt + 1, reply_now_us, reply_out);
                return;
            }
            if (state.commit_floor && *state.commit_floor >= target) {
                state.commit_in_flight = false;
                drive_commit(key, reply_now_us, reply_out);
                return;
            }
            cas_commit(key, target, attempt + 1, reply_now_us, reply_out);
        });
}

void KvNode::learn_commit(KeyState& state, const json& value) {
    MP_ASSERT(value.is_number_integer());
    const Offset offset = value.get<Offset>();
    // A stale read (seq-kv) below what we know would only make the next CAS fail; keep ours.
    if (state.commit_floor && offset < *state.commit_floor) return;
    state.commit_floor = offset;
    state.commit_stored = offset;
    MP_ASSERT(state.commit_stored.is_number_integer());
}

void KvNode::settle_commit_waiters(const std::string& key, bool failed, Out& out) {
    KeyState& state = keys_[key];
    std::vector<CommitWaiter> still_waiting;
    for (auto& waiter : state.commit_waiters) {
        const bool covered = state.commit_floor && *state.commit_floor >= waiter.target;
        if (!covered && !failed) {
            still_waiting.push_back(std::move(waiter));
            continue;
        }
        CommitOp& op = *waiter.op;
        if (!covered) op.failed = true;
        MP_ASSERT_GT(op.keys_remaining, 0u);
        if (--op.keys_remaining > 0) continue;
        if (op.failed) {
            // Always indefinite, whatever happened: see the essay in kv_node.hpp.
            reply_error(out, op.handle, ErrorCode::kCrash, "commit outcome unknown");
        } else {
            reply(out, op.handle, commit_offsets_ok_body());
        }
    }
    state.commit_waiters = std::move(still_waiting);
    MP_ASSERT(!failed || state.commit_waiters.empty());
}

// ---------------------------------------------------------------------------------------------
// list_committed_offsets

void KvNode::on_list_committed_offsets(Message& request, Instant now_us, Out& out) {
    auto op = std::make_shared<ListOp>();
    op->handle = reply_handle(request);
    op->keys = parse_keys(request.body);
    op->reads_remaining = op->keys.size();
    auto finish = [this](ListOp& list, Out& finish_out) {
        if (list.failed) {
            reply_error(finish_out, list.handle, ErrorCode::kTemporarilyUnavailable,
                        "cannot read committed offsets");
            return;
        }
        std::map<std::string, Offset> offsets;
        for (const auto& key : list.keys) {
            const KeyState& state = keys_[key];
            if (state.commit_floor) offsets.emplace(key, *state.commit_floor);
        }
        reply(finish_out, list.handle, list_committed_offsets_ok_body(offsets));
    };
    if (op->keys.empty()) {
        finish(*op, out);
        return;
    }
    for (const auto& key : op->keys) {
        rpc(out, commit_service_, {{"type", "read"}, {"key", commit_key(key)}}, now_us,
            kServiceTimeoutUs, [this, op, key, finish](json&& response, Instant, Out& reply_out) {
                const bool missing =
                    reply_code(response) == static_cast<int>(ErrorCode::kKeyDoesNotExist);
                if (body_type(response) == "read_ok" && response["value"].is_number_integer()) {
                    learn_commit(keys_[key], response["value"]);
                } else if (!missing) {
                    op->failed = true;
                }
                MP_ASSERT_GT(op->reads_remaining, 0u);
                if (--op->reads_remaining == 0) finish(*op, reply_out);
            });
    }
}

}  // namespace millpond::kafka
