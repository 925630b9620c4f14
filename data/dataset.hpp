#pragma once
// Datasets: indexable collections of (input, target) samples, as torch.utils.data.Dataset,
// TensorDataset, Subset and random_split.
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "../autograd/tensor.hpp"

namespace tapegrad::data {

/// One sample, or one batch of samples (then each tensor has the batch as its dim 0).
/// An aggregate, so `auto& [x, y] = sample;` works.
struct Sample {
  Tensor input;   ///< features: [...] for one sample, [B, ...] for a batch
  Tensor target;  ///< label or regression target: [...] for one sample, [B, ...] for a batch
};

/// An indexable collection of samples, as torch.utils.data.Dataset (map-style).
class Dataset {
 public:
  virtual ~Dataset() = default;
  /// Number of samples (`len(dataset)`).
  virtual std::int64_t size() const = 0;
  /// Sample i, 0 <= i < size() (IndexError otherwise).
  virtual Sample get(std::int64_t i) const = 0;
  /// The samples at `indices`, stacked along a new dim 0: input [B, ...], target [B, ...], as
  /// PyTorch's default_collate does. The default calls get() for each index and copies the
  /// results into one contiguous tensor per field; samples must agree in shape and dtype
  /// (ShapeError / DTypeError otherwise). Datasets that hold their data in tensors override it
  /// with a direct row gather. The batch is plain data: it has no autograd history.
  virtual Sample get_batch(std::span<const std::int64_t> indices) const;
};

/// Samples are the rows (dim 0) of two tensors, as torch.utils.data.TensorDataset(inputs,
/// targets). Targets may be float32, float64 or int64 (class indices). The tensors are held, not
/// copied. get(i) returns copies of row i (input of shape inputs.shape[1:]); get_batch gathers the
/// rows with one memcpy per row into contiguous [B, ...] tensors.
class TensorDataset : public Dataset {
 public:
  /// Throws ShapeError if either tensor is 0-d or they differ in their dim 0.
  TensorDataset(Tensor inputs, Tensor targets);
  std::int64_t size() const override { return inputs_.size(0); }
  Sample get(std::int64_t i) const override;
  Sample get_batch(std::span<const std::int64_t> indices) const override;
  /// The tensors the dataset was made with.
  const Tensor& inputs() const { return inputs_; }
  const Tensor& targets() const { return targets_; }

 private:
  Tensor inputs_, targets_;
};

/// The samples of `dataset` at `indices`, in that order, as torch.utils.data.Subset.
class Subset : public Dataset {
 public:
  /// Throws IndexError if an index lies outside [0, dataset->size()), ValueError for a null
  /// dataset.
  Subset(std::shared_ptr<Dataset> dataset, std::vector<std::int64_t> indices);
  std::int64_t size() const override { return static_cast<std::int64_t>(indices_.size()); }
  Sample get(std::int64_t i) const override;
  /// Maps the indices and asks the underlying dataset for the batch (keeps its fast path).
  Sample get_batch(std::span<const std::int64_t> indices) const override;
  /// The underlying dataset's indices of this subset's samples, and that dataset.
  const std::vector<std::int64_t>& indices() const { return indices_; }
  const std::shared_ptr<Dataset>& dataset() const { return dataset_; }

 private:
  std::shared_ptr<Dataset> dataset_;
  std::vector<std::int64_t> indices_;
};

/// Splits dataset into non-overlapping random subsets of the given lengths, as
/// torch.utils.data.random_split: one random permutation of all indices (seeded by `seed`, so a
/// seed always gives the same split) is cut into consecutive pieces. The lengths must be
/// non-negative and sum to dataset->size() (ValueError otherwise, naming the lengths and the
/// size). PyTorch also accepts fractions; here lengths are counts. The permutation comes from
/// tapegrad's Generator, so the split is not the one torch gives for the same seed.
std::vector<std::shared_ptr<Dataset>> random_split(std::shared_ptr<Dataset> dataset, std::vector<std::int64_t> lengths,
                                                   std::uint64_t seed);

}  // namespace tapegrad::data
