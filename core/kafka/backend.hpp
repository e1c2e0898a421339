#pragma once
// Choosing a Kafka-style log design by name. Shared by the simulator (`--backend`) and the
// node binary for real Maelstrom (`millpond-kafka --backend`).

#include <memory>
#include <string>
#include <vector>

#include "../node.hpp"

namespace millpond::kafka {

// Where committed offsets live for designs that keep state in Maelstrom's KV services.
enum class CommitKv { kLin, kSeq };

struct BackendOptions {
    std::string backend = "memory";  // memory | kv | owner
    CommitKv commit_kv = CommitKv::kLin;
};

// The names of the correct designs, in the order --help lists them.
std::vector<std::string> backend_names();

// The bug zoo (core/kafka/zoo/): deliberately broken designs, each named "zoo/<bug>", for
// `millpond hunt` and the property tests to find. Never among backend_names(); --help lists
// them only under their own "zoo" heading.
std::vector<std::string> zoo_backend_names();

// A fresh node of the named design (correct or zoo), or nullptr with *error set when the name is unknown.
std::unique_ptr<Node> make_backend(const BackendOptions& options, std::string* error);

}  // namespace millpond::kafka
