#pragma once
// Test-only model of Maelstrom's kafka workload (spec §3.2-3.3) driving a testing::Cluster,
// with a small checker for the anomalies a design could cause (spec §3.5). It measures the
// server messages per client op, the number Maelstrom reports as :net :servers :msgs-per-op.
//
// The op mix follows real Maelstrom kafka histories (shared/fixtures): about 43% sends, 44%
// polls (each followed by a commit of what it read), 13% assigns (a list_committed_offsets)
// and rare crashes; keys come from 10 slots chosen with Elle's exponential weights and retire
// after 16 writes; each client talks to one node and starts over (new id, empty offsets) after
// an indefinite outcome, as Maelstrom's kafka client does.

#include <cmath>

#include "test_cluster.hpp"

namespace millpond::kafka::testing {

struct WorkloadOptions {
    int clients_per_node = 2;
    double rate_per_s = 1000;
    Instant duration_us = 5'000'000;
    int key_slots = 10;
    int writes_per_key = 16;
    double assign_p = 0.13;
    double crash_p = 0.002;
    Instant client_timeout_us = 5'000'000;
    std::uint64_t seed = 7;
};

struct WorkloadResult {
    std::int64_t ops = 0;  // invocations, final phase included (Maelstrom's op-count)
    std::int64_t server_messages = 0;
    std::int64_t ok_sends = 0;
    std::int64_t ok_polls_with_data = 0;
    std::int64_t info_ops = 0;
    std::int64_t fail_ops = 0;
    std::vector<std::string> anomalies;
    double msgs_per_op() const { return ops == 0 ? 0.0 : double(server_messages) / double(ops); }
};

class Workload {
  public:
    Workload(Cluster& cluster, WorkloadOptions options)
        : cluster_(cluster), options_(options), rng_(Rng(options.seed).derive("workload")) {
        for (int slot = 0; slot < options_.key_slots; ++slot) slot_keys_.push_back(slot);
        next_key_ = options_.key_slots;
        cluster_.set_client_hook([this](const Message& message) { on_reply(message); });
    }

    WorkloadResult run() {
        const int node_count = static_cast<int>(cluster_.node_ids().size());
        for (int i = 0; i < node_count * options_.clients_per_node; ++i) {
            Client client;
            client.node = cluster_.node_ids()[static_cast<std::size_t>(i % node_count)];
            client.id = fresh_client_id();
            clients_.push_back(client);
        }
        main_end_us_ = cluster_.now_us() + options_.duration_us;
        for (std::size_t i = 0; i < clients_.size(); ++i) schedule_next(i);
        cluster_.run_until(main_end_us_ + options_.client_timeout_us + 1);
        // Final phase: heal, recover, then every client polls everything from offset 0.
        cluster_.heal();
        cluster_.run_for(10'000'000);
        final_phase_ = true;
        for (std::size_t i = 0; i < clients_.size(); ++i) start_final(i);
        cluster_.run_for(10'000'000);
        cluster_.set_client_hook(nullptr);
        check_end();
        result_.server_messages = cluster_.server_messages();
        return result_;
    }

  private:
    struct Client {
        std::string id;
        NodeId node;
        std::map<std::string, Offset> offsets;
        std::map<std::string, Offset> last_read;  // per process, for poll-skip
        std::string op;                           // "", send, poll, commit, assign
        MsgId pending = -1;
        json sent_msg;
        std::string sent_key;
        std::map<std::string, json::array_t> polled;  // the poll awaiting its commit
        std::map<std::string, Offset> final_polled;       // final phase: highest polled
        bool final_done = false;
    };

    std::string fresh_client_id() { return "c" + std::to_string(next_client_++); }

    // Elle's exponential slot choice: slot i is 2^i times as likely as slot 0.
    std::size_t draw_slot() {
        const std::uint64_t span = (std::uint64_t{1} << options_.key_slots) - 1;
        const std::uint64_t u = rng_.uniform(span) + 1;
        std::size_t slot = 0;
        while ((std::uint64_t{2} << slot) <= u) ++slot;
        return slot;
    }

    void schedule_next(std::size_t index) {
        const double mean_gap_us = 1e6 * double(clients_.size()) / options_.rate_per_s;
        const Instant gap = static_cast<Instant>(rng_.uniform_double() * 2 * mean_gap_us);
        cluster_.schedule(cluster_.now_us() + gap, [this, index] { invoke(index); });
    }

    void invoke(std::size_t index) {
        Client& client = clients_[index];
        if (final_phase_ || cluster_.now_us() >= main_end_us_ || !client.op.empty()) return;
        ++result_.ops;
        const double draw = rng_.uniform_double();
        if (draw < options_.crash_p) {
            restart(client);
            schedule_next(index);
            return;
        }
        if (draw < options_.crash_p + options_.assign_p) {
            client.op = "assign";
            client.sent_key = std::to_string(slot_keys_[draw_slot()]);
            call(index, {{"type", "list_committed_offsets"}, {"keys", {client.sent_key}}});
            return;
        }
        if (rng_.chance(0.5)) {
            std::size_t slot = draw_slot();
            while (writes_[slot_keys_[slot]] >= options_.writes_per_key) {
                slot_keys_[slot] = next_key_++;
                slot = draw_slot();
            }
            const std::int64_t key = slot_keys_[slot];
            client.op = "send";
            client.sent_key = std::to_string(key);
            client.sent_msg = ++writes_[key];
            call(index, {{"type", "send"}, {"key", client.sent_key}, {"msg", client.sent_msg}});
            return;
        }
        client.op = "poll";
        json offsets = json::object();
        for (const auto& [key, offset] : client.offsets) offsets[key] = offset;
        call(index, {{"type", "poll"}, {"offsets", offsets}});
    }

    void call(std::size_t index, json body) {
        Client& client = clients_[index];
        client.pending = cluster_.request(client.id, client.node, std::move(body));
        const MsgId pending = client.pending;
        const std::string id = client.id;
        cluster_.schedule(cluster_.now_us() + options_.client_timeout_us,
                          [this, index, pending, id] {
                              Client& timed_out = clients_[index];
                              if (timed_out.id == id && timed_out.pending == pending)
                                  complete(index, "info");
                          });
    }

    void restart(Client& client) {
        client.id = fresh_client_id();
        client.offsets.clear();
        client.last_read.clear();
    }

    // Ends the client's op with type ok, fail or info.
    void complete(std::size_t index, const std::string& type) {
        Client& client = clients_[index];
        if (type == "info") {
            ++result_.info_ops;
            if (client.op == "send") maybe_sent_.insert(pair_of(client.sent_key, client.sent_msg));
            restart(client);
            // Maelstrom's final phase re-reads everything from the start on a new client too.
            if (final_phase_)
                for (const auto& [key, highest] : tracked_max_) client.offsets[key] = 0;
        } else if (type == "fail") {
            ++result_.fail_ops;
            if (client.op == "send") failed_sent_.insert(pair_of(client.sent_key, client.sent_msg));
        }
        client.op.clear();
        client.pending = -1;
        client.polled.clear();
        if (final_phase_) {
            schedule_final_poll(index);
        } else {
            schedule_next(index);
        }
    }

    static std::string pair_of(const std::string& key, const json& msg) {
        return key + "=" + msg.dump();
    }

    void on_reply(const Message& message) {
        for (std::size_t index = 0; index < clients_.size(); ++index) {
            Client& client = clients_[index];
            if (client.id != message.dest) continue;
            if (body_int_or_missing(message.body, "in_reply_to") != client.pending) return;
            handle_reply(index, message.body);
            return;
        }
    }

    void handle_reply(std::size_t index, const json& body) {
        Client& client = clients_[index];
        if (body_type(body) == "error") {
            const int code = static_cast<int>(body_int_or_missing(body, "code"));
            const bool definite = error_info(code).definite || client.op == "assign";
            complete(index, definite ? "fail" : "info");
            return;
        }
        if (client.op == "send") {
            const Offset offset = body["offset"].get<Offset>();
            record(client.sent_key, offset, client.sent_msg);
            ok_sent_.insert(pair_of(client.sent_key, client.sent_msg));
            ++result_.ok_sends;
            complete(index, "ok");
        } else if (client.op == "assign") {
            const std::string key = client.sent_key;
            std::map<std::string, Offset> offsets;
            offsets[key] = client.offsets.count(key) ? client.offsets[key] : 0;
            client.offsets = offsets;
            std::map<std::string, Offset> last;
            if (client.last_read.count(key)) last[key] = client.last_read[key];
            client.last_read = last;
            complete(index, "ok");
        } else if (client.op == "poll") {
            json commits = json::object();
            for (const auto& [key, pairs] : body["msgs"].items()) {
                Offset highest = -1;
                for (const auto& pair : pairs) {
                    const Offset offset = pair[0].get<Offset>();
                    record(key, offset, pair[1]);
                    client.polled[key].push_back(pair);
                    highest = std::max(highest, offset);
                }
                client.offsets[key] =
                    std::max(client.offsets.count(key) ? client.offsets[key] : 0, highest + 1);
                if (highest >= 0) commits[key] = highest;
            }
            if (commits.empty()) {
                client.polled.clear();
                complete(index, "ok");
                return;
            }
            client.op = "commit";
            client.pending = -1;
            const std::size_t i = index;
            call(i, {{"type", "commit_offsets"}, {"offsets", commits}});
        } else if (client.op == "commit") {
            ok_poll(client);
            complete(index, "ok");
        }
    }

    void ok_poll(Client& client) {
        ++result_.ok_polls_with_data;
        for (const auto& [key, pairs] : client.polled) {
            const Offset first = pairs.front()[0].get<Offset>();
            const Offset last = pairs.back()[0].get<Offset>();
            auto it = client.last_read.find(key);
            if (it != client.last_read.end() && first != it->second + 1) {
                anomaly("poll-skip or nonmonotonic poll on key " + key + ": read " +
                        std::to_string(it->second) + " then " + std::to_string(first));
            }
            client.last_read[key] = last;
            for (const auto& pair : pairs) {
                const std::string id = pair_of(key, pair[1]);
                if (failed_sent_.count(id)) anomaly("G1a: read failed send " + id);
                polled_.insert(id);
            }
            Offset& seen = client.final_polled[key];
            seen = std::max(seen, last);
        }
    }

    void record(const std::string& key, Offset offset, const json& msg) {
        auto [it, inserted] = log_[key].emplace(offset, msg);
        if (!inserted && it->second != msg) {
            anomaly("inconsistent offset " + key + "@" + std::to_string(offset) + ": " +
                    it->second.dump() + " vs " + msg.dump());
        }
        std::set<Offset>& offsets = msg_offsets_[pair_of(key, msg)];
        offsets.insert(offset);
        if (offsets.size() == 2) anomaly("duplicate " + pair_of(key, msg));
        tracked_max_[key] = std::max(tracked_max_.count(key) ? tracked_max_[key] : -1, offset);
    }

    void anomaly(std::string what) {
        if (result_.anomalies.size() < 20) result_.anomalies.push_back(std::move(what));
    }

    void start_final(std::size_t index) {
        Client& client = clients_[index];
        ++result_.ops;  // the final crash
        restart(client);
        client.final_polled.clear();
        for (const auto& [key, highest] : tracked_max_) client.offsets[key] = 0;
        ++result_.ops;  // the seek-to-beginning assign (no RPC)
        schedule_final_poll(index);
    }

    void schedule_final_poll(std::size_t index) {
        Client& client = clients_[index];
        bool caught_up = true;
        for (const auto& [key, highest] : tracked_max_) {
            auto it = client.final_polled.find(key);
            if (it == client.final_polled.end() || it->second < highest) caught_up = false;
        }
        if (caught_up) {
            client.final_done = true;
            return;
        }
        const Instant gap = static_cast<Instant>(rng_.uniform_double() * 400'000);
        cluster_.schedule(cluster_.now_us() + gap, [this, index] {
            Client& polling = clients_[index];
            if (!polling.op.empty()) return;
            ++result_.ops;
            polling.op = "poll";
            json offsets = json::object();
            for (const auto& [key, offset] : polling.offsets) offsets[key] = offset;
            call(index, {{"type", "poll"}, {"offsets", offsets}});
        });
    }

    void check_end() {
        for (const auto& client : clients_) {
            if (!client.final_done) anomaly("client " + client.id + " never caught up");
        }
        for (const auto& id : ok_sent_) {
            if (!polled_.count(id)) anomaly("unseen: " + id);
        }
    }

    Cluster& cluster_;
    WorkloadOptions options_;
    Rng rng_;
    std::vector<Client> clients_;
    int next_client_ = 0;
    std::vector<std::int64_t> slot_keys_;
    std::int64_t next_key_ = 0;
    std::map<std::int64_t, int> writes_;
    Instant main_end_us_ = 0;
    bool final_phase_ = false;
    std::map<std::string, std::map<Offset, json>> log_;
    std::map<std::string, std::set<Offset>> msg_offsets_;
    std::map<std::string, Offset> tracked_max_;
    std::set<std::string> ok_sent_, failed_sent_, maybe_sent_, polled_;
    WorkloadResult result_;
};

}  // namespace millpond::kafka::testing
