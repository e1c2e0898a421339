#include "machine_check.hpp"

#include <gtest/gtest.h>

namespace millpond::sim {
namespace {

// The loop's result is pinned, so a compiler (or an edit) that skipped or folded its work
// would show here; its time is a timing and is not asserted.
TEST(MachineCheck, DoesExactlyTheFixedWork) {
    EXPECT_EQ(run_machine_check(0).checksum, 1u ^ 2u ^ 3u ^ 4u ^ 5u ^ 6u);
    const MachineCheck thousand = run_machine_check(1000);
    EXPECT_EQ(thousand.checksum, run_machine_check(1000).checksum);
    EXPECT_NE(thousand.checksum, run_machine_check(999).checksum);
    EXPECT_EQ(thousand.checksum, 0x46f19bdebed40091ULL);
    EXPECT_GE(thousand.wall_ms, 0);
}

}  // namespace
}  // namespace millpond::sim
