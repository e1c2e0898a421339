#pragma once
// Echo: the smallest node. Protocol: a client sends {"type":"echo","echo":X}; the node
// answers {"type":"echo_ok","echo":X} with X unchanged. Invariant: the reply's echo equals the
// request's. Cost: one message in, one out; no server traffic. Under partition: unaffected,
// since clients are never partitioned and the node talks to nobody else.

#include "../handler_node.hpp"

namespace millpond {

class EchoNode final : public HandlerNode {
  public:
    EchoNode();
};

}  // namespace millpond
