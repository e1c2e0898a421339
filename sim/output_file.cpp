#include "output_file.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <system_error>

namespace millpond::sim {

namespace fs = std::filesystem;

std::string output_file_problem(const std::string& path) {
    if (path.empty()) return "no file named";
    std::error_code ec;
    const fs::path target(path);
    if (fs::is_directory(target, ec)) return "'" + path + "' is a directory";
    const fs::path parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    if (!fs::is_directory(parent, ec))
        return "cannot write '" + path + "': no directory '" + parent.string() + "'";
    // The file is made beside its target and renamed, so the directory must take new files.
    if (::access(parent.c_str(), W_OK | X_OK) != 0)
        return "cannot write '" + path + "': directory '" + parent.string() + "' is not writable";
    return "";
}

bool write_file_atomically(const std::string& path, const std::string& text,
                           std::string* problem) {
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            *problem = "cannot write '" + temporary + "'";
            std::error_code ec;
            fs::remove(temporary, ec);
            return false;
        }
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) {
        *problem = "cannot rename '" + temporary + "' to '" + path + "': " + ec.message();
        fs::remove(temporary, ec);
        return false;
    }
    return true;
}

}  // namespace millpond::sim
