#include "partition.hpp"

#include <algorithm>

#include "core/assert.hpp"

namespace millpond::sim {

namespace {

std::vector<NodeId> shuffled(std::vector<NodeId> nodes, Rng& rng) {
    // Fisher-Yates with millpond's own bounded draw.
    for (std::size_t i = nodes.size(); i > 1; --i)
        std::swap(nodes[i - 1], nodes[static_cast<std::size_t>(rng.uniform(i))]);
    return nodes;
}

// Every node of one side drops every node of the other, both ways.
Grudge split(const std::vector<NodeId>& nodes, std::size_t at) {
    Grudge grudge;
    if (at == 0 || at >= nodes.size()) return grudge;
    for (std::size_t i = 0; i < nodes.size(); ++i)
        for (std::size_t j = 0; j < nodes.size(); ++j)
            if ((i < at) != (j < at)) grudge[nodes[i]].insert(nodes[j]);
    return grudge;
}

// Each node drops every node it is not linked to (itself excluded).
Grudge from_links(const std::vector<NodeId>& nodes, const std::set<std::pair<NodeId, NodeId>>& links) {
    Grudge grudge;
    for (const auto& a : nodes)
        for (const auto& b : nodes)
            if (a != b && !links.count({a, b})) grudge[a].insert(b);
    return grudge;
}

}  // namespace

Grudge make_grudge(std::string_view name, const std::vector<NodeId>& nodes, Rng& rng) {
    MP_ASSERT(!nodes.empty());
    const std::size_t n = nodes.size();
    if (name == "one") {
        // One random node isolated from all others, in both directions.
        const NodeId& loner = nodes[static_cast<std::size_t>(rng.uniform(n))];
        Grudge grudge;
        for (const auto& other : nodes) {
            if (other == loner) continue;
            grudge[loner].insert(other);
            grudge[other].insert(loner);
        }
        return grudge;
    }
    if (name == "majority") return split(shuffled(nodes, rng), n / 2);
    if (name == "minority-third") return split(shuffled(nodes, rng), (n - 1) / 3);
    MP_ASSERT(name == "majorities-ring");
    const std::size_t m = n / 2 + 1;  // a majority
    const std::vector<NodeId> ring = shuffled(nodes, rng);
    std::set<std::pair<NodeId, NodeId>> links;
    if (n <= 5) {
        // Windows of m consecutive nodes around the ring; the middle node of each window keeps
        // only its window. Symmetric for n = 4, 5; a one-way ring for n = 3.
        for (std::size_t start = 0; start < n; ++start) {
            const NodeId& middle = ring[(start + m / 2) % n];
            for (std::size_t k = 0; k < m; ++k) links.insert({middle, ring[(start + k) % n]});
        }
        return from_links(nodes, links);
    }
    // n > 5: repeatedly link two lowest-degree unlinked nodes until every node has degree >= m
    // (counting itself), in ring order to break ties deterministically.
    std::map<NodeId, std::size_t> degree;
    for (const auto& node : ring) {
        degree[node] = 1;
        links.insert({node, node});
    }
    while (true) {
        std::vector<NodeId> by_degree = ring;
        std::stable_sort(by_degree.begin(), by_degree.end(),
                         [&](const NodeId& a, const NodeId& b) { return degree[a] < degree[b]; });
        if (degree[by_degree.front()] >= m) break;
        bool linked = false;
        for (std::size_t i = 0; i < n && !linked; ++i) {
            for (std::size_t j = i + 1; j < n && !linked; ++j) {
                const NodeId& a = by_degree[i];
                const NodeId& b = by_degree[j];
                if (links.count({a, b})) continue;
                links.insert({a, b});
                links.insert({b, a});
                ++degree[a];
                ++degree[b];
                linked = true;
            }
        }
        MP_ASSERT(linked);
    }
    return from_links(nodes, links);
}

}  // namespace millpond::sim
