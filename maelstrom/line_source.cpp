#include "line_source.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "core/assert.hpp"

namespace millpond::maelstrom {

namespace {

// poll(2) counts in milliseconds. Rounding up means we wake at or just after the deadline,
// never before it, so the adapter does not spin through a run of zero-length polls.
int poll_timeout_ms(std::optional<std::int64_t> wait_us) {
    if (!wait_us) return -1;
    if (*wait_us <= 0) return 0;
    const std::int64_t wait_ms = *wait_us / 1000 + (*wait_us % 1000 != 0 ? 1 : 0);
    return static_cast<int>(std::min<std::int64_t>(wait_ms, INT_MAX));
}

}  // namespace

FdLineSource::FdLineSource(int fd, std::size_t line_bytes_max)
    : fd_(fd), line_bytes_max_(line_bytes_max) {
    MP_ASSERT_GE(fd, 0);
    MP_ASSERT_GT(line_bytes_max, 0u);
}

std::optional<ReadResult> FdLineSource::take_buffered() {
    MP_ASSERT_LE(start_, scan_);
    MP_ASSERT_LE(scan_, buffer_.size());
    const std::size_t newline = buffer_.find('\n', scan_);
    if (newline == std::string::npos) {
        // Keep only the partial line, so a long line read in many chunks is not rescanned.
        buffer_.erase(0, start_);
        start_ = 0;
        scan_ = buffer_.size();
        if (skipping_ || buffer_.size() > line_bytes_max_) {
            skipping_ = true;
            buffer_.clear();
            scan_ = 0;
        }
        return std::nullopt;
    }
    const std::size_t line_bytes = newline - start_;
    ReadResult result{ReadStatus::kLine, {}};
    if (skipping_ || line_bytes > line_bytes_max_) {
        result.status = ReadStatus::kTooLong;
        skipping_ = false;
    } else {
        result.text.assign(buffer_, start_, line_bytes);
    }
    start_ = scan_ = newline + 1;
    if (start_ == buffer_.size()) {
        buffer_.clear();
        start_ = scan_ = 0;
    }
    return result;
}

ReadResult FdLineSource::next_line(std::optional<std::int64_t> wait_us) {
    // Only the first poll may block: once bytes have arrived, a partial line is reported as a
    // timeout rather than extending the wait past the caller's deadline.
    bool may_block = true;
    while (true) {
        if (auto result = take_buffered()) return std::move(*result);
        if (eof_) {
            if (skipping_) {
                skipping_ = false;
                return {ReadStatus::kTooLong, {}};
            }
            if (!buffer_.empty()) {
                ReadResult last{ReadStatus::kLine, std::move(buffer_)};
                buffer_.clear();
                start_ = scan_ = 0;
                return last;
            }
            return {ReadStatus::kEof, {}};
        }
        pollfd descriptor{fd_, POLLIN, 0};
        const int ready = ::poll(&descriptor, 1, may_block ? poll_timeout_ms(wait_us) : 0);
        may_block = false;
        if (ready < 0) {
            // A signal: let the caller look at its clock and ask again.
            if (errno == EINTR) return {ReadStatus::kTimeout, {}};
            eof_ = true;
            return {ReadStatus::kError, std::string("poll failed: ") + std::strerror(errno)};
        }
        if (ready == 0) return {ReadStatus::kTimeout, {}};
        char chunk[kReadChunkBytes];
        const ssize_t count = ::read(fd_, chunk, sizeof chunk);
        if (count < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            eof_ = true;
            buffer_.clear();
            start_ = scan_ = 0;
            return {ReadStatus::kError, std::string("read failed: ") + std::strerror(errno)};
        }
        if (count == 0) {
            eof_ = true;
            continue;
        }
        if (skipping_) {
            // Only the end of the over-long line matters; nothing before it is kept.
            const char* newline = static_cast<const char*>(std::memchr(chunk, '\n', count));
            if (newline == nullptr) continue;
            // Keep the '\n' so take_buffered reports the over-long line as ended.
            buffer_.assign(newline, static_cast<std::size_t>(chunk + count - newline));
            start_ = scan_ = 0;
            continue;
        }
        buffer_.append(chunk, static_cast<std::size_t>(count));
    }
}

ReadResult IstreamLineSource::next_line(std::optional<std::int64_t> /*wait_us*/) {
    std::string line;
    if (!std::getline(input_, line)) return {ReadStatus::kEof, {}};
    return {ReadStatus::kLine, std::move(line)};
}

ScriptedLineSource::ScriptedLineSource(FakeClock& clock, std::vector<ScriptedLine> lines,
                                       Instant eof_at_us)
    : clock_(clock), lines_(std::move(lines)), eof_at_us_(eof_at_us) {
    for (std::size_t i = 1; i < lines_.size(); ++i)
        MP_ASSERT_LE(lines_[i - 1].arrival_us, lines_[i].arrival_us);
    if (!lines_.empty()) MP_ASSERT_LE(lines_.back().arrival_us, eof_at_us_);
}

void ScriptedLineSource::advance_to(Instant to_us) {
    clock_.advance_to(std::max(to_us, clock_.now_us()));
}

ReadResult ScriptedLineSource::next_line(std::optional<std::int64_t> wait_us) {
    const Instant now_us = clock_.now_us();
    const Instant next_us = next_ < lines_.size() ? lines_[next_].arrival_us : eof_at_us_;
    if (wait_us && now_us + std::max<std::int64_t>(*wait_us, 0) < next_us) {
        advance_to(now_us + std::max<std::int64_t>(*wait_us, 0));
        return {ReadStatus::kTimeout, {}};
    }
    advance_to(next_us);
    if (next_ == lines_.size()) return {ReadStatus::kEof, {}};
    return {ReadStatus::kLine, lines_[next_++].text};
}

}  // namespace millpond::maelstrom
