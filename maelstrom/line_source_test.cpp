#include "line_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>

namespace millpond::maelstrom {
namespace {

// A pipe whose ends close with the test.
class Pipe {
  public:
    Pipe() { EXPECT_EQ(::pipe(fds_), 0); }
    ~Pipe() {
        close_write();
        ::close(fds_[0]);
    }
    int read_fd() const { return fds_[0]; }
    void write(const std::string& bytes) {
        ASSERT_EQ(::write(fds_[1], bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
    }
    void close_write() {
        if (fds_[1] >= 0) ::close(fds_[1]);
        fds_[1] = -1;
    }

  private:
    int fds_[2] = {-1, -1};
};

void expect_line(const ReadResult& result, const std::string& text) {
    EXPECT_EQ(result.status, ReadStatus::kLine);
    EXPECT_EQ(result.text, text);
}

TEST(FdLineSource, SplitsLinesKeepsPartialOnesAndEndsWithTheUnterminatedTail) {
    Pipe pipe;
    FdLineSource source(pipe.read_fd());
    pipe.write("one\ntwo\nthr");
    expect_line(source.next_line(0), "one");
    expect_line(source.next_line(0), "two");
    // "thr" has no newline yet: with nothing more to read, that is a timeout, not a line.
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTimeout);
    EXPECT_EQ(source.next_line(1000).status, ReadStatus::kTimeout);
    pipe.write("ee\n\nfou");
    expect_line(source.next_line(std::nullopt), "three");
    expect_line(source.next_line(std::nullopt), "");
    pipe.close_write();
    expect_line(source.next_line(std::nullopt), "fou");
    EXPECT_EQ(source.next_line(std::nullopt).status, ReadStatus::kEof);
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kEof);
}

TEST(FdLineSource, DropsOverLongLinesWholeAndCarriesOn) {
    Pipe pipe;
    FdLineSource source(pipe.read_fd(), 8);
    pipe.write("12345678\n123456789\nok\n");
    expect_line(source.next_line(0), "12345678");
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTooLong);
    expect_line(source.next_line(0), "ok");
    // An over-long line that arrives in pieces is skipped up to its end, wherever that is.
    pipe.write("abcdefghij");
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTimeout);
    pipe.write("klmnop");
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTimeout);
    pipe.write("qr\nnext\nlast-too-long");
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTooLong);
    expect_line(source.next_line(0), "next");
    pipe.close_write();
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTooLong);
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kEof);
}

TEST(FdLineSource, ReadsLinesLongerThanOneReadChunk) {
    Pipe pipe;
    FdLineSource source(pipe.read_fd());
    const std::string big(FdLineSource::kReadChunkBytes + 123, 'x');
    // A pipe buffer holds 64 KiB: write the big line in two halves, reading in between.
    pipe.write(big.substr(0, 40000));
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kTimeout);
    pipe.write(big.substr(40000) + "\nsmall\n");
    expect_line(source.next_line(std::nullopt), big);
    expect_line(source.next_line(std::nullopt), "small");
}

TEST(FdLineSource, ReportsAReadErrorAsTheEnd) {
    // A write-only descriptor cannot be read: poll reports it ready, read fails.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    FdLineSource source(fds[1]);
    ::close(fds[0]);
    const ReadResult result = source.next_line(0);
    EXPECT_EQ(result.status, ReadStatus::kError);
    EXPECT_NE(result.text, "");
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kEof);
    ::close(fds[1]);
}

TEST(IstreamLineSource, ReturnsEveryLineThenEof) {
    std::istringstream input("a\n\nb");
    IstreamLineSource source(input);
    expect_line(source.next_line(0), "a");
    expect_line(source.next_line(0), "");
    expect_line(source.next_line(std::nullopt), "b");
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kEof);
}

TEST(ScriptedLineSource, AdvancesTheClockToArrivalsOrByTheWholeWait) {
    FakeClock clock(100);
    ScriptedLineSource source(clock, {{150, "first"}, {150, "second"}, {400, "third"}}, 1000);
    EXPECT_EQ(source.next_line(20).status, ReadStatus::kTimeout);
    EXPECT_EQ(clock.now_us(), 120);
    expect_line(source.next_line(30), "first");  // arrives exactly at the end of the wait
    EXPECT_EQ(clock.now_us(), 150);
    expect_line(source.next_line(0), "second");
    EXPECT_EQ(clock.now_us(), 150);
    expect_line(source.next_line(std::nullopt), "third");
    EXPECT_EQ(clock.now_us(), 400);
    EXPECT_EQ(source.next_line(599).status, ReadStatus::kTimeout);
    EXPECT_EQ(clock.now_us(), 999);
    EXPECT_EQ(source.next_line(std::nullopt).status, ReadStatus::kEof);
    EXPECT_EQ(clock.now_us(), 1000);
}

TEST(ScriptedLineSource, DeliversLateArrivalsAtOnceWhenTheClockIsPastThem) {
    FakeClock clock(0);
    ScriptedLineSource source(clock, {{10, "late"}}, 10);
    clock.advance_to(50);
    expect_line(source.next_line(0), "late");
    EXPECT_EQ(clock.now_us(), 50);
    EXPECT_EQ(source.next_line(0).status, ReadStatus::kEof);
}

}  // namespace
}  // namespace millpond::maelstrom
