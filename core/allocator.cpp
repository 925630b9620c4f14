#include "allocator.hpp"

#include <array>
#include <cstdlib>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace tapegrad {
namespace {

constexpr std::size_t kAlign = 64;

// Size classes: powers of two up to 4 KiB, then whole pages. Training loops ask for the same
// sizes every step, so freed blocks of a class are reused as they are.
std::size_t size_class(std::size_t n) {
  if (n <= 64) return 64;
  if (n <= 4096) return std::size_t{1} << (64 - __builtin_clzll(n - 1));
  return (n + 4095) / 4096 * 4096;
}

class CachingAllocator final : public Allocator {
 public:
  ~CachingAllocator() override { empty_cache(); }

  void* allocate(std::size_t nbytes) override {
    const std::size_t cls = size_class(nbytes);
    {
      std::lock_guard lock(mutex_);
      std::vector<void*>& blocks = bin(cls);
      if (!blocks.empty()) {
        void* p = blocks.back();
        blocks.pop_back();
        cached_ -= cls;
        return p;
      }
    }
    void* p = std::aligned_alloc(kAlign, cls);
    if (!p) throw std::bad_alloc();
    return p;
  }

  void deallocate(void* p, std::size_t nbytes) noexcept override {
    const std::size_t cls = size_class(nbytes);
    std::lock_guard lock(mutex_);
    try {
      bin(cls).push_back(p);
      cached_ += cls;
    } catch (...) {
      std::free(p);
    }
  }

  void empty_cache() override {
    std::lock_guard lock(mutex_);
    auto release = [](std::vector<void*>& blocks) {
      for (void* p : blocks) std::free(p);
      blocks = {};
    };
    for (auto& blocks : small_) release(blocks);
    for (auto& [cls, blocks] : large_) release(blocks);
    large_.clear();
    cached_ = 0;
  }

  std::size_t cached_bytes() const override {
    std::lock_guard lock(mutex_);
    return cached_;
  }

 private:
  // The free blocks of a size class: the seven small classes (64 B .. 4 KiB) in an array, so
  // the tiny tensors of a graph find theirs without hashing; page multiples in a map.
  std::vector<void*>& bin(std::size_t cls) {
    if (cls <= 4096) return small_[static_cast<std::size_t>(__builtin_ctzll(cls)) - 6];
    return large_[cls];
  }

  mutable std::mutex mutex_;
  std::array<std::vector<void*>, 7> small_;
  std::unordered_map<std::size_t, std::vector<void*>> large_;
  std::size_t cached_ = 0;
};

CachingAllocator& default_allocator() {
  // Leaked on purpose: tensors in static storage may be destroyed after any static allocator.
  static auto* a = new CachingAllocator();
  return *a;
}

Allocator* g_allocator = nullptr;

}  // namespace

Allocator& current_allocator() { return g_allocator ? *g_allocator : default_allocator(); }
void set_allocator(Allocator* allocator) { g_allocator = allocator; }
void empty_cache() { default_allocator().empty_cache(); }

Storage::Storage(std::size_t nbytes) : nbytes_(nbytes), allocator_(&current_allocator()) {
  data_ = allocator_->allocate(nbytes);
}

Storage::~Storage() { allocator_->deallocate(data_, nbytes_); }

}  // namespace tapegrad
