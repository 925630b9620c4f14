#include "allocator.hpp"

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
      auto it = free_.find(cls);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
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
      free_[cls].push_back(p);
      cached_ += cls;
    } catch (...) {
      std::free(p);
    }
  }

  void empty_cache() override {
    std::lock_guard lock(mutex_);
    for (auto& [cls, blocks] : free_)
      for (void* p : blocks) std::free(p);
    free_.clear();
    cached_ = 0;
  }

  std::size_t cached_bytes() const override {
    std::lock_guard lock(mutex_);
    return cached_;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;
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
