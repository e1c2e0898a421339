#include "fault_schedule.hpp"

namespace millpond::sim {

namespace {
constexpr std::pair<FaultKind, std::string_view> kNames[] = {
    {FaultKind::kPartition, "partition"},
    {FaultKind::kKill, "kill"},
    {FaultKind::kPause, "pause"},
    {FaultKind::kSlow, "slow"},
};
}  // namespace

std::string_view fault_kind_name(FaultKind kind) {
    for (const auto& [k, name] : kNames)
        if (k == kind) return name;
    return "?";
}

std::optional<FaultKind> parse_fault_kind(std::string_view name) {
    for (const auto& [k, known] : kNames)
        if (known == name) return k;
    return std::nullopt;
}

}  // namespace millpond::sim
