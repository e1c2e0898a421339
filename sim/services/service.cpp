#include "sim/services/service.hpp"

#include "sim/services/lin_kv.hpp"
#include "sim/services/lin_tso.hpp"
#include "sim/services/lww_kv.hpp"
#include "sim/services/seq_kv.hpp"

namespace millpond::sim {

std::vector<std::string> service_names() { return {"lin-kv", "lin-tso", "lww-kv", "seq-kv"}; }

std::unique_ptr<Node> make_service(std::string_view name) {
    if (name == "lin-kv") return std::make_unique<LinKv>();
    if (name == "lin-tso") return std::make_unique<LinTso>();
    if (name == "lww-kv") return std::make_unique<LwwKv>();
    if (name == "seq-kv") return std::make_unique<SeqKv>();
    return nullptr;
}

}  // namespace millpond::sim
