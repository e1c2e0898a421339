#pragma once
// The allocator of millpond's JSON: small blocks from per-thread free lists.
//
// A delivered message costs about fifteen allocations: nlohmann keeps every object, array and
// string of a body behind its own pointer, and the vector or string inside it has a buffer of
// its own. A poll reply of forty [offset, msg] pairs is eighty-odd blocks. Through mimalloc
// each allocation and free took about 48 instructions together, 8 % of an owner run on 5
// nodes (callgrind, 1.15 M allocations in 672 M instructions). Body blocks are small and
// come in few sizes, and a body is nearly always freed by the thread that made it (each run
// is one thread), so a free list per size class, per thread, serves them in a few
// instructions, in line.
//
// nlohmann::basic_json takes the allocator as its AllocatorType parameter, for exactly this;
// it allocates objects, arrays, strings and array buffers through it, and SortedFields its
// member buffer. Strings' own character buffers still come from std::allocator (std::string
// is the string type), but nearly every key and value fits in the string itself.
//
// Blocks are never returned to the system: a pool only ever holds as much as the most bodies
// its thread had alive at once. A block freed on another thread than its own joins that
// thread's list, which is fine because no chunk is ever released. When a thread ends, its free
// blocks pass to a shared reserve that the next new thread starts from, so threads that come
// and go (a sweep's workers, a hunt's rounds) do not leave memory behind.
//
// Under AddressSanitizer every block comes from ::operator new, so use-after-free and
// overflows in bodies are still caught.

#include <cstddef>
#include <new>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

namespace millpond {

namespace body_pool {

// Sizes up to this many bytes are pooled, in classes kClassBytes apart.
inline constexpr std::size_t kPooledBytesMax = 512;
inline constexpr std::size_t kClassBytes = 16;
inline constexpr std::size_t kClassCount = kPooledBytesMax / kClassBytes;

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kPooled = false;
#else
inline constexpr bool kPooled = true;
#endif

struct FreeBlock {
    FreeBlock* next;
};

// One thread's free lists, plain data so that reaching it costs one thread-pointer-relative
// load (no initialisation guard).
struct Lists {
    FreeBlock* heads[kClassCount];
};
extern constinit thread_local Lists lists;

// The slow path: fills class `index`'s list (from the reserve, or a new chunk) and returns one
// block of it.
void* refill(std::size_t index);

// The class of an allocation of `bytes` (1..kPooledBytesMax).
constexpr std::size_t class_of(std::size_t bytes) { return (bytes - 1) / kClassBytes; }

inline void* allocate(std::size_t bytes) {
    if (!kPooled || bytes > kPooledBytesMax || bytes == 0) return ::operator new(bytes);
    const std::size_t index = class_of(bytes);
    FreeBlock* block = lists.heads[index];
    if (block == nullptr) return refill(index);
    lists.heads[index] = block->next;
    return block;
}

inline void deallocate(void* pointer, std::size_t bytes) noexcept {
    if (!kPooled || bytes > kPooledBytesMax || bytes == 0) {
        ::operator delete(pointer, bytes);
        return;
    }
    const std::size_t index = class_of(bytes);
    auto* block = static_cast<FreeBlock*>(pointer);
    block->next = lists.heads[index];
    lists.heads[index] = block;
}

// Free blocks in this thread's lists, per class: for tests.
std::size_t free_blocks(std::size_t index);

}  // namespace body_pool

// A json value whose destructor would free nothing.
template <typename Json>
bool owns_nothing(const Json& value) noexcept {
    return value.is_null() || value.is_boolean() || value.is_number();
}

// An object member: a pair whose second is a json value.
template <typename U>
struct is_json_member : std::false_type {};
template <typename Key, typename Json>
struct is_json_member<std::pair<Key, Json>> : nlohmann::detail::is_basic_json<Json> {};

template <typename T>
class BodyAllocator {
  public:
    using value_type = T;

    BodyAllocator() noexcept = default;
    template <typename U>
    BodyAllocator(const BodyAllocator<U>&) noexcept {}

    T* allocate(std::size_t count) {
        // Here, not at class scope: basic_json instantiates its allocator while incomplete.
        static_assert(alignof(T) <= body_pool::kClassBytes, "pooled blocks are 16-byte aligned");
        if (count > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
        return static_cast<T*>(body_pool::allocate(count * sizeof(T)));
    }
    void deallocate(T* pointer, std::size_t count) noexcept {
        body_pool::deallocate(pointer, count * sizeof(T));
    }

    // Containers end their elements' lives through here (std::allocator_traits::destroy). A
    // json value that owns nothing -- null (every moved-from one), a boolean or a number --
    // has nothing for its destructor to do, yet that destructor is a call into nlohmann's
    // out-of-line json_value::destroy, about 25 instructions: 2 M calls a run, owner on 5
    // nodes. Such values, alone or as an object member's value, end without it; the
    // standard allows ending an object's life without its destructor when nothing depends on
    // what the destructor would do ([basic.life]), and here it would do nothing.
    template <typename U>
    void destroy(U* pointer) noexcept {
        if constexpr (nlohmann::detail::is_basic_json<U>::value) {
            if (owns_nothing(*pointer)) return;
        } else if constexpr (is_json_member<U>::value) {
            if (owns_nothing(pointer->second)) {
                using Key = typename U::first_type;
                pointer->first.~Key();
                return;
            }
        }
        pointer->~U();
    }

    // Stateless: any instance frees what any other allocated.
    template <typename U>
    friend bool operator==(const BodyAllocator&, const BodyAllocator<U>&) noexcept {
        return true;
    }
};

}  // namespace millpond
