#pragma once
// Files a command writes when its work is done (`sweep --json`, `merge --json`, `bench --json`).
// Their path is checked before the work starts, so a mistyped directory costs one line at
// once, not a sweep or a minute-long bench thrown away at the end; and each is written whole
// or not at all.

#include <string>

namespace millpond::sim {

// Empty when a file can be written at `path`; otherwise the reason, naming the path: its
// directory is missing or not writable, or the path is a directory.
std::string output_file_problem(const std::string& path);

// Writes `text` beside `path` under a temporary name and renames it over `path`, so a reader
// never sees a half-written file. False with *problem (naming the file) on failure; no
// temporary is left behind.
bool write_file_atomically(const std::string& path, const std::string& text,
                           std::string* problem);

}  // namespace millpond::sim
