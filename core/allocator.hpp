#pragma once
// Every tensor's memory comes from here, so caching or instrumenting it touches no op.
#include <cstddef>
#include <cstdint>

namespace tapegrad {

/// Source of tensor storage. Blocks are 64-byte aligned.
class Allocator {
 public:
  virtual ~Allocator() = default;
  virtual void* allocate(std::size_t nbytes) = 0;
  virtual void deallocate(void* p, std::size_t nbytes) noexcept = 0;
  /// Returns cached blocks to the system (no-op for allocators that cache nothing).
  virtual void empty_cache() {}
  /// Bytes held in the cache, not in use by any tensor.
  virtual std::size_t cached_bytes() const { return 0; }
};

/// The allocator new tensors use: by default a caching allocator that keeps freed blocks for
/// reuse, so a training loop's steady state touches no fresh pages.
Allocator& current_allocator();
/// Replaces the allocator for tensors created from now on (nullptr restores the default). The
/// allocator must outlive every tensor it allocates.
void set_allocator(Allocator* allocator);
/// Releases the default allocator's cached blocks, like torch.cuda.empty_cache for host memory.
void empty_cache();

/// A block of tensor memory, shared by a tensor and its reshaped views.
class Storage {
 public:
  explicit Storage(std::size_t nbytes);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  void* data() const { return data_; }
  std::size_t nbytes() const { return nbytes_; }
  /// How many in-place writes this storage has seen (PyTorch's `t._version`): every in-place
  /// op bumps it, and a backward rule that saved a tensor checks it has not moved since.
  std::uint64_t version() const { return version_; }
  void bump_version() { ++version_; }

 private:
  void* data_;
  std::uint64_t version_ = 0;
  std::size_t nbytes_;
  Allocator* allocator_;
};

}  // namespace tapegrad
