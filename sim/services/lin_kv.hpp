#pragma once
// lin-kv: Maelstrom's linearizable key-value service (`(linearizable (persistent-kv))`). One
// map behind an atomic swap; every request is applied to the current map in arrival order, so
// the service is trivially linearizable. Keys and values are any JSON, compared with Clojure's
// `=` (1 and 1.0 are different keys). Request semantics: kv_ops.hpp.

#include "sim/services/kv_ops.hpp"
#include "sim/services/service_node.hpp"

namespace millpond::sim {

class LinKv final : public ServiceNode {
  private:
    std::optional<json> on_request(Message& request, Out& out) override;

    KvMap map_;
};

}  // namespace millpond::sim
