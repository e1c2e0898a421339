#include "store.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace millpond::sim {

namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path.string());
    out << content;
    out.close();
    if (!out) throw std::runtime_error("failed writing " + path.string());
}

// Replaces (or creates) the symlink `link` -> `target` atomically.
void relink(const fs::path& link, const fs::path& target) {
    std::error_code ignored;
    const fs::path temporary = link.string() + ".tmp-link";
    fs::remove(temporary, ignored);
    fs::create_directory_symlink(target, temporary);
    fs::rename(temporary, link);
}

std::string journal_jsonl(const journal::Journal& journal) {
    std::string out;
    static const char* kKinds[] = {"send", "recv", "drop"};
    for (const auto& event : journal.events) {
        nlohmann::json line = {
            {"kind", kKinds[static_cast<int>(event.kind)]},
            {"time_us", event.time_us},
            {"id", event.message_id},
            {"src", journal.participants[static_cast<std::size_t>(event.src)]},
            {"dest", journal.participants[static_cast<std::size_t>(event.dest)]},
            {"type", journal.type_of(event)},
        };
        if (const millpond::json* body = journal.body_of(event)) line["body"] = *body;
        out += line.dump();
        out += '\n';
    }
    return out;
}

}  // namespace

void write_history_txt(std::ostream& out, const history::History& history) {
    std::string line;
    for (const auto& op : history) {
        line.clear();
        line += op.process == history::kNemesisProcess ? ":nemesis" : std::to_string(op.process);
        line += "\t:";
        line += history::op_type_name(op.type);
        line += "\t:";
        line += op.f;
        line += "\t";
        edn::write(line, op.value);
        if (const edn::Value* error = op.find_extra("error")) {
            line += "\t";
            edn::write(line, *error);
        }
        line += "\n";
        out << line;
    }
}

void write_results(const std::string& directory, const edn::Value& results) {
    const fs::path dir(directory);
    write_file(dir / "results.edn.tmp", edn::write_pretty(results));
    write_file(dir / "results.json.tmp", edn::to_json(results).dump(2) + "\n");
    fs::rename(dir / "results.edn.tmp", dir / "results.edn");
    fs::rename(dir / "results.json.tmp", dir / "results.json");
}

std::string write_run(const std::string& store_dir, const StoredRun& run) {
    try {
        const fs::path workload_dir = fs::path(store_dir) / run.workload;
        fs::create_directories(workload_dir);
        std::string run_id = run.run_id;
        for (int attempt = 1; fs::exists(workload_dir / run_id); ++attempt)
            run_id = run.run_id + "-" + std::to_string(attempt);
        const fs::path final_dir = workload_dir / run_id;
        const fs::path temporary = workload_dir / ("." + run_id + ".partial");
        fs::remove_all(temporary);
        fs::create_directories(temporary / "node-logs");

        {
            std::ofstream out(temporary / "history.edn", std::ios::binary);
            history::write_history(out, *run.history);
            if (!out) throw std::runtime_error("failed writing history.edn");
        }
        {
            std::ofstream out(temporary / "history.txt", std::ios::binary);
            write_history_txt(out, *run.history);
            if (!out) throw std::runtime_error("failed writing history.txt");
        }
        write_results(temporary.string(), *run.results);
        if (run.journal) write_file(temporary / "net-journal.jsonl", journal_jsonl(*run.journal));
        for (const auto& [id, lines] : run.node_logs) {
            std::string text;
            for (const auto& line : lines) text += line + "\n";
            write_file(temporary / "node-logs" / (id + ".log"), text);
        }
        write_file(temporary / "test.json", run.test.dump(2) + "\n");
        write_file(temporary / "jepsen.log", run.console);
        fs::rename(temporary, final_dir);

        const fs::path relative_from_store = fs::path(run.workload) / run_id;
        relink(fs::path(store_dir) / "latest", relative_from_store);
        relink(fs::path(store_dir) / "current", relative_from_store);
        relink(workload_dir / "latest", run_id);
        return final_dir.string();
    } catch (const fs::filesystem_error& error) {
        throw std::runtime_error(std::string("store: ") + error.what());
    }
}

}  // namespace millpond::sim
