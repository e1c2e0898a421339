#pragma once
// A number as text with a fixed count of decimals ("%.*f"), the way every table, summary and
// report millpond prints writes its figures.

#include <cstdio>
#include <string>

namespace millpond::sim {

inline std::string fixed(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

}  // namespace millpond::sim
