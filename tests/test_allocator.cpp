// Tensor storage comes from one allocator that caches freed blocks and can be replaced.
#include <doctest/doctest.h>

#include <cstdlib>

#include "fixtures.hpp"

using namespace tapegrad;

namespace {
struct CountingAllocator : Allocator {
  int allocs = 0, frees = 0;
  void* allocate(std::size_t n) override {
    ++allocs;
    return std::aligned_alloc(64, (n + 63) / 64 * 64 + 64);
  }
  void deallocate(void* p, std::size_t) noexcept override {
    ++frees;
    std::free(p);
  }
};
}  // namespace

TEST_CASE("a replacement allocator receives every tensor allocation and its release") {
  CountingAllocator counting;
  set_allocator(&counting);
  {
    Tensor a = ones({100});
    Tensor b = a * 2.0;  // result + the 0-d scalar
    CHECK(b.to_vector()[0] == 2.0);
  }
  set_allocator(nullptr);
  CHECK(counting.allocs >= 3);
  CHECK(counting.allocs == counting.frees);
}

TEST_CASE("the default allocator reuses freed blocks and empty_cache releases them") {
  empty_cache();
  void* first = nullptr;
  {
    Tensor a = zeros({1000});
    first = a.impl()->storage->data();
  }
  CHECK(current_allocator().cached_bytes() >= 4000);
  Tensor b = zeros({1000});
  CHECK(b.impl()->storage->data() == first);  // the same block, no fresh pages
  CHECK(reinterpret_cast<std::uintptr_t>(b.impl()->storage->data()) % 64 == 0);
  empty_cache();
  CHECK(current_allocator().cached_bytes() == 0);
}
