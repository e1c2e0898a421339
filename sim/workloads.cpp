#include "workloads.hpp"

#include "echo_workload.hpp"
#include "kafka_workload.hpp"

namespace millpond::sim {

std::vector<std::string> workload_names() { return {"echo", "kafka"}; }

std::unique_ptr<Workload> make_workload(std::string_view name, const RunOptions& options,
                                        std::string* error) {
    if (name == "echo") return std::make_unique<EchoWorkload>();
    if (name == "kafka") {
        // KafkaWorkload asserts these; a user who asks for them gets a line, not an abort.
        std::string problem;
        if (options.key_count < 1 || options.key_count > 1000)
            problem = "kafka needs --key-count between 1 and 1000, got " +
                      std::to_string(options.key_count);
        else if (options.max_writes_per_key < 1)
            problem = "kafka needs --max-writes-per-key of at least 1, got " +
                      std::to_string(options.max_writes_per_key);
        else if (options.concurrency < 1)
            problem = "kafka needs a concurrency of at least 1, got " +
                      std::to_string(options.concurrency);
        if (problem.empty()) return std::make_unique<KafkaWorkload>(options);
        if (error != nullptr) *error = problem;
        return nullptr;
    }
    if (error != nullptr) {
        std::string known;
        for (const auto& known_name : workload_names())
            known += (known.empty() ? "" : ", ") + known_name;
        *error = "unknown workload '" + std::string(name) + "' (known: " + known + ")";
    }
    return nullptr;
}

}  // namespace millpond::sim
