#pragma once
// Whether this process runs under valgrind: its preload library is in LD_PRELOAD. millpond
// then does not execute itself again for large pages (valgrind would run the new image
// uninstrumented), and the bench skips its machine check (timed under valgrind it says nothing
// of the core, and its loop would swell the instruction counts the README's callgrind
// commands read).

#include <cstdlib>
#include <cstring>

namespace millpond::sim {

inline bool running_under_valgrind() {
    const char* preload = std::getenv("LD_PRELOAD");
    return preload != nullptr && std::strstr(preload, "valgrind") != nullptr;
}

}  // namespace millpond::sim
