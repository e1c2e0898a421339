#include "sim/services/lin_tso.hpp"

#include "core/assert.hpp"

namespace millpond::sim {

std::optional<json> LinTso::on_request(Message& request, Out& /*out*/) {
    if (body_type(request.body) != "ts") return std::nullopt;
    MP_ASSERT_GE(ts_next_, 0);
    return json{{"type", "ts_ok"}, {"ts", ts_next_++}};
}

}  // namespace millpond::sim
