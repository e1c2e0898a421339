#pragma once
// Maelstrom's services, which every test starts whatever the workload: each is a participant
// the simulator runs behind its network like a node (see service_node.hpp).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/node.hpp"

namespace millpond::sim {

// {"lin-kv", "lin-tso", "lww-kv", "seq-kv"}: every service, sorted by name.
std::vector<std::string> service_names();

// A fresh service named `name` (one of service_names()), or nullptr for any other name. The
// caller still calls on_init with node_id = name and the service's seed.
std::unique_ptr<Node> make_service(std::string_view name);

}  // namespace millpond::sim
