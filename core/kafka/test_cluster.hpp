#pragma once
// Test-only driver for the kafka designs: a deterministic event loop holding several nodes, an
// in-test lin-kv / seq-kv, clients, timers, partitions and message counting. It stands in for
// the simulator (sim/) so core's tests depend on nothing outside core. Header-only: it is
// included by the *_test.cpp files only.
//
// Every reply to a client is checked against Maelstrom's closed reply schemas (spec §1.3,
// §3.1); a poll_ok must hold, per requested key, a non-empty contiguous run starting at the
// requested offset. Breaches are collected in violations().

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "../errors.hpp"
#include "../node.hpp"
#include "../rng.hpp"
#include "backend.hpp"

namespace millpond::kafka::testing {

inline bool is_client(const std::string& id) { return !id.empty() && id[0] == 'c'; }
inline bool is_service(const std::string& id) { return id == "lin-kv" || id == "seq-kv"; }

// Maelstrom's KV service (spec §4.1-4.3). Linearizable, or sequential as a ring of the last
// 32 states where reads and failed CASes may see any state from the client's last one on.
class FakeKv {
  public:
    FakeKv(bool sequential, std::uint64_t seed) : sequential_(sequential), rng_(seed) {
        states_.emplace_back();
    }

    json handle(const std::string& client, const json& request) {
        const std::string type = body_type(request);
        if (!sequential_) {
            State next = states_.back();
            json result = apply(next, type, request);
            states_.back() = std::move(next);
            return result;
        }
        std::int64_t& seen = client_index_[client];
        const std::int64_t first =
            std::max(seen, last_index_ - static_cast<std::int64_t>(states_.size()) + 1);
        const std::int64_t chosen =
            static_cast<std::int64_t>(rng_.uniform_inclusive(first, last_index_));
        State speculative = state_at(chosen);
        json result = apply(speculative, type, request);
        if (speculative == state_at(chosen)) {
            seen = chosen;
            return result;
        }
        State next = states_.back();
        result = apply(next, type, request);
        states_.push_back(std::move(next));
        if (states_.size() > 32) states_.pop_front();
        seen = ++last_index_;
        return result;
    }

    std::optional<json> peek(const json& key) const {
        auto it = states_.back().find(key.dump());
        if (it == states_.back().end()) return std::nullopt;
        return it->second;
    }
    std::int64_t requests() const { return requests_; }

  private:
    using State = std::map<std::string, json>;

    const State& state_at(std::int64_t index) const {
        const std::int64_t back = last_index_ - index;
        return states_[states_.size() - 1 - static_cast<std::size_t>(back)];
    }

    json apply(State& state, const std::string& type, const json& request) {
        ++requests_;
        const std::string key = request.value("key", json()).dump();
        auto it = state.find(key);
        if (type == "read") {
            if (it == state.end()) return error_body(ErrorCode::kKeyDoesNotExist, "not found", -1);
            return {{"type", "read_ok"}, {"value", it->second}};
        }
        if (type == "write") {
            state[key] = request.at("value");
            return {{"type", "write_ok"}};
        }
        if (type == "cas") {
            if (it == state.end()) {
                if (request.value("create_if_not_exists", false)) {
                    state[key] = request.at("to");
                    return {{"type", "cas_ok"}};
                }
                return error_body(ErrorCode::kKeyDoesNotExist, "not found", -1);
            }
            if (it->second != request.at("from"))
                return error_body(ErrorCode::kPreconditionFailed, "current value differs", -1);
            it->second = request.at("to");
            return {{"type", "cas_ok"}};
        }
        return error_body(ErrorCode::kNotSupported, "unknown type", -1);
    }

    bool sequential_;
    Rng rng_;
    std::deque<State> states_;
    std::int64_t last_index_ = 0;
    std::map<std::string, std::int64_t> client_index_;
    std::int64_t requests_ = 0;
};

struct ClusterOptions {
    int node_count = 3;
    BackendOptions backend;
    std::uint64_t seed = 1;
    Instant latency_us_max = 0;    // server messages take uniform [0, max]; clients take 0
    std::vector<NodeId> node_ids;  // default n0..n(count-1); the order init lists them in
    // Builds each node instead of make_backend(backend), e.g. with non-default parameters.
    std::function<std::unique_ptr<Node>()> make_node;
};

class Cluster {
  public:
    using ClientHook = std::function<void(const Message&)>;

    explicit Cluster(ClusterOptions options)
        : options_(std::move(options)),
          rng_(Rng(options_.seed).derive("network")),
          lin_kv_(false, options_.seed ^ 0x11),
          seq_kv_(true, options_.seed ^ 0x22) {
        if (options_.node_ids.empty()) {
            for (int i = 0; i < options_.node_count; ++i)
                options_.node_ids.push_back("n" + std::to_string(i));
        }
        for (const auto& id : options_.node_ids) {
            std::string error;
            std::unique_ptr<Node> node =
                options_.make_node ? options_.make_node() : make_backend(options_.backend, &error);
            if (!node) throw std::runtime_error(error);
            Out out(id);
            node->on_init(InitInfo{id, options_.node_ids, Rng(options_.seed).derive(id).seed(), {}, 0},
                          now_us_, out);
            nodes_.emplace(id, std::move(node));
            interpret(id, out);
        }
    }

    const std::vector<NodeId>& node_ids() const { return options_.node_ids; }
    Node& node(const NodeId& id) { return *nodes_.at(id); }
    Instant now_us() const { return now_us_; }
    FakeKv& lin_kv() { return lin_kv_; }
    FakeKv& seq_kv() { return seq_kv_; }
    std::int64_t server_messages() const { return server_messages_; }
    // Server messages by body type ("error" included), for cost breakdowns.
    const std::map<std::string, std::int64_t>& server_messages_by_type() const {
        return server_messages_by_type_;
    }
    const std::vector<std::string>& violations() const { return violations_; }
    void set_client_hook(ClientHook hook) { client_hook_ = std::move(hook); }

    // A client request; returns its msg_id. Replies land in inbox(client) and the hook.
    MsgId request(const std::string& client, const NodeId& node, json body) {
        const MsgId msg_id = ++client_msg_ids_[client];
        body["msg_id"] = msg_id;
        requests_[{client, msg_id}] = body;
        enqueue(Message{client, node, std::move(body)}, now_us_);
        return msg_id;
    }

    // Sends a request and runs until its reply arrives (or the budget ends); returns the reply
    // body, or null if none came.
    json call(const NodeId& node, json body, const std::string& client = "c900",
              Instant budget_us = 10'000'000) {
        const MsgId msg_id = request(client, node, std::move(body));
        const Instant deadline = now_us_ + budget_us;
        while (now_us_ <= deadline) {
            auto& box = inbox_[client];
            for (auto it = box.begin(); it != box.end(); ++it) {
                if (body_int_or_missing(it->body, "in_reply_to") == msg_id) {
                    json reply = std::move(it->body);
                    box.erase(it);
                    return reply;
                }
            }
            if (!step(deadline)) break;
        }
        return nullptr;
    }

    // Runs events until none is due at or before `until`; time ends at `until`.
    void run_until(Instant until) {
        while (step(until)) {
        }
        now_us_ = std::max(now_us_, until);
    }
    void run_for(Instant duration_us) { run_until(now_us_ + duration_us); }

    void schedule(Instant at_us, std::function<void()> action) {
        push(Event{
            std::max(at_us, now_us_), seq_++, Kind::kAction, {}, {}, {}, 0, std::move(action)});
    }

    // Faults: messages from src to dest are dropped on delivery while the pair is cut.
    void cut(const std::string& src, const std::string& dest) { cuts_.insert({src, dest}); }
    void isolate(const NodeId& node) {
        for (const auto& other : options_.node_ids) {
            if (other == node) continue;
            cut(node, other);
            cut(other, node);
        }
    }
    void heal() { cuts_.clear(); }

  private:
    enum class Kind { kMessage, kTimer, kAction };
    struct Event {
        Instant at_us;
        std::uint64_t seq;
        Kind kind;
        Message message;
        NodeId node;
        std::string timer_key;
        std::uint64_t timer_generation;
        std::function<void()> action;
        bool operator>(const Event& other) const {
            return at_us != other.at_us ? at_us > other.at_us : seq > other.seq;
        }
    };

    void push(Event event) { queue_.push(std::move(event)); }

    void enqueue(Message message, Instant at_us) {
        push(Event{at_us, seq_++, Kind::kMessage, std::move(message), {}, {}, 0, {}});
    }

    bool step(Instant until) {
        if (queue_.empty() || queue_.top().at_us > until) return false;
        Event event = queue_.top();
        queue_.pop();
        now_us_ = std::max(now_us_, event.at_us);
        switch (event.kind) {
            case Kind::kAction:
                event.action();
                break;
            case Kind::kTimer: {
                auto it = timers_.find({event.node, event.timer_key});
                if (it == timers_.end() || it->second != event.timer_generation) break;
                timers_.erase(it);
                Out out(event.node);
                nodes_.at(event.node)->on_timer(event.timer_key, now_us_, out);
                interpret(event.node, out);
                break;
            }
            case Kind::kMessage:
                deliver(std::move(event.message));
                break;
        }
        return true;
    }

    void deliver(Message message) {
        if (cuts_.count({message.src, message.dest}) > 0) return;
        if (is_client(message.dest)) {
            check_client_reply(message);
            inbox_[message.dest].push_back(message);
            if (client_hook_) client_hook_(message);
            return;
        }
        if (is_service(message.dest)) {
            FakeKv& kv = message.dest == "lin-kv" ? lin_kv_ : seq_kv_;
            json reply = kv.handle(message.src, message.body);
            const std::int64_t msg_id = body_int_or_missing(message.body, "msg_id");
            if (msg_id >= 0) reply["in_reply_to"] = msg_id;
            send(Message{message.dest, message.src, std::move(reply)});
            return;
        }
        auto it = nodes_.find(message.dest);
        if (it == nodes_.end()) {
            violations_.push_back("message to unknown participant " + message.dest);
            return;
        }
        Out out(message.dest);
        dispatch_message(*it->second, std::move(message), 0, now_us_, out);
        interpret(it->first, out);
    }

    void send(Message message) {
        const bool server = !is_client(message.src) && !is_client(message.dest);
        Instant at_us = now_us_;
        if (server) {
            ++server_messages_;
            ++server_messages_by_type_[body_type(message.body)];
            if (options_.latency_us_max > 0)
                at_us += static_cast<Instant>(
                    rng_.uniform(static_cast<std::uint64_t>(options_.latency_us_max) + 1));
        }
        enqueue(std::move(message), at_us);
    }

    void interpret(const NodeId& node, Out& out) {
        for (auto& effect : out.effects()) {
            if (auto* send_effect = std::get_if<SendEffect>(&effect)) {
                Message& message = send_effect->message;
                const std::string& dest = message.dest;
                if (!is_client(dest) && !is_service(dest) && nodes_.count(dest) == 0 &&
                    std::find(options_.node_ids.begin(), options_.node_ids.end(), dest) ==
                        options_.node_ids.end()) {
                    violations_.push_back(node + " sent to unknown participant " + dest);
                    continue;
                }
                send(std::move(message));
            } else if (auto* timer = std::get_if<SetTimerEffect>(&effect)) {
                const std::uint64_t generation = ++timer_generation_;
                timers_[{node, timer->key}] = generation;
                push(Event{timer->deadline_us,
                           seq_++,
                           Kind::kTimer,
                           {},
                           node,
                           timer->key,
                           generation,
                           {}});
            } else if (auto* cancel = std::get_if<CancelTimerEffect>(&effect)) {
                timers_.erase({node, cancel->key});
            } else if (auto* log = std::get_if<LogEffect>(&effect)) {
                logs_.push_back(node + ": " + log->line);
            } else {
                violations_.push_back(node + " used the disk, which this harness lacks");
            }
        }
        out.clear();
    }

    void violation(const Message& message, const std::string& what) {
        violations_.push_back(what + " in " + message.body.dump() + " to " + message.dest);
    }

    // Maelstrom's closed reply schemas: declared fields plus msg_id, and in_reply_to required.
    void check_client_reply(const Message& message) {
        const json& body = message.body;
        const std::int64_t in_reply_to = body_int_or_missing(body, "in_reply_to");
        auto request_it = requests_.find({message.dest, in_reply_to});
        if (in_reply_to < 0 || request_it == requests_.end()) {
            if (body_type(body) != "init_ok") violation(message, "reply to no request");
            return;
        }
        const json& request = request_it->second;
        const std::string type = body_type(body);
        std::set<std::string> allowed = {"type", "in_reply_to", "msg_id"};
        if (type == "error") {
            allowed.insert({"code", "text"});
            if (!body.contains("code") || !body["code"].is_number_integer())
                violation(message, "error without integer code");
        } else if (type != body_type(request) + "_ok") {
            violation(message, "wrong reply type");
        } else if (type == "send_ok") {
            allowed.insert("offset");
            if (!body.contains("offset") || !body["offset"].is_number_integer() ||
                body["offset"].get<std::int64_t>() < 0)
                violation(message, "send_ok without a non-negative integer offset");
        } else if (type == "poll_ok") {
            allowed.insert("msgs");
            check_poll(message, request);
        } else if (type == "list_committed_offsets_ok") {
            allowed.insert("offsets");
            if (!body.contains("offsets") || !body["offsets"].is_object()) {
                violation(message, "list reply without offsets object");
            } else {
                for (const auto& [key, offset] : body["offsets"].items()) {
                    if (!offset.is_number_integer()) violation(message, "non-integer offset");
                    const json& keys = request["keys"];
                    if (std::find(keys.begin(), keys.end(), json(key)) == keys.end())
                        violation(message, "listed a key not asked for");
                }
            }
        }
        if (body.contains("msg_id") && !body["msg_id"].is_number_integer())
            violation(message, "non-integer msg_id");
        for (const auto& [field, value] : body.items()) {
            if (allowed.count(field) == 0) violation(message, "extra field '" + field + "'");
        }
    }

    void check_poll(const Message& message, const json& request) {
        const json& body = message.body;
        if (!body.contains("msgs") || !body["msgs"].is_object()) {
            violation(message, "poll_ok without msgs object");
            return;
        }
        for (const auto& [key, pairs] : body["msgs"].items()) {
            if (!request["offsets"].contains(key)) {
                violation(message, "polled key " + key + " not asked for");
                continue;
            }
            if (!pairs.is_array() || pairs.empty()) {
                violation(message, "empty or non-list run for key " + key);
                continue;
            }
            std::int64_t expected = request["offsets"][key].get<std::int64_t>();
            for (const auto& pair : pairs) {
                if (!pair.is_array() || pair.size() != 2 || !pair[0].is_number_integer() ||
                    pair[0].get<std::int64_t>() != expected) {
                    violation(message, "run of key " + key + " not contiguous from " +
                                           std::to_string(expected));
                    break;
                }
                ++expected;
            }
        }
    }

    ClusterOptions options_;
    Rng rng_;
    FakeKv lin_kv_;
    FakeKv seq_kv_;
    std::map<NodeId, std::unique_ptr<Node>> nodes_;
    std::priority_queue<Event, std::vector<Event>, std::greater<>> queue_;
    std::uint64_t seq_ = 0;
    Instant now_us_ = 0;
    std::map<std::pair<NodeId, std::string>, std::uint64_t> timers_;
    std::uint64_t timer_generation_ = 0;
    std::set<std::pair<std::string, std::string>> cuts_;
    std::map<std::string, MsgId> client_msg_ids_;
    std::map<std::pair<std::string, MsgId>, json> requests_;
    std::map<std::string, std::deque<Message>> inbox_;
    ClientHook client_hook_;
    std::int64_t server_messages_ = 0;
    std::map<std::string, std::int64_t> server_messages_by_type_;
    std::vector<std::string> violations_;
    std::vector<std::string> logs_;
};

}  // namespace millpond::kafka::testing
