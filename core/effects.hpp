#pragma once
// Effects: what a node wants done, returned as data. The simulator and the stdio adapter are
// two interpreters of the same effects; a node never performs I/O itself.

#include <string>
#include <variant>
#include <vector>

#include "message.hpp"

namespace millpond {

struct SendEffect {
    // Built in its place in the effects buffer: a body moves once, from the node's hands into
    // the buffer (every extra json object on a message's path costs a move and a call to
    // nlohmann's out-of-line destroy).
    SendEffect(const NodeId& src, NodeId&& dest, json&& body)
        : message{src, std::move(dest), std::move(body)} {}

    Message message;
};
// Fire on_timer(key) at deadline_us (absolute, the node's own clock). Setting a key that is
// already set replaces its deadline.
struct SetTimerEffect {
    std::string key;
    Instant deadline_us;
};
struct CancelTimerEffect {
    std::string key;
};
// A line for the node's stderr-style log.
struct LogEffect {
    std::string line;
};

// The simulated disk. A write is volatile until a later sync: a kill loses every write made
// since the node's last sync, and keeps everything synced before it. A restarted node finds
// the synced contents in InitInfo::disk. Writing an empty value erases the key.
struct DiskWriteEffect {
    std::string key;
    std::string value;
};
struct DiskSyncEffect {};

using Effect = std::variant<SendEffect, SetTimerEffect, CancelTimerEffect, LogEffect,
                            DiskWriteEffect, DiskSyncEffect>;

// The buffer a node writes its effects into during one step (stateright's `Out`).
class Out {
  public:
    explicit Out(NodeId self) : self_(std::move(self)) {}

    const NodeId& self() const { return self_; }

    void send(NodeId dest, json&& body) {
        effects_.emplace_back(std::in_place_type<SendEffect>, self_, std::move(dest),
                              std::move(body));
    }
    void send(NodeId dest, const json& body) { send(std::move(dest), json(body)); }
    void set_timer(std::string key, Instant deadline_us) {
        effects_.emplace_back(SetTimerEffect{std::move(key), deadline_us});
    }
    void cancel_timer(std::string key) { effects_.emplace_back(CancelTimerEffect{std::move(key)}); }
    void log(std::string line) { effects_.emplace_back(LogEffect{std::move(line)}); }
    void disk_write(std::string key, std::string value) {
        effects_.emplace_back(DiskWriteEffect{std::move(key), std::move(value)});
    }
    void disk_sync() { effects_.emplace_back(DiskSyncEffect{}); }

    // Starts a new step for `self`, keeping the effects buffer's capacity: a driver that steps
    // nodes millions of times reuses one Out instead of allocating a vector per step.
    void reset(const NodeId& self) {
        self_ = self;
        effects_.clear();
    }

    std::vector<Effect>& effects() { return effects_; }
    const std::vector<Effect>& effects() const { return effects_; }
    void clear() { effects_.clear(); }

  private:
    NodeId self_;
    std::vector<Effect> effects_;
};

}  // namespace millpond
