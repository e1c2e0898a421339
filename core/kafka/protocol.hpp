#pragma once
// The client-facing kafka protocol (spec §3.1), shared by every design: parsing the four
// requests and building their replies. Maelstrom's client validates replies against closed
// schemas, so every reply body is built here and holds only its declared fields (HandlerNode
// adds msg_id and in_reply_to, which the schemas allow).
//
// Poll cap: a poll_ok carries at most kPollMessagesPerKeyMax messages per key and at most
// kPollMessagesMax in all. The workload writes 16 messages per key by default, so a caught-up
// client never notices the per-key cap; the final phase polls until caught up, so a longer log
// is read in several polls rather than in one unbounded body. When the total cap is reached
// the remaining keys are left out (keys are visited in order, and keys already caught up cost
// nothing, so the next poll makes progress on the later keys).

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../message.hpp"

namespace millpond::kafka {

using Offset = std::int64_t;

inline constexpr std::size_t kPollMessagesPerKeyMax = 32;
inline constexpr std::size_t kPollMessagesMax = 4096;

struct SendRequest {
    std::string key;
    json msg;
};

// Each parser throws MalformedRequest (→ error 12) on a missing or wrong-typed field.
SendRequest parse_send(const json& body);
// The "offsets" object: string keys to non-negative integer offsets.
std::map<std::string, Offset> parse_offsets(const json& body);
// The same object checked the same way, read in place: every value is then a non-negative
// integer (value.get<Offset>()). A poll carries every key of its client, so a handler that
// only walks the offsets need not copy them; take_offsets moves them out of the request for
// one that answers later.
const json::object_t& require_offsets(const json& body);
json::object_t take_offsets(json& body);
// The "keys" array of strings, deduplicated and sorted.
std::vector<std::string> parse_keys(const json& body);

json send_ok_body(Offset offset);
json commit_offsets_ok_body();
json list_committed_offsets_ok_body(const std::map<std::string, Offset>& offsets);

// [[offset, msg], ...] for a run of messages that starts at `offset`: a poll_ok's per-key list,
// also what the owner design's forwards carry. Built as plain arrays and moved into place
// (json::array() goes through nlohmann's initializer-list constructor, and every polled
// message pays for one pair).
json::array_t offset_pairs(Offset offset, std::span<const json> run);
json::array_t offset_pairs(Offset offset, const std::vector<const json*>& run);

// Builds a poll_ok's "msgs" object under the caps. A key is added only with a non-empty run,
// because an empty list makes Maelstrom's checker crash (spec §3.5, lost-write).
class PollReplyBuilder {
  public:
    // How many more messages key may take: min(per-key cap, what is left of the total).
    std::size_t room() const;
    // REQUIRES: run.size() <= room(); the run is the log's messages from `offset` on, in order;
    // no key is added twice with a non-empty run. Keys added in ascending order cost no search.
    void add(const std::string& key, Offset offset, const std::vector<const json*>& run);
    void add(const std::string& key, Offset offset, std::span<const json> run);
    // {"type":"poll_ok","msgs":{...}}
    json finish();

  private:
    void add_pairs(const std::string& key, json::array_t pairs);

    json msgs_ = json(json::value_t::object);
    std::size_t total_ = 0;
};

// A handle to answer a request later: its source and msg_id, without the (possibly large) body.
Message reply_handle(const Message& request);

}  // namespace millpond::kafka
