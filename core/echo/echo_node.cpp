#include "echo_node.hpp"

namespace millpond {

EchoNode::EchoNode() {
    handle("echo", [this](Message& request, Instant, Out& out) {
        json echo = require_field(request.body, "echo");
        reply(out, request, {{"type", "echo_ok"}, {"echo", std::move(echo)}});
    });
}

}  // namespace millpond
