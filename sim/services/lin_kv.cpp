#include "sim/services/lin_kv.hpp"

namespace millpond::sim {

std::optional<json> LinKv::on_request(Message& request, Out& out) {
    const std::optional<KvRequest> kind = kv_request_of(request.body);
    if (!kind) return std::nullopt;
    fill_missing_kv_fields(*kind, request, out);
    return apply_kv_request(map_, *kind, request.body).reply;
}

}  // namespace millpond::sim
