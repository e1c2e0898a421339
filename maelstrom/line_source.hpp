#pragma once
// Where the adapter's input lines come from. The adapter is single-threaded: it asks for the
// next line and says how long it may wait, which is how long until its earliest timer is due.
// The real source polls a file descriptor; tests use a scripted one that moves a FakeClock, so
// timer behaviour is tested without sleeping.

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "clock.hpp"

namespace millpond::maelstrom {

enum class ReadStatus {
    kLine,     // `text` is one line, without its '\n'
    kTimeout,  // no complete line arrived within the wait; ask again
    kEof,      // end of input: nothing more will come
    kTooLong,  // a line longer than the source's limit arrived and was dropped whole
    kError,    // reading failed; `text` says why. Nothing more will come.
};

struct ReadResult {
    ReadStatus status;
    std::string text;
};

class LineSource {
  public:
    virtual ~LineSource() = default;
    // Waits at most wait_us (nullopt: as long as it takes; <= 0: do not block) for a complete
    // line. A last line without a trailing '\n' is still a line.
    virtual ReadResult next_line(std::optional<std::int64_t> wait_us) = 0;
};

// Reads a file descriptor (stdin in production) with poll(2) and a buffer. It never owns or
// closes the descriptor.
class FdLineSource final : public LineSource {
  public:
    // Maelstrom lines are small, but a kafka poll_ok can carry many messages; the limit only
    // guards the process against unbounded memory on garbage input.
    static constexpr std::size_t kLineBytesMaxDefault = std::size_t{64} << 20;
    static constexpr std::size_t kReadChunkBytes = std::size_t{64} << 10;

    explicit FdLineSource(int fd, std::size_t line_bytes_max = kLineBytesMaxDefault);
    ReadResult next_line(std::optional<std::int64_t> wait_us) override;

  private:
    // A complete line (or the end of a dropped over-long one) from the buffer, if any.
    std::optional<ReadResult> take_buffered();

    int fd_;
    std::size_t line_bytes_max_;
    std::string buffer_;
    std::size_t start_ = 0;  // first unconsumed byte of buffer_
    std::size_t scan_ = 0;   // bytes before this (and after start_) hold no '\n'
    bool skipping_ = false;  // inside an over-long line: drop bytes until its '\n'
    bool eof_ = false;
};

// std::getline over an istream. It cannot wait, so it never times out: each call returns the
// next line or end of input. Good for feeding a fixed script when timers do not matter.
class IstreamLineSource final : public LineSource {
  public:
    explicit IstreamLineSource(std::istream& input) : input_(input) {}
    ReadResult next_line(std::optional<std::int64_t> wait_us) override;

  private:
    std::istream& input_;
};

// Lines that arrive at given instants of a FakeClock, then end of input at eof_at_us. Waiting
// advances the clock: to the next arrival if it comes within the wait, else by the whole wait.
// This is how tests put a message between two timer deadlines.
struct ScriptedLine {
    Instant arrival_us;
    std::string text;
};

class ScriptedLineSource final : public LineSource {
  public:
    // REQUIRES: arrivals non-decreasing, and no later than eof_at_us.
    ScriptedLineSource(FakeClock& clock, std::vector<ScriptedLine> lines, Instant eof_at_us);
    ReadResult next_line(std::optional<std::int64_t> wait_us) override;

  private:
    // Moves the clock to `to_us`, never backwards (the adapter may have read a later time).
    void advance_to(Instant to_us);

    FakeClock& clock_;
    std::vector<ScriptedLine> lines_;
    std::size_t next_ = 0;
    Instant eof_at_us_;
};

}  // namespace millpond::maelstrom
