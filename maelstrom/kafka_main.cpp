// millpond-kafka: the Kafka-style log designs (core/kafka) as a Maelstrom node binary.
//   maelstrom test -w kafka --bin build/millpond-kafka --node-count 2 --concurrency 2n
//       --time-limit 20 --rate 1000
// Maelstrom passes extra positional arguments to the binary, and the environment, so the
// design can be chosen either way: `--bin build/millpond-kafka --backend owner`, or
// KAFKA_BACKEND=owner. Flags win over the environment.

#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "core/kafka/backend.hpp"
#include "maelstrom/stdio_adapter.hpp"

namespace {

constexpr std::string_view kProgram = "millpond-kafka";
constexpr const char* kBackendEnvironmentVariable = "KAFKA_BACKEND";
constexpr const char* kCommitKvEnvironmentVariable = "KAFKA_COMMIT_KV";

std::string backend_list(std::string_view separator) {
    std::string names;
    for (const auto& name : millpond::kafka::backend_names())
        names += (names.empty() ? "" : std::string(separator)) + name;
    return names;
}

void print_usage(std::ostream& out) {
    out << "usage: " << kProgram << " [--backend " << backend_list("|")
        << "] [--commit-kv lin|seq] [--help]\n"
        << "\n"
        << "Maelstrom's kafka workload node: a replicated log answering send, poll,\n"
        << "commit_offsets and list_committed_offsets, read as JSON lines on stdin and\n"
        << "answered on stdout; logs go to stderr. Exits 0 at end of input.\n"
        << "\n"
        << "designs (--backend, default memory):\n"
        << "  memory  one node keeps every log in memory; no server messages (one node only)\n"
        << "  kv      logs and committed offsets in Maelstrom's lin-kv service; any node\n"
        << "          serves any key\n"
        << "  owner   each key owned by one node (hash of the key over the sorted node ids);\n"
        << "          other nodes forward to it\n"
        << "\n"
        << "zoo (deliberately broken designs, to watch a checker catch them; see\n"
        << "core/kafka/zoo/):\n";
    for (const auto& name : millpond::kafka::zoo_backend_names()) out << "  " << name << "\n";
    out << "\n"
        << "options (each flag wins over its environment variable):\n"
        << "  --backend NAME       the design; or " << kBackendEnvironmentVariable << "=NAME\n"
        << "  --commit-kv lin|seq  where the kv design keeps committed offsets: lin-kv\n"
        << "                       (default) or seq-kv; or " << kCommitKvEnvironmentVariable
        << "=lin|seq\n"
        << "  --help               this text\n"
        << "\n"
        << "environment:\n"
        << "  " << millpond::maelstrom::kSeedEnvironmentVariable
        << "  the node's random seed (decimal); default: a hash of the node id\n"
        << "  " << millpond::maelstrom::kIncarnationEnvironmentVariable
        << "  0..2147483647; msg_ids start at incarnation * 2^32 + 1;\n"
        << "                        default: seconds since 2026-01-01 UTC, so a node\n"
        << "                        restarted after a kill never repeats a msg_id\n"
        << "\n"
        << "example:\n"
        << "  maelstrom test -w kafka --bin " << kProgram << " --node-count 2 --concurrency 2n "
        << "--time-limit 20 --rate 1000\n";
}

// One line on stderr naming the bad value and where it came from; the exit code for bad
// arguments.
int bad_argument(const std::string& text) {
    std::cerr << kProgram << ": " << text << std::endl;
    return 254;
}

struct Choice {
    std::string value;
    std::string source;  // "--backend" or "KAFKA_BACKEND", for error lines
};

}  // namespace

int main(int argc, char** argv) {
    std::optional<Choice> backend;
    std::optional<Choice> commit_kv;
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (argument == "--help" || argument == "-h") {
            print_usage(std::cout);
            return 0;
        }
        std::optional<Choice>* target = nullptr;
        std::string_view flag;
        for (std::string_view name : {"--backend", "--commit-kv"}) {
            if (argument == name || argument.rfind(std::string(name) + "=", 0) == 0) {
                target = name == "--backend" ? &backend : &commit_kv;
                flag = name;
            }
        }
        if (target == nullptr) {
            return bad_argument("unknown argument '" + std::string(argument) + "' (try --help)");
        }
        std::string value;
        if (argument.size() > flag.size()) {
            value = std::string(argument.substr(flag.size() + 1));
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return bad_argument(std::string(flag) + " needs a value (try --help)");
        }
        *target = Choice{value, std::string(flag)};
    }
    if (!backend) {
        if (const char* value = std::getenv(kBackendEnvironmentVariable))
            backend = Choice{value, kBackendEnvironmentVariable};
    }
    if (!commit_kv) {
        if (const char* value = std::getenv(kCommitKvEnvironmentVariable))
            commit_kv = Choice{value, kCommitKvEnvironmentVariable};
    }

    millpond::kafka::BackendOptions options;
    if (backend) {
        bool known = false;
        for (const auto& name : millpond::kafka::backend_names()) known |= name == backend->value;
        for (const auto& name : millpond::kafka::zoo_backend_names())
            known |= name == backend->value;
        if (!known) {
            return bad_argument(backend->source + " must be one of " + backend_list(", ") +
                                ", got '" + backend->value + "'");
        }
        options.backend = backend->value;
    }
    if (commit_kv) {
        if (commit_kv->value != "lin" && commit_kv->value != "seq") {
            return bad_argument(commit_kv->source + " must be lin or seq, got '" +
                                commit_kv->value + "'");
        }
        options.commit_kv = commit_kv->value == "seq" ? millpond::kafka::CommitKv::kSeq
                                                      : millpond::kafka::CommitKv::kLin;
    }

    std::string error;
    std::unique_ptr<millpond::Node> node = millpond::kafka::make_backend(options, &error);
    if (!node) return bad_argument(error);
    std::cerr << kProgram << ": backend " << options.backend;
    if (options.backend == "kv")
        std::cerr << ", committed offsets on "
                  << (options.commit_kv == millpond::kafka::CommitKv::kSeq ? "seq-kv" : "lin-kv");
    std::cerr << std::endl;
    return millpond::maelstrom::run_on_process_stdio(*node, kProgram);
}
