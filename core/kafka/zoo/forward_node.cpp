#include "forward_node.hpp"

#include <algorithm>
#include <charconv>

#include "../../assert.hpp"
#include "../../body.hpp"
#include "../../hash.hpp"

namespace millpond::kafka::zoo {

namespace {

constexpr const char* kForwardSend = "zoo_send";
constexpr const char* kForwardPoll = "zoo_poll";

// Disk keys "log/<offset>/<key>": the offset first, so a key holding '/' still parses.
std::string disk_key(const std::string& key, Offset offset) {
    return "log/" + std::to_string(offset) + "/" + key;
}

bool is_ok(const json& response, const char* request_type) {
    return body_type(response) == std::string(request_type) + "_ok";
}

}  // namespace

ForwardNode::ForwardNode() {
    handle("send",
           [this](Message& request, Instant now_us, Out& out) { on_send(request, now_us, out); });
    handle("poll",
           [this](Message& request, Instant now_us, Out& out) { on_poll(request, now_us, out); });
    handle("commit_offsets",
           [this](Message& request, Instant, Out& out) { on_commit_offsets(request, out); });
    handle("list_committed_offsets", [this](Message& request, Instant, Out& out) {
        on_list_committed_offsets(request, out);
    });
    handle(kForwardSend, [this](Message& request, Instant now_us, Out& out) {
        on_owner_send(request, now_us, out);
    });
    handle(kForwardPoll,
           [this](Message& request, Instant, Out& out) { on_owner_poll(request, out); });
}

std::vector<NodeId> ForwardNode::owner_order() const {
    std::vector<NodeId> ids = node_ids();
    if (ids.empty()) ids.push_back(id());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

Offset ForwardNode::next_offset_recovered(const std::map<Offset, json>& log) const {
    return log.empty() ? 0 : log.rbegin()->first + 1;
}

void ForwardNode::on_start(Instant, Out&) {
    owners_ = owner_order();
    MP_ASSERT(!owners_.empty());
    for (const auto& [name, value] : disk_at_start()) {
        if (name.rfind("log/", 0) != 0) continue;
        const auto slash = name.find('/', 4);
        if (slash == std::string::npos) continue;
        Offset offset = 0;
        const char* first = name.data() + 4;
        const char* last = name.data() + slash;
        if (std::from_chars(first, last, offset).ptr != last) continue;
        json msg = json::parse(value, nullptr, false);
        if (msg.is_discarded()) continue;
        log_[name.substr(slash + 1)][offset] = std::move(msg);
    }
    for (const auto& [key, log] : log_) next_offset_[key] = next_offset_recovered(log);
}

const NodeId& ForwardNode::owner(const std::string& key) const {
    MP_ASSERT(!owners_.empty());
    return owners_[fnv1a64(key) % owners_.size()];
}

Offset ForwardNode::append_owned(const std::string& key, json msg, Instant now_us, Out& out) {
    Offset& next = next_offset_[key];
    const Offset offset = next++;
    MP_ASSERT_GE(offset, 0);
    out.disk_write(disk_key(key, offset), msg.dump());
    out.disk_sync();
    log_[key][offset] = msg;
    on_appended(key, offset, msg, now_us, out);
    MP_ASSERT_GT(next, offset);
    return offset;
}

json ForwardNode::owned_run(const std::string& key, Offset asked) const {
    json pairs = json::array();
    auto log = log_.find(key);
    if (log == log_.end()) return pairs;
    Offset offset = first_offset_returned(asked);
    for (auto it = log->second.find(offset);
         it != log->second.end() && it->first == offset && pairs.size() < kPollMessagesPerKeyMax;
         ++it, ++offset) {
        pairs.push_back(json::array({offset, it->second}));
    }
    MP_ASSERT_LE(pairs.size(), kPollMessagesPerKeyMax);
    return pairs;
}

// ---------------------------------------------------------------------------------------------
// send

void ForwardNode::on_send(Message& request, Instant now_us, Out& out) {
    SendRequest send = parse_send(request.body);
    if (owns(send.key)) {
        const Offset offset = append_owned(send.key, std::move(send.msg), now_us, out);
        reply(out, request, send_ok_body(offset));
        return;
    }
    send_elsewhere(std::move(send), request, now_us, out);
}

void ForwardNode::send_elsewhere(SendRequest send, Message& request, Instant now_us, Out& out) {
    const NodeId owner_id = owner(send.key);  // before send is moved from
    forward_send(owner_id, std::move(send), request, now_us, out);
}

void ForwardNode::forward_send(const NodeId& owner_id, SendRequest send, Message& request,
                               Instant now_us, Out& out) {
    json body = {{"type", kForwardSend},
                 {"key", send.key},
                 {"msg", std::move(send.msg)},
                 {"incarnation", incarnation()}};
    rpc(out, owner_id, std::move(body), now_us, kForwardTimeoutUs,
        [this, handle = reply_handle(request)](json&& response, Instant, Out& reply_out) {
            if (is_ok(response, kForwardSend) && response["offset"].is_number_integer()) {
                reply(reply_out, handle, send_ok_body(response["offset"].get<Offset>()));
                return;
            }
            // A timeout may hide an append that happened: indefinite.
            reply_error(reply_out, handle, ErrorCode::kCrash, "forward failed");
        });
}

void ForwardNode::on_owner_send(Message& request, Instant now_us, Out& out) {
    SendRequest send = parse_send(request.body);
    const auto id = std::make_tuple(request.src, body_int_or_missing(request.body, "incarnation"),
                                    body_int_or_missing(request.body, "msg_id"));
    if (auto it = applied_sends_.find(id); it != applied_sends_.end()) {
        reply(out, request, json(it->second));  // a duplicate: applied once already
        return;
    }
    // The forwarder computed the owner; this node trusts it (a zoo design that disagrees
    // about owners shows its disagreement instead of hiding it behind a refusal).
    const Offset offset = append_owned(send.key, std::move(send.msg), now_us, out);
    json body = {{"type", std::string(kForwardSend) + "_ok"}, {"offset", offset}};
    applied_sends_.emplace(id, body);
    reply(out, request, std::move(body));
}

// ---------------------------------------------------------------------------------------------
// poll

void ForwardNode::on_poll(Message& request, Instant now_us, Out& out) {
    auto op = std::make_shared<PollOp>();
    op->handle = reply_handle(request);
    std::map<NodeId, json> forwards;
    for (const auto& [key, offset] : parse_offsets(request.body)) {
        json pairs = json::array();
        if (owns(key)) {
            pairs = owned_run(key, offset);
        } else if (!poll_without_owner(key, offset, pairs)) {
            forwards[owner(key)][key] = offset;
            continue;
        }
        if (!pairs.empty()) op->msgs[key] = std::move(pairs);
    }
    op->forwards_remaining = forwards.size();
    for (auto& [owner_id, offsets] : forwards) {
        rpc(out, owner_id, {{"type", kForwardPoll}, {"offsets", std::move(offsets)}}, now_us,
            kForwardTimeoutUs, [this, op](json&& response, Instant, Out& reply_out) {
                // On failure the keys are left out: "nothing new", never wrong.
                if (is_ok(response, kForwardPoll) && response["msgs"].is_object())
                    for (auto& [key, pairs] : response["msgs"].items())
                        if (pairs.is_array() && !pairs.empty()) op->msgs[key] = pairs;
                MP_ASSERT_GT(op->forwards_remaining, 0u);
                if (--op->forwards_remaining == 0) finish_poll(*op, reply_out);
            });
    }
    if (forwards.empty()) finish_poll(*op, out);
}

void ForwardNode::on_owner_poll(Message& request, Out& out) {
    json msgs = json::object();
    for (const auto& [key, offset] : parse_offsets(request.body)) {
        json pairs = owned_run(key, offset);
        if (!pairs.empty()) msgs[key] = std::move(pairs);
    }
    reply(out, request, {{"type", std::string(kForwardPoll) + "_ok"}, {"msgs", std::move(msgs)}});
}

void ForwardNode::finish_poll(PollOp& op, Out& out) {
    MP_ASSERT_EQ(op.forwards_remaining, 0u);
    MP_ASSERT(op.msgs.is_object());
    reply(out, op.handle, {{"type", "poll_ok"}, {"msgs", std::move(op.msgs)}});
}

// ---------------------------------------------------------------------------------------------
// committed offsets (per node; see the essay)

void ForwardNode::on_commit_offsets(Message& request, Out& out) {
    reply(out, request, commits_.commit(request.body));
}

void ForwardNode::on_list_committed_offsets(Message& request, Out& out) {
    reply(out, request, commits_.list(request.body));
}

}  // namespace millpond::kafka::zoo
