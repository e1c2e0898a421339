#pragma once
// The object type of millpond's JSON: a JSON object's members in one sorted vector.
//
// nlohmann::json keeps an object in a std::map: one heap node per member, a tree descent with a
// string comparison at each level for every lookup, a pointer chase per step of a walk and one
// free per member when the body dies. Message bodies are small (two to six members) and built,
// read a few times, hashed and destroyed once per delivered message; keeping them in one
// vector instead took an owner run on 5 nodes from 929 M to 858 M instructions (callgrind).
//
// SortedFields keeps the members contiguous and sorted by key bytes, exactly std::map's order
// (std::less on std::string). So everything that walks an object -- serialization, the run's
// fingerprint, the EDN conversion -- sees the same sequence as before, and the wire bytes do not
// change. nlohmann::basic_json takes the container as its ObjectType parameter, the way its own
// ordered_map is plugged in; the library, its API and its parser are unchanged.
//
// What differs from std::map, and why it is safe here:
//  - Inserting a new key or erasing moves later members, so iterators, pointers and references
//    into an object do not survive that in the same object (nlohmann's ordered_json has the
//    same rule, and its parser only holds the member it is filling). Members of *other*
//    objects are untouched. Emplacing a key that is present changes nothing, as in std::map:
//    nlohmann's operator[] looks keys up that way.
//  - value_type is std::pair<std::string, T> with a mutable key, so members can be swapped
//    into place. Changing a key through an iterator breaks the order: never do it.
//  - Inserting out of key order moves the members after the new one, so building a large
//    object in random order is quadratic (std::map: n log n). Bodies millpond builds are
//    small or built in key order; text from outside goes through parse_json (message.hpp),
//    which parses long text via std::map and inserts in key order.
//  - Lookups up to kScannedFieldsMax members scan (length first, then bytes); larger objects
//    (a poll's "msgs" over many keys) use a binary search.

#include <algorithm>
#include <compare>
#include <cstddef>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "short_keys.hpp"

namespace millpond {

// Up to this many members a lookup scans instead of searching.
inline constexpr std::size_t kScannedFieldsMax = 8;
// The first insertion into an empty object reserves room for this many members: most bodies
// have at most this many, so they are built with one allocation.
inline constexpr std::size_t kFirstReservedFields = 6;

// Compare is nlohmann's comparator argument, ignored: the order is fixed above. The members'
// buffer comes from Allocator, rebound (millpond's json passes its BodyAllocator).
template <typename Key, typename T, typename Compare = std::less<>,
          typename Allocator = std::allocator<std::pair<const Key, T>>>
class SortedFields {
    using Members = std::vector<
        std::pair<Key, T>,
        typename std::allocator_traits<Allocator>::template rebind_alloc<std::pair<Key, T>>>;

  public:
    using key_type = Key;
    using mapped_type = T;
    using value_type = typename Members::value_type;
    using size_type = typename Members::size_type;
    using difference_type = typename Members::difference_type;
    using iterator = typename Members::iterator;
    using const_iterator = typename Members::const_iterator;
    using reference = value_type&;
    using const_reference = const value_type&;
    // Transparent: nlohmann then looks members up by string_view or const char* without
    // building a std::string.
    using key_compare = std::less<>;

    SortedFields() = default;
    template <typename Iterator>
    SortedFields(Iterator first, Iterator last) {
        for (; first != last; ++first) emplace(*first);
    }
    SortedFields(std::initializer_list<value_type> members)
        : SortedFields(members.begin(), members.end()) {}

    iterator begin() noexcept { return members_.begin(); }
    iterator end() noexcept { return members_.end(); }
    const_iterator begin() const noexcept { return members_.begin(); }
    const_iterator end() const noexcept { return members_.end(); }
    const_iterator cbegin() const noexcept { return members_.cbegin(); }
    const_iterator cend() const noexcept { return members_.cend(); }

    bool empty() const noexcept { return members_.empty(); }
    size_type size() const noexcept { return members_.size(); }
    size_type max_size() const noexcept { return members_.max_size(); }
    size_type capacity() const noexcept { return members_.capacity(); }
    void reserve(size_type count) { members_.reserve(count); }
    void clear() noexcept { members_.clear(); }
    void swap(SortedFields& other) noexcept { members_.swap(other.members_); }

    template <typename K>
    iterator find(const K& key) {
        return begin() + index_of(std::string_view(key));
    }
    template <typename K>
    const_iterator find(const K& key) const {
        return begin() + index_of(std::string_view(key));
    }
    template <typename K>
    size_type count(const K& key) const {
        return find(key) == end() ? 0 : 1;
    }
    template <typename K>
    bool contains(const K& key) const {
        return find(key) != end();
    }

    template <typename K>
    T& at(const K& key) {
        auto it = find(key);
        if (it == end()) throw std::out_of_range("SortedFields::at: no such key");
        return it->second;
    }
    template <typename K>
    const T& at(const K& key) const {
        auto it = find(key);
        if (it == end()) throw std::out_of_range("SortedFields::at: no such key");
        return it->second;
    }

    // Like std::map::operator[]: a missing key is inserted with a default value (one search:
    // place_last returns a present member untouched).
    template <typename K>
    T& operator[](K&& key) {
        return place_last(std::piecewise_construct, std::forward_as_tuple(std::forward<K>(key)),
                          std::forward_as_tuple())
            .first->second;
    }

    // Like std::map::emplace: builds the member, and keeps an existing one with its key.
    template <typename... Args>
    std::pair<iterator, bool> emplace(Args&&... args) {
        return place_last(std::forward<Args>(args)...);
    }

    // Like std::map::emplace_hint. The member is built at the end and moved down to its place
    // from there, so the hint is not needed: a body built in key order appends with no move.
    template <typename... Args>
    iterator emplace_hint(const_iterator /*hint*/, Args&&... args) {
        return place_last(std::forward<Args>(args)...).first;
    }

    // Sets each of `fields` -- ascending by key, keys distinct -- as `(*this)[key] = value`
    // would, moving each member once at most. Every message a node sends gets its msg_id (and
    // a reply its in_reply_to) this way; inserting them one at a time, each moved down by
    // swaps, moved later members twice, at three memcpy calls per swapped key.
    // Flattened: the moved-from members left in the old buffer are destroyed in line, not by a
    // call into nlohmann's out-of-line json_value::destroy each.
    template <typename Value>
    [[gnu::flatten]] void assign_sorted(
        std::initializer_list<std::pair<std::string_view, Value>> fields) {
        // Present keys take their value in place; the rest are merged in below.
        size_type absent = 0;
        for (const auto& [key, value] : fields) {
            const size_type at = index_of(key);
            if (at < members_.size())
                members_[at].second = value;
            else
                ++absent;
        }
        if (absent == 0) return;
        // Merged into a new buffer (the body allocator makes that cheap): a member moves once,
        // by construction, where shifting in place would construct, assign and destroy.
        Members merged;
        merged.reserve(std::max(members_.size() + absent, kFirstReservedFields));
        auto field = fields.begin();
        const auto add_absent_before = [&](const std::string* key) {
            for (; field != fields.end(); ++field) {
                if (key != nullptr && compare_keys(field->first, *key) >= 0) break;
                merged.emplace_back(std::piecewise_construct, std::forward_as_tuple(field->first),
                                    std::forward_as_tuple(field->second));
            }
        };
        for (auto& member : members_) {
            add_absent_before(&member.first);
            if (field != fields.end() && keys_equal(field->first, member.first)) ++field;
            merged.emplace_back(std::move(member));
        }
        add_absent_before(nullptr);
        members_.swap(merged);
    }

    std::pair<iterator, bool> insert(const value_type& member) { return emplace(member); }
    std::pair<iterator, bool> insert(value_type&& member) { return emplace(std::move(member)); }
    template <typename Iterator>
    void insert(Iterator first, Iterator last) {
        for (; first != last; ++first) emplace(*first);
    }

    iterator erase(const_iterator position) { return members_.erase(position); }
    iterator erase(iterator position) { return members_.erase(position); }
    iterator erase(const_iterator first, const_iterator last) {
        return members_.erase(first, last);
    }
    template <typename K>
    size_type erase(const K& key) {
        auto it = find(key);
        if (it == end()) return 0;
        members_.erase(it);
        return 1;
    }

    // Member by member, in key order: std::map's comparisons give the same answers.
    friend bool operator==(const SortedFields& a, const SortedFields& b) {
        return a.members_ == b.members_;
    }
    friend auto operator<=>(const SortedFields& a, const SortedFields& b) {
        return a.members_ <=> b.members_;
    }

  private:
    // The index of `key`, or size() when absent.
    size_type index_of(std::string_view key) const {
        const size_type count = members_.size();
        if (count <= kScannedFieldsMax) {
            for (size_type i = 0; i < count; ++i) {
                if (keys_equal(members_[i].first, key)) return i;
            }
            return count;
        }
        const size_type position = lower_bound_index(key, count);
        if (position < count && keys_equal(members_[position].first, key)) return position;
        return count;
    }
    // The first of members_[0, count) whose key does not sort before `key`.
    size_type lower_bound_index(std::string_view key, size_type count) const {
        const auto first = members_.begin();
        return static_cast<size_type>(
            std::lower_bound(first, first + static_cast<difference_type>(count), key,
                             [](const value_type& member, std::string_view wanted) {
                                 return compare_keys(member.first, wanted) < 0;
                             }) -
            first);
    }

    // The key a member built from these arguments would have, without building it: the
    // forms nlohmann and millpond call emplace with.
    template <typename K, typename... Rest>
    static std::string_view key_of(const std::piecewise_construct_t&, const std::tuple<K>& key,
                                   const std::tuple<Rest...>&) {
        return std::string_view(std::get<0>(key));
    }
    template <typename K, typename V>
    static std::string_view key_of(const K& key, const V&) {
        return std::string_view(key);
    }
    template <typename K, typename V>
    static std::string_view key_of(const std::pair<K, V>& member) {
        return std::string_view(member.first);
    }

    // The index where a new member keyed `key` goes, or size() + 1 when that key is present
    // (at *present).
    size_type place_of(std::string_view key, size_type* present) const {
        const size_type count = members_.size();
        // In key order: an append, one comparison.
        if (count == 0 || compare_keys(members_[count - 1].first, key) < 0) return count;
        size_type place = count;
        if (count <= kScannedFieldsMax) {
            while (place > 0 && compare_keys(key, members_[place - 1].first) < 0) --place;
            if (place > 0 && keys_equal(members_[place - 1].first, key)) {
                *present = place - 1;
                return count + 1;
            }
            return place;
        }
        place = lower_bound_index(key, count);
        if (place < count && keys_equal(members_[place].first, key)) {
            *present = place;
            return count + 1;
        }
        return place;
    }

    // Like std::map::emplace, and like it without touching the members when the key is
    // present: nlohmann's operator[] looks keys up by emplacing, while callers may hold
    // references into the object. Otherwise the member is built in place after the last one
    // and moved down to its place by swapping neighbours: a swap of two json values exchanges
    // a tag and a word, where shifting members through a temporary would construct, assign and
    // destroy json values at each step.
    template <typename... Args>
    std::pair<iterator, bool> place_last(Args&&... args) {
        if constexpr (requires { key_of(args...); }) {
            size_type present = 0;
            const size_type place = place_of(key_of(args...), &present);
            if (place > members_.size()) return {begin() + present, false};
            if (members_.capacity() == 0) members_.reserve(kFirstReservedFields);
            members_.emplace_back(std::forward<Args>(args)...);
            using std::swap;  // nlohmann's basic_json has its own, as a friend
            for (size_type at = members_.size() - 1; at > place; --at) {
                members_[at].first.swap(members_[at - 1].first);
                swap(members_[at].second, members_[at - 1].second);
            }
            return {begin() + place, true};
        } else {
            return place_last(value_type(std::forward<Args>(args)...));
        }
    }

    Members members_;
};

}  // namespace millpond
