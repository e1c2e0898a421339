#pragma once
// lin-tso: Maelstrom's timestamp oracle (`(linearizable (persistent-tso))`). {"type":"ts"} is
// answered {"type":"ts_ok","ts":n} with n = 0, 1, 2, ... in arrival order, one per request,
// whoever asks; linearizable. Every other request gets no reply.

#include <cstdint>

#include "sim/services/service_node.hpp"

namespace millpond::sim {

class LinTso final : public ServiceNode {
  private:
    std::optional<json> on_request(Message& request, Out& out) override;

    std::int64_t ts_next_ = 0;
};

}  // namespace millpond::sim
