#include "workloads.hpp"

#include "echo_workload.hpp"
#include "kafka_workload.hpp"

namespace millpond::sim {

std::vector<std::string> workload_names() { return {"echo", "kafka"}; }

std::unique_ptr<Workload> make_workload(std::string_view name, const RunOptions& options,
                                        std::string* error) {
    if (name == "echo") return std::make_unique<EchoWorkload>();
    if (name == "kafka") return std::make_unique<KafkaWorkload>(options);
    if (error != nullptr) {
        std::string known;
        for (const auto& known_name : workload_names())
            known += (known.empty() ? "" : ", ") + known_name;
        *error = "unknown workload '" + std::string(name) + "' (known: " + known + ")";
    }
    return nullptr;
}

}  // namespace millpond::sim
