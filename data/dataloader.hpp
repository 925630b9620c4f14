#pragma once
// DataLoader: iterates over a dataset in batches, as torch.utils.data.DataLoader (single
// process, default collate).
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "../autograd/random.hpp"
#include "dataset.hpp"

namespace tapegrad::data {

/// Options of DataLoader, with PyTorch's defaults (batch_size 1, no shuffle, keep the last
/// partial batch). `seed` seeds the loader's own generator for shuffling; without one, the
/// seed is drawn from the global generator when the loader is made, so `manual_seed(0)` at the
/// top of a script fixes the shuffles, as in PyTorch.
struct DataLoaderOptions {
  std::int64_t batch_size = 1;        ///< samples per batch, >= 1
  bool shuffle = false;               ///< a new random order for every pass over the data
  bool drop_last = false;             ///< drop the last batch if it has fewer than batch_size samples
  std::optional<std::uint64_t> seed;  ///< seed of the shuffling generator (default: from default_generator())
};

/// Batches of a dataset: `for (auto& [x, y] : loader) { ... }` yields Samples whose tensors
/// have the batch as dim 0 (x [B, ...], y [B, ...]); the last batch has fewer rows unless
/// drop_last is set. Each pass (each call to begin()) draws the next permutation from the
/// loader's generator when shuffle is on, so epochs see different orders, and a loader made with
/// the same seed repeats the same sequence of orders (PyTorch draws its permutations from
/// torch's generator instead, so the orders differ from torch's). Batches are built by
/// Dataset::get_batch (for a TensorDataset: a row gather into one contiguous tensor) and have no
/// autograd history. Differences from PyTorch: no worker processes, no sampler/collate_fn
/// arguments; the iterator is single-pass (an input iterator) and holds the current batch.
class DataLoader {
 public:
  /// Throws ValueError for a null dataset or batch_size < 1.
  explicit DataLoader(std::shared_ptr<Dataset> dataset, DataLoaderOptions options = {});

  /// Sentinel-terminated input iterator over one pass; `*it` is the current batch. It refers to
  /// the loader, which must outlive it.
  class Iterator {
   public:
    /// The standard iterator traits (an input iterator over Samples).
    using iterator_category = std::input_iterator_tag;
    using value_type = Sample;
    using difference_type = std::ptrdiff_t;
    using pointer = Sample*;
    using reference = Sample&;

    /// An exhausted iterator.
    Iterator() = default;
    /// The current batch (a reference held by the iterator, valid until the next ++).
    Sample& operator*() const { return batch_; }
    Sample* operator->() const { return &batch_; }
    /// Loads the next batch.
    Iterator& operator++();
    /// Position of the current batch in the pass (0-based).
    std::int64_t index() const { return batch_index_; }
    /// True once the pass is over (range-for compares with end()).
    friend bool operator==(const Iterator& it, std::default_sentinel_t) { return it.done(); }

   private:
    friend class DataLoader;
    Iterator(const DataLoader* loader, std::shared_ptr<const std::vector<std::int64_t>> order);
    bool done() const { return loader_ == nullptr || batch_index_ >= n_batches_; }
    void load();

    const DataLoader* loader_ = nullptr;
    std::shared_ptr<const std::vector<std::int64_t>> order_;
    std::int64_t batch_index_ = 0;
    std::int64_t n_batches_ = 0;
    mutable Sample batch_;
  };

  /// Starts a pass: reshuffles (if shuffle is on) and loads the first batch.
  Iterator begin();
  /// The end of a pass.
  std::default_sentinel_t end() const { return {}; }

  /// Number of batches per pass: ceil(n / batch_size), or floor with drop_last (`len(loader)`).
  std::int64_t size() const;
  /// Number of samples per pass (n, less the dropped remainder with drop_last).
  std::int64_t num_samples() const;
  /// The dataset and options the loader was made with.
  const std::shared_ptr<Dataset>& dataset() const { return dataset_; }
  const DataLoaderOptions& options() const { return options_; }

 private:
  std::shared_ptr<Dataset> dataset_;
  DataLoaderOptions options_;
  Generator generator_;
};

}  // namespace tapegrad::data
