#include "sim/services/lww_kv.hpp"

#include "core/assert.hpp"

namespace millpond::sim {

void LwwKv::on_start(const InitInfo& init) { rng_ = Rng(init.seed); }

std::optional<json> LwwKv::on_request(Message& request, Out& out) {
    // Maelstrom's merge-source and merge-dest; the merge itself is discarded (see header).
    static_cast<void>(rng_.uniform(kReplicas));
    static_cast<void>(rng_.uniform(kReplicas));
    const std::uint64_t replica_index = rng_.uniform(kReplicas);
    MP_ASSERT_LT(replica_index, kReplicas);

    const std::optional<KvRequest> kind = kv_request_of(request.body);
    if (!kind) return std::nullopt;
    fill_missing_kv_fields(*kind, request, out);
    json& body = request.body;
    json& key = body.at("key");

    Replica& replica = replicas_[replica_index];
    auto it = replica.entries.find(key);
    const json* current = it == replica.entries.end() ? nullptr : &it->second.value;
    KvStep step = kv_step(*kind, body, current, KvFlavor::kLastWriteWins);
    if (step.written != nullptr) {
        Entry entry{replica.clock, std::move(*step.written)};
        if (it == replica.entries.end()) {
            replica.entries.emplace(std::move(key), std::move(entry));
        } else {
            it->second = std::move(entry);
        }
        ++replica.clock;
    }
    return std::move(step.reply);
}

}  // namespace millpond::sim
