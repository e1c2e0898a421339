#pragma once
// EDN values: the data language of Jepsen histories and Maelstrom results. A small value type,
// a reader that reports line and column, a compact writer (Maelstrom's history.edn line style)
// and a pretty writer (results.edn), plus the JSON mapping used for results.json
// (keyword :foo-bar? <-> key "foo-bar?").

#include <cstdint>
#include <memory>
#include "core/message.hpp"
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/assert.hpp"

namespace millpond::edn {

class Value;
using Items = std::vector<Value>;
using Entries = std::vector<std::pair<Value, Value>>;

enum class Kind { kNil, kBool, kInt, kDouble, kString, kKeyword, kSymbol, kVector, kList, kSet, kMap };

class Value {
  public:
    Value() = default;  // nil
    Value(bool b) : kind_(Kind::kBool), int_(b) {}                      // NOLINT
    Value(int v) : kind_(Kind::kInt), int_(v) {}                        // NOLINT
    Value(std::int64_t v) : kind_(Kind::kInt), int_(v) {}               // NOLINT
    Value(std::uint64_t v) : kind_(Kind::kInt), int_(static_cast<std::int64_t>(v)) {}  // NOLINT
    Value(double v) : kind_(Kind::kDouble), double_(v) {}               // NOLINT
    Value(const char* s) : Value(std::string(s)) {}                     // NOLINT
    Value(std::string s) : kind_(Kind::kString), ptr_(std::make_shared<std::string>(std::move(s))) {}  // NOLINT

    static Value keyword(std::string name);  // name without the colon
    static Value symbol(std::string name);
    static Value vector(Items items = {});
    static Value list(Items items = {});
    static Value set(Items items = {});
    static Value map(Entries entries = {});

    Kind kind() const { return kind_; }
    bool is_nil() const { return kind_ == Kind::kNil; }
    bool is_int() const { return kind_ == Kind::kInt; }
    bool is_string() const { return kind_ == Kind::kString; }
    bool is_keyword() const { return kind_ == Kind::kKeyword; }
    bool is_keyword(std::string_view name) const { return kind_ == Kind::kKeyword && *text_ptr() == name; }
    bool is_map() const { return kind_ == Kind::kMap; }
    // Vector, list or set.
    bool is_sequential() const {
        return kind_ == Kind::kVector || kind_ == Kind::kList || kind_ == Kind::kSet;
    }
    bool truthy() const { return !(kind_ == Kind::kNil || (kind_ == Kind::kBool && int_ == 0)); }

    bool as_bool() const;
    // The accessors the checkers call per pair of a history are defined here, to inline.
    std::int64_t as_int() const {
        MP_ASSERT(kind_ == Kind::kInt);
        return int_;
    }
    double as_double() const;  // ints convert
    // string, keyword name or symbol name
    const std::string& as_string() const {
        MP_ASSERT(kind_ == Kind::kString || kind_ == Kind::kKeyword || kind_ == Kind::kSymbol);
        return *text_ptr();
    }
    // vector, list, set
    const Items& items() const {
        MP_ASSERT(is_sequential());
        return *items_ptr();
    }
    Items& items();
    // map
    const Entries& entries() const {
        MP_ASSERT(kind_ == Kind::kMap);
        return *entries_ptr();
    }
    Entries& entries();

    // Map lookup by keyword key (":name"), or by string key when the map uses strings.
    const Value* find(std::string_view keyword_name) const;
    const Value* find_key(const Value& key) const;
    // Adds or replaces a keyword-keyed entry.
    Value& set_entry(std::string_view keyword_name, Value value);
    void push(Value item);  // vector/list/set

    std::size_t size() const {
        if (is_sequential()) return items_ptr()->size();
        if (kind_ == Kind::kMap) return entries_ptr()->size();
        return 0;
    }

    // Hints for passes that walk many values in order (the kafka checker reading a long
    // history): a value's parts live on the heap, one pointer hop per level, and asking for
    // the next values' parts ahead of time overlaps those memory waits. prefetch() starts
    // loading the heap part (string, items or entries object); prefetch_elements() starts
    // loading a collection's element array, reading the heap part (so that should have been
    // prefetched some steps earlier). Neither changes anything observable.
    void prefetch() const {
        if (ptr_) __builtin_prefetch(ptr_.get());
    }
    void prefetch_elements() const {
        if (is_sequential()) {
            if (!items_ptr()->empty()) __builtin_prefetch(items_ptr()->data());
        } else if (kind_ == Kind::kMap) {
            if (!entries_ptr()->empty()) __builtin_prefetch(entries_ptr()->data());
        }
    }

    friend bool operator==(const Value& a, const Value& b);
    friend bool operator!=(const Value& a, const Value& b) { return !(a == b); }
    // A total order (kind, then value) for deterministic sorting.
    friend bool operator<(const Value& a, const Value& b) { return compare(a, b) < 0; }
    static int compare(const Value& a, const Value& b);

  private:
    // 32 bytes: a history holds millions of values, so the scalar shares its slot and the
    // one pointer holds the string (string, keyword, symbol), Items (vector, list, set) or
    // Entries (map), as kind_ says.
    Kind kind_ = Kind::kNil;
    union {
        std::int64_t int_ = 0;  // bool and int
        double double_;
    };
    std::shared_ptr<void> ptr_;
    std::string* text_ptr() const { return static_cast<std::string*>(ptr_.get()); }
    Items* items_ptr() const { return static_cast<Items*>(ptr_.get()); }
    Entries* entries_ptr() const { return static_cast<Entries*>(ptr_.get()); }

    void unshare();
};

// Compact single-line EDN: maps as {:a 1, :b 2}, vectors as [1 2].
std::string write(const Value& value);
void write(std::string& out, const Value& value);
// Pretty EDN in the spirit of Clojure's pprint, for results.edn.
std::string write_pretty(const Value& value, int width = 80);

struct ParseError {
    std::size_t line = 1;    // 1-based
    std::size_t column = 1;  // 1-based
    std::string message;
};

// Parses exactly one value (surrounding whitespace allowed).
std::optional<Value> parse(std::string_view text, ParseError* error = nullptr);

// JSON mapping for results.json: keywords become strings without the colon, sets and lists
// become arrays, map keys become strings.
millpond::json to_json(const Value& value);
// JSON -> EDN. With keywordize_keys, object keys become keywords (as Maelstrom does for
// message bodies in ok op values); otherwise they stay strings.
Value from_json(const millpond::json& value, bool keywordize_keys);

}  // namespace millpond::edn
