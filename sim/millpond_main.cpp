// The `millpond` command. Everything that touches the outside world before a run starts (the
// wall clock for the run directory's name, the OS entropy for a fresh seed) lives here, never
// inside a run: a run sees only its seed.

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "bench.hpp"
#include "commands.hpp"
#include "figures.hpp"
#include "hunt.hpp"
#include "lamport/lamport.hpp"
#include "report/report.hpp"
#include "sweep.hpp"
#include "under_valgrind.hpp"

#ifdef MILLPOND_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace {

std::uint64_t fresh_seed_from_os() {
    std::uint64_t seed = 0;
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    urandom.read(reinterpret_cast<char*>(&seed), sizeof seed);
    if (!urandom) seed = static_cast<std::uint64_t>(std::time(nullptr));
    // Keep fresh seeds short enough to type.
    return seed % 1'000'000'000'000ULL;
}

// Maelstrom names run directories by local time, e.g. 20210223T103059.000-0500; millpond uses
// UTC at one-second resolution and adds the seed.
std::string run_stamp() {
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
    return buffer;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef MILLPOND_WITH_MIMALLOC
    // 2 MiB pages where the kernel allows them (transparent huge pages): a run touches tens of
    // megabytes of fresh heap, and with 4 KiB pages its page faults were about a tenth of the
    // standard test's wall time (perf). Costs a few MB of peak memory. mimalloc maps its first
    // 32 MiB segment before main, where a standard run keeps most of its heap, and takes the
    // option for it only from the environment: enabling it here left that segment on 4 KiB
    // pages (26,800 page faults in the standard owner test against 12,100, and 13 % of its
    // wall time). So millpond sets the variable and executes itself once more, about 2 ms.
    // MIMALLOC_LARGE_OS_PAGES in the environment still decides, as mimalloc documents. Under
    // valgrind (its preload library is in LD_PRELOAD) there is no second execution: valgrind
    // would run the new image uninstrumented, and the README's callgrind commands count
    // instructions, which the page size does not change.
    if (std::getenv("MIMALLOC_LARGE_OS_PAGES") == nullptr) {
        if (!millpond::sim::running_under_valgrind()) {
            ::setenv("MIMALLOC_LARGE_OS_PAGES", "1", 1);
            ::execv("/proc/self/exe", argv);
        }
        // Not executed again (valgrind, or execv failed): the option still serves every
        // mapping from here on.
        mi_option_enable(mi_option_large_os_pages);
    }
#endif
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        if (args.empty() || args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
            std::cout << millpond::sim::main_help();
            return args.empty() ? 254 : 0;
        }
        if (args[0] == "--version") {
            std::cout << "millpond 0.1.0\n";
            return 0;
        }
        const std::string command = args[0];
        args.erase(args.begin());
        if (command == "test")
            return millpond::sim::run_test_command(args, fresh_seed_from_os(), run_stamp(),
                                                   std::cout, std::cerr);
        if (command == "figures") return millpond::sim::run_figures_command(args, std::cout, std::cerr);
        if (command == "check") return millpond::sim::run_check_command(args, std::cout, std::cerr);
        if (command == "lamport") return millpond::lamport::run_lamport_command(args, std::cout, std::cerr);
        if (command == "report") return millpond::report::run_report_command(args, std::cout, std::cerr);
        if (command == "sweep")
            return millpond::sim::run_sweep_command(args, std::cout, std::cerr, ::isatty(STDERR_FILENO));
        if (command == "bench") return millpond::sim::run_bench_command(args, std::cout, std::cerr);
        if (command == "hunt")
            return millpond::sim::run_hunt_command(args, fresh_seed_from_os(), run_stamp(),
                                                   std::cout, std::cerr);
        if (command == "merge") return millpond::sim::run_merge_command(args, std::cout, std::cerr);
        std::cerr << "millpond: unknown command '" << command << "' (try millpond --help)\n";
        return 254;
    } catch (const std::exception& error) {
        std::cerr << "millpond: crashed: " << error.what() << "\n";
        return 255;
    }
}
