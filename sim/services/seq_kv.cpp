#include "sim/services/seq_kv.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace millpond::sim {

void SeqKv::on_start(const InitInfo& init) { rng_ = Rng(init.seed); }

std::int64_t SeqKv::client_index(const NodeId& client) const {
    auto it = client_index_.find(client);
    return it == client_index_.end() ? 0 : it->second;
}

std::int64_t SeqKv::window_start() const {
    return std::max<std::int64_t>(0, last_index_ - kStatesMax + 1);
}

std::int64_t SeqKv::ring_state(std::int64_t index) const {
    MP_ASSERT_GE(index, 0);
    MP_ASSERT_LE(index, last_index_);
    const std::int64_t start = window_start();
    if (index >= start) return index;
    // Only a full ring has a window that excludes state 0, so the length here is 32.
    const std::int64_t length = last_index_ - start + 1;
    MP_ASSERT_EQ(length, kStatesMax);
    const std::int64_t state = start + ((index - start) % length + length) % length;
    MP_ASSERT_GE(state, start);
    return state;
}

const json* SeqKv::value_at(const Versions& versions, std::int64_t state_index) {
    auto after = std::upper_bound(
        versions.begin(), versions.end(), state_index,
        [](std::int64_t index, const Version& version) { return index < version.state_index; });
    return after == versions.begin() ? nullptr : &std::prev(after)->value;
}

const json* SeqKv::value_in_state(const json& key, std::int64_t state_index) const {
    auto it = versions_.find(key);
    return it == versions_.end() ? nullptr : value_at(it->second, ring_state(state_index));
}

void SeqKv::store(VersionMap::iterator it, json& key, json&& value) {
    if (it == versions_.end()) it = versions_.emplace(std::move(key), Versions{}).first;
    Versions& versions = it->second;
    MP_ASSERT(versions.empty() || versions.back().state_index < last_index_);
    versions.push_back(Version{last_index_, std::move(value)});
    // A version is visible while the next one starts after the window's first state.
    const std::int64_t start = window_start();
    std::size_t obsolete = 0;
    while (obsolete + 1 < versions.size() && versions[obsolete + 1].state_index <= start)
        ++obsolete;
    versions.erase(versions.begin(), versions.begin() + static_cast<std::ptrdiff_t>(obsolete));
    MP_ASSERT_LE(versions.size(), static_cast<std::size_t>(kStatesMax + 1));
}

std::optional<json> SeqKv::on_request(Message& request, Out& out) {
    const std::int64_t client = client_index(request.src);
    MP_ASSERT_LE(client, last_index_);
    // Drawn before the request is understood, as Maelstrom draws it before `handle` throws.
    const std::int64_t picked = rng_.uniform_inclusive(client, last_index_);
    const std::optional<KvRequest> kind = kv_request_of(request.body);
    if (!kind) return std::nullopt;
    fill_missing_kv_fields(*kind, request, out);
    json& body = request.body;
    json& key = body.at("key");

    auto it = versions_.find(key);
    const json* seen = it == versions_.end() ? nullptr : value_at(it->second, ring_state(picked));
    KvStep step = kv_step(*kind, body, seen, KvFlavor::kPersistent);
    if (!kv_step_changes(step, seen)) {
        client_index_[request.src] = picked;
        return std::move(step.reply);
    }

    const json* newest = it == versions_.end() ? nullptr : value_at(it->second, last_index_);
    step = kv_step(*kind, body, newest, KvFlavor::kPersistent);
    ++last_index_;
    if (step.written != nullptr) store(it, key, std::move(*step.written));
    client_index_[request.src] = last_index_;
    return std::move(step.reply);
}

}  // namespace millpond::sim
