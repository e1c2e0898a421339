#include "kafka_checker.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/assert.hpp"

namespace millpond::checkers {
namespace {

using history::Op;
using history::OpType;
using KeyId = std::int32_t;     // dense, in edn::Value order of the keys
using ValueId = std::int32_t;   // dense per key, in edn::Value order of that key's values
using Position = std::int64_t;  // an op's place in the history vector ("history position")

constexpr std::int64_t kUnknownOffset = std::numeric_limits<std::int64_t>::min();
constexpr Position kNone = -1;
constexpr std::size_t kCondenseMany = 32;  // §3.5: duplicate, inconsistent-offsets
constexpr std::size_t kCondenseFew = 8;    // §3.5: skips, nonmonotonic, cycles
constexpr std::size_t kUnseenMessagesMax = 32;
const edn::Value kNil;
const edn::Items kNoItems;

edn::Value kw(std::string_view name) { return edn::Value::keyword(std::string(name)); }

class MapBuilder {
  public:
    MapBuilder& add(std::string_view key, edn::Value value) {
        entries_.emplace_back(kw(key), std::move(value));
        return *this;
    }
    edn::Value build() { return edn::Value::map(std::move(entries_)); }

  private:
    edn::Entries entries_;
};

double nanos_to_secs(std::int64_t nanos) { return static_cast<double>(nanos) / 1e9; }

struct Pair {
    std::int64_t offset = kUnknownOffset;
    ValueId value = 0;
    // While its op is parsed, the pair's slot (see OpScratch); it takes what would be padding.
    std::int32_t slot = 0;
};
static_assert(sizeof(Pair) == 16);

// All pairs one op read from (or sent to) one key, in the op's order: a range of the
// analysis's flat pair array. A key polled with an empty list is present with no pairs:
// Jepsen's op-reads keeps it, and several rules care.
struct KeyPairs {
    KeyId key = 0;
    std::uint32_t pairs_begin = 0;
    std::uint32_t pairs_end = 0;
};

enum class OpKind : std::uint8_t { kOther, kPoll, kSend, kTxn, kAssign, kSubscribe };

// What every pass needs of one op, gathered in the one pass that reads the history's EDN
// values. The passes walk this dense table instead of history::Op (whose values live all
// over the heap), so checking a long history streams through memory once per pass rather
// than chasing pointers.
struct ParsedOp {
    OpType type = OpType::kInvoke;
    OpKind kind = OpKind::kOther;  // non-client ops stay kOther
    // The op's process among the distinct client processes, ascending (-1 for the nemesis),
    // so per-process passes index vectors instead of maps.
    std::int32_t process_rank = -1;
    // Ranges of key_pairs_: §3.4 op-reads ([reads_begin, writes_begin): :poll and :txn ops
    // only), then op-writes ([writes_begin, writes_end): :send and :txn ops only).
    std::uint32_t reads_begin = 0;
    std::uint32_t writes_begin = 0;
    std::uint32_t writes_end = 0;
    // Range of assigned_keys_: the :assign / :subscribe value.
    std::uint32_t assigned_begin = 0;
    std::uint32_t assigned_end = 0;
};
// Every pass streams this table; on a 10^6-op history each byte here is 2 MB per pass.
static_assert(sizeof(ParsedOp) <= 32);

// text -> id for the few key names of a history, looked up for every key of every op:
// open addressing with FNV-1a, only ever looked up (never iterated, so its order cannot
// reach the output).
class StringIds {
  public:
    std::optional<std::int32_t> find(std::string_view text) const {
        if (slots_.empty()) return std::nullopt;
        const std::size_t text_hash = hash(text);
        for (std::size_t i = text_hash & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
            const Slot& slot = slots_[i];
            if (slot.id < 0) return std::nullopt;
            if (slot.hash == text_hash && slot.text == text) return slot.id;
        }
    }
    void insert(std::string_view text, std::int32_t id) {
        MP_ASSERT_GE(id, 0);
        if (2 * (count_ + 1) > slots_.size()) grow();
        place(std::string(text), id);
        ++count_;
    }

  private:
    struct Slot {
        std::string text;
        std::size_t hash = 0;  // of text: most probes end at a differing hash
        std::int32_t id = -1;
    };
    static std::size_t hash(std::string_view text) {
        std::uint64_t h = 14695981039346656037ULL;
        for (char c : text) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
        return static_cast<std::size_t>(h ^ (h >> 29));
    }
    void place(std::string text, std::int32_t id) {
        const std::size_t text_hash = hash(text);
        std::size_t i = text_hash & (slots_.size() - 1);
        while (slots_[i].id >= 0) {
            MP_ASSERT(slots_[i].text != text);
            i = (i + 1) & (slots_.size() - 1);
        }
        slots_[i] = Slot{std::move(text), text_hash, id};
    }
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(std::max<std::size_t>(16, 2 * old.size()), Slot{});
        for (Slot& slot : old)
            if (slot.id >= 0) place(std::move(slot.text), slot.id);
    }

    std::vector<Slot> slots_;  // size a power of two, at most half full
    std::size_t count_ = 0;
};

// Interns keys and values so every later pass works on small integers. Ids are handed out
// provisionally while parsing and renumbered afterwards into edn::Value order, so "smallest
// id" means "first in edn order" everywhere, which is how millpond makes Jepsen's hash-order
// choices deterministic.
//
// Values that compare equal share an id and are represented by the first one seen. Messages
// are integers in every kafka history, so integers (and doubles holding an integer, which
// compare equal to it) skip the ordered map: small non-negative ones index a table, others
// go through a hash map that is only ever looked up, never iterated. Everything else (strings,
// collections, fractional doubles) takes the ordered map.
class Interner {
  public:
    // `key` must live as long as the interner parses (it is the history's): its string's
    // address is remembered.
    KeyId key(const edn::Value& key) {
        // Keys are strings in every kafka history; a hash lookup finds a known one without
        // walking the ordered map (only looked up, never iterated: ids still come from the
        // ordered map in finalize). (Emptied by finalize, so add_key asserts after it.)
        if (key.is_string()) {
            // A completion often holds its invocation's very key string (edn values share
            // their parts): a small table of recent strings by address answers it without
            // hashing. The history outlives the parse, so an address means one string.
            const std::string* text = &key.as_string();
            RecentKey& recent =
                recent_keys_[(reinterpret_cast<std::uintptr_t>(text) >> 5) % recent_keys_.size()];
            if (recent.text == text) return recent.id;
            if (auto found = string_key_ids_.find(*text)) {
                recent = RecentKey{text, *found};
                return *found;
            }
        }
        return add_key(key);
    }
    ValueId value(KeyId key, const edn::Value& value) {
        MP_ASSERT_LT(static_cast<std::size_t>(key), values_by_key_.size());
        ProvisionalValues& values = values_by_key_[static_cast<std::size_t>(key)];
        // Inline, the common case: a message seen before (a small integer).
        if (value.is_int()) {
            const auto index = static_cast<std::uint64_t>(value.as_int());
            if (index < values.small_ids.size() && values.small_ids[index] >= 0)
                return values.small_ids[index];
        }
        return add_value(&values, value);
    }

    // Renumbers into edn order; returns the provisional -> final maps for keys and, per
    // provisional key, for values.
    void finalize(std::vector<KeyId>* key_map, std::vector<std::vector<ValueId>>* value_maps) {
        MP_ASSERT(!finalized_);
        finalized_ = true;
        key_map->assign(values_by_key_.size(), 0);
        value_maps->assign(values_by_key_.size(), {});
        keys_.reserve(values_by_key_.size());
        values_.resize(values_by_key_.size());
        KeyId rank = 0;
        for (auto& [key, provisional] : key_ids_) {
            (*key_map)[static_cast<std::size_t>(provisional)] = rank;
            keys_.push_back(key);
            ProvisionalValues& provisional_values =
                values_by_key_[static_cast<std::size_t>(provisional)];
            auto& value_map = (*value_maps)[static_cast<std::size_t>(provisional)];
            value_map.assign(provisional_values.first_seen.size(), 0);
            auto& values = values_[static_cast<std::size_t>(rank)];
            values.reserve(provisional_values.first_seen.size());
            for (ValueId id : in_edn_order(provisional_values)) {
                value_map[static_cast<std::size_t>(id)] = static_cast<ValueId>(values.size());
                values.push_back(
                    std::move(provisional_values.first_seen[static_cast<std::size_t>(id)]));
            }
            MP_ASSERT_EQ(values.size(), provisional_values.first_seen.size());
            provisional = rank;  // key_ids_ now maps to final ids, for find_key
            ++rank;
        }
        values_by_key_.clear();
        string_key_ids_ = {};
        recent_keys_ = {};
    }

    std::optional<KeyId> find_key(const edn::Value& key) const {
        MP_ASSERT(finalized_);
        auto it = key_ids_.find(key);
        if (it == key_ids_.end()) return std::nullopt;
        return it->second;
    }
    std::size_t key_count() const { return keys_.size(); }
    std::size_t value_count(KeyId key) const {
        return values_[static_cast<std::size_t>(key)].size();
    }
    const edn::Value& key_of(KeyId key) const { return keys_[static_cast<std::size_t>(key)]; }
    const edn::Value& value_of(KeyId key, ValueId value) const {
        return values_[static_cast<std::size_t>(key)][static_cast<std::size_t>(value)];
    }

  private:
    // One key's values while parsing, by provisional id (the order first seen).
    struct ProvisionalValues {
        std::vector<edn::Value> first_seen;                           // by provisional id
        std::vector<ValueId> small_ids;                               // by integer: id or -1
        std::unordered_map<std::int64_t, ValueId> other_integer_ids;  // looked up only
        std::map<edn::Value, ValueId> other_ids;                      // non-integers
    };

    KeyId add_key(const edn::Value& key) {
        MP_ASSERT(!finalized_);
        auto [it, inserted] = key_ids_.emplace(key, static_cast<KeyId>(values_by_key_.size()));
        if (inserted) values_by_key_.emplace_back();
        if (key.is_string()) string_key_ids_.insert(key.as_string(), it->second);
        return it->second;
    }
    ValueId add_value(ProvisionalValues* values_of_key, const edn::Value& value) {
        MP_ASSERT(!finalized_);
        ProvisionalValues& values = *values_of_key;
        const auto next_id = static_cast<ValueId>(values.first_seen.size());
        ValueId* id = nullptr;
        if (auto integer = integer_of(value)) {
            const auto index = static_cast<std::uint64_t>(*integer);
            // The table may grow to 16 slots per value interned so far: dense where the
            // messages of a key are dense, and bounded where they are not (Maelstrom numbers
            // messages across all keys). An integer stays where it was first put: one too
            // large for the table then is looked up in the map even once the table has grown
            // past it (else it would get a second id).
            const std::uint64_t table_max = 16 * (values.first_seen.size() + 64);
            auto in_map = values.other_integer_ids.end();
            if (!values.other_integer_ids.empty()) in_map = values.other_integer_ids.find(*integer);
            if (in_map != values.other_integer_ids.end()) {
                id = &in_map->second;
            } else if (*integer >= 0 && index < table_max) {
                // Grown by doubling: messages mostly arrive one above the last.
                if (index >= values.small_ids.size())
                    values.small_ids.resize(
                        std::max<std::size_t>(index + 1, 2 * values.small_ids.size()), -1);
                id = &values.small_ids[index];
            } else {
                id = &values.other_integer_ids.emplace(*integer, -1).first->second;
            }
        } else {
            id = &values.other_ids.emplace(value, -1).first->second;
        }
        if (*id < 0) {
            *id = next_id;
            values.first_seen.push_back(value);
        }
        return *id;
    }

    // The integer a value compares equal to, if it is an integer or a double holding one.
    static std::optional<std::int64_t> integer_of(const edn::Value& value) {
        if (value.is_int()) return value.as_int();
        if (value.kind() != edn::Kind::kDouble) return std::nullopt;
        const double d = value.as_double();
        // [-2^63, 2^63): the doubles that convert to an int64 exactly when integral.
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return std::nullopt;
        const auto integer = static_cast<std::int64_t>(d);
        if (static_cast<double>(integer) != d) return std::nullopt;
        return integer;
    }

    // Provisional ids in edn::Value order: the integers ascending, merged with the ordered
    // map's values (numbers compare across int and double, so fractional doubles fall among
    // the integers).
    static std::vector<ValueId> in_edn_order(const ProvisionalValues& values) {
        std::vector<std::pair<std::int64_t, ValueId>> integers;
        integers.reserve(values.first_seen.size() - values.other_ids.size());
        for (std::size_t i = 0; i < values.small_ids.size(); ++i)
            if (values.small_ids[i] >= 0)
                integers.emplace_back(static_cast<std::int64_t>(i), values.small_ids[i]);
        const std::size_t small_count = integers.size();
        for (const auto& entry : values.other_integer_ids) integers.push_back(entry);
        // Sorted by the integer alone (each integer has one id), so hash order cannot leak.
        std::sort(integers.begin() + static_cast<std::ptrdiff_t>(small_count), integers.end());
        std::inplace_merge(integers.begin(),
                           integers.begin() + static_cast<std::ptrdiff_t>(small_count),
                           integers.end());
        std::vector<ValueId> order;
        order.reserve(values.first_seen.size());
        auto integer = integers.begin();
        for (const auto& [value, id] : values.other_ids) {
            for (; integer != integers.end(); ++integer) {
                const edn::Value& first =
                    values.first_seen[static_cast<std::size_t>(integer->second)];
                if (edn::Value::compare(first, value) >= 0) break;
                order.push_back(integer->second);
            }
            order.push_back(id);
        }
        for (; integer != integers.end(); ++integer) order.push_back(integer->second);
        return order;
    }

    bool finalized_ = false;
    std::map<edn::Value, KeyId> key_ids_;
    StringIds string_key_ids_;  // while parsing: string keys
    struct RecentKey {
        const std::string* text = nullptr;
        KeyId id = 0;
    };
    std::array<RecentKey, 64> recent_keys_{};       // while parsing, see key()
    std::vector<ProvisionalValues> values_by_key_;  // by provisional key, while parsing
    std::vector<edn::Value> keys_;
    std::vector<std::vector<edn::Value>> values_;
};

// §3.4 version order of one key, derived from its log (offset -> values seen there).
struct VersionOrder {
    std::vector<std::int64_t> offsets;      // occupied raw offsets, ascending
    std::vector<ValueId> by_index;          // by dense index: the chosen value
    std::vector<std::int32_t> by_value;     // by value: dense index, or -1
    std::vector<std::int32_t> first_index;  // by value: first dense index, or -1
    std::vector<std::int32_t> last_index;   // by value: last dense index, or -1
    // By dense index, as ranges of one array each: the values at that offset, and the values
    // whose last index it is (both ascending ids).
    std::vector<std::uint32_t> values_start;  // offsets.size() + 1 entries
    std::vector<ValueId> values;
    std::vector<std::uint32_t> last_start;  // offsets.size() + 1 entries
    std::vector<ValueId> last_values;

    std::span<const ValueId> values_at(std::size_t index) const {
        return {values.data() + values_start[index], values.data() + values_start[index + 1]};
    }
    std::span<const ValueId> last_index_values(std::size_t index) const {
        return {last_values.data() + last_start[index], last_values.data() + last_start[index + 1]};
    }
};

// Sorts one key's log entries (offset, value) and drops repeats. Offsets in a log are dense
// from 0, so a counting sort on the offset (each offset's few values then sorted in place)
// does it in linear time; a log with sparse offsets is sorted outright.
void sort_log(std::vector<std::pair<std::int64_t, ValueId>>* log,
              std::vector<std::pair<std::int64_t, ValueId>>* scratch) {
    if (log->empty()) return;
    std::int64_t offset_max = 0;
    for (const auto& [offset, value] : *log) {
        MP_ASSERT_GE(offset, 0);
        offset_max = std::max(offset_max, offset);
    }
    if (static_cast<std::uint64_t>(offset_max) < 4 * log->size() + 1024) {
        std::vector<std::uint32_t> start(static_cast<std::size_t>(offset_max) + 2, 0);
        for (const auto& entry : *log) ++start[static_cast<std::size_t>(entry.first) + 1];
        for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
        scratch->resize(log->size());
        for (const auto& entry : *log)
            (*scratch)[start[static_cast<std::size_t>(entry.first)]++] = entry;
        log->swap(*scratch);
        // start[o] is now where offset o + 1 begins.
        std::uint32_t begin = 0;
        for (std::size_t o = 0; o + 1 < start.size(); ++o) {
            if (start[o] - begin > 1) std::sort(log->begin() + begin, log->begin() + start[o]);
            begin = start[o];
        }
    } else {
        std::sort(log->begin(), log->end());
    }
    log->erase(std::unique(log->begin(), log->end()), log->end());
}

// One error of some type, with the number Jepsen sorts that type by when condensing.
struct ErrorCase {
    edn::Value value;
    std::int64_t sort_key = 0;
};

// Per (key, value) facts gathered in one pass over the history.
// Positions in 32 bits (parse_all checks the history fits); -1 is kNone.
struct ValueFacts {
    std::int32_t writer = -1;        // §3.4 writer-of: last non-invoke op that sent it
    std::int32_t first_reader = -1;  // first non-invoke op that polled it
    std::int64_t reader_count = 0;
    bool ok_read = false;       // read by an ok poll (reads-by-type :ok)
    bool fail_written = false;  // sent by a failed op (writes-by-type :fail)
    bool ok_written = false;    // sent by an ok op (acknowledged: check_unseen)
};

// Positions in 32 bits (parse_all checks the history fits): a long history has millions.
struct WrEdge {
    std::int32_t writer = 0;
    std::int32_t reader = 0;
    KeyId key = 0;
    ValueId value = 0;
};

// One op's keys while it is parsed. Each key gets a slot on first appearance, reads and writes
// apart; each pair goes to the end of pairs_, tagged with its slot (Pair::slot: a read slot s
// as s, a write slot s as ~s); finish_op then lays the slots out in key_pairs_, reads first,
// with each slot's pairs grouped in pairs_ in parse order. Everything is reused from op to op.
struct OpScratch {
    std::vector<std::int32_t> read_slot_of;   // by provisional key: read slot, or -1
    std::vector<std::int32_t> write_slot_of;  // by provisional key: write slot, or -1
    std::vector<KeyId> read_keys;             // by read slot
    std::vector<KeyId> write_keys;            // by write slot
};

// Positions of some ops grouped by process: group g (processes ascending) is
// positions[start[g], start[g + 1]), in history order.
struct ProcessGroups {
    std::vector<std::uint32_t> start;
    std::vector<std::int32_t> positions;  // (positions fit 32 bits: parse_all checks)
};

// key -> the last op that read (or sent to) it, for per-process passes: its position (kNone
// when absent) and its entry for the key (an index into key_pairs_; an op lists a key once
// among its reads and once among its writes, so that is the one). One slot per key, reset in
// time proportional to the keys set since the last reset.
class LastOpByKey {
  public:
    struct Last {
        Position position = kNone;
        std::uint32_t entry = 0;
    };
    explicit LastOpByKey(std::size_t key_count) : last_(key_count) {}
    const Last& get(KeyId key) const { return last_[static_cast<std::size_t>(key)]; }
    void set(KeyId key, Last last) {
        Last& slot = last_[static_cast<std::size_t>(key)];
        if (slot.position == kNone) touched_.push_back(key);
        slot = last;
    }
    void clear() {
        for (KeyId key : touched_) last_[static_cast<std::size_t>(key)] = Last{};
        touched_.clear();
    }
    // Forgets every key not in `kept`.
    void keep_only(std::span<const KeyId> kept) {
        saved_.clear();
        for (KeyId key : kept)
            if (get(key).position != kNone) saved_.emplace_back(key, get(key));
        clear();
        for (const auto& [key, last] : saved_) set(key, last);
    }

  private:
    std::vector<Last> last_;
    std::vector<KeyId> touched_;
    std::vector<std::pair<KeyId, Last>> saved_;
};

class KafkaAnalysis {
  public:
    explicit KafkaAnalysis(const history::History& history)
        : history_(history), history_size_(static_cast<Position>(history.size())) {}

    edn::Value run();

  private:
    // Parsing
    void parse_all();
    void parse_op(Position position, const Op& op, ParsedOp* parsed);
    std::int32_t slot(bool read, const edn::Value& key);
    void add_pair(Position position, std::int32_t tagged_slot, const edn::Value& key,
                  const edn::Value& offset, const edn::Value& value);
    // A pair whose offset is neither nil nor a non-negative integer: noted or reported.
    void reject_offset(Position position, const edn::Value& key, const edn::Value& offset,
                       const edn::Value& value);
    // Lays out the op's keys and its pairs (pairs_ from pairs_begin on).
    void finish_op(ParsedOp* parsed, std::uint32_t pairs_begin);
    void pair_op(Position position, const Op& op);
    void rank_processes();
    void renumber();
    void note_malformed(Position position, std::string_view what);

    // Intermediate structures (§3.4)
    void gather_facts();
    bool must_have_committed(Position position) const;
    void build_version_orders();

    // Anomalies (§3.5, §10)
    void check_version_order_errors();
    void check_lost_writes();
    void check_g1a();
    void check_precommitted_reads();
    void check_internal();
    void check_poll_skips();
    void check_nonmonotonic_sends();
    void check_unseen();
    void check_no_writer();
    void check_cycles();
    void check_realtime_lag();
    void check_shape();

    edn::Value build_result();
    edn::Value condense(const std::string& type, std::vector<ErrorCase>& cases) const;

    // Helpers
    // Kept, not recomputed: every pass tests it per op, and history_.size() divides by
    // sizeof(Op).
    Position history_size() const { return history_size_; }
    const Op& op_at(Position position) const {
        return history_[static_cast<std::size_t>(position)];
    }
    const ParsedOp& parsed_at(Position position) const {
        return ops_[static_cast<std::size_t>(position)];
    }
    std::span<const KeyPairs> reads_of(const ParsedOp& parsed) const {
        return {key_pairs_.data() + parsed.reads_begin, key_pairs_.data() + parsed.writes_begin};
    }
    std::span<const KeyPairs> writes_of(const ParsedOp& parsed) const {
        return {key_pairs_.data() + parsed.writes_begin, key_pairs_.data() + parsed.writes_end};
    }
    std::span<const KeyPairs> reads_of(Position position) const {
        return reads_of(parsed_at(position));
    }
    std::span<const KeyPairs> writes_of(Position position) const {
        return writes_of(parsed_at(position));
    }
    std::span<const Pair> pairs_of(const KeyPairs& entry) const {
        return {pairs_.data() + entry.pairs_begin, pairs_.data() + entry.pairs_end};
    }
    // The value of the last pair of an op's entry (an index into key_pairs_) for a key, if
    // it has pairs.
    std::optional<ValueId> last_value_of(std::uint32_t entry, KeyId key) const {
        const KeyPairs& pairs = key_pairs_[entry];
        MP_ASSERT_EQ(pairs.key, key);
        if (pairs.pairs_begin == pairs.pairs_end) return std::nullopt;
        return pairs_[pairs.pairs_end - 1].value;
    }
    std::span<const KeyId> assigned_of(const ParsedOp& parsed) const {
        return {assigned_keys_.data() + parsed.assigned_begin,
                assigned_keys_.data() + parsed.assigned_end};
    }
    edn::Value op_edn(Position position) const { return history::op_to_edn(op_at(position)); }
    edn::Value key_edn(KeyId key) const { return interner_.key_of(key); }
    edn::Value value_edn(KeyId key, ValueId value) const { return interner_.value_of(key, value); }
    ValueFacts& facts(KeyId key, ValueId value) {
        return facts_[static_cast<std::size_t>(key)][static_cast<std::size_t>(value)];
    }
    const ValueFacts& facts(KeyId key, ValueId value) const {
        return facts_[static_cast<std::size_t>(key)][static_cast<std::size_t>(value)];
    }
    const VersionOrder& order(KeyId key) const { return orders_[static_cast<std::size_t>(key)]; }
    std::int32_t index_of(KeyId key, std::optional<ValueId> value) const {
        if (!value) return -1;
        return order(key).by_value[static_cast<std::size_t>(*value)];
    }
    Position invocation_of(Position position) const;
    Position completion_of(Position position) const {
        return completion_of_[static_cast<std::size_t>(position)];
    }
    std::int64_t time_ns_at(Position position) const {
        return time_ns_[static_cast<std::size_t>(position)];
    }
    edn::Value skipped_values(KeyId key, std::int32_t from_index, std::int32_t to_index) const;
    // A counting sort on the process rank of the client ops that pass `wanted`.
    template <class Wanted>
    ProcessGroups group_by_process(Wanted wanted) const {
        ProcessGroups groups;
        groups.start.assign(processes_.size() + 1, 0);
        for (Position p = 0; p < history_size(); ++p)
            if (parsed_at(p).kind != OpKind::kOther && wanted(parsed_at(p)))
                ++groups.start[static_cast<std::size_t>(parsed_at(p).process_rank) + 1];
        for (std::size_t g = 1; g < groups.start.size(); ++g)
            groups.start[g] += groups.start[g - 1];
        groups.positions.resize(groups.start.back());
        std::vector<std::uint32_t> fill(groups.start.begin(), groups.start.end() - 1);
        for (Position p = 0; p < history_size(); ++p)
            if (parsed_at(p).kind != OpKind::kOther && wanted(parsed_at(p)))
                groups.positions[fill[static_cast<std::size_t>(parsed_at(p).process_rank)]++] =
                    static_cast<std::int32_t>(p);
        return groups;
    }
    void add_error(std::string_view type, edn::Value value, std::int64_t sort_key = 0) {
        errors_[std::string(type)].push_back(ErrorCase{std::move(value), sort_key});
    }
    void note(std::string text) { notes_.push_back(std::move(text)); }

    const history::History& history_;
    const Position history_size_;
    std::vector<ParsedOp> ops_;         // by history position
    std::vector<KeyPairs> key_pairs_;   // ranges of it by op (ParsedOp)
    std::vector<Pair> pairs_;           // ranges of it by key of an op (KeyPairs)
    std::vector<KeyId> assigned_keys_;  // ranges of it by op (ParsedOp)
    // history::pair_ops, computed in the parsing pass: the completion of each invocation and
    // the invocation of each completion, or kNone.
    // (Positions fit 32 bits: parse_all checks.)
    std::vector<std::int32_t> completion_of_;
    std::vector<std::int32_t> invocation_of_;
    std::vector<std::int64_t> time_ns_;  // by history position
    // Distinct client processes in ascending order, and each op's rank among them (-1 for the
    // nemesis), so per-process passes index vectors instead of maps.
    std::vector<std::int64_t> processes_;
    // While parsing: each process's provisional id (in the order first seen) and its open
    // invocation. Processes are small integers in every history, so they index a vector; a
    // history with huge process numbers falls back to a map.
    std::vector<std::int32_t> process_id_direct_;  // by process + 1: id, or -1
    std::map<std::int64_t, std::int32_t> process_id_other_;
    std::vector<std::int64_t> process_of_id_;
    std::vector<std::int32_t> open_invocation_of_id_;  // position, or -1
    std::vector<Position> rebalanced_ops_;             // ops with a :rebalance-log, ascending
    std::int64_t bare_polls_ = 0;                      // see check_shape
    bool has_txn_ = false;                             // some client op is a :txn
    bool any_fail_written_ = false;                    // some value has fail_written
    OpScratch scratch_;
    Interner interner_;
    std::vector<std::vector<ValueFacts>> facts_;  // by key, by value
    std::vector<VersionOrder> orders_;            // by key
    std::vector<char> key_ok_polled_;             // by key: present in some ok poll

    std::map<std::string, std::vector<ErrorCase>> errors_;  // sorted: keyword order
    std::optional<edn::Value> unseen_;
    edn::Value worst_realtime_lag_;
    std::vector<std::string> notes_;
    std::int64_t malformed_count_ = 0;
    std::string malformed_first_;
};

// ---------------------------------------------------------------------------------------------
// Parsing

void KafkaAnalysis::note_malformed(Position position, std::string_view what) {
    if (malformed_count_++ == 0)
        malformed_first_ =
            "op at index " + std::to_string(op_at(position).index) + ": " + std::string(what);
}

std::int32_t KafkaAnalysis::slot(bool read, const edn::Value& key) {
    const KeyId key_id = interner_.key(key);
    auto& slot_of = read ? scratch_.read_slot_of : scratch_.write_slot_of;
    auto& keys = read ? scratch_.read_keys : scratch_.write_keys;
    if (static_cast<std::size_t>(key_id) >= slot_of.size())
        slot_of.resize(static_cast<std::size_t>(key_id) + 1, -1);
    std::int32_t& found = slot_of[static_cast<std::size_t>(key_id)];
    if (found < 0) {
        found = static_cast<std::int32_t>(keys.size());
        keys.push_back(key_id);
    }
    return read ? found : ~found;
}

void KafkaAnalysis::add_pair(Position position, std::int32_t tagged_slot, const edn::Value& key,
                             const edn::Value& offset, const edn::Value& value) {
    const KeyId key_id = tagged_slot >= 0
                             ? scratch_.read_keys[static_cast<std::size_t>(tagged_slot)]
                             : scratch_.write_keys[static_cast<std::size_t>(~tagged_slot)];
    Pair pair;
    pair.value = interner_.value(key_id, value);
    const std::int64_t known = offset.is_int() ? offset.as_int() : -1;
    if (known >= 0)
        pair.offset = known;
    else if (!offset.is_nil()) [[unlikely]]
        reject_offset(position, key, offset, value);  // the offset stays unknown
    pair.slot = tagged_slot;
    pairs_.push_back(pair);
}

void KafkaAnalysis::reject_offset(Position position, const edn::Value& key,
                                  const edn::Value& offset, const edn::Value& value) {
    if (!offset.is_int()) {
        note_malformed(position, "an offset that is not an integer: " + edn::write(offset));
        return;
    }
    // §10: Jepsen throws on negative offsets. millpond reports the op instead and keeps the
    // value out of the version order (its offset means nothing).
    MP_ASSERT_LT(offset.as_int(), 0);
    add_error("negative-offset", MapBuilder()
                                     .add("key", key)
                                     .add("offset", offset)
                                     .add("value", value)
                                     .add("op", op_edn(position))
                                     .build());
}

void KafkaAnalysis::finish_op(ParsedOp* parsed, std::uint32_t pairs_begin) {
    OpScratch& s = scratch_;
    const auto read_count = static_cast<std::uint32_t>(s.read_keys.size());
    const auto slot_count = read_count + static_cast<std::uint32_t>(s.write_keys.size());
    MP_ASSERT_GT(slot_count, 0u);
    const std::size_t key_pairs_begin = key_pairs_.size();
    MP_ASSERT_LT(key_pairs_begin + slot_count, std::size_t{UINT32_MAX});
    MP_ASSERT_LT(pairs_.size(), std::size_t{UINT32_MAX});
    MP_ASSERT_LE(pairs_begin, pairs_.size());
    parsed->reads_begin = static_cast<std::uint32_t>(key_pairs_begin);
    parsed->writes_begin = parsed->reads_begin + read_count;
    parsed->writes_end = parsed->reads_begin + slot_count;
    auto key_of_slot = [&](std::uint32_t i) {
        return i < read_count ? s.read_keys[i] : s.write_keys[i - read_count];
    };
    const auto pairs = std::span<Pair>(pairs_).subspan(pairs_begin);
    if (slot_count == 1) {
        // One key (a send, or a poll of one key): every pair is its.
        key_pairs_.push_back(KeyPairs{key_of_slot(0), pairs_begin,
                                      pairs_begin + static_cast<std::uint32_t>(pairs.size())});
    } else {
        // Slots in layout order: reads first.
        for (Pair& pair : pairs)
            if (pair.slot < 0) pair.slot = static_cast<std::int32_t>(read_count) + ~pair.slot;
        // A poll lists each key once and a send op sends one message, so the pairs nearly
        // always arrive grouped by slot in slot order already. Otherwise a stable sort by slot
        // groups them, keeping each slot's pairs in parse order.
        auto by_slot = [](const Pair& a, const Pair& b) { return a.slot < b.slot; };
        if (!std::is_sorted(pairs.begin(), pairs.end(), by_slot))
            std::stable_sort(pairs.begin(), pairs.end(), by_slot);
        std::uint32_t next = 0;
        for (std::uint32_t i = 0; i < slot_count; ++i) {
            const std::uint32_t begin = next;
            while (next < pairs.size() && pairs[next].slot == static_cast<std::int32_t>(i)) ++next;
            key_pairs_.push_back(KeyPairs{key_of_slot(i), pairs_begin + begin, pairs_begin + next});
        }
        MP_ASSERT_EQ(next, pairs.size());
    }
    MP_ASSERT_EQ(key_pairs_.size(), key_pairs_begin + slot_count);
    for (KeyId key : s.read_keys) s.read_slot_of[static_cast<std::size_t>(key)] = -1;
    for (KeyId key : s.write_keys) s.write_slot_of[static_cast<std::size_t>(key)] = -1;
    s.read_keys.clear();
    s.write_keys.clear();
}

void KafkaAnalysis::parse_op(Position position, const Op& op, ParsedOp* parsed) {
    parsed->type = op.type;
    const auto empty = static_cast<std::uint32_t>(key_pairs_.size());
    const auto pairs_begin = static_cast<std::uint32_t>(pairs_.size());
    parsed->reads_begin = parsed->writes_begin = parsed->writes_end = empty;
    const auto no_keys = static_cast<std::uint32_t>(assigned_keys_.size());
    parsed->assigned_begin = parsed->assigned_end = no_keys;
    if (!op.extra.empty() && op.find_extra("rebalance-log")) rebalanced_ops_.push_back(position);
    if (!op.is_client()) return;
    // Length first, then bytes: std::string == const char* compares out of line, and this
    // runs for every op.
    auto is_f = [&](std::string_view name) {
        return op.f.size() == name.size() &&
               std::memcmp(op.f.data(), name.data(), name.size()) == 0;
    };
    if (is_f("poll"))
        parsed->kind = OpKind::kPoll;
    else if (is_f("send"))
        parsed->kind = OpKind::kSend;
    else if (is_f("txn"))
        parsed->kind = OpKind::kTxn;
    else if (is_f("assign"))
        parsed->kind = OpKind::kAssign;
    else if (is_f("subscribe"))
        parsed->kind = OpKind::kSubscribe;
    else
        return;
    if (parsed->kind == OpKind::kTxn) has_txn_ = true;

    if (parsed->kind == OpKind::kAssign || parsed->kind == OpKind::kSubscribe) {
        if (op.value.is_sequential()) {
            for (const auto& key : op.value.items()) assigned_keys_.push_back(interner_.key(key));
            MP_ASSERT_LT(assigned_keys_.size(), std::size_t{UINT32_MAX});
            parsed->assigned_end = static_cast<std::uint32_t>(assigned_keys_.size());
        } else if (!op.value.is_nil()) {
            note_malformed(position, "an assign value that is not a list of keys");
        }
        return;
    }
    if (op.value.is_nil()) return;
    if (!op.value.is_sequential()) {
        note_malformed(position, "a value that is not a list of micro-ops");
        return;
    }
    const bool reads = parsed->kind == OpKind::kPoll || parsed->kind == OpKind::kTxn;
    const bool writes = parsed->kind == OpKind::kSend || parsed->kind == OpKind::kTxn;
    for (const auto& mop : op.value.items()) {
        const edn::Items& items = mop.is_sequential() ? mop.items() : kNoItems;
        if (items.empty() || !items[0].is_keyword()) {
            note_malformed(position, "a micro-op that is not [:poll ...] or [:send ...]");
            continue;
        }
        if (items[0].is_keyword("poll")) {
            // check_shape: a bare [:poll] in an ok poll is a lossy 0.2.3 completion.
            if (items.size() == 1 && op.type == OpType::kOk && parsed->kind == OpKind::kPoll)
                ++bare_polls_;
            if (!reads) continue;
            // [:poll] alone is an invocation (or a lossy 0.2.3 completion): no results.
            if (items.size() < 2 || items[1].is_nil()) continue;
            if (!items[1].is_map()) {
                note_malformed(position, "poll results that are not a map");
                continue;
            }
            for (const auto& [key, pairs] : items[1].entries()) {
                if (!pairs.is_nil() && !pairs.is_sequential()) {
                    note_malformed(position, "polled pairs that are not a list");
                    continue;
                }
                // The key is present even when its list is empty (§3.4).
                const std::int32_t into = slot(true, key);
                if (pairs.is_nil()) continue;
                for (const auto& pair : pairs.items()) {
                    if (!pair.is_sequential() || pair.size() < 2) {
                        note_malformed(position, "a polled pair that is not [offset message]");
                        continue;
                    }
                    const edn::Items& offset_message = pair.items();
                    add_pair(position, into, key, offset_message[0], offset_message[1]);
                }
            }
        } else if (items[0].is_keyword("send")) {
            if (!writes) continue;
            if (items.size() < 3) {
                note_malformed(position, "a send that is not [:send key message]");
                continue;
            }
            // §3.4: a vector is [offset message] (ok sends); anything else is the bare
            // message of an invocation or an indefinite send.
            const edn::Value& sent = items[2];
            const std::int32_t into = slot(false, items[1]);
            if (sent.kind() == edn::Kind::kVector) {
                const auto& pair = sent.items();
                add_pair(position, into, items[1], pair.size() > 0 ? pair[0] : kNil,
                         pair.size() > 1 ? pair[1] : kNil);
            } else {
                add_pair(position, into, items[1], kNil, sent);
            }
        } else {
            note_malformed(position, "an unknown micro-op " + edn::write(items[0]));
        }
    }
    // An op that read and sent nothing (an invocation, an empty poll) keeps the empty ranges.
    if (!scratch_.read_keys.empty() || !scratch_.write_keys.empty()) finish_op(parsed, pairs_begin);
}

void KafkaAnalysis::parse_all() {
    MP_ASSERT_LT(history_.size(), std::size_t{INT32_MAX});
    ops_.assign(history_.size(), ParsedOp{});
    // About one key and one or two pairs per op: reserving that (untouched memory costs
    // nothing) spares most of the copying of growing by doubling.
    key_pairs_.reserve(history_.size());
    pairs_.reserve(2 * history_.size());
    time_ns_.resize(history_.size());
    completion_of_.assign(history_.size(), -1);
    invocation_of_.assign(history_.size(), -1);
    // Reading the ops' EDN values is a chain of pointer hops per op; prefetching the ops a
    // few positions ahead, one level further down the nearer they are, keeps several of
    // those memory loads in flight instead of one.
    constexpr Position kPrefetchOp = 16;
    constexpr Position kPrefetchValue = 8;
    constexpr Position kPrefetchItems = 4;
    for (Position p = 0; p < history_size(); ++p) {
        if (p + kPrefetchOp < history_size()) {
            const Op* ahead = &op_at(p + kPrefetchOp);
            __builtin_prefetch(ahead);
            __builtin_prefetch(reinterpret_cast<const char*>(ahead) + 64);
        }
        if (p + kPrefetchValue < history_size()) op_at(p + kPrefetchValue).value.prefetch();
        if (p + kPrefetchItems < history_size())
            op_at(p + kPrefetchItems).value.prefetch_elements();
        const Op& op = op_at(p);
        parse_op(p, op, &ops_[static_cast<std::size_t>(p)]);
        time_ns_[static_cast<std::size_t>(p)] = op.time_ns;
        pair_op(p, op);
    }
    rank_processes();
    renumber();
}

void KafkaAnalysis::pair_op(Position position, const Op& op) {
    // history::pair_ops, in the parsing pass: an invocation stays open until its process
    // completes something; a later invocation by the same process replaces it.
    const auto direct_max = 4 * static_cast<std::size_t>(history_size()) + 64;
    std::int32_t* id = nullptr;
    const auto direct = static_cast<std::uint64_t>(op.process) + 1;  // the nemesis (-1) -> 0
    if (direct < direct_max) {
        if (direct >= process_id_direct_.size()) process_id_direct_.resize(direct + 1, -1);
        id = &process_id_direct_[direct];
    } else {
        id = &process_id_other_.emplace(op.process, -1).first->second;
    }
    if (*id < 0) {
        *id = static_cast<std::int32_t>(process_of_id_.size());
        process_of_id_.push_back(op.process);
        open_invocation_of_id_.push_back(-1);
    }
    ops_[static_cast<std::size_t>(position)].process_rank = *id;  // provisional: the id
    std::int32_t& open = open_invocation_of_id_[static_cast<std::size_t>(*id)];
    if (op.type == OpType::kInvoke) {
        open = static_cast<std::int32_t>(position);
        return;
    }
    if (open < 0) return;  // a completion with no invocation
    completion_of_[static_cast<std::size_t>(open)] = static_cast<std::int32_t>(position);
    invocation_of_[static_cast<std::size_t>(position)] = open;
    open = -1;
}

void KafkaAnalysis::rank_processes() {
    // Ranks: client processes ascending; the ops' provisional ids become ranks.
    std::vector<std::int32_t> ids(process_of_id_.size());
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int32_t>(i);
    std::sort(ids.begin(), ids.end(), [&](std::int32_t a, std::int32_t b) {
        return process_of_id_[static_cast<std::size_t>(a)] <
               process_of_id_[static_cast<std::size_t>(b)];
    });
    std::vector<std::int32_t> rank_of_id(ids.size(), -1);
    for (std::int32_t id : ids) {
        const std::int64_t process = process_of_id_[static_cast<std::size_t>(id)];
        if (process == history::kNemesisProcess) continue;
        rank_of_id[static_cast<std::size_t>(id)] = static_cast<std::int32_t>(processes_.size());
        processes_.push_back(process);
    }
    for (ParsedOp& parsed : ops_)
        parsed.process_rank = rank_of_id[static_cast<std::size_t>(parsed.process_rank)];
    process_id_direct_ = {};
    process_id_other_ = {};
    process_of_id_ = {};
    open_invocation_of_id_ = {};
}

void KafkaAnalysis::renumber() {
    std::vector<KeyId> key_map;
    std::vector<std::vector<ValueId>> value_maps;
    interner_.finalize(&key_map, &value_maps);
    for (auto& entry : key_pairs_) {
        const auto& values = value_maps[static_cast<std::size_t>(entry.key)];
        for (std::uint32_t i = entry.pairs_begin; i < entry.pairs_end; ++i)
            pairs_[i].value = values[static_cast<std::size_t>(pairs_[i].value)];
        entry.key = key_map[static_cast<std::size_t>(entry.key)];
    }
    for (auto& key : assigned_keys_) key = key_map[static_cast<std::size_t>(key)];
}

// ---------------------------------------------------------------------------------------------
// Intermediate structures

Position KafkaAnalysis::invocation_of(Position position) const {
    if (parsed_at(position).type == OpType::kInvoke) return position;
    return invocation_of_[static_cast<std::size_t>(position)];  // -1 is kNone
}

void KafkaAnalysis::gather_facts() {
    facts_.resize(interner_.key_count());
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k)
        facts_[static_cast<std::size_t>(k)].resize(interner_.value_count(k));
    key_ok_polled_.assign(interner_.key_count(), 0);
    for (Position p = 0; p < history_size(); ++p) {
        const ParsedOp& parsed = parsed_at(p);
        if (parsed.type == OpType::kInvoke) continue;
        for (const auto& entry : writes_of(parsed)) {
            for (const auto& pair : pairs_of(entry)) {
                ValueFacts& f = facts(entry.key, pair.value);
                f.writer = static_cast<std::int32_t>(p);  // §3.4: the last non-invoke sender
                if (parsed.type == OpType::kFail) f.fail_written = any_fail_written_ = true;
                if (parsed.type == OpType::kOk) f.ok_written = true;
            }
        }
        for (const auto& entry : reads_of(parsed)) {
            if (parsed.type == OpType::kOk) key_ok_polled_[static_cast<std::size_t>(entry.key)] = 1;
            for (const auto& pair : pairs_of(entry)) {
                ValueFacts& f = facts(entry.key, pair.value);
                if (f.first_reader == kNone) f.first_reader = static_cast<std::int32_t>(p);
                ++f.reader_count;
                if (parsed.type == OpType::kOk) f.ok_read = true;
            }
        }
    }
    // millpond differs: Jepsen's writer-of ignores invocations, so a message polled from a
    // send that never completed at all (a history cut short) would have no writer and throw.
    // Such a send is indeterminate, exactly like an :info one, so it counts as the writer.
    for (Position p = 0; p < history_size(); ++p) {
        if (parsed_at(p).type != OpType::kInvoke || completion_of(p) != kNone) continue;
        for (const auto& entry : writes_of(p))
            for (const auto& pair : pairs_of(entry)) {
                ValueFacts& f = facts(entry.key, pair.value);
                if (f.writer == kNone) f.writer = static_cast<std::int32_t>(p);
            }
    }
}

// §3.4 must-have-committed?: ok, or indefinite with at least one sent value seen by an ok poll.
bool KafkaAnalysis::must_have_committed(Position position) const {
    const ParsedOp& parsed = parsed_at(position);
    if (parsed.type == OpType::kOk) return true;
    const bool indefinite = parsed.type == OpType::kInfo ||
                            (parsed.type == OpType::kInvoke && completion_of(position) == kNone);
    if (!indefinite) return false;
    for (const auto& entry : writes_of(parsed))
        for (const auto& pair : pairs_of(entry))
            if (facts(entry.key, pair.value).ok_read) return true;
    return false;
}

void KafkaAnalysis::build_version_orders() {
    // §3.4 / §10 (Jepsen 0.3.7): offsets from the sends of ops that must have committed, and
    // from every poll whatever its type.
    std::vector<std::vector<std::pair<std::int64_t, ValueId>>> logs(interner_.key_count());
    // Polls read each message several times, nearly always at the same offset: each value
    // remembers the offset it was last logged at, so a log holds about one entry per message
    // rather than one per read (sort_log drops repeats either way).
    std::vector<std::size_t> value_base(interner_.key_count() + 1, 0);
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k)
        value_base[static_cast<std::size_t>(k) + 1] =
            value_base[static_cast<std::size_t>(k)] + interner_.value_count(k);
    std::vector<std::int64_t> logged_offset(value_base.back(), kUnknownOffset);
    auto add = [&](KeyId key, const Pair& pair) {
        if (pair.offset == kUnknownOffset) return;
        std::int64_t& logged = logged_offset[value_base[static_cast<std::size_t>(key)] +
                                             static_cast<std::size_t>(pair.value)];
        if (logged == pair.offset) return;
        logged = pair.offset;
        logs[static_cast<std::size_t>(key)].emplace_back(pair.offset, pair.value);
    };
    for (Position p = 0; p < history_size(); ++p) {
        const ParsedOp& parsed = parsed_at(p);
        if (parsed.reads_begin == parsed.writes_end) continue;
        for (const auto& entry : reads_of(parsed))
            for (const auto& pair : pairs_of(entry)) add(entry.key, pair);
        if (parsed.writes_begin != parsed.writes_end && must_have_committed(p))
            for (const auto& entry : writes_of(parsed))
                for (const auto& pair : pairs_of(entry)) add(entry.key, pair);
    }
    orders_.resize(interner_.key_count());
    std::vector<std::pair<std::int64_t, ValueId>> scratch;
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k) {
        VersionOrder& vo = orders_[static_cast<std::size_t>(k)];
        const std::size_t value_count = interner_.value_count(k);
        vo.by_value.assign(value_count, -1);
        vo.first_index.assign(value_count, -1);
        vo.last_index.assign(value_count, -1);
        auto& log = logs[static_cast<std::size_t>(k)];
        sort_log(&log, &scratch);
        MP_ASSERT_LT(log.size(), std::size_t{UINT32_MAX});
        vo.values.reserve(log.size());
        for (std::size_t e = 0; e < log.size(); ++e) {
            const auto [offset, value] = log[e];
            if (e == 0 || offset != log[e - 1].first) {
                const auto index = static_cast<std::int32_t>(vo.offsets.size());
                vo.offsets.push_back(offset);
                vo.values_start.push_back(static_cast<std::uint32_t>(vo.values.size()));
                // §10 "arbitrary is not arbitrary": where an offset holds several messages,
                // the dense index takes the smallest in edn order (Jepsen takes the first of
                // a hash set). Values come ascending, so that is the first.
                vo.by_index.push_back(value);
                vo.by_value[static_cast<std::size_t>(value)] = index;  // last one wins
            }
            const auto index = static_cast<std::int32_t>(vo.offsets.size()) - 1;
            if (vo.first_index[static_cast<std::size_t>(value)] == -1)
                vo.first_index[static_cast<std::size_t>(value)] = index;
            vo.last_index[static_cast<std::size_t>(value)] = index;
            vo.values.push_back(value);
        }
        vo.values_start.push_back(static_cast<std::uint32_t>(vo.values.size()));
        MP_ASSERT_EQ(vo.by_index.size(), vo.offsets.size());
        MP_ASSERT_EQ(vo.values_start.size(), vo.offsets.size() + 1);
        log = {};
        // last_index_values: a counting sort of the values on their last index.
        vo.last_start.assign(vo.offsets.size() + 1, 0);
        for (ValueId v = 0; v < static_cast<ValueId>(value_count); ++v) {
            const std::int32_t last = vo.last_index[static_cast<std::size_t>(v)];
            if (last >= 0) ++vo.last_start[static_cast<std::size_t>(last) + 1];
        }
        for (std::size_t i = 1; i < vo.last_start.size(); ++i)
            vo.last_start[i] += vo.last_start[i - 1];
        vo.last_values.resize(vo.last_start.back());
        std::vector<std::uint32_t> fill(vo.last_start.begin(), vo.last_start.end() - 1);
        for (ValueId v = 0; v < static_cast<ValueId>(value_count); ++v) {
            const std::int32_t last = vo.last_index[static_cast<std::size_t>(v)];
            if (last >= 0) vo.last_values[fill[static_cast<std::size_t>(last)]++] = v;
        }
    }
}

edn::Value KafkaAnalysis::skipped_values(KeyId key, std::int32_t from_index,
                                         std::int32_t to_index) const {
    edn::Items skipped;
    for (std::int32_t i = from_index + 1; i < to_index; ++i)
        skipped.push_back(value_edn(key, order(key).by_index[static_cast<std::size_t>(i)]));
    return edn::Value::list(std::move(skipped));
}

// ---------------------------------------------------------------------------------------------
// Anomalies

void KafkaAnalysis::check_version_order_errors() {
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k) {
        const VersionOrder& vo = order(k);
        // §3.5.1 inconsistent-offsets: one offset, several messages.
        for (std::size_t i = 0; i < vo.offsets.size(); ++i) {
            if (vo.values_at(i).size() < 2) continue;
            edn::Items values;
            for (ValueId v : vo.values_at(i)) values.push_back(value_edn(k, v));
            add_error("inconsistent-offsets",
                      MapBuilder()
                          .add("key", key_edn(k))
                          .add("offset", vo.offsets[i])
                          .add("index", static_cast<std::int64_t>(i))
                          .add("values", edn::Value::set(std::move(values)))
                          .build(),
                      static_cast<std::int64_t>(vo.values_at(i).size()));
        }
        // §3.5.2 duplicate (Jepsen 0.3.7: counted over raw offsets, which it lists).
        // The offsets of each value, by a counting sort of the log on the value; needed only
        // when some value is at two offsets (its first and last indices differ).
        const std::size_t value_count = interner_.value_count(k);
        bool any_duplicate = false;
        for (std::size_t v = 0; v < value_count; ++v)
            any_duplicate = any_duplicate || vo.first_index[v] != vo.last_index[v];
        if (!any_duplicate) continue;
        std::vector<std::uint32_t> start(value_count + 1, 0);
        for (ValueId v : vo.values) ++start[static_cast<std::size_t>(v) + 1];
        for (std::size_t v = 1; v < start.size(); ++v) start[v] += start[v - 1];
        std::vector<std::int64_t> offsets_by_value(vo.values.size());
        {
            std::vector<std::uint32_t> fill(start.begin(), start.end() - 1);
            for (std::size_t i = 0; i < vo.offsets.size(); ++i)
                for (ValueId v : vo.values_at(i))
                    offsets_by_value[fill[static_cast<std::size_t>(v)]++] = vo.offsets[i];
        }
        for (ValueId v = 0; v < static_cast<ValueId>(value_count); ++v) {
            const std::span<const std::int64_t> offsets(
                offsets_by_value.data() + start[static_cast<std::size_t>(v)],
                offsets_by_value.data() + start[static_cast<std::size_t>(v) + 1]);
            if (offsets.size() < 2) continue;
            edn::Items items(offsets.begin(), offsets.end());
            add_error("duplicate",
                      MapBuilder()
                          .add("key", key_edn(k))
                          .add("value", value_edn(k, v))
                          .add("count", static_cast<std::int64_t>(offsets.size()))
                          .add("offsets", edn::Value::vector(std::move(items)))
                          .build(),
                      static_cast<std::int64_t>(offsets.size()));
        }
    }
}

void KafkaAnalysis::check_lost_writes() {
    // §3.5.3 lost-write, per key that some ok poll returned (even if only empty lists).
    std::vector<KeyId> unbounded;
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k) {
        if (!key_ok_polled_[static_cast<std::size_t>(k)]) continue;
        const VersionOrder& vo = order(k);
        std::int32_t bound = -1;
        for (ValueId v = 0; v < static_cast<ValueId>(interner_.value_count(k)); ++v)
            if (facts(k, v).ok_read)
                bound = std::max(bound, vo.first_index[static_cast<std::size_t>(v)]);
        if (bound < 0) {
            // §3.5.3 / §10: Jepsen's nth(last-index->values, -1) throws here. With nothing
            // read, nothing must have been read: no lost writes on this key.
            unbounded.push_back(k);
            continue;
        }
        // max-read: one op that read a value whose last appearance is at the bound (built
        // only for an error: every key that was read reaches this point).
        const auto at_bound = vo.last_index_values(static_cast<std::size_t>(bound));
        auto max_read = [&] {
            if (at_bound.empty()) return edn::Value();
            const Position reader = facts(k, at_bound.front()).first_reader;
            return reader != kNone ? op_edn(reader) : edn::Value();
        };
        for (std::int32_t i = 0; i <= bound; ++i) {
            for (ValueId v : vo.last_index_values(static_cast<std::size_t>(i))) {
                const ValueFacts& f = facts(k, v);
                if (f.ok_read) continue;
                // A value nobody sent is reported as :no-writer-of-value, not here.
                if (f.writer == kNone || !must_have_committed(f.writer)) continue;
                add_error("lost-write",
                          MapBuilder()
                              .add("key", key_edn(k))
                              .add("value", value_edn(k, v))
                              .add("index", vo.first_index[static_cast<std::size_t>(v)])
                              .add("max-read-index", bound)
                              .add("writer", op_edn(f.writer))
                              .add("max-read", max_read())
                              .build());
            }
        }
    }
    if (!unbounded.empty()) {
        std::string keys;
        for (std::size_t i = 0; i < unbounded.size(); ++i) {
            if (i == 8) {
                keys += " and " + std::to_string(unbounded.size() - 8) + " more";
                break;
            }
            keys += (i ? ", " : "") + edn::write(key_edn(unbounded[i]));
        }
        note("lost-write: ok polls of key(s) " + keys +
             " only ever returned empty lists, so no offset bounds what must have been read; "
             "Maelstrom's checker throws here (IndexOutOfBoundsException, :valid? :unknown), "
             "millpond finds no lost writes on those keys (messages sent to them and never "
             "polled still count as :unseen)");
    }
}

void KafkaAnalysis::check_g1a() {
    // §3.5.11 G1a: an ok poll read a message whose send definitely failed.
    if (!any_fail_written_) return;
    for (Position p = 0; p < history_size(); ++p) {
        if (parsed_at(p).type != OpType::kOk) continue;
        for (const auto& entry : reads_of(p))
            for (const auto& pair : pairs_of(entry)) {
                const ValueFacts& f = facts(entry.key, pair.value);
                if (!f.fail_written) continue;
                add_error("G1a",
                          MapBuilder()
                              .add("key", key_edn(entry.key))
                              .add("value", value_edn(entry.key, pair.value))
                              .add("writer", f.writer == kNone ? edn::Value() : op_edn(f.writer))
                              .add("reader", op_edn(p))
                              .build());
            }
    }
}

void KafkaAnalysis::check_precommitted_reads() {
    // §3.5.12 precommitted-read (Jepsen 0.3.7): one txn op polls a message it sends itself.
    if (!has_txn_) return;
    for (Position p = 0; p < history_size(); ++p) {
        const ParsedOp& parsed = parsed_at(p);
        if (parsed.kind != OpKind::kTxn) continue;
        for (const auto& written : writes_of(parsed)) {
            std::set<ValueId> sent;
            for (const auto& pair : pairs_of(written)) sent.insert(pair.value);
            std::optional<ValueId> bad;
            for (const auto& read : reads_of(parsed)) {
                if (read.key != written.key) continue;
                for (const auto& pair : pairs_of(read))
                    if (sent.count(pair.value) && (!bad || pair.value < *bad)) bad = pair.value;
            }
            if (!bad) continue;
            add_error("precommitted-read", MapBuilder()
                                               .add("op", op_edn(p))
                                               .add("key", key_edn(written.key))
                                               .add("value", value_edn(written.key, *bad))
                                               .build());
        }
    }
}

void KafkaAnalysis::check_internal() {
    std::size_t next_rebalanced = 0;  // into rebalanced_ops_
    std::set<KeyId> rebalanced;
    for (Position p = 0; p < history_size(); ++p) {
        const ParsedOp& parsed = parsed_at(p);
        // §3.5.7-8: pairs of polled values inside one op, by dense index. Keys named in the
        // op's :rebalance-log are exempt (Maelstrom never writes one).
        if (!rebalanced.empty()) rebalanced.clear();
        if (next_rebalanced < rebalanced_ops_.size() && rebalanced_ops_[next_rebalanced] == p) {
            ++next_rebalanced;
            const edn::Value* log = op_at(p).find_extra("rebalance-log");
            if (log && log->is_sequential())
                for (const auto& event : log->items())
                    if (const edn::Value* keys = event.find("keys"); keys && keys->is_sequential())
                        for (const auto& key : keys->items())
                            if (auto id = interner_.find_key(key)) rebalanced.insert(*id);
        }
        auto walk = [&](std::span<const KeyPairs> list, std::string_view skip_type,
                        std::string_view nonmonotonic_type) {
            for (const auto& entry : list) {
                if (!rebalanced.empty() && rebalanced.count(entry.key)) continue;
                const std::span<const Pair> pairs = pairs_of(entry);
                if (pairs.size() < 2) continue;
                std::int32_t i2 = index_of(entry.key, pairs[0].value);
                for (std::size_t i = 1; i < pairs.size(); ++i) {
                    const ValueId v1 = pairs[i - 1].value;
                    const ValueId v2 = pairs[i].value;
                    const std::int32_t i1 = i2;
                    i2 = index_of(entry.key, v2);
                    const std::int64_t delta = (i1 >= 0 && i2 >= 0) ? i2 - i1 : 1;
                    if (delta == 1) continue;
                    MapBuilder error;
                    error.add("key", key_edn(entry.key))
                        .add("values", edn::Value::vector(
                                           {value_edn(entry.key, v1), value_edn(entry.key, v2)}))
                        .add("delta", delta);
                    if (delta > 1) error.add("skipped", skipped_values(entry.key, i1, i2));
                    error.add("op", op_edn(p));
                    add_error(delta > 1 ? skip_type : nonmonotonic_type, error.build(), delta);
                }
            }
        };
        // (Most ops read nothing or send nothing: walk is not even called for them.)
        if (parsed.reads_begin != parsed.writes_begin)
            walk(reads_of(parsed), "int-poll-skip", "int-nonmonotonic-poll");
        // §3.5.10: two sends to one key inside one op; completions only.
        if (parsed.type != OpType::kInvoke && parsed.writes_begin != parsed.writes_end)
            walk(writes_of(parsed), "int-send-skip", "int-nonmonotonic-send");
    }
}

void KafkaAnalysis::check_poll_skips() {
    // §3.5.5-6 poll-skip / nonmonotonic-poll: per process, in history order.
    const ProcessGroups groups = group_by_process([](const ParsedOp& parsed) {
        return parsed.kind != OpKind::kOther && parsed.kind != OpKind::kSend;
    });
    LastOpByKey last_reads(interner_.key_count());  // key -> last ok op that read it
    for (std::size_t g = 0; g + 1 < groups.start.size(); ++g) {
        last_reads.clear();
        for (std::uint32_t i = groups.start[g]; i < groups.start[g + 1]; ++i) {
            const Position p = groups.positions[i];
            const ParsedOp& parsed = parsed_at(p);
            if (parsed.kind == OpKind::kAssign || parsed.kind == OpKind::kSubscribe) {
                // An ok or info assign keeps only the newly assigned keys' baselines.
                if (parsed.type == OpType::kOk || parsed.type == OpType::kInfo)
                    last_reads.keep_only(assigned_of(parsed));
                continue;
            }
            for (const auto& entry : reads_of(parsed)) {
                const auto [last, last_entry] = last_reads.get(entry.key);
                if (last == kNone) continue;
                // v: the last value the previous op read for this key; v': our first.
                const std::optional<ValueId> v = last_value_of(last_entry, entry.key);
                std::optional<ValueId> v_next;
                if (entry.pairs_begin != entry.pairs_end) v_next = pairs_[entry.pairs_begin].value;
                const std::int32_t i = index_of(entry.key, v);
                const std::int32_t i_next = index_of(entry.key, v_next);
                const std::int64_t delta = (i >= 0 && i_next >= 0) ? i_next - i : 1;
                // Built only for an error: every poll of a key reaches this point.
                auto ops = [&] { return edn::Value::vector({op_edn(last), op_edn(p)}); };
                if (delta > 1) {
                    add_error("poll-skip",
                              MapBuilder()
                                  .add("key", key_edn(entry.key))
                                  .add("delta", delta)
                                  .add("skipped", skipped_values(entry.key, i, i_next))
                                  .add("ops", ops())
                                  .build(),
                              delta);
                } else if (delta < 1) {
                    add_error(
                        "nonmonotonic-poll",
                        MapBuilder()
                            .add("key", key_edn(entry.key))
                            .add("values", edn::Value::vector({value_edn(entry.key, *v),
                                                               value_edn(entry.key, *v_next)}))
                            .add("delta", delta)
                            .add("ops", ops())
                            .build(),
                        delta);
                }
            }
            // Only ok polls move the baseline (Jepsen 0.3.7; 0.3.1 let info and fail polls
            // move it too, which changes nothing on Maelstrom histories: those carry no data).
            if (parsed.type == OpType::kOk)
                for (std::uint32_t e = parsed.reads_begin; e < parsed.writes_begin; ++e)
                    last_reads.set(key_pairs_[e].key, {p, e});
        }
    }
}

void KafkaAnalysis::check_nonmonotonic_sends() {
    // §3.5.9 nonmonotonic-send: per process, over ok and info ops.
    const ProcessGroups groups = group_by_process([](const ParsedOp& parsed) {
        return (parsed.type == OpType::kOk || parsed.type == OpType::kInfo) &&
               parsed.kind != OpKind::kOther && parsed.kind != OpKind::kPoll;
    });
    LastOpByKey last_sends(interner_.key_count());
    for (std::size_t g = 0; g + 1 < groups.start.size(); ++g) {
        last_sends.clear();
        for (std::uint32_t i = groups.start[g]; i < groups.start[g + 1]; ++i) {
            const Position p = groups.positions[i];
            const ParsedOp& parsed = parsed_at(p);
            if (parsed.kind == OpKind::kAssign || parsed.kind == OpKind::kSubscribe) {
                last_sends.keep_only(assigned_of(parsed));
                continue;
            }
            for (const auto& entry : writes_of(parsed)) {
                if (entry.pairs_begin == entry.pairs_end) continue;
                const auto [last, last_entry] = last_sends.get(entry.key);
                if (last == kNone) continue;
                const std::optional<ValueId> v = last_value_of(last_entry, entry.key);
                const ValueId v_next = pairs_[entry.pairs_begin].value;
                const std::int32_t i = index_of(entry.key, v);
                const std::int32_t i_next = index_of(entry.key, v_next);
                if (i < 0 || i_next < 0 || i_next - i >= 1) continue;
                const std::int64_t delta = i_next - i;
                add_error("nonmonotonic-send",
                          MapBuilder()
                              .add("key", key_edn(entry.key))
                              .add("values", edn::Value::vector({value_edn(entry.key, *v),
                                                                 value_edn(entry.key, v_next)}))
                              .add("delta", delta)
                              .add("ops", edn::Value::vector({op_edn(last), op_edn(p)}))
                              .build(),
                          delta);
            }
            for (std::uint32_t e = parsed.writes_begin; e < parsed.writes_end; ++e)
                last_sends.set(key_pairs_[e].key, {p, e});
        }
    }
}

void KafkaAnalysis::check_unseen() {
    // §3.5.4 unseen: messages acknowledged by an ok send that no ok poll ever returned.
    // millpond differs in one detail: Jepsen's per-step bookkeeping counts a key that is first
    // touched by the very last ok poll as unseen (with the messages it just polled); a polled
    // message is seen, so millpond does not.
    // The time of the last ok op; gather_facts marked the messages ok ops sent.
    std::optional<std::int64_t> time_ns;
    for (Position p = history_size() - 1; p >= 0; --p) {
        const OpKind kind = parsed_at(p).kind;
        if (parsed_at(p).type == OpType::kOk &&
            (kind == OpKind::kPoll || kind == OpKind::kSend || kind == OpKind::kTxn)) {
            time_ns = time_ns_at(p);
            break;
        }
    }
    if (!time_ns) return;
    edn::Entries counts;
    edn::Entries messages;
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k) {
        std::int64_t count = 0;
        edn::Items listed;
        for (ValueId v = 0; v < static_cast<ValueId>(interner_.value_count(k)); ++v) {
            const ValueFacts& f = facts(k, v);
            if (!f.ok_written || f.ok_read) continue;
            ++count;
            if (listed.size() < kUnseenMessagesMax) listed.push_back(value_edn(k, v));
        }
        if (count == 0) continue;
        counts.emplace_back(key_edn(k), count);
        messages.emplace_back(key_edn(k), edn::Value::list(std::move(listed)));
    }
    if (counts.empty()) return;
    unseen_ = MapBuilder()
                  .add("time", *time_ns)
                  .add("unseen", edn::Value::map(std::move(counts)))
                  .add("messages", edn::Value::map(std::move(messages)))
                  .build();
}

void KafkaAnalysis::check_no_writer() {
    // §3.5 / §10: a polled message that no send wrote. Jepsen throws :no-writer-of-value
    // (:valid? :unknown); millpond reports it as an anomaly of its own, which is bad: a log
    // that returns messages nobody sent is broken.
    for (KeyId k = 0; k < static_cast<KeyId>(interner_.key_count()); ++k)
        for (ValueId v = 0; v < static_cast<ValueId>(interner_.value_count(k)); ++v) {
            const ValueFacts& f = facts(k, v);
            if (f.reader_count == 0 || f.writer != kNone) continue;
            add_error("no-writer-of-value", MapBuilder()
                                                .add("key", key_edn(k))
                                                .add("value", value_edn(k, v))
                                                .add("reader-count", f.reader_count)
                                                .add("reader", op_edn(f.first_reader))
                                                .build());
        }
}

// Tarjan's strongly connected components, iteratively (the time chain below is as long as the
// history). Returns the component of every node.
std::vector<std::int32_t> strongly_connected(const std::vector<std::int32_t>& edge_start,
                                             const std::vector<std::int32_t>& edge_target) {
    const auto n = static_cast<std::int32_t>(edge_start.size()) - 1;
    std::vector<std::int32_t> index(static_cast<std::size_t>(n), -1);
    std::vector<std::int32_t> low(static_cast<std::size_t>(n), 0);
    std::vector<std::int32_t> component(static_cast<std::size_t>(n), -1);
    std::vector<char> on_stack(static_cast<std::size_t>(n), 0);
    std::vector<std::int32_t> stack;
    std::vector<std::pair<std::int32_t, std::int32_t>> calls;  // node, next edge
    std::int32_t next_index = 0;
    std::int32_t next_component = 0;
    for (std::int32_t root = 0; root < n; ++root) {
        if (index[static_cast<std::size_t>(root)] != -1) continue;
        calls.emplace_back(root, edge_start[static_cast<std::size_t>(root)]);
        index[static_cast<std::size_t>(root)] = low[static_cast<std::size_t>(root)] = next_index++;
        stack.push_back(root);
        on_stack[static_cast<std::size_t>(root)] = 1;
        while (!calls.empty()) {
            auto& [node, edge] = calls.back();
            const auto u = static_cast<std::size_t>(node);
            if (edge < edge_start[u + 1]) {
                const std::int32_t target = edge_target[static_cast<std::size_t>(edge++)];
                const auto t = static_cast<std::size_t>(target);
                if (index[t] == -1) {
                    index[t] = low[t] = next_index++;
                    stack.push_back(target);
                    on_stack[t] = 1;
                    calls.emplace_back(target, edge_start[t]);
                } else if (on_stack[t]) {
                    low[u] = std::min(low[u], index[t]);
                }
                continue;
            }
            if (low[u] == index[u]) {
                std::int32_t member;
                do {
                    member = stack.back();
                    stack.pop_back();
                    on_stack[static_cast<std::size_t>(member)] = 0;
                    component[static_cast<std::size_t>(member)] = next_component;
                } while (member != node);
                ++next_component;
            }
            const std::int32_t finished = node;
            calls.pop_back();
            if (!calls.empty()) {
                const auto parent = static_cast<std::size_t>(calls.back().first);
                low[parent] = std::min(low[parent], low[static_cast<std::size_t>(finished)]);
            }
        }
    }
    MP_ASSERT(stack.empty());
    MP_ASSERT(
        std::none_of(component.begin(), component.end(), [](std::int32_t c) { return c < 0; }));
    return component;
}

void KafkaAnalysis::check_cycles() {
    // §3.5.13 / §10: Elle's cycle search over wr edges (send -> the polls that read it) and
    // the realtime order, for strict serializability. Polls send nothing, so every cycle holds
    // a wr edge whose poll completed before its send was even invoked; Elle reports one
    // :G1c-realtime per strongly connected component, and (0.3.7) one
    // :strong-PL-2-cycle-exists beside it. The realtime order is dense (every op completed
    // before another is invoked precedes it), so instead of its edges the graph holds one
    // "time" node per invocation or completion, chained in history order: A reaches B through
    // the chain exactly when A completed before B was invoked.
    //
    // A wr edge for every pair a completed op read from another op's send, in reader order.
    auto for_each_wr_pair = [&](auto&& visit) {
        for (Position p = 0; p < history_size(); ++p) {
            if (parsed_at(p).type == OpType::kInvoke) continue;
            for (const auto& entry : reads_of(p))
                for (const auto& pair : pairs_of(entry)) {
                    const Position writer = facts(entry.key, pair.value).writer;
                    if (writer == kNone || writer == p) continue;
                    visit(writer, p, entry.key, pair.value);
                }
        }
    };
    // Without txn ops every cycle holds a backward wr edge: an ok poll that completed before
    // the send it read was invoked. (Along a realtime path completions only move forward; a
    // wr edge into a poll that continues the cycle starts at a send invoked before that poll
    // completed, unless it is backward; so a cycle of forward edges would come back to a
    // completion later than itself.) With none, every component is a single op: nothing to
    // report and nothing to search, so a valid history needs only this one look at the pairs.
    auto is_backward = [&](Position writer, Position reader) {
        const Position invocation = invocation_of(writer);
        return parsed_at(reader).type == OpType::kOk && invocation != kNone && reader < invocation;
    };
    bool any_edge = false;
    bool any_backward = false;
    for_each_wr_pair([&](Position writer, Position reader, KeyId, ValueId) {
        any_edge = true;
        any_backward = any_backward || is_backward(writer, reader);
    });

    // Elle reports an empty transaction graph (no wr and no realtime edges) as an anomaly.
    // (There is a realtime edge when some poll, send or txn completed ok before another was
    // invoked: the first such completion comes before the last such invocation.)
    bool has_realtime = false;
    {
        auto is_poll_send_or_txn = [&](Position p, OpType type) {
            const OpKind kind = parsed_at(p).kind;
            return parsed_at(p).type == type &&
                   (kind == OpKind::kPoll || kind == OpKind::kSend || kind == OpKind::kTxn);
        };
        Position first_ok_completion = 0;
        while (first_ok_completion < history_size() &&
               !is_poll_send_or_txn(first_ok_completion, OpType::kOk))
            ++first_ok_completion;
        Position last_invocation = history_size() - 1;
        while (last_invocation > first_ok_completion &&
               !is_poll_send_or_txn(last_invocation, OpType::kInvoke))
            --last_invocation;
        has_realtime = first_ok_completion < last_invocation;
    }
    if (!any_edge && !has_realtime) {
        errors_["empty-transaction-graph"].push_back(ErrorCase{edn::Value(true), 0});
        return;
    }
    if (!any_edge) return;
    if (!has_txn_ && !any_backward) return;

    // The wr edges, one per (writer, reader) with the first pair the reader read from that
    // writer, ordered by writer, then reader. They are made in reader order, so a stable
    // counting sort on the writer orders them in linear time.
    std::vector<WrEdge> edges;
    {
        std::vector<WrEdge> by_reader;
        // At most one edge per pair: reserving that (untouched memory costs nothing) spares
        // the copies and fresh pages of growing by doubling.
        by_reader.reserve(pairs_.size());
        std::vector<std::int32_t> last_reader_of(history_.size(), -1);  // by writer
        for_each_wr_pair([&](Position writer, Position reader, KeyId key, ValueId value) {
            std::int32_t& last_reader = last_reader_of[static_cast<std::size_t>(writer)];
            if (last_reader == reader) return;
            last_reader = static_cast<std::int32_t>(reader);
            by_reader.push_back(WrEdge{static_cast<std::int32_t>(writer),
                                       static_cast<std::int32_t>(reader), key, value});
        });
        std::vector<std::uint32_t> start(history_.size() + 1, 0);
        MP_ASSERT_LT(by_reader.size(), std::size_t{UINT32_MAX});
        for (const auto& edge : by_reader) ++start[static_cast<std::size_t>(edge.writer) + 1];
        for (std::size_t i = 1; i < start.size(); ++i) start[i] += start[i - 1];
        edges.resize(by_reader.size());
        for (const auto& edge : by_reader)
            edges[start[static_cast<std::size_t>(edge.writer)]++] = edge;
    }
    MP_ASSERT(!edges.empty());

    // Positions are history indices, so participants (ascending, distinct) and each one's node
    // come from one table over the history, in linear time.
    std::vector<std::int32_t> node_at(history_.size(), -1);
    for (const auto& edge : edges) {
        node_at[static_cast<std::size_t>(edge.writer)] = 0;
        node_at[static_cast<std::size_t>(edge.reader)] = 0;
    }
    std::vector<Position> participants;
    for (Position p = 0; p < history_size(); ++p) {
        if (node_at[static_cast<std::size_t>(p)] < 0) continue;
        node_at[static_cast<std::size_t>(p)] = static_cast<std::int32_t>(participants.size());
        participants.push_back(p);
    }
    auto node_of = [&](Position p) {
        const std::int32_t node = node_at[static_cast<std::size_t>(p)];
        MP_ASSERT_GE(node, 0);
        return node;
    };
    // Time events: an ok op's completion (it precedes what comes after) and any op's
    // invocation (it follows what came before). Each lies at its own position (an ok
    // completion and an invocation are different ops, and no two participants share an
    // invocation), so a table over the history puts them in order in linear time.
    struct Event {
        std::int32_t node;
        bool completion;
    };
    std::vector<Event> events;
    {
        std::vector<std::int32_t> event_at(history_.size(), -1);  // node * 2 + completion
        auto place = [&](Position position, std::int32_t node, bool completion) {
            std::int32_t& slot = event_at[static_cast<std::size_t>(position)];
            MP_ASSERT_EQ(slot, -1);
            slot = node * 2 + (completion ? 1 : 0);
        };
        for (std::size_t i = 0; i < participants.size(); ++i) {
            const Position p = participants[i];
            const auto node = static_cast<std::int32_t>(i);
            if (parsed_at(p).type == OpType::kOk) place(p, node, true);
            const Position invocation = invocation_of(p);
            if (invocation != kNone) place(invocation, node, false);
        }
        for (std::int32_t code : event_at)
            if (code >= 0) events.push_back(Event{code / 2, code % 2 == 1});
    }
    const auto participant_count = static_cast<std::int32_t>(participants.size());
    const auto node_count = participant_count + static_cast<std::int32_t>(events.size());
    std::vector<std::pair<std::int32_t, std::int32_t>> arcs;
    arcs.reserve(edges.size() + 2 * events.size());
    for (const auto& edge : edges) arcs.emplace_back(node_of(edge.writer), node_of(edge.reader));
    for (std::size_t j = 0; j < events.size(); ++j) {
        const auto time_node = participant_count + static_cast<std::int32_t>(j);
        if (j + 1 < events.size()) arcs.emplace_back(time_node, time_node + 1);
        if (events[j].completion)
            arcs.emplace_back(events[j].node, time_node);
        else
            arcs.emplace_back(time_node, events[j].node);
    }
    // Adjacency lists by counting sort on the source, each list then sorted: the same layout
    // as sorting all arcs, without the n log n over every arc.
    std::vector<std::int32_t> edge_start(static_cast<std::size_t>(node_count) + 1, 0);
    for (const auto& arc : arcs) ++edge_start[static_cast<std::size_t>(arc.first) + 1];
    for (std::size_t i = 1; i < edge_start.size(); ++i) edge_start[i] += edge_start[i - 1];
    std::vector<std::int32_t> edge_target(arcs.size());
    {
        std::vector<std::int32_t> fill(edge_start.begin(), edge_start.end() - 1);
        for (const auto& [from, to] : arcs)
            edge_target[static_cast<std::size_t>(fill[static_cast<std::size_t>(from)]++)] = to;
    }
    for (std::size_t u = 0; u + 1 < edge_start.size(); ++u)
        if (edge_start[u + 1] - edge_start[u] > 1)
            std::sort(edge_target.begin() + edge_start[u], edge_target.begin() + edge_start[u + 1]);
    const std::vector<std::int32_t> component = strongly_connected(edge_start, edge_target);

    // Participants by component (ascending within each), by a counting sort.
    const std::int32_t component_count =
        1 + *std::max_element(component.begin(), component.begin() + participant_count);
    std::vector<std::int32_t> member_start(static_cast<std::size_t>(component_count) + 1, 0);
    for (std::int32_t i = 0; i < participant_count; ++i)
        ++member_start[static_cast<std::size_t>(component[static_cast<std::size_t>(i)]) + 1];
    for (std::size_t c = 1; c < member_start.size(); ++c) member_start[c] += member_start[c - 1];
    std::vector<Position> members(static_cast<std::size_t>(participant_count));
    {
        std::vector<std::int32_t> fill(member_start.begin(), member_start.end() - 1);
        for (std::int32_t i = 0; i < participant_count; ++i)
            members[static_cast<std::size_t>(
                fill[static_cast<std::size_t>(component[static_cast<std::size_t>(i)])]++)] =
                participants[static_cast<std::size_t>(i)];
    }
    auto members_of = [&](std::int32_t c) {
        return std::span<const Position>(
            members.data() + member_start[static_cast<std::size_t>(c)],
            members.data() + member_start[static_cast<std::size_t>(c) + 1]);
    };
    // By component: the earliest-polled bad wr edge (an index into edges), or -1.
    std::vector<std::int64_t> witness(static_cast<std::size_t>(component_count), -1);
    for (std::size_t e = 0; e < edges.size(); ++e) {
        const WrEdge& edge = edges[e];
        const auto [writer_node, reader_node] = arcs[e];  // the first arcs are the edges
        const std::int32_t c = component[static_cast<std::size_t>(writer_node)];
        if (c != component[static_cast<std::size_t>(reader_node)]) continue;
        if (!is_backward(edge.writer, edge.reader)) continue;
        std::int64_t& best = witness[static_cast<std::size_t>(c)];
        if (best < 0) {
            best = static_cast<std::int64_t>(e);
            continue;
        }
        const WrEdge& current = edges[static_cast<std::size_t>(best)];
        if (std::tie(edge.reader, edge.key, edge.value) <
            std::tie(current.reader, current.key, current.value))
            best = static_cast<std::int64_t>(e);
    }
    // Report components in order of their witness poll.
    std::vector<std::pair<Position, std::int32_t>> reported;
    for (std::int32_t c = 0; c < component_count; ++c) {
        const auto ops = members_of(c);
        if (ops.size() < 2) continue;
        const std::int64_t found = witness[static_cast<std::size_t>(c)];
        // Without txn ops every cycle has a witness (see above); a txn-only cycle of
        // concurrent ops has none and is described by its component alone.
        reported.emplace_back(
            found >= 0 ? edges[static_cast<std::size_t>(found)].reader : ops.front(), c);
    }
    std::sort(reported.begin(), reported.end());
    for (const auto& [first, c] : reported) {
        const auto ops = members_of(c);
        edn::Items scc;
        for (Position p : ops) scc.push_back(op_at(p).index);
        const std::int64_t found = witness[static_cast<std::size_t>(c)];
        if (found < 0) {
            add_error("strong-PL-2-cycle-exists",
                      MapBuilder()
                          .add("type", kw("strong-PL-2-cycle-exists"))
                          .add("not", kw("strong-read-committed"))
                          .add("subgraph", edn::Value::vector(
                                               {kw("union"), kw("ww"), kw("wr"), kw("realtime")}))
                          .add("scc-size", static_cast<std::int64_t>(ops.size()))
                          .add("scc", edn::Value::set(std::move(scc)))
                          .build());
            continue;
        }
        const WrEdge& edge = edges[static_cast<std::size_t>(found)];
        const Position send_invocation = invocation_of(edge.writer);
        MP_ASSERT_LT(edge.reader, send_invocation);  // the witness: polled before it was sent
        const Op& poll = op_at(edge.reader);
        const Op& send = op_at(edge.writer);
        const std::string explanation =
            "the ok poll by process " + std::to_string(poll.process) + " (index " +
            std::to_string(poll.index) + ") returned " + edn::write(key_edn(edge.key)) + " " +
            edn::write(value_edn(edge.key, edge.value)) +
            ", but the send of that message by "
            "process " +
            std::to_string(send.process) + " was invoked only later (index " +
            std::to_string(op_at(send_invocation).index) + "): it was read before it was sent";
        add_error(
            "G1c-realtime",
            MapBuilder()
                .add("type", kw("G1c-realtime"))
                .add("key", key_edn(edge.key))
                .add("value", value_edn(edge.key, edge.value))
                .add("poll", op_edn(edge.reader))
                .add("send", op_edn(edge.writer))
                .add("send-invoke", op_edn(send_invocation))
                .add("steps", edn::Value::vector({MapBuilder()
                                                      .add("type", kw("wr"))
                                                      .add("key", key_edn(edge.key))
                                                      .add("value", value_edn(edge.key, edge.value))
                                                      .build(),
                                                  MapBuilder()
                                                      .add("type", kw("realtime"))
                                                      .add("a'", op_edn(edge.reader))
                                                      .add("b", op_edn(send_invocation))
                                                      .build()}))
                .add("scc-size", static_cast<std::int64_t>(ops.size()))
                .add("explanation", explanation)
                .build(),
            2);
        add_error("strong-PL-2-cycle-exists",
                  MapBuilder()
                      .add("type", kw("strong-PL-2-cycle-exists"))
                      .add("not", kw("strong-read-committed"))
                      .add("subgraph",
                           edn::Value::vector({kw("union"), kw("ww"), kw("wr"), kw("realtime")}))
                      .add("scc-size", static_cast<std::int64_t>(ops.size()))
                      .add("scc", edn::Value::set(std::move(scc)))
                      .build());
    }
}

void KafkaAnalysis::check_realtime_lag() {
    // §3.5 realtime lag. expired[k] is a staircase: (offset o, time at which some ok or info
    // op first showed that an offset >= o exists), o ascending; offset i of k was known to
    // exist from the time of the first step with o >= i.
    std::vector<std::vector<std::pair<std::int64_t, std::int64_t>>> expired(interner_.key_count());
    // Jepsen's op->max-offsets of every ok or info op that polled or sent something: every
    // polled key (-1 when its list was empty) and every key sent to with a known offset, each
    // with the highest offset the op saw, keys ascending. Worked out once for both passes
    // below: op_offsets holds each such op's position and where its keys begin in
    // key_offsets, then an end marker at the history's size.
    std::vector<std::pair<std::int32_t, std::uint32_t>> op_offsets;
    std::vector<std::pair<KeyId, std::int64_t>> key_offsets;
    {
        // At most one per op and one per key of an op: reserved (untouched memory costs
        // nothing) to spare the copies of growing by doubling.
        op_offsets.reserve(history_.size() + 1);
        key_offsets.reserve(key_pairs_.size());
        // By key: kUnknownOffset where the op has no offset for the key; op_keys: the keys
        // the op set.
        std::vector<std::int64_t> max_offset_of(interner_.key_count(), kUnknownOffset);
        std::vector<KeyId> op_keys;
        auto raise = [&](KeyId key, std::int64_t offset) {
            std::int64_t& highest = max_offset_of[static_cast<std::size_t>(key)];
            if (highest == kUnknownOffset) op_keys.push_back(key);
            highest = std::max(highest, offset);
        };
        for (Position p = 0; p < history_size(); ++p) {
            const ParsedOp& parsed = parsed_at(p);
            if (parsed.type != OpType::kOk && parsed.type != OpType::kInfo) continue;
            if (parsed.reads_begin == parsed.writes_end) continue;
            for (const auto& entry : reads_of(parsed)) {
                std::int64_t highest = -1;
                for (const auto& pair : pairs_of(entry))
                    if (pair.offset != kUnknownOffset) highest = std::max(highest, pair.offset);
                raise(entry.key, highest);
            }
            for (const auto& entry : writes_of(parsed))
                for (const auto& pair : pairs_of(entry))
                    if (pair.offset != kUnknownOffset) raise(entry.key, pair.offset);
            std::sort(op_keys.begin(), op_keys.end());
            MP_ASSERT_LT(key_offsets.size() + op_keys.size(), std::size_t{UINT32_MAX});
            op_offsets.emplace_back(static_cast<std::int32_t>(p),
                                    static_cast<std::uint32_t>(key_offsets.size()));
            for (KeyId key : op_keys) {
                std::int64_t& highest = max_offset_of[static_cast<std::size_t>(key)];
                key_offsets.emplace_back(key, highest);
                highest = kUnknownOffset;
            }
            op_keys.clear();
        }
        op_offsets.emplace_back(static_cast<std::int32_t>(history_size()),
                                static_cast<std::uint32_t>(key_offsets.size()));
    }
    auto offsets_of = [&](std::size_t i) {
        return std::span<const std::pair<KeyId, std::int64_t>>(
            key_offsets.data() + op_offsets[i].second,
            key_offsets.data() + op_offsets[i + 1].second);
    };
    for (std::size_t i = 0; i + 1 < op_offsets.size(); ++i) {
        for (const auto& [key, offset] : offsets_of(i)) {
            auto& steps = expired[static_cast<std::size_t>(key)];
            if (offset >= 0 && (steps.empty() || offset > steps.back().first))
                steps.emplace_back(offset, time_ns_at(op_offsets[i].first));
        }
    }
    auto expired_at = [&](KeyId key, std::int64_t offset) -> std::optional<std::int64_t> {
        const auto& steps = expired[static_cast<std::size_t>(key)];
        auto it = std::lower_bound(steps.begin(), steps.end(), offset,
                                   [](const std::pair<std::int64_t, std::int64_t>& step,
                                      std::int64_t o) { return step.first < o; });
        if (it == steps.end()) return std::nullopt;
        return it->second;
    };

    struct Worst {
        std::int64_t time_ns;
        std::int64_t process;
        KeyId key;
        std::int64_t lag_ns;
    };
    std::optional<Worst> worst;
    // By process rank: the offsets each process has polled, ascending by key. Each remembers
    // expired_at(key, offset + 1), a pure function, for the offset it was asked for: most
    // polls leave most of a process's keys where they were.
    struct KeyOffset {
        KeyId key = 0;
        std::int64_t offset = -1;
        std::int64_t expired_for = kUnknownOffset;
        std::optional<std::int64_t> expired;
    };
    using KeyOffsets = std::vector<KeyOffset>;
    std::vector<KeyOffsets> process_offsets(processes_.size());
    KeyOffsets next;
    std::int64_t uninvoked = 0;
    std::int64_t uninvoked_first = 0;
    std::size_t next_op_offsets = 0;  // into op_offsets: the first at or after p
    for (Position p = 0; p < history_size(); ++p) {
        const ParsedOp& parsed = parsed_at(p);
        if (parsed.type != OpType::kOk) continue;
        if (parsed.kind == OpKind::kOther || parsed.kind == OpKind::kSend) continue;
        auto& offsets = process_offsets[static_cast<std::size_t>(parsed.process_rank)];
        auto find = [&](KeyId key) {
            return std::lower_bound(offsets.begin(), offsets.end(), key,
                                    [](const KeyOffset& entry, KeyId k) { return entry.key < k; });
        };
        if (parsed.kind == OpKind::kAssign) {
            // Newly assigned keys start at -1; keys still assigned keep their offsets.
            next.clear();
            for (KeyId key : assigned_of(parsed)) {
                auto it = find(key);
                next.push_back(it != offsets.end() && it->key == key
                                   ? *it
                                   : KeyOffset{key, -1, kUnknownOffset, std::nullopt});
            }
            // Sorted by key, the first of equal keys kept (std::map's operator[] assigns the
            // same value to a repeated key, so any one will do).
            std::stable_sort(next.begin(), next.end(),
                             [](const auto& a, const auto& b) { return a.key < b.key; });
            next.erase(std::unique(next.begin(), next.end(),
                                   [](const auto& a, const auto& b) { return a.key == b.key; }),
                       next.end());
            offsets.swap(next);
            continue;
        }
        if (parsed.kind == OpKind::kSubscribe) {
            offsets.clear();
            continue;
        }
        MP_ASSERT(parsed.kind == OpKind::kPoll || parsed.kind == OpKind::kTxn);
        while (op_offsets[next_op_offsets].first < p) ++next_op_offsets;
        const auto polled = op_offsets[next_op_offsets].first == p
                                ? offsets_of(next_op_offsets)
                                : std::span<const std::pair<KeyId, std::int64_t>>();
        for (const auto& [key, offset] : polled) {
            auto it = find(key);
            if (it != offsets.end() && it->key == key)
                it->offset = std::max(it->offset, offset);
            else
                offsets.insert(it, KeyOffset{key, offset, kUnknownOffset, std::nullopt});
        }
        const Position invocation = invocation_of(p);
        if (invocation == kNone) {
            // §10: Jepsen 0.3.1 throws on an ok poll with no invocation; its lag is unknown.
            if (uninvoked++ == 0) uninvoked_first = op_at(p).index;
            continue;
        }
        const std::int64_t invoke_ns = time_ns_at(invocation);
        for (KeyOffset& entry : offsets) {
            if (entry.expired_for != entry.offset) {
                entry.expired = expired_at(entry.key, entry.offset + 1);
                entry.expired_for = entry.offset;
            }
            const auto& at = entry.expired;
            const std::int64_t lag_ns = at ? std::max<std::int64_t>(0, invoke_ns - *at) : 0;
            if (!worst || lag_ns > worst->lag_ns)
                worst = Worst{invoke_ns, processes_[static_cast<std::size_t>(parsed.process_rank)],
                              entry.key, lag_ns};
        }
    }
    if (uninvoked > 0)
        note(std::to_string(uninvoked) + " ok poll(s) have no invocation (first at index " +
             std::to_string(uninvoked_first) +
             "); Maelstrom's checker throws on these, "
             "millpond leaves them out of the realtime lag and checks them otherwise");
    if (worst) {
        worst_realtime_lag_ = MapBuilder()
                                  .add("time", nanos_to_secs(worst->time_ns))
                                  .add("process", worst->process)
                                  .add("key", key_edn(worst->key))
                                  .add("lag", nanos_to_secs(worst->lag_ns))
                                  .build();
    } else {
        // Jepsen 0.3.7's default when there are no samples (0.3.1 throws).
        worst_realtime_lag_ = MapBuilder().add("time", 0.0).add("lag", 0.0).build();
    }
}

void KafkaAnalysis::check_shape() {
    if (malformed_count_ > 0)
        note(std::to_string(malformed_count_) +
             " malformed part(s) of ops were skipped (first: " + malformed_first_ + ")");
    // §10: Jepsen's unseen plot reads the time of the final phase and throws when the history
    // does not end in one; the verdict stands, but unseen messages may just be unpolled.
    static const std::set<std::string> kFinalFs = {"poll", "crash", "assign",
                                                   "debug-topic-partitions"};
    if (history_.empty() || !kFinalFs.count(history_.back().f))
        note(
            "the history does not end with the final phase (a :poll, :crash or :assign op); "
            "Maelstrom's checker throws here, millpond judges what is there, and :unseen "
            "messages may simply never have been polled");
    // The Maelstrom 0.2.3 store loses the final polls' results (see maelstrom_repair.hpp);
    // parse_op counts the ok polls' bare [:poll]s.
    if (bare_polls_ > 0)
        note(std::to_string(bare_polls_) +
             " ok poll(s) carry a bare [[:poll]] with no results: "
             "this looks like a lossy Maelstrom 0.2.3 history.edn, and messages those polls "
             "returned will look unseen; repair it from history.txt");
}

// ---------------------------------------------------------------------------------------------
// Result

edn::Value KafkaAnalysis::condense(const std::string& type, std::vector<ErrorCase>& cases) const {
    // §3.5 result map: Jepsen's condense-error.
    auto by_key = [](const ErrorCase& a, const ErrorCase& b) { return a.sort_key < b.sort_key; };
    auto first = [&](std::size_t n) {
        std::stable_sort(cases.begin(), cases.end(), by_key);
        if (cases.size() > n) cases.resize(n);
    };
    auto last = [&](std::size_t n) {
        std::stable_sort(cases.begin(), cases.end(), by_key);
        if (cases.size() > n)
            cases.erase(cases.begin(), cases.end() - static_cast<std::ptrdiff_t>(n));
    };
    const auto count = static_cast<std::int64_t>(cases.size());
    if (type == "empty-transaction-graph")
        return MapBuilder().add("count", 1).add("errs", true).build();
    if (type == "duplicate" || type == "inconsistent-offsets")
        first(kCondenseMany);
    else if (type == "int-nonmonotonic-poll" || type == "int-nonmonotonic-send" ||
             type == "nonmonotonic-poll" || type == "nonmonotonic-send")
        first(kCondenseFew);
    else if (type == "int-poll-skip" || type == "int-send-skip" || type == "poll-skip")
        last(kCondenseFew);
    else if (type == "G0" || type == "G0-process" || type == "G0-realtime" || type == "G1c" ||
             type == "G1c-process" || type == "G1c-realtime")
        first(kCondenseFew);
    MP_ASSERT_LE(static_cast<std::int64_t>(cases.size()), count);
    edn::Items errs;
    errs.reserve(cases.size());
    for (auto& c : cases) errs.push_back(std::move(c.value));
    return MapBuilder().add("count", count).add("errs", edn::Value::list(std::move(errs))).build();
}

edn::Value KafkaAnalysis::build_result() {
    // §3.5 validity: only these error types are allowed under Maelstrom's settings
    // (:sub-via #{:assign}, no :ww-deps).
    static const std::set<std::string> kAllowed = {"int-send-skip",     "G0",
                                                   "G0-process",        "G0-realtime",
                                                   "PL-1-cycle-exists", "strong-PL-1-cycle-exists"};
    std::map<std::string, edn::Value> condensed;
    for (auto& [type, cases] : errors_) condensed[type] = condense(type, cases);
    if (unseen_) condensed["unseen"] = *unseen_;
    edn::Items error_types;
    edn::Items bad_types;
    for (const auto& [type, value] : condensed) {
        error_types.push_back(kw(type));
        if (!kAllowed.count(type)) bad_types.push_back(kw(type));
    }
    // info-txn-causes: the distinct :error of indefinite send/poll/txn ops, in history order.
    edn::Items causes;
    for (Position p = 0; p < history_size(); ++p) {
        if (parsed_at(p).type != OpType::kInfo) continue;
        const Op& op = op_at(p);
        if (op.f != "send" && op.f != "poll" && op.f != "txn") continue;
        const edn::Value* error = op.find_extra("error");
        const edn::Value cause = error ? *error : edn::Value();
        if (std::find(causes.begin(), causes.end(), cause) == causes.end()) causes.push_back(cause);
    }
    MapBuilder result;
    result.add("valid?", bad_types.empty())
        .add("worst-realtime-lag", worst_realtime_lag_)
        .add("bad-error-types", edn::Value::list(std::move(bad_types)))
        .add("error-types", edn::Value::list(std::move(error_types)))
        .add("info-txn-causes", edn::Value::list(std::move(causes)));
    for (auto& [type, value] : condensed) result.add(type, std::move(value));
    if (!notes_.empty()) {
        edn::Items notes(notes_.begin(), notes_.end());
        result.add("notes", edn::Value::vector(std::move(notes)));
    }
    return result.build();
}

edn::Value KafkaAnalysis::run() {
    parse_all();
    gather_facts();
    build_version_orders();
    check_version_order_errors();
    check_lost_writes();
    check_g1a();
    check_precommitted_reads();
    check_internal();
    check_poll_skips();
    check_nonmonotonic_sends();
    check_unseen();
    check_no_writer();
    check_cycles();
    check_realtime_lag();
    check_shape();
    return build_result();
}

}  // namespace

edn::Value check_kafka(const history::History& history) { return KafkaAnalysis(history).run(); }

}  // namespace millpond::checkers
