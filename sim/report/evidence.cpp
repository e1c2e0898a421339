#include "evidence.hpp"

#include <map>
#include <tuple>

#include "core/assert.hpp"

namespace millpond::report {

namespace {

void add_evidence(Anomaly* anomaly, Evidence evidence) {
    if (anomaly->evidence.size() >= kEvidenceMax) return;
    for (const auto& known : anomaly->evidence)
        if (known.op_index == evidence.op_index) return;
    anomaly->evidence.push_back(std::move(evidence));
}

std::string name_of(const edn::Value& key) {
    if (key.is_keyword() || key.is_string() || key.kind() == edn::Kind::kSymbol)
        return key.as_string();
    return edn::write(key);
}

// Op maps (maps with :index and :process) anywhere inside `value`, each named by the entry
// that holds it (:writer, :max-read, :ops, ...).
void collect_ops(const edn::Value& value, const std::string& role, Anomaly* anomaly) {
    if (value.is_map()) {
        const edn::Value* index = value.find("index");
        const edn::Value* process = value.find("process");
        if (index && process && index->is_int()) {
            add_evidence(anomaly, {index->as_int(), role});
            return;
        }
        for (const auto& [key, item] : value.entries()) collect_ops(item, name_of(key), anomaly);
    } else if (value.is_sequential()) {
        for (const auto& item : value.items()) collect_ops(item, role, anomaly);
    }
}

// A message the history must show at a key: at one offset (inconsistent-offsets, duplicate),
// or acknowledged by an ok send at any offset (offset_any: unseen).
struct Query {
    std::size_t anomaly = 0;
    std::string key;  // EDN text of the key, so "9" and 9 stay apart as they do in Jepsen
    std::int64_t offset = 0;
    bool offset_any = false;
    edn::Value message;
    std::string role;  // filled when found
    std::int64_t op_index = -1;
};

// Kafka ok send and poll ops as (key, offset, message) observations.
template <typename Visit>
void observations(const history::Op& op, Visit visit) {
    if (!op.is_client() || op.type != history::OpType::kOk || !op.value.is_sequential()) return;
    for (const auto& micro : op.value.items()) {
        if (!micro.is_sequential() || micro.size() < 2 || !micro.items()[0].is_keyword()) continue;
        const auto& parts = micro.items();
        if (parts[0].is_keyword("send") && parts.size() >= 3 && parts[2].is_sequential() &&
            parts[2].size() == 2 && parts[2].items()[0].is_int()) {
            visit(edn::write(parts[1]), parts[2].items()[0].as_int(), parts[2].items()[1], true);
        } else if (parts[0].is_keyword("poll") && parts[1].is_map()) {
            for (const auto& [key, pairs] : parts[1].entries()) {
                if (!pairs.is_sequential()) continue;
                const std::string key_text = edn::write(key);
                for (const auto& pair : pairs.items()) {
                    if (pair.is_sequential() && pair.size() == 2 && pair.items()[0].is_int())
                        visit(key_text, pair.items()[0].as_int(), pair.items()[1], false);
                }
            }
        }
    }
}

// Resolves every query with the first op (in history order) that shows it: one pass.
void resolve(const history::History& history, std::vector<Query>* queries) {
    if (queries->empty()) return;
    using Exact = std::tuple<std::string, std::int64_t, edn::Value>;
    std::map<Exact, std::vector<std::size_t>> exact;
    std::map<std::pair<std::string, edn::Value>, std::vector<std::size_t>> any_offset;
    for (std::size_t q = 0; q < queries->size(); ++q) {
        const Query& query = (*queries)[q];
        if (query.offset_any)
            any_offset[{query.key, query.message}].push_back(q);
        else
            exact[{query.key, query.offset, query.message}].push_back(q);
    }
    std::size_t open = queries->size();
    for (const auto& op : history) {
        if (open == 0) break;
        observations(op, [&](const std::string& key, std::int64_t offset,
                             const edn::Value& message, bool sent) {
            auto answer = [&](std::vector<std::size_t>& waiting, const std::string& role) {
                for (std::size_t q : waiting) {
                    Query& query = (*queries)[q];
                    if (query.op_index >= 0) continue;
                    query.op_index = op.index;
                    query.role = role;
                    --open;
                }
            };
            const std::string at = "offset " + std::to_string(offset) + " = " +
                                   edn::write(message) + " (key " + key + ")";
            if (auto it = exact.find({key, offset, message}); it != exact.end())
                answer(it->second, (sent ? "sent " : "polled ") + at);
            if (!sent) return;
            if (auto it = any_offset.find({key, message}); it != any_offset.end())
                answer(it->second, "sent " + at + ", never polled");
        });
    }
}

void kafka_anomalies(const edn::Value& workload, const history::History& history,
                     std::size_t per_kind_max, std::vector<Anomaly>* anomalies) {
    const edn::Value* types = workload.find("bad-error-types");
    if (!types || !types->is_sequential() || types->size() == 0) types = workload.find("error-types");
    if (!types || !types->is_sequential()) return;
    std::vector<Query> queries;
    for (const auto& type : types->items()) {
        if (!type.is_keyword() && !type.is_string()) continue;
        const std::string kind = type.as_string();
        const edn::Value* detail = workload.find(kind);
        if (!detail) continue;
        const edn::Value* errs = detail->is_map() ? detail->find("errs") : nullptr;
        const edn::Value* count = detail->is_map() ? detail->find("count") : nullptr;
        std::vector<const edn::Value*> errors;
        if (errs && errs->is_sequential()) {
            for (const auto& error : errs->items()) {
                if (errors.size() >= per_kind_max) break;
                errors.push_back(&error);
            }
        } else if (per_kind_max > 0) {
            errors.push_back(detail);
        }
        for (const edn::Value* error : errors) {
            Anomaly anomaly;
            anomaly.kind = kind;
            anomaly.kind_count = count && count->is_int() ? count->as_int() : 0;
            anomaly.detail = *error;
            const std::size_t position = anomalies->size();
            const edn::Value* key = error->is_map() ? error->find("key") : nullptr;
            if (kind == "inconsistent-offsets" && key) {
                const edn::Value* offset = error->find("offset");
                const edn::Value* values = error->find("values");
                if (offset && offset->is_int() && values && values->is_sequential()) {
                    for (const auto& value : values->items())
                        queries.push_back({position, edn::write(*key), offset->as_int(), false,
                                           value, "", -1});
                }
            } else if (kind == "duplicate" && key) {
                const edn::Value* value = error->find("value");
                const edn::Value* offsets = error->find("offsets");
                if (value && offsets && offsets->is_sequential()) {
                    for (const auto& offset : offsets->items())
                        if (offset.is_int())
                            queries.push_back({position, edn::write(*key), offset.as_int(), false,
                                               *value, "", -1});
                }
            } else if (kind == "unseen" && error->is_map() && error->find("messages")) {
                const edn::Value* messages = error->find("messages");
                if (messages->is_map()) {
                    std::size_t asked = 0;
                    for (const auto& [unseen_key, list] : messages->entries()) {
                        if (!list.is_sequential()) continue;
                        for (const auto& message : list.items()) {
                            if (asked++ >= kEvidenceMax) break;
                            queries.push_back({position, edn::write(unseen_key), 0, true, message,
                                               "", -1});
                        }
                    }
                }
            } else {
                collect_ops(*error, kind, &anomaly);
            }
            anomalies->push_back(std::move(anomaly));
        }
    }
    resolve(history, &queries);
    for (const auto& query : queries) {
        if (query.op_index < 0) continue;
        MP_ASSERT_LT(query.anomaly, anomalies->size());
        add_evidence(&(*anomalies)[query.anomaly], {query.op_index, query.role});
    }
}

}  // namespace

std::vector<Anomaly> list_anomalies(const edn::Value& results, const history::History& history,
                                    std::size_t per_kind_max) {
    std::vector<Anomaly> anomalies;
    if (!results.is_map()) return anomalies;
    const edn::Value* workload = results.find("workload");
    if (!workload || !workload->is_map()) return anomalies;
    const edn::Value* valid = workload->find("valid?");
    if (valid && valid->kind() == edn::Kind::kBool && valid->as_bool()) return anomalies;
    if (workload->find("error-types") || workload->find("bad-error-types")) {
        kafka_anomalies(*workload, history, per_kind_max, &anomalies);
        return anomalies;
    }
    if (!valid || valid->kind() != edn::Kind::kBool || per_kind_max == 0) return anomalies;
    // Jepsen's set-full checker (broadcast, g-set): lost elements are the anomaly; its
    // :worst-stale ops are not. The proof of a lost element is the ok op that added it
    // (:broadcast or :add).
    const edn::Value* lost = workload->find("lost");
    if (lost && lost->is_sequential() && lost->size() > 0 && workload->find("lost-count")) {
        Anomaly anomaly;
        anomaly.kind = "lost";
        const edn::Value* count = workload->find("lost-count");
        anomaly.kind_count = count->is_int() ? count->as_int() : 0;
        anomaly.detail = *lost;
        for (const auto& element : lost->items()) {
            if (anomaly.evidence.size() >= kEvidenceMax) break;
            for (const auto& op : history) {
                if (op.is_client() && op.type == history::OpType::kOk && op.f != "read" &&
                    op.value == element) {
                    add_evidence(&anomaly, {op.index, ":" + op.f + " " + edn::write(element) +
                                                          " acknowledged, never read"});
                    break;
                }
            }
        }
        anomalies.push_back(std::move(anomaly));
        return anomalies;
    }
    // Another workload's invalid result: each entry that names ops is one anomaly.
    for (const auto& [key, value] : workload->entries()) {
        const std::string name = name_of(key);
        if (name == "valid?") continue;
        Anomaly anomaly;
        anomaly.kind = name;
        anomaly.detail = value;
        collect_ops(value, name, &anomaly);
        if (!anomaly.evidence.empty()) anomalies.push_back(std::move(anomaly));
    }
    if (anomalies.empty()) {
        Anomaly anomaly;
        anomaly.kind = "workload";
        anomaly.detail = *workload;
        anomalies.push_back(std::move(anomaly));
    }
    return anomalies;
}

}  // namespace millpond::report
