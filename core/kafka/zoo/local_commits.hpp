#pragma once
// Committed offsets as the zoo designs keep them: per node, in memory (see forward_node.hpp's
// essay for why that is enough under Maelstrom's client). A commit only raises; a list
// answers what this node was told.

#include <algorithm>
#include <map>
#include <string>

#include "../protocol.hpp"

namespace millpond::kafka::zoo {

class LocalCommits {
  public:
    // The commit_offsets_ok reply to a commit_offsets request body.
    json commit(const json& request_body) {
        for (const auto& [key, offset] : parse_offsets(request_body)) {
            Offset& committed = committed_[key];
            committed = std::max(committed, offset);
        }
        return commit_offsets_ok_body();
    }

    // The list_committed_offsets_ok reply to a list_committed_offsets request body.
    json list(const json& request_body) const {
        std::map<std::string, Offset> offsets;
        for (const auto& key : parse_keys(request_body))
            if (auto it = committed_.find(key); it != committed_.end())
                offsets.emplace(key, it->second);
        return list_committed_offsets_ok_body(offsets);
    }

  private:
    std::map<std::string, Offset> committed_;
};

}  // namespace millpond::kafka::zoo
