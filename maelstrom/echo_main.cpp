// millpond-echo: the echo node (core/echo) as a Maelstrom node binary.
//   maelstrom test -w echo --bin build/millpond-echo --node-count 1 --time-limit 10

#include <iostream>
#include <string_view>

#include "core/echo/echo_node.hpp"
#include "maelstrom/stdio_adapter.hpp"

namespace {

constexpr std::string_view kProgram = "millpond-echo";

void print_usage(std::ostream& out) {
    out << "usage: " << kProgram << " [--help]\n"
        << "\n"
        << "Maelstrom's echo workload node: reads Maelstrom messages as JSON lines on stdin,\n"
        << "answers each {\"type\":\"echo\",\"echo\":X} with {\"type\":\"echo_ok\",\"echo\":X}\n"
        << "on stdout, and logs to stderr. Exits 0 at end of input.\n"
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
        << "  maelstrom test -w echo --bin " << kProgram << " --node-count 1 --time-limit 10\n";
}

}  // namespace

int main(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (argument == "--help" || argument == "-h") {
            print_usage(std::cout);
            return 0;
        }
        std::cerr << kProgram << ": unknown argument '" << argument << "' (try --help)"
                  << std::endl;
        return 254;
    }
    millpond::EchoNode node;
    return millpond::maelstrom::run_on_process_stdio(node, kProgram);
}
