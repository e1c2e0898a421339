#include "backend.hpp"

#include "../assert.hpp"
#include "kv_node.hpp"
#include "memory_node.hpp"
#include "owner_node.hpp"
#include "zoo/early_ack.hpp"
#include "zoo/kv_no_cas.hpp"
#include "zoo/offset_restart.hpp"
#include "zoo/owner_unsorted.hpp"
#include "zoo/poll_off_by_one.hpp"
#include "zoo/watermark_backwards.hpp"

namespace millpond::kafka {

std::vector<std::string> backend_names() { return {"memory", "kv", "owner"}; }

std::vector<std::string> zoo_backend_names() {
    return {"zoo/kv-no-cas",   "zoo/owner-unsorted",      "zoo/watermark-backwards",
            "zoo/poll-off-by-one", "zoo/early-ack", "zoo/offset-restart"};
}

std::unique_ptr<Node> make_backend(const BackendOptions& options, std::string* error) {
    MP_ASSERT(error != nullptr);
    std::unique_ptr<Node> node;
    if (options.backend == "memory") {
        node = std::make_unique<MemoryNode>();
    } else if (options.backend == "kv") {
        node = std::make_unique<KvNode>(options.commit_kv);
    } else if (options.backend == "owner") {
        node = std::make_unique<OwnerNode>();
    } else if (options.backend == "zoo/kv-no-cas") {
        node = std::make_unique<zoo::KvNoCasNode>();
    } else if (options.backend == "zoo/owner-unsorted") {
        node = std::make_unique<zoo::OwnerUnsortedNode>();
    } else if (options.backend == "zoo/watermark-backwards") {
        node = std::make_unique<zoo::WatermarkBackwardsNode>();
    } else if (options.backend == "zoo/poll-off-by-one") {
        node = std::make_unique<zoo::PollOffByOneNode>();
    } else if (options.backend == "zoo/early-ack") {
        node = std::make_unique<zoo::EarlyAckNode>();
    } else if (options.backend == "zoo/offset-restart") {
        node = std::make_unique<zoo::OffsetRestartNode>();
    } else {
        *error = "unknown kafka backend '" + options.backend + "' (expected memory, kv or owner)";
        return nullptr;
    }
    MP_ASSERT(node != nullptr);
    return node;
}

}  // namespace millpond::kafka
