#include "edn.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <vector>

#include "core/assert.hpp"

namespace millpond::edn {

Value Value::keyword(std::string name) {
    // A history repeats a few keywords (:send, :poll, :net-timeout...) in every op, and a
    // keyword's text is never changed once made, so keywords of one name can share it: a
    // short per-thread list of the first names seen hands out the same string. That saves an
    // allocation per keyword and keeps the checker's keyword tests in cache; nothing
    // observable depends on whether two equal keywords share their text.
    constexpr std::size_t kSharedNamesMax = 32;
    constexpr std::size_t kSharedNameLengthMax = 24;
    thread_local std::vector<Value> shared;
    if (name.size() <= kSharedNameLengthMax)
        for (const Value& known : shared)
            if (*known.text_ptr() == name) return known;
    Value v;
    v.kind_ = Kind::kKeyword;
    v.ptr_ = std::make_shared<std::string>(std::move(name));
    if (v.text_ptr()->size() <= kSharedNameLengthMax && shared.size() < kSharedNamesMax)
        shared.push_back(v);
    return v;
}
Value Value::symbol(std::string name) {
    Value v;
    v.kind_ = Kind::kSymbol;
    v.ptr_ = std::make_shared<std::string>(std::move(name));
    return v;
}
Value Value::vector(Items items) {
    Value v;
    v.kind_ = Kind::kVector;
    v.ptr_ = std::make_shared<Items>(std::move(items));
    return v;
}
Value Value::list(Items items) {
    Value v = vector(std::move(items));
    v.kind_ = Kind::kList;
    return v;
}
Value Value::set(Items items) {
    Value v = vector(std::move(items));
    v.kind_ = Kind::kSet;
    return v;
}
Value Value::map(Entries entries) {
    Value v;
    v.kind_ = Kind::kMap;
    v.ptr_ = std::make_shared<Entries>(std::move(entries));
    return v;
}

bool Value::as_bool() const {
    MP_ASSERT(kind_ == Kind::kBool);
    return int_ != 0;
}
double Value::as_double() const {
    if (kind_ == Kind::kInt) return static_cast<double>(int_);
    MP_ASSERT(kind_ == Kind::kDouble);
    return double_;
}
Items& Value::items() {
    MP_ASSERT(is_sequential());
    unshare();
    return *items_ptr();
}
Entries& Value::entries() {
    MP_ASSERT(kind_ == Kind::kMap);
    unshare();
    return *entries_ptr();
}

void Value::unshare() {
    if (!ptr_ || ptr_.use_count() == 1) return;
    if (is_sequential()) ptr_ = std::make_shared<Items>(*items_ptr());
    if (kind_ == Kind::kMap) ptr_ = std::make_shared<Entries>(*entries_ptr());
}

const Value* Value::find(std::string_view keyword_name) const {
    if (kind_ != Kind::kMap) return nullptr;
    for (const auto& [key, value] : *entries_ptr()) {
        if ((key.kind_ == Kind::kKeyword || key.kind_ == Kind::kString) &&
            *key.text_ptr() == keyword_name)
            return &value;
    }
    return nullptr;
}

const Value* Value::find_key(const Value& wanted) const {
    if (kind_ != Kind::kMap) return nullptr;
    for (const auto& [key, value] : *entries_ptr())
        if (key == wanted) return &value;
    return nullptr;
}

Value& Value::set_entry(std::string_view keyword_name, Value value) {
    MP_ASSERT(kind_ == Kind::kMap);
    unshare();
    for (auto& [key, existing] : *entries_ptr()) {
        if (key.kind_ == Kind::kKeyword && *key.text_ptr() == keyword_name) {
            existing = std::move(value);
            return existing;
        }
    }
    entries_ptr()->emplace_back(keyword(std::string(keyword_name)), std::move(value));
    return entries_ptr()->back().second;
}

void Value::push(Value item) {
    MP_ASSERT(is_sequential());
    unshare();
    items_ptr()->push_back(std::move(item));
}

static int kind_rank(Kind kind) { return static_cast<int>(kind); }

int Value::compare(const Value& a, const Value& b) {
    // Numbers compare by value across int/double so sorting mixed numbers is natural.
    const bool a_num = a.kind_ == Kind::kInt || a.kind_ == Kind::kDouble;
    const bool b_num = b.kind_ == Kind::kInt || b.kind_ == Kind::kDouble;
    if (a_num && b_num) {
        if (a.kind_ == Kind::kInt && b.kind_ == Kind::kInt)
            return a.int_ < b.int_ ? -1 : (a.int_ > b.int_ ? 1 : 0);
        const double x = a.as_double(), y = b.as_double();
        return x < y ? -1 : (x > y ? 1 : 0);
    }
    if (a.kind_ != b.kind_) return kind_rank(a.kind_) < kind_rank(b.kind_) ? -1 : 1;
    switch (a.kind_) {
        case Kind::kNil:
            return 0;
        case Kind::kBool:
            return a.int_ < b.int_ ? -1 : (a.int_ > b.int_ ? 1 : 0);
        case Kind::kString:
        case Kind::kKeyword:
        case Kind::kSymbol: {
            const int c = a.text_ptr()->compare(*b.text_ptr());
            return c < 0 ? -1 : (c > 0 ? 1 : 0);
        }
        case Kind::kVector:
        case Kind::kList:
        case Kind::kSet: {
            const auto& x = *a.items_ptr();
            const auto& y = *b.items_ptr();
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i)
                if (int c = compare(x[i], y[i])) return c;
            return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
        }
        case Kind::kMap: {
            const auto& x = *a.entries_ptr();
            const auto& y = *b.entries_ptr();
            for (std::size_t i = 0; i < x.size() && i < y.size(); ++i) {
                if (int c = compare(x[i].first, y[i].first)) return c;
                if (int c = compare(x[i].second, y[i].second)) return c;
            }
            return x.size() < y.size() ? -1 : (x.size() > y.size() ? 1 : 0);
        }
        default:
            break;
    }
    MP_ASSERT(false);
    return 0;
}

bool operator==(const Value& a, const Value& b) {
    if (a.kind_ != b.kind_) return false;
    switch (a.kind_) {
        case Kind::kNil:
            return true;
        case Kind::kBool:
        case Kind::kInt:
            return a.int_ == b.int_;
        case Kind::kDouble:
            return a.double_ == b.double_;
        case Kind::kString:
        case Kind::kKeyword:
        case Kind::kSymbol:
            return a.ptr_ == b.ptr_ || *a.text_ptr() == *b.text_ptr();
        case Kind::kVector:
        case Kind::kList:
            return a.ptr_ == b.ptr_ || *a.items_ptr() == *b.items_ptr();
        case Kind::kSet: {
            if (a.items_ptr()->size() != b.items_ptr()->size()) return false;
            for (const auto& x : *a.items_ptr()) {
                bool found = false;
                for (const auto& y : *b.items_ptr())
                    if (x == y) found = true;
                if (!found) return false;
            }
            return true;
        }
        case Kind::kMap: {
            if (a.entries_ptr()->size() != b.entries_ptr()->size()) return false;
            for (const auto& [key, value] : *a.entries_ptr()) {
                const Value* other = b.find_key(key);
                if (!other || !(*other == value)) return false;
            }
            return true;
        }
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Writing

static void write_string_literal(std::string& out, const std::string& s) {
    out.push_back('"');
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default: out.push_back(c);
        }
    }
    out.push_back('"');
}

static void write_double(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "##NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d > 0 ? "##Inf" : "##-Inf";
        return;
    }
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
    MP_ASSERT(ec == std::errc());
    std::string text(buffer, end);
    // Clojure prints doubles with a decimal point or exponent; keep them distinguishable
    // from integers.
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";
    out += text;
}

void write(std::string& out, const Value& value) {
    switch (value.kind()) {
        case Kind::kNil: out += "nil"; return;
        case Kind::kBool: out += value.as_bool() ? "true" : "false"; return;
        case Kind::kInt: out += std::to_string(value.as_int()); return;
        case Kind::kDouble: write_double(out, value.as_double()); return;
        case Kind::kString: write_string_literal(out, value.as_string()); return;
        case Kind::kKeyword: out.push_back(':'); out += value.as_string(); return;
        case Kind::kSymbol: out += value.as_string(); return;
        case Kind::kVector:
        case Kind::kList:
        case Kind::kSet: {
            out += value.kind() == Kind::kVector ? "[" : (value.kind() == Kind::kList ? "(" : "#{");
            bool first = true;
            for (const auto& item : value.items()) {
                if (!first) out.push_back(' ');
                first = false;
                write(out, item);
            }
            out += value.kind() == Kind::kVector ? "]" : (value.kind() == Kind::kList ? ")" : "}");
            return;
        }
        case Kind::kMap: {
            out.push_back('{');
            bool first = true;
            for (const auto& [key, item] : value.entries()) {
                if (!first) out += ", ";
                first = false;
                write(out, key);
                out.push_back(' ');
                write(out, item);
            }
            out.push_back('}');
            return;
        }
    }
}

std::string write(const Value& value) {
    std::string out;
    write(out, value);
    return out;
}

static void write_pretty(std::string& out, const Value& value, std::size_t indent, int width) {
    std::string flat = write(value);
    if (indent + flat.size() <= static_cast<std::size_t>(width) ||
        !(value.is_map() || value.is_sequential())) {
        out += flat;
        return;
    }
    if (value.is_map()) {
        out.push_back('{');
        bool first = true;
        for (const auto& [key, item] : value.entries()) {
            if (!first) {
                out += ",\n";
                out.append(indent + 1, ' ');
            }
            first = false;
            std::string key_text = write(key);
            out += key_text;
            out.push_back(' ');
            write_pretty(out, item, indent + 1 + key_text.size() + 1, width);
        }
        out.push_back('}');
        return;
    }
    const char* open = value.kind() == Kind::kVector ? "[" : (value.kind() == Kind::kList ? "(" : "#{");
    const char* close = value.kind() == Kind::kVector ? "]" : (value.kind() == Kind::kList ? ")" : "}");
    out += open;
    const std::size_t inner = indent + std::string_view(open).size();
    bool first = true;
    for (const auto& item : value.items()) {
        if (!first) {
            out.push_back('\n');
            out.append(inner, ' ');
        }
        first = false;
        write_pretty(out, item, inner, width);
    }
    out += close;
}

std::string write_pretty(const Value& value, int width) {
    std::string out;
    write_pretty(out, value, 0, width);
    out.push_back('\n');
    return out;
}

// ---------------------------------------------------------------------------------------------
// Reading

namespace {

class Reader {
  public:
    explicit Reader(std::string_view text) : text_(text) {}

    std::optional<Value> read_top(ParseError* error) {
        auto value = read_value();
        if (value) {
            skip_space();
            if (pos_ < text_.size()) {
                fail("unexpected text after the value");
                value.reset();
            }
        }
        if (!value && error) *error = error_;
        return value;
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
    ParseError error_;
    bool failed_ = false;
    int depth_ = 0;

    std::optional<Value> fail(std::string message) {
        if (!failed_) {
            failed_ = true;
            error_.message = std::move(message);
            error_.line = 1;
            error_.column = 1;
            for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
                if (text_[i] == '\n') {
                    ++error_.line;
                    error_.column = 1;
                } else {
                    ++error_.column;
                }
            }
        }
        return std::nullopt;
    }

    void skip_space() {
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',') {
                ++pos_;
            } else if (c == ';') {
                while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
            } else {
                break;
            }
        }
    }

    static bool is_delimiter(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == '(' ||
               c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '"' || c == ';';
    }

    std::string_view read_token() {
        const std::size_t start = pos_;
        while (pos_ < text_.size() && !is_delimiter(text_[pos_])) ++pos_;
        return text_.substr(start, pos_ - start);
    }

    std::optional<Value> read_value() {
        skip_space();
        if (pos_ >= text_.size()) return fail("unexpected end of input");
        if (++depth_ > 200) return fail("nesting too deep");
        auto result = read_value_inner();
        --depth_;
        return result;
    }

    std::optional<Value> read_seq(char close, Items& items) {
        ++pos_;  // opening bracket
        while (true) {
            skip_space();
            if (pos_ >= text_.size())
                return fail(std::string("unexpected end of input, expected '") + close + "'");
            if (text_[pos_] == close) {
                ++pos_;
                return Value();
            }
            if (text_[pos_] == ')' || text_[pos_] == ']' || text_[pos_] == '}')
                return fail(std::string("unexpected '") + text_[pos_] + "', expected '" + close + "'");
            auto item = read_value();
            if (!item) return std::nullopt;
            items.push_back(std::move(*item));
        }
    }

    std::optional<Value> read_value_inner() {
        const char c = text_[pos_];
        switch (c) {
            case '[': {
                Items items;
                if (!read_seq(']', items)) return std::nullopt;
                return Value::vector(std::move(items));
            }
            case '(': {
                Items items;
                if (!read_seq(')', items)) return std::nullopt;
                return Value::list(std::move(items));
            }
            case '{': {
                Items items;
                if (!read_seq('}', items)) return std::nullopt;
                if (items.size() % 2 != 0) return fail("map literal with an odd number of forms");
                Entries entries;
                entries.reserve(items.size() / 2);
                for (std::size_t i = 0; i < items.size(); i += 2)
                    entries.emplace_back(std::move(items[i]), std::move(items[i + 1]));
                return Value::map(std::move(entries));
            }
            case '"': return read_string();
            case ':': {
                ++pos_;
                auto token = read_token();
                if (token.empty()) return fail("empty keyword");
                return Value::keyword(std::string(token));
            }
            case '#': return read_dispatch();
            case '\\': {
                ++pos_;
                auto token = read_token();
                if (token.empty() && pos_ < text_.size()) token = text_.substr(pos_++, 1);
                return Value(std::string(token));
            }
            case ')':
            case ']':
            case '}': return fail(std::string("unexpected '") + c + "'");
            default: break;
        }
        auto token = read_token();
        if (token.empty()) return fail(std::string("unexpected character '") + c + "'");
        if (token == "nil") return Value();
        if (token == "true") return Value(true);
        if (token == "false") return Value(false);
        const char first = token[0];
        if ((first >= '0' && first <= '9') ||
            ((first == '-' || first == '+') && token.size() > 1 && token[1] >= '0' && token[1] <= '9'))
            return read_number(token);
        return Value::symbol(std::string(token));
    }

    std::optional<Value> read_number(std::string_view token) {
        std::string_view digits = token;
        if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
        if (!digits.empty() && (digits.back() == 'N' || digits.back() == 'M'))
            digits.remove_suffix(1);
        const bool is_float = digits.find_first_of(".eE") != std::string_view::npos;
        if (!is_float && digits.find('/') == std::string_view::npos) {
            std::int64_t v = 0;
            auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
            if (ec == std::errc() && end == digits.data() + digits.size()) return Value(v);
            if (ec == std::errc::result_out_of_range) return fail("integer out of range: " + std::string(token));
            return fail("bad number '" + std::string(token) + "'");
        }
        if (auto slash = digits.find('/'); slash != std::string_view::npos) {
            std::int64_t n = 0, d = 0;
            auto r1 = std::from_chars(digits.data(), digits.data() + slash, n);
            auto r2 = std::from_chars(digits.data() + slash + 1, digits.data() + digits.size(), d);
            if (r1.ec != std::errc() || r2.ec != std::errc() || d == 0)
                return fail("bad ratio '" + std::string(token) + "'");
            return Value(static_cast<double>(n) / static_cast<double>(d));
        }
        double v = 0;
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
        if (ec != std::errc() || end != digits.data() + digits.size())
            return fail("bad number '" + std::string(token) + "'");
        return Value(v);
    }

    std::optional<Value> read_string() {
        ++pos_;
        std::string out;
        while (pos_ < text_.size()) {
            char c = text_[pos_++];
            if (c == '"') return Value(std::move(out));
            if (c != '\\') {
                out.push_back(c);
                continue;
            }
            if (pos_ >= text_.size()) break;
            char e = text_[pos_++];
            switch (e) {
                case 'n': out.push_back('\n'); break;
                case 't': out.push_back('\t'); break;
                case 'r': out.push_back('\r'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case 'u': {
                    if (pos_ + 4 > text_.size()) return fail("truncated \\u escape");
                    unsigned code = 0;
                    auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
                    if (ec != std::errc() || end != text_.data() + pos_ + 4) return fail("bad \\u escape");
                    pos_ += 4;
                    if (code < 0x80) {
                        out.push_back(static_cast<char>(code));
                    } else if (code < 0x800) {
                        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
                        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
                    } else {
                        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
                        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
                        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
                    }
                    break;
                }
                default: return fail(std::string("unknown string escape '\\") + e + "'");
            }
        }
        return fail("unterminated string");
    }

    std::optional<Value> read_dispatch() {
        ++pos_;
        if (pos_ >= text_.size()) return fail("unexpected end of input after '#'");
        const char c = text_[pos_];
        if (c == '{') {
            Items items;
            if (!read_seq('}', items)) return std::nullopt;
            return Value::set(std::move(items));
        }
        if (c == '_') {  // discard the next form
            ++pos_;
            if (!read_value()) return std::nullopt;
            return read_value();
        }
        if (c == '#') {
            ++pos_;
            auto token = read_token();
            if (token == "NaN") return Value(std::nan(""));
            if (token == "Inf") return Value(HUGE_VAL);
            if (token == "-Inf") return Value(-HUGE_VAL);
            return fail("unknown symbolic value ##" + std::string(token));
        }
        // A tagged literal (#inst "...", #uuid "...", #jepsen.history.Op{...}): keep the value,
        // drop the tag; the history reader only needs the data.
        auto tag = read_token();
        if (tag.empty()) return fail("bad dispatch '#'");
        return read_value();
    }
};

}  // namespace

std::optional<Value> parse(std::string_view text, ParseError* error) {
    Reader reader(text);
    return reader.read_top(error);
}

// ---------------------------------------------------------------------------------------------
// JSON

millpond::json to_json(const Value& value) {
    switch (value.kind()) {
        case Kind::kNil: return nullptr;
        case Kind::kBool: return value.as_bool();
        case Kind::kInt: return value.as_int();
        case Kind::kDouble: return value.as_double();
        case Kind::kString:
        case Kind::kKeyword:
        case Kind::kSymbol: return value.as_string();
        case Kind::kVector:
        case Kind::kList:
        case Kind::kSet: {
            millpond::json array = millpond::json::array();
            for (const auto& item : value.items()) array.push_back(to_json(item));
            return array;
        }
        case Kind::kMap: {
            // nlohmann::ordered_json would keep order; results.json uses sorted keys, which is
            // deterministic and what diff tools like.
            millpond::json object = millpond::json::object();
            for (const auto& [key, item] : value.entries()) {
                std::string name = (key.is_string() || key.is_keyword() || key.kind() == Kind::kSymbol)
                                       ? key.as_string()
                                       : write(key);
                object[name] = to_json(item);
            }
            return object;
        }
    }
    return nullptr;
}

Value from_json(const millpond::json& value, bool keywordize_keys) {
    switch (value.type()) {
        case millpond::json::value_t::null: return Value();
        case millpond::json::value_t::boolean: return Value(value.get<bool>());
        case millpond::json::value_t::number_integer: return Value(value.get<std::int64_t>());
        case millpond::json::value_t::number_unsigned: return Value(value.get<std::uint64_t>());
        case millpond::json::value_t::number_float: return Value(value.get<double>());
        case millpond::json::value_t::string: return Value(value.get<std::string>());
        case millpond::json::value_t::array: {
            Items items;
            items.reserve(value.size());
            for (const auto& item : value) items.push_back(from_json(item, false));
            return Value::vector(std::move(items));
        }
        case millpond::json::value_t::object: {
            Entries entries;
            entries.reserve(value.size());
            for (auto it = value.begin(); it != value.end(); ++it) {
                Value key = keywordize_keys ? Value::keyword(it.key()) : Value(it.key());
                entries.emplace_back(std::move(key), from_json(it.value(), false));
            }
            return Value::map(std::move(entries));
        }
        default: return Value();
    }
}

}  // namespace millpond::edn
