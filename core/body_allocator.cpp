#include "body_allocator.hpp"

#include <mutex>

#include "assert.hpp"

namespace millpond::body_pool {

constinit thread_local Lists lists{};

namespace {

// New blocks are cut from chunks this large, a batch of one class at a time.
constexpr std::size_t kChunkBytes = std::size_t{64} << 10;
constexpr std::size_t kBatchBytes = std::size_t{4} << 10;

// What a thread cuts its new blocks from.
struct Chunk {
    char* next = nullptr;
    std::size_t bytes_left = 0;
};
constinit thread_local Chunk chunk{};

// Free blocks and the uncut rest of chunks, left by threads that ended; the next thread to
// need blocks takes them all.
struct Reserve {
    std::mutex mutex;
    FreeBlock* heads[kClassCount] = {};
    FreeBlock* tails[kClassCount] = {};
    Chunk spare;
    bool filled = false;
};
Reserve& reserve() {
    static Reserve* const instance = new Reserve;  // never destroyed: threads may end late
    return *instance;
}

// Hands this thread's free blocks to the reserve when the thread ends. Constructed on a
// thread's first refill, so a thread that never allocates a body never touches the reserve.
struct Donor {
    ~Donor() {
        Reserve& shared = reserve();
        std::lock_guard lock(shared.mutex);
        for (std::size_t index = 0; index < kClassCount; ++index) {
            FreeBlock* head = lists.heads[index];
            if (head == nullptr) continue;
            FreeBlock* tail = head;
            while (tail->next != nullptr) tail = tail->next;
            tail->next = shared.heads[index];
            if (shared.heads[index] == nullptr) shared.tails[index] = tail;
            shared.heads[index] = head;
            lists.heads[index] = nullptr;
        }
        // One spare rest is kept; a second (rare: two threads ending with no thread starting
        // in between) is given up, at most kChunkBytes.
        if (shared.spare.bytes_left < chunk.bytes_left) shared.spare = chunk;
        chunk = Chunk{};
        shared.filled = true;
    }
};

// Takes everything in the reserve, if anything is there.
void adopt_reserve() {
    Reserve& shared = reserve();
    std::lock_guard lock(shared.mutex);
    if (!shared.filled) return;
    for (std::size_t index = 0; index < kClassCount; ++index) {
        if (shared.heads[index] == nullptr) continue;
        shared.tails[index]->next = lists.heads[index];
        lists.heads[index] = shared.heads[index];
        shared.heads[index] = shared.tails[index] = nullptr;
    }
    if (chunk.bytes_left < shared.spare.bytes_left) chunk = shared.spare;
    shared.spare = Chunk{};
    shared.filled = false;
}

}  // namespace

void* refill(std::size_t index) {
    MP_ASSERT_LT(index, kClassCount);
    thread_local Donor donor;
    thread_local bool adopted = false;
    if (!adopted) {
        adopted = true;
        (void)donor;  // odr-used: its destructor runs at thread exit
        adopt_reserve();
        if (FreeBlock* block = lists.heads[index]) {
            lists.heads[index] = block->next;
            return block;
        }
    }
    const std::size_t block_bytes = (index + 1) * kClassBytes;
    if (chunk.bytes_left < block_bytes) {
        // The rest of the old chunk (less than one block of this class) is left unused.
        chunk.next = static_cast<char*>(::operator new(kChunkBytes));
        chunk.bytes_left = kChunkBytes;
    }
    // One block to return, the rest of a batch onto the list.
    std::size_t count = kBatchBytes / block_bytes;
    if (count == 0) count = 1;
    if (count * block_bytes > chunk.bytes_left) count = chunk.bytes_left / block_bytes;
    MP_ASSERT_GE(count, 1u);
    char* first = chunk.next;
    chunk.next += count * block_bytes;
    chunk.bytes_left -= count * block_bytes;
    for (std::size_t i = count - 1; i >= 1; --i) {
        auto* block = reinterpret_cast<FreeBlock*>(first + i * block_bytes);
        block->next = lists.heads[index];
        lists.heads[index] = block;
    }
    return first;
}

std::size_t free_blocks(std::size_t index) {
    MP_ASSERT_LT(index, kClassCount);
    std::size_t count = 0;
    for (FreeBlock* block = lists.heads[index]; block != nullptr; block = block->next) ++count;
    return count;
}

}  // namespace millpond::body_pool
