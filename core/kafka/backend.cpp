#include "backend.hpp"

#include "../assert.hpp"
#include "kv_node.hpp"
#include "memory_node.hpp"
#include "owner_node.hpp"

namespace millpond::kafka {

std::vector<std::string> backend_names() { return {"memory", "kv", "owner"}; }

std::unique_ptr<Node> make_backend(const BackendOptions& options, std::string* error) {
    MP_ASSERT(error != nullptr);
    std::unique_ptr<Node> node;
    if (options.backend == "memory") {
        node = std::make_unique<MemoryNode>();
    } else if (options.backend == "kv") {
        node = std::make_unique<KvNode>(options.commit_kv);
    } else if (options.backend == "owner") {
        node = std::make_unique<OwnerNode>();
    } else {
        *error = "unknown kafka backend '" + options.backend + "' (expected memory, kv or owner)";
        return nullptr;
    }
    MP_ASSERT(node != nullptr);
    return node;
}

}  // namespace millpond::kafka
