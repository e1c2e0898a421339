#include "sim/services/clojure_value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/assert.hpp"

namespace millpond::sim {

namespace {

// Clojure's number categories decide equality, so integers and floats are separate kinds.
enum class Kind { kNull, kBoolean, kInteger, kFloat, kString, kArray, kObject, kOther };

Kind kind_of(const json& value) {
    switch (value.type()) {
        case json::value_t::null:
            return Kind::kNull;
        case json::value_t::boolean:
            return Kind::kBoolean;
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
            return Kind::kInteger;
        case json::value_t::number_float:
            return Kind::kFloat;
        case json::value_t::string:
            return Kind::kString;
        case json::value_t::array:
            return Kind::kArray;
        case json::value_t::object:
            return Kind::kObject;
        default:
            return Kind::kOther;  // binary and discarded: never produced by parsing JSON text
    }
}

template <typename T>
int three_way(const T& a, const T& b) {
    return (b < a) - (a < b);
}

// nlohmann parses non-negative integers as unsigned and negative ones as signed; Clojure sees
// both as Long, so 5u and 5 must compare equal.
int compare_integers(const json& a, const json& b) {
    const bool a_unsigned = a.is_number_unsigned();
    const bool b_unsigned = b.is_number_unsigned();
    if (a_unsigned && b_unsigned) return three_way(a.get<std::uint64_t>(), b.get<std::uint64_t>());
    if (!a_unsigned && !b_unsigned) return three_way(a.get<std::int64_t>(), b.get<std::int64_t>());
    const auto signed_value = (a_unsigned ? b : a).get<std::int64_t>();
    const auto unsigned_value = (a_unsigned ? a : b).get<std::uint64_t>();
    const int signed_vs_unsigned =
        signed_value < 0 ? -1 : three_way(static_cast<std::uint64_t>(signed_value), unsigned_value);
    return a_unsigned ? -signed_vs_unsigned : signed_vs_unsigned;
}

// NaN never comes from parsed JSON, but a node can build one in memory; it sorts after every
// number so the order stays strict and weak.
int compare_floats(double a, double b) {
    const bool a_nan = std::isnan(a);
    const bool b_nan = std::isnan(b);
    if (a_nan || b_nan) return static_cast<int>(a_nan) - static_cast<int>(b_nan);
    return three_way(a, b);  // 0.0 and -0.0 compare equal, as Clojure's = has them
}

int compare(const json& a, const json& b) {
    const Kind a_kind = kind_of(a);
    const Kind b_kind = kind_of(b);
    if (a_kind != b_kind) return three_way(a_kind, b_kind);
    switch (a_kind) {
        case Kind::kNull:
            return 0;
        case Kind::kBoolean:
            return three_way(a.get<bool>(), b.get<bool>());
        case Kind::kInteger:
            return compare_integers(a, b);
        case Kind::kFloat:
            return compare_floats(a.get<double>(), b.get<double>());
        case Kind::kString:
            return three_way(a.get_ref<const std::string&>(), b.get_ref<const std::string&>());
        case Kind::kArray: {
            const std::size_t common = std::min(a.size(), b.size());
            for (std::size_t i = 0; i < common; ++i)
                if (int c = compare(a[i], b[i]); c != 0) return c;
            return three_way(a.size(), b.size());
        }
        case Kind::kObject: {
            // nlohmann keeps object entries sorted by key, so equal maps iterate in step.
            if (a.size() != b.size()) return three_way(a.size(), b.size());
            for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
                if (int c = three_way(ia.key(), ib.key()); c != 0) return c;
                if (int c = compare(ia.value(), ib.value()); c != 0) return c;
            }
            return 0;
        }
        case Kind::kOther:
            return (b < a) - (a < b);
    }
    MP_ASSERT(false);
    return 0;
}

void append_readably(const json& value, std::string& out) {
    switch (kind_of(value)) {
        case Kind::kNull:
            out += "nil";
            return;
        case Kind::kBoolean:
            out += value.get<bool>() ? "true" : "false";
            return;
        case Kind::kInteger:
            out += value.dump();
            return;
        case Kind::kFloat:
            out += java_double_string(value.get<double>());
            return;
        case Kind::kString:
            // Clojure's char-escape-string: only these seven characters are escaped.
            out += '"';
            for (char c : value.get_ref<const std::string&>()) {
                switch (c) {
                    case '\n':
                        out += "\\n";
                        break;
                    case '\t':
                        out += "\\t";
                        break;
                    case '\r':
                        out += "\\r";
                        break;
                    case '"':
                        out += "\\\"";
                        break;
                    case '\\':
                        out += "\\\\";
                        break;
                    case '\f':
                        out += "\\f";
                        break;
                    case '\b':
                        out += "\\b";
                        break;
                    default:
                        out += c;
                }
            }
            out += '"';
            return;
        case Kind::kArray: {
            out += '[';
            bool first = true;
            for (const json& element : value) {
                if (!first) out += ' ';
                first = false;
                append_readably(element, out);
            }
            out += ']';
            return;
        }
        case Kind::kObject: {
            out += '{';
            bool first = true;
            for (auto it = value.begin(); it != value.end(); ++it) {
                if (!first) out += ", ";
                first = false;
                append_readably(json(it.key()), out);
                out += ' ';
                append_readably(it.value(), out);
            }
            out += '}';
            return;
        }
        case Kind::kOther:
            out += value.dump();
            return;
    }
}

}  // namespace

bool clojure_equal(const json& a, const json& b) { return compare(a, b) == 0; }

bool ClojureLess::operator()(const json& a, const json& b) const { return compare(a, b) < 0; }

bool clojure_truthy(const json& value) {
    return !value.is_null() && !(value.is_boolean() && !value.get<bool>());
}

std::string clojure_pr_str(const json& value) {
    std::string out;
    append_readably(value, out);
    return out;
}

std::string clojure_str(const json& value) {
    if (value.is_null()) return {};
    if (value.is_string()) return value.get<std::string>();
    return clojure_pr_str(value);
}

std::string java_double_string(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
    if (value == 0) return std::signbit(value) ? "-0.0" : "0.0";

    // Shortest round-trip digits, as d.ddde±x; Java 19+ picks the same shortest digits.
    char buffer[64];
    const auto [end, error] =
        std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
    MP_ASSERT(error == std::errc());
    const std::string text(buffer, end);
    const std::size_t e_at = text.find('e');
    MP_ASSERT_NE(e_at, std::string::npos);
    std::string digits;
    for (std::size_t i = 0; i < e_at; ++i)
        if (text[i] >= '0' && text[i] <= '9') digits += text[i];
    while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
    const int exponent = std::atoi(text.c_str() + e_at + 1);  // value = d.ddd * 10^exponent

    std::string out = value < 0 ? "-" : "";
    if (exponent >= -3 && exponent < 7) {
        // Plain notation for 10^-3 <= |value| < 10^7, with at least one fraction digit.
        if (exponent >= 0) {
            const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
            std::string integer = digits.substr(0, std::min(integer_digits, digits.size()));
            integer.resize(integer_digits, '0');
            const std::string fraction =
                digits.size() > integer_digits ? digits.substr(integer_digits) : "0";
            out += integer + "." + fraction;
        } else {
            out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
        }
    } else {
        out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
               std::to_string(exponent);
    }
    return out;
}

}  // namespace millpond::sim
