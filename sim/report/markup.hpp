#pragma once
// Text for SVG and HTML: the five characters markup reserves, escaped. Shared by the plots and
// the report page.

#include <string>

namespace millpond::report {

inline std::string escape_markup(const std::string& text) {
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace millpond::report
