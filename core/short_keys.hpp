#pragma once
// Comparing the short strings that name body fields and kafka keys ("type", "msg_id", "7").
//
// std::string's comparisons call memcmp, an out-of-line call that costs more than comparing
// a few bytes: a run made about 1.7 million such calls, nearly all deciding at the first
// byte (callgrind, owner on 5 nodes: memcmp was 5 % of all instructions). These compare
// bytewise in line, in exactly std::string's order (unsigned bytes, then the shorter first),
// so maps and sorted vectors ordered by them iterate as they would with std::less; beyond
// kInlineBytes they hand over to memcmp, which is faster for long strings.

#include <cstddef>
#include <cstring>
#include <string_view>

namespace millpond {

inline constexpr std::size_t kInlineKeyBytes = 16;

// <0, 0 or >0, as std::string_view::compare.
inline int compare_keys(std::string_view a, std::string_view b) noexcept {
    const std::size_t common = a.size() < b.size() ? a.size() : b.size();
    if (common > kInlineKeyBytes) {
        if (const int order = std::memcmp(a.data(), b.data(), common); order != 0) return order;
    } else {
        for (std::size_t i = 0; i < common; ++i) {
            const auto x = static_cast<unsigned char>(a[i]);
            const auto y = static_cast<unsigned char>(b[i]);
            if (x != y) return x < y ? -1 : 1;
        }
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

inline bool keys_equal(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.size() > kInlineKeyBytes) return std::memcmp(a.data(), b.data(), a.size()) == 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i]) return false;
    return true;
}

// For ordered containers keyed by strings: std::less's order, looked up by string_view too.
struct KeyLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept {
        return compare_keys(a, b) < 0;
    }
};

// For hashed containers keyed by strings, beside a transparent hash.
struct KeyEqual {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept {
        return keys_equal(a, b);
    }
};

}  // namespace millpond
