#include "scenario.hpp"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "checkers/edn.hpp"

namespace millpond::sim {

namespace {

// Key order matters for the writer (a person reads these files), and for error messages,
// which follow the file.
using ojson = nlohmann::ordered_json;

// The offending value as the file spells it, shortened so the message stays one short line.
std::string shown(const ojson& value) {
    std::string text = value.dump();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    return text;
}

// Thrown inside this file only, caught in parse_scenario: the first problem ends the parse.
struct Problem {
    std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw Problem{path + ": " + what};
}

void expect_keys(const ojson& object, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool known = false;
        for (auto name : allowed) known = known || name == it.key();
        if (!known) {
            std::string names;
            for (auto name : allowed) names += (names.empty() ? "" : ", ") + std::string(name);
            fail(path.empty() ? it.key() : path + "." + it.key(), "unknown field (known: " + names + ")");
        }
    }
}

const ojson& required(const ojson& object, const std::string& path, const char* key) {
    if (!object.contains(key)) fail(path, std::string("missing field \"") + key + "\"");
    return object.at(key);
}

std::string string_at(const ojson& value, const std::string& path) {
    if (!value.is_string()) fail(path, "expected a string, got " + shown(value));
    return value.get<std::string>();
}

Instant seconds_at(const ojson& value, const std::string& path) {
    if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1e6 ||
        !std::isfinite(value.get<double>()))
        fail(path, "expected seconds >= 0, got " + shown(value));
    return static_cast<Instant>(std::llround(value.get<double>() * 1e6));
}

std::int64_t integer_at(const ojson& value, const std::string& path, std::int64_t min,
                        std::int64_t max, const char* what) {
    if (!value.is_number_integer() || (value.is_number_unsigned() && value.get<std::uint64_t>() >
                                                                         static_cast<std::uint64_t>(max)) ||
        value.get<std::int64_t>() < min || value.get<std::int64_t>() > max)
        fail(path, std::string("expected ") + what + " from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got " + shown(value));
    return value.get<std::int64_t>();
}

std::vector<NodeId> node_list_at(const ojson& value, const std::string& path) {
    if (!value.is_array() || value.empty())
        fail(path, "expected a non-empty array of node ids, got " + shown(value));
    std::vector<NodeId> nodes;
    for (std::size_t i = 0; i < value.size(); ++i) {
        const std::string at = path + "[" + std::to_string(i) + "]";
        NodeId id = string_at(value[i], at);
        if (id.empty()) fail(at, "expected a node id, got \"\"");
        for (const auto& earlier : nodes)
            if (earlier == id) fail(at, "node '" + id + "' is listed twice");
        nodes.push_back(std::move(id));
    }
    return nodes;
}

// A JSON option value as the command-line word it stands for.
std::string option_word(const ojson& value, const std::string& path) {
    if (value.is_string()) return value.get<std::string>();
    if (value.is_number()) return value.dump();
    fail(path, "expected a number or a string, got " + shown(value));
}

void read_options(const ojson& options, Scenario& scenario) {
    if (!options.is_object()) fail("options", "expected an object, got " + shown(options));
    for (auto it = options.begin(); it != options.end(); ++it) {
        const std::string path = "options." + it.key();
        const std::string name = "--" + it.key();
        const auto kind = test_option_kind(name);
        if (!kind) fail(path, "unknown option (keys are millpond test's long options without --)");
        const ojson& value = it.value();
        switch (*kind) {
            case OptionKind::kFlag:
                if (!value.is_boolean()) fail(path, "expected true or false, got " + shown(value));
                if (value.get<bool>()) scenario.option_args.push_back(name);
                break;
            case OptionKind::kRepeatable:
                if (value.is_array()) {
                    for (std::size_t i = 0; i < value.size(); ++i)
                        scenario.option_args.insert(
                            scenario.option_args.end(),
                            {name, option_word(value[i], path + "[" + std::to_string(i) + "]")});
                    break;
                }
                scenario.option_args.insert(scenario.option_args.end(), {name, option_word(value, path)});
                break;
            case OptionKind::kValue:
                scenario.option_args.insert(scenario.option_args.end(), {name, option_word(value, path)});
                break;
        }
    }
}

FaultEvent read_fault(const ojson& entry, const std::string& path) {
    if (!entry.is_object()) fail(path, "expected an object, got " + shown(entry));
    FaultEvent event;
    const std::string kind_name = string_at(required(entry, path, "kind"), path + ".kind");
    const auto kind = parse_fault_kind(kind_name);
    if (!kind)
        fail(path + ".kind", "unknown fault \"" + kind_name +
                                 "\" (scheduled faults: partition, kill, pause, slow; drop, "
                                 "duplicate and skew are options)");
    event.kind = *kind;
    switch (event.kind) {
        case FaultKind::kPartition:
            expect_keys(entry, path, {"at", "kind", "duration", "grudge"});
            break;
        case FaultKind::kKill:
        case FaultKind::kPause:
            expect_keys(entry, path, {"at", "kind", "duration", "nodes"});
            break;
        case FaultKind::kSlow:
            expect_keys(entry, path, {"at", "kind", "duration", "nodes", "link", "extra-latency"});
            break;
    }
    event.at_us = seconds_at(required(entry, path, "at"), path + ".at");
    event.duration_us = seconds_at(required(entry, path, "duration"), path + ".duration");
    if (event.kind == FaultKind::kPartition) {
        const ojson& grudge = required(entry, path, "grudge");
        if (!grudge.is_object() || grudge.empty())
            fail(path + ".grudge",
                 "expected an object from each receiver to the sources it drops, got " + shown(grudge));
        for (auto it = grudge.begin(); it != grudge.end(); ++it)
            event.grudge[it.key()] = node_list_at(it.value(), path + ".grudge." + it.key());
    } else if (event.kind == FaultKind::kSlow) {
        if (entry.contains("nodes") == entry.contains("link"))
            fail(path, "a slow fault takes \"nodes\" (slow nodes) or \"link\" (one slow "
                       "direction), one of them");
        if (entry.contains("nodes")) event.nodes = node_list_at(entry.at("nodes"), path + ".nodes");
        if (entry.contains("link")) {
            const ojson& link = entry.at("link");
            if (!link.is_array() || link.size() != 2)
                fail(path + ".link", "expected [FROM, TO], got " + shown(link));
            auto ends = node_list_at(link, path + ".link");
            event.link = std::pair{ends[0], ends[1]};
        }
        event.extra_latency_ms = integer_at(required(entry, path, "extra-latency"),
                                            path + ".extra-latency", 0, 3'600'000, "milliseconds");
    } else {
        event.nodes = node_list_at(required(entry, path, "nodes"), path + ".nodes");
    }
    return event;
}

edn::Value edn_at(const ojson& value, const std::string& path) {
    const std::string text = string_at(value, path);
    edn::ParseError error;
    auto parsed = edn::parse(text, &error);
    if (!parsed)
        fail(path, "expected EDN text, got " + shown(value) + " (" + error.message + " at column " +
                       std::to_string(error.column) + ")");
    return *parsed;
}

ScriptedOp read_op(const ojson& entry, const std::string& path) {
    if (!entry.is_object()) fail(path, "expected an object, got " + shown(entry));
    expect_keys(entry, path, {"at", "thread", "f", "value", "extra", "immediate-info"});
    ScriptedOp op;
    op.at_us = seconds_at(required(entry, path, "at"), path + ".at");
    op.thread = static_cast<std::int32_t>(
        integer_at(required(entry, path, "thread"), path + ".thread", 0, 99'999, "a thread"));
    op.op.f = string_at(required(entry, path, "f"), path + ".f");
    if (op.op.f.empty()) fail(path + ".f", "expected an op name, got \"\"");
    if (entry.contains("value")) op.op.value = edn_at(entry.at("value"), path + ".value");
    if (entry.contains("extra")) {
        const ojson& extra = entry.at("extra");
        if (!extra.is_object()) fail(path + ".extra", "expected an object of EDN texts, got " + shown(extra));
        for (auto it = extra.begin(); it != extra.end(); ++it)
            op.op.extra.emplace_back(it.key(), edn_at(it.value(), path + ".extra." + it.key()));
    }
    // Maelstrom's kafka crash is an op without an RPC; it is the only one that is by default.
    op.op.immediate_info = op.op.f == "crash";
    if (entry.contains("immediate-info")) {
        const ojson& flag = entry.at("immediate-info");
        if (!flag.is_boolean())
            fail(path + ".immediate-info", "expected true or false, got " + shown(flag));
        op.op.immediate_info = flag.get<bool>();
    }
    return op;
}

Scenario read_scenario(const ojson& root) {
    if (!root.is_object()) fail("(top level)", "expected an object, got " + shown(root));
    expect_keys(root, "", {"title", "description", "expect", "options", "faults", "ops"});
    Scenario scenario;
    scenario.title = string_at(required(root, "(top level)", "title"), "title");
    if (scenario.title.empty()) fail("title", "expected a title a person understands, got \"\"");
    if (root.contains("description"))
        scenario.description = string_at(root.at("description"), "description");
    if (root.contains("expect")) {
        scenario.expect = string_at(root.at("expect"), "expect");
        if (scenario.expect != "valid" && scenario.expect != "invalid" && scenario.expect != "any")
            fail("expect", "expected \"valid\", \"invalid\" or \"any\", got " + shown(root.at("expect")));
    }
    if (root.contains("options")) read_options(root.at("options"), scenario);
    if (root.contains("faults")) {
        const ojson& faults = root.at("faults");
        if (!faults.is_array()) fail("faults", "expected an array, got " + shown(faults));
        scenario.faults.emplace();
        for (std::size_t i = 0; i < faults.size(); ++i)
            scenario.faults->push_back(read_fault(faults[i], "faults[" + std::to_string(i) + "]"));
    }
    if (root.contains("ops")) {
        const ojson& ops = root.at("ops");
        if (!ops.is_array()) fail("ops", "expected an array, got " + shown(ops));
        scenario.ops.emplace();
        for (std::size_t i = 0; i < ops.size(); ++i)
            scenario.ops->push_back(read_op(ops[i], "ops[" + std::to_string(i) + "]"));
    }
    return scenario;
}

bool is_node(const RunOptions& run, const NodeId& id) {
    for (const auto& known : run.nodes)
        if (known == id) return true;
    return false;
}

std::string node_problem(const RunOptions& run, const NodeId& id) {
    std::string known;
    for (const auto& other : run.nodes) known += (known.empty() ? "" : " ") + other;
    return "node '" + id + "' is not among the run's nodes (" + known + ")";
}

// What the workload's client would refuse (it asserts on malformed ops), as one line.
std::optional<std::string> op_shape_problem(const std::string& workload, const Invocation& op) {
    if (op.immediate_info) return std::nullopt;  // recorded without reaching the client
    const edn::Value& value = op.value;
    if (workload == "echo") {
        if (op.f != "echo") return "echo ops have f \"echo\"";
        if (!value.is_string()) return "an echo op's value is a string, e.g. \"\\\"hello\\\"\"";
        return std::nullopt;
    }
    if (workload != "kafka") return std::nullopt;
    auto single_mop = [&](const char* head, std::size_t size) {
        if (!value.is_sequential() || value.size() != 1) return false;
        const edn::Value& mop = value.items()[0];
        return mop.is_sequential() && mop.size() == size && mop.items()[0].is_keyword(head);
    };
    if (op.f == "send") {
        if (!single_mop("send", 3) || !value.items()[0].items()[1].is_string() ||
            !value.items()[0].items()[2].is_int())
            return "a kafka send's value is [[:send \"KEY\" MSG]] with an integer MSG";
    } else if (op.f == "poll") {
        if (!single_mop("poll", 1)) return "a kafka poll's value is [[:poll]]";
    } else if (op.f == "assign") {
        bool strings = value.is_sequential();
        if (strings)
            for (const auto& key : value.items()) strings = strings && key.is_string();
        if (!strings) return "a kafka assign's value is a vector of key strings, e.g. [\"1\" \"2\"]";
    } else {
        return "kafka ops have f send, poll, assign or crash";
    }
    return std::nullopt;
}

ojson seconds_json(Instant us) {
    if (us % 1'000'000 == 0) return us / 1'000'000;
    return static_cast<double>(us) / 1e6;
}

// A command-line word as the JSON value a person would write: numbers as numbers.
ojson option_json(const std::string& word) {
    ojson number = ojson::parse(word, nullptr, false);
    if (!number.is_discarded() && number.is_number() && number.dump() == word) return number;
    return word;
}

}  // namespace

std::variant<Scenario, std::string> parse_scenario(std::string_view text) {
    ojson root;
    try {
        root = ojson::parse(text);
    } catch (const ojson::parse_error& error) {
        // nlohmann's message names the line and column; drop its "[json.exception...] " tag.
        std::string message = error.what();
        if (auto tag = message.find("] "); message.rfind("[json.exception", 0) == 0 && tag != std::string::npos)
            message = message.substr(tag + 2);
        for (char& c : message)
            if (c == '\n' || c == '\r') c = ' ';
        return "malformed JSON: " + message;
    }
    try {
        return read_scenario(root);
    } catch (const Problem& problem) {
        return problem.message;
    }
}

std::variant<Scenario, std::string> load_scenario(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::string("cannot read (no such file, or not readable)");
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.good() && !in.eof()) return std::string("cannot read");
    return parse_scenario(text.str());
}

std::optional<std::string> scenario_problem_for_run(const Scenario& scenario, const RunOptions& run) {
    if (scenario.faults) {
        for (std::size_t i = 0; i < scenario.faults->size(); ++i) {
            const FaultEvent& event = (*scenario.faults)[i];
            const std::string path = "faults[" + std::to_string(i) + "]";
            for (std::size_t j = 0; j < event.nodes.size(); ++j)
                if (!is_node(run, event.nodes[j]))
                    return path + ".nodes[" + std::to_string(j) + "]: " + node_problem(run, event.nodes[j]);
            for (const auto& [receiver, sources] : event.grudge) {
                if (!is_node(run, receiver))
                    return path + ".grudge." + receiver + ": " + node_problem(run, receiver);
                for (std::size_t j = 0; j < sources.size(); ++j)
                    if (!is_node(run, sources[j]))
                        return path + ".grudge." + receiver + "[" + std::to_string(j) +
                               "]: " + node_problem(run, sources[j]);
            }
            if (event.link) {
                if (!is_node(run, event.link->first))
                    return path + ".link[0]: " + node_problem(run, event.link->first);
                if (!is_node(run, event.link->second))
                    return path + ".link[1]: " + node_problem(run, event.link->second);
            }
        }
    }
    if (scenario.ops) {
        for (std::size_t i = 0; i < scenario.ops->size(); ++i) {
            const ScriptedOp& op = (*scenario.ops)[i];
            const std::string path = "ops[" + std::to_string(i) + "]";
            if (op.thread >= run.concurrency)
                return path + ".thread: the run has " + std::to_string(run.concurrency) +
                       " threads (0 to " + std::to_string(run.concurrency - 1) + "), got " +
                       std::to_string(op.thread);
            if (auto problem = op_shape_problem(run.workload, op.op))
                return path + ": " + *problem + ", got f \"" + op.op.f + "\" value " +
                       edn::write(op.op.value);
        }
    }
    return std::nullopt;
}

std::string write_scenario_json(const Scenario& scenario) {
    ojson root = ojson::object();
    root["title"] = scenario.title;
    if (!scenario.description.empty()) root["description"] = scenario.description;
    root["expect"] = scenario.expect;
    ojson options = ojson::object();
    for (std::size_t i = 0; i < scenario.option_args.size();) {
        const std::string name = long_option_name(scenario.option_args[i]);
        const std::string key = name.rfind("--", 0) == 0 ? name.substr(2) : name;
        const auto kind = test_option_kind(name);
        if (kind == OptionKind::kFlag) {
            options[key] = true;
            i += 1;
            continue;
        }
        const std::string word = i + 1 < scenario.option_args.size() ? scenario.option_args[i + 1] : "";
        if (kind == OptionKind::kRepeatable) {
            if (!options.contains(key)) options[key] = ojson::array();
            options[key].push_back(option_json(word));
        } else {
            options[key] = option_json(word);
        }
        i += 2;
    }
    root["options"] = options;
    if (scenario.faults) {
        ojson faults = ojson::array();
        for (const FaultEvent& event : *scenario.faults) {
            ojson entry = ojson::object();
            entry["at"] = seconds_json(event.at_us);
            entry["kind"] = std::string(fault_kind_name(event.kind));
            entry["duration"] = seconds_json(event.duration_us);
            if (event.kind == FaultKind::kPartition) {
                ojson grudge = ojson::object();
                for (const auto& [receiver, sources] : event.grudge) grudge[receiver] = sources;
                entry["grudge"] = grudge;
            } else {
                if (!event.nodes.empty() || event.kind != FaultKind::kSlow) entry["nodes"] = event.nodes;
                if (event.link) entry["link"] = {event.link->first, event.link->second};
                if (event.kind == FaultKind::kSlow) entry["extra-latency"] = event.extra_latency_ms;
            }
            faults.push_back(entry);
        }
        root["faults"] = faults;
    }
    if (scenario.ops) {
        ojson ops = ojson::array();
        for (const ScriptedOp& op : *scenario.ops) {
            ojson entry = ojson::object();
            entry["at"] = seconds_json(op.at_us);
            entry["thread"] = op.thread;
            entry["f"] = op.op.f;
            entry["value"] = edn::write(op.op.value);
            if (!op.op.extra.empty()) {
                ojson extra = ojson::object();
                for (const auto& [name, value] : op.op.extra) extra[name] = edn::write(value);
                entry["extra"] = extra;
            }
            if (op.op.immediate_info != (op.op.f == "crash")) entry["immediate-info"] = op.op.immediate_info;
            ops.push_back(entry);
        }
        root["ops"] = ops;
    }
    return root.dump(2) + "\n";
}

Scenario scenario_for_run(const RunOptions& run, std::string title, std::string description,
                          std::string expect) {
    Scenario scenario;
    scenario.title = std::move(title);
    scenario.description = std::move(description);
    scenario.expect = std::move(expect);
    const std::vector<std::string> words = canonical_run_args(run);
    for (std::size_t i = 0; i < words.size(); ++i) {
        scenario.option_args.push_back(long_option_name(words[i]));
        if (test_option_kind(words[i]) != OptionKind::kFlag && i + 1 < words.size())
            scenario.option_args.push_back(words[++i]);
    }
    scenario.faults = run.fault_schedule;
    scenario.ops = run.client_script;
    return scenario;
}

}  // namespace millpond::sim
