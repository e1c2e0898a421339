#include "stdio_adapter.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <type_traits>
#include <variant>

#include "codec.hpp"
#include "core/assert.hpp"
#include "core/errors.hpp"
#include "core/hash.hpp"

namespace millpond::maelstrom {

namespace {

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

}  // namespace

StdioAdapter::StdioAdapter(Node& node, LineSource& input, std::ostream& output, std::ostream& log,
                           Clock& clock, StdioAdapterOptions options)
    : node_(node),
      input_(input),
      output_(output),
      log_(log),
      clock_(clock),
      options_(std::move(options)) {
    now_last_us_ = clock_.now_us();
}

void StdioAdapter::run() {
    while (step()) {
    }
}

Instant StdioAdapter::now_us() {
    const Instant now_us = clock_.now_us();
    // The Node contract: `now` never decreases between two inputs.
    MP_ASSERT_GE(now_us, now_last_us_);
    now_last_us_ = now_us;
    return now_us;
}

bool StdioAdapter::step() {
    fire_due_timers();
    std::optional<std::int64_t> wait_us;
    if (auto deadline_us = timers_.earliest_deadline_us())
        wait_us = std::max<std::int64_t>(*deadline_us - now_us(), 0);
    ReadResult read = input_.next_line(wait_us);
    switch (read.status) {
        case ReadStatus::kLine:
            ++lines_read_;
            handle_line(read.text);
            return true;
        case ReadStatus::kTimeout:
            return true;
        case ReadStatus::kTooLong:
            ++lines_read_;
            log_input_problem("line too long; skipped");
            return true;
        case ReadStatus::kError:
            log_line("reading stdin failed after line " + std::to_string(lines_read_) + ": " +
                     read.text + "; stopping");
            return false;
        case ReadStatus::kEof:
            return false;
    }
    MP_ASSERT(false);
    return false;
}

void StdioAdapter::fire_due_timers() {
    // Fire only as many as were due when the round began: a node that keeps re-arming a timer
    // in the past must not starve its input.
    const Instant round_us = now_us();
    for (std::size_t budget = timers_.due_count(round_us); budget > 0; --budget) {
        std::optional<std::string> key = timers_.pop_due(round_us);
        if (!key) break;  // an earlier timer of this round cancelled the rest
        const Instant fire_us = now_us();
        run_node_step("timer '" + *key + "'", nullptr, self_,
                      [&](Out& out) { node_.on_timer(*key, fire_us, out); });
    }
}

void StdioAdapter::handle_line(const std::string& line) {
    if (is_blank(line)) {
        log_input_problem("empty line; skipped");
        return;
    }
    DecodedLine decoded = decode_line(line);
    switch (decoded.status) {
        case DecodeStatus::kBadEnvelope:
            log_input_problem(decoded.problem + "; skipped");
            return;
        case DecodeStatus::kBadBody:
            handle_malformed_body(decoded.message, decoded.problem);
            return;
        case DecodeStatus::kOk:
            deliver(std::move(decoded.message));
            return;
    }
    MP_ASSERT(false);
}

void StdioAdapter::handle_malformed_body(const Message& message, const std::string& problem) {
    MP_ASSERT(!message.src.empty());
    MP_ASSERT(!problem.empty());
    if (body_type(message.body) == "error") {
        log_input_problem("malformed error body from " + message.src + ": " + problem +
                          "; not answered");
        return;
    }
    log_input_problem("malformed request from " + message.src + ": " + problem +
                      "; answered with error 12");
    const NodeId& from = initialised_ ? self_ : message.dest;
    send(Message{from, message.src,
                 error_body(ErrorCode::kMalformedRequest, problem,
                            body_int_or_missing(message.body, "msg_id"))});
}

void StdioAdapter::deliver(Message&& message) {
    const std::string type = body_type(message.body);
    MP_ASSERT(!type.empty());
    if (!initialised_ && type == "init") {
        initialise(std::move(message));
        return;
    }
    const MsgId msg_id = body_int_or_missing(message.body, "msg_id");
    if (!initialised_) {
        log_input_problem("'" + type + "' from " + message.src + " before init" +
                          (msg_id >= 0 ? "; answered with error 11" : "; dropped"));
        if (msg_id >= 0) {
            send(Message{message.dest, message.src,
                         error_body(ErrorCode::kTemporarilyUnavailable,
                                    "node is not initialised yet", msg_id)});
        }
        return;
    }
    if (type == "init") {
        log_input_problem("second init from " + message.src + "; node stays " + self_ +
                          (msg_id >= 0 ? "; answered with error 14" : ""));
        if (msg_id >= 0) {
            send(Message{
                self_, message.src,
                error_body(ErrorCode::kAbort, "node is already initialised as " + self_, msg_id)});
        }
        return;
    }
    const Instant step_us = now_us();
    const Message* request = msg_id >= 0 ? &message : nullptr;
    run_node_step("message '" + type + "' from " + message.src, request, self_,
                  [&](Out& out) { node_.on_message(std::move(message), step_us, out); });
}

void StdioAdapter::initialise(Message&& message) {
    // Out needs the node's own id before dispatch_message has checked the init body, for the
    // init_ok (or error) it writes; the id the init names, or else the one Maelstrom
    // addressed.
    const json& body = message.body;
    auto id_it = body.find("node_id");
    const bool id_usable =
        id_it != body.end() && id_it->is_string() && !id_it->get_ref<const std::string&>().empty();
    if (id_it != body.end() && id_it->is_string() && !id_usable) {
        log_input_problem("init from " + message.src +
                          " names an empty node_id; answered with error 12");
        send(Message{message.dest, message.src,
                     error_body(ErrorCode::kMalformedRequest, "init 'node_id' must not be empty",
                                body_int_or_missing(body, "msg_id"))});
        return;
    }
    const NodeId self = id_usable ? id_it->get<std::string>() : message.dest;
    const std::uint64_t seed = options_.seed.value_or(default_node_seed(self));
    const Instant init_us = now_us();
    const Message* request = body_int_or_missing(body, "msg_id") >= 0 ? &message : nullptr;
    const std::string src = message.src;
    bool accepted = false;
    InitInfo start;  // nothing on disk: the stdio driver has no disk effects (see apply)
    start.incarnation = options_.incarnation;
    run_node_step("init from " + src, request, self, [&](Out& out) {
        accepted = dispatch_message(node_, std::move(message), seed, init_us, out, &start);
    });
    if (!accepted) {
        log_input_problem("malformed init from " + src + "; still waiting for init");
        return;
    }
    initialised_ = true;
    self_ = self;
    seed_ = seed;
    log_line("node " + self_ + " initialised, seed " + std::to_string(seed_) +
             (options_.seed ? " (from " + std::string(kSeedEnvironmentVariable) + ")"
                            : " (hash of the node id)") +
             ", incarnation " + std::to_string(options_.incarnation));
}

template <typename Step>
void StdioAdapter::run_node_step(std::string_view what, const Message* request_for_crash_reply,
                                 const NodeId& self, Step&& step) {
    // The request is read before the step because the step may move from it.
    NodeId crash_reply_to;
    MsgId crash_msg_id = -1;
    if (request_for_crash_reply != nullptr) {
        crash_reply_to = request_for_crash_reply->src;
        crash_msg_id = body_int_or_missing(request_for_crash_reply->body, "msg_id");
    }
    Out out(self);
    std::string failure;
    try {
        step(out);
    } catch (const std::exception& error) {
        failure = error.what();
    } catch (...) {
        failure = "an exception that is not a std::exception";
    }
    if (failure.empty()) {
        apply(out);
        return;
    }
    log_line("node step for " + std::string(what) + " threw (a node bug): " + failure +
             "; its effects were dropped" + (crash_msg_id >= 0 ? ", answered with error 13" : ""));
    if (crash_msg_id >= 0) {
        send(Message{self, crash_reply_to,
                     error_body(ErrorCode::kCrash, "node failed: " + failure, crash_msg_id)});
    }
}

void StdioAdapter::apply(Out& out) {
    for (Effect& effect : out.effects()) {
        std::visit(
            [&](auto& e) {
                using T = std::decay_t<decltype(e)>;
                if constexpr (std::is_same_v<T, SendEffect>) {
                    send(e.message);
                } else if constexpr (std::is_same_v<T, SetTimerEffect>) {
                    timers_.set(e.key, e.deadline_us);
                } else if constexpr (std::is_same_v<T, CancelTimerEffect>) {
                    timers_.cancel(e.key);
                } else if constexpr (std::is_same_v<T, LogEffect>) {
                    log_ << e.line << '\n' << std::flush;
                } else {
                    // The simulated disk exists only in the simulator; under real Maelstrom a
                    // design that needs durability must not rely on it. Say so once.
                    static_assert(std::is_same_v<T, DiskWriteEffect> ||
                                  std::is_same_v<T, DiskSyncEffect>);
                    if (!warned_about_disk_) {
                        warned_about_disk_ = true;
                        log_line("disk effects are ignored by the stdio driver (simulator only)");
                    }
                }
            },
            effect);
    }
    out.clear();
}

void StdioAdapter::send(const Message& message) {
    // Maelstrom treats one bad stdout line as fatal for the node (it stops reading its stdout
    // for the rest of the test), so a message it would reject is dropped here, loudly.
    if (message.src.empty() || message.dest.empty() || message.body.is_discarded()) {
        log_line("dropping an unsendable message (empty src or dest, or no body) to '" +
                 message.dest + "'");
        return;
    }
    output_ << encode_message(message) << '\n' << std::flush;
    if (!output_ && !output_failed_) {
        output_failed_ = true;
        log_line("writing stdout failed; messages are being lost");
    }
}

void StdioAdapter::log_line(std::string_view text) {
    log_ << options_.program_name << ": " << text << '\n' << std::flush;
}

void StdioAdapter::log_input_problem(std::string_view text) {
    log_line("stdin line " + std::to_string(lines_read_) + ": " + std::string(text));
}

std::uint64_t default_node_seed(std::string_view node_id) { return fnv1a64(node_id); }

namespace {

// Decimal digits only (no sign, no spaces), fitting in Integer.
template <typename Integer>
std::optional<Integer> parse_decimal(std::string_view text) {
    if (text.empty() || text.front() < '0' || text.front() > '9') return std::nullopt;
    Integer value = 0;
    const char* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value, 10);
    if (error != std::errc() || stop != end) return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::uint64_t> parse_seed(std::string_view text) {
    return parse_decimal<std::uint64_t>(text);
}

std::int32_t incarnation_at(std::int64_t unix_seconds) {
    constexpr std::int64_t k2026_01_01_unix_seconds = 1'767'225'600;
    return static_cast<std::int32_t>(std::clamp<std::int64_t>(
        unix_seconds - k2026_01_01_unix_seconds, 0, std::numeric_limits<std::int32_t>::max()));
}

std::optional<std::int32_t> parse_incarnation(std::string_view text) {
    return parse_decimal<std::int32_t>(text);
}

int run_on_process_stdio(Node& node, std::string_view program_name) {
    StdioAdapterOptions options;
    options.program_name = std::string(program_name);
    if (const char* incarnation_text = std::getenv(kIncarnationEnvironmentVariable)) {
        auto incarnation = parse_incarnation(incarnation_text);
        if (!incarnation) {
            std::cerr << program_name << ": " << kIncarnationEnvironmentVariable
                      << " must be a decimal integer from 0 to 2147483647, got '"
                      << incarnation_text << "'" << std::endl;
            return 254;
        }
        options.incarnation = *incarnation;
    } else {
        // The driver may read the wall clock; only core/, sim/ and checkers/ may not.
        options.incarnation = incarnation_at(std::chrono::duration_cast<std::chrono::seconds>(
                                                 std::chrono::system_clock::now().time_since_epoch())
                                                 .count());
    }
    if (const char* seed_text = std::getenv(kSeedEnvironmentVariable)) {
        options.seed = parse_seed(seed_text);
        if (!options.seed) {
            std::cerr << program_name << ": " << kSeedEnvironmentVariable
                      << " must be an unsigned 64-bit decimal integer, got '" << seed_text << "'"
                      << std::endl;
            return 254;
        }
    }
    SteadyClock clock;
    FdLineSource input(STDIN_FILENO);
    StdioAdapter adapter(node, input, std::cout, std::cerr, clock, std::move(options));
    adapter.run();
    return 0;
}

}  // namespace millpond::maelstrom
