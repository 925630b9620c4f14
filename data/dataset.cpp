// Dataset, TensorDataset, Subset and random_split.
#include "dataset.hpp"

#include <fmt/ranges.h>

#include <cstring>
#include <numeric>

#include "../autograd/random.hpp"

namespace tapegrad::data {

namespace {

std::byte* bytes_of(const Tensor& t) { return static_cast<std::byte*>(t.impl()->storage->data()); }

/// Shape [rows, shape of one sample].
Shape batched(std::int64_t rows, const Shape& sample) {
  Shape s{rows};
  for (std::int64_t d : sample) s.push_back(d);
  return s;
}

void check_index(const char* op, std::int64_t i, std::int64_t n) {
  if (i < 0 || i >= n) fail<IndexError>("{}: index {} is out of range for a dataset of {} samples", op, i, n);
}

/// out [B, ...] = src[indices] along dim 0: one memcpy of a row's bytes per index.
Tensor gather_rows(const Tensor& src, std::span<const std::int64_t> indices) {
  const std::int64_t n = src.size(0);
  Shape row_shape = src.shape();
  row_shape.erase(0);
  Tensor out = detail::make_tensor(batched(static_cast<std::int64_t>(indices.size()), row_shape), src.dtype());
  const std::size_t row_bytes = static_cast<std::size_t>(row_shape.numel()) * element_size(src.dtype());
  const std::byte* from = bytes_of(src);
  std::byte* to = bytes_of(out);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    check_index("TensorDataset", indices[k], n);
    std::memcpy(to + k * row_bytes, from + static_cast<std::size_t>(indices[k]) * row_bytes, row_bytes);
  }
  return out;
}

/// Copies one sample's tensor into row k of a batch, checking it matches the first sample.
void put_row(Tensor& batch, std::int64_t k, const Tensor& item, const char* field) {
  Shape want = batch.shape();
  want.erase(0);
  if (item.dtype() != batch.dtype())
    fail<DTypeError>("Dataset::get_batch: sample {} has {} {} but the first has {}", k, field, dtype_name(item.dtype()),
                     dtype_name(batch.dtype()));
  if (!(item.shape() == want))
    fail<ShapeError>("Dataset::get_batch: sample {} has {} of shape {} but the first has {}", k, field,
                     item.shape().str(), want.str());
  const std::size_t row_bytes = static_cast<std::size_t>(want.numel()) * element_size(batch.dtype());
  std::memcpy(bytes_of(batch) + static_cast<std::size_t>(k) * row_bytes, bytes_of(item), row_bytes);
}

}  // namespace

// ---- Dataset ------------------------------------------------------------------------------------

// Default collate: get each sample, stack input and target along a new dim 0.
Sample Dataset::get_batch(std::span<const std::int64_t> indices) const {
  if (indices.empty()) fail<ValueError>("Dataset::get_batch: the index list is empty");
  const std::int64_t b = static_cast<std::int64_t>(indices.size());
  Sample first = get(indices[0]);
  if (!first.input.defined() || !first.target.defined())
    fail<StateError>("Dataset::get_batch: sample {} has an undefined tensor", indices[0]);
  Sample out{detail::make_tensor(batched(b, first.input.shape()), first.input.dtype()),
             detail::make_tensor(batched(b, first.target.shape()), first.target.dtype())};
  put_row(out.input, 0, first.input, "input");
  put_row(out.target, 0, first.target, "target");
  for (std::int64_t k = 1; k < b; ++k) {
    Sample s = get(indices[static_cast<std::size_t>(k)]);
    put_row(out.input, k, s.input, "input");
    put_row(out.target, k, s.target, "target");
  }
  return out;
}

// ---- TensorDataset ---------------------------------------------------------------------------------

TensorDataset::TensorDataset(Tensor inputs, Tensor targets) : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  if (!inputs_.defined() || !targets_.defined()) fail<ValueError>("TensorDataset: inputs and targets must be defined");
  if (inputs_.dim() == 0 || targets_.dim() == 0)
    fail<ShapeError>("TensorDataset: inputs {} and targets {} need a dim 0 of samples (got a 0-d tensor)",
                     inputs_.shape().str(), targets_.shape().str());
  if (inputs_.size(0) != targets_.size(0))
    fail<ShapeError>("TensorDataset: inputs {} and targets {} differ in their number of samples ({} != {})",
                     inputs_.shape().str(), targets_.shape().str(), inputs_.size(0), targets_.size(0));
}

Sample TensorDataset::get(std::int64_t i) const {
  check_index("TensorDataset", i, size());
  const std::int64_t idx[1] = {i};
  Sample row = get_batch(idx);
  // [1, ...] -> [...]: share the row's storage under the sample's shape
  Shape in = row.input.shape(), tg = row.target.shape();
  in.erase(0);
  tg.erase(0);
  return {detail::alias(row.input, in), detail::alias(row.target, tg)};
}

Sample TensorDataset::get_batch(std::span<const std::int64_t> indices) const {
  return {gather_rows(inputs_, indices), gather_rows(targets_, indices)};
}

// ---- Subset -------------------------------------------------------------------------------------------

Subset::Subset(std::shared_ptr<Dataset> dataset, std::vector<std::int64_t> indices)
    : dataset_(std::move(dataset)), indices_(std::move(indices)) {
  if (!dataset_) fail<ValueError>("Subset: the dataset is null");
  const std::int64_t n = dataset_->size();
  for (std::int64_t i : indices_) check_index("Subset", i, n);
}

Sample Subset::get(std::int64_t i) const {
  check_index("Subset", i, size());
  return dataset_->get(indices_[static_cast<std::size_t>(i)]);
}

Sample Subset::get_batch(std::span<const std::int64_t> indices) const {
  std::vector<std::int64_t> mapped(indices.size());
  for (std::size_t k = 0; k < indices.size(); ++k) {
    check_index("Subset", indices[k], size());
    mapped[k] = indices_[static_cast<std::size_t>(indices[k])];
  }
  return dataset_->get_batch(mapped);
}

// ---- random_split ---------------------------------------------------------------------------------------

// perm = randperm(n); piece k = perm[offset_k : offset_k + lengths[k]]
std::vector<std::shared_ptr<Dataset>> random_split(std::shared_ptr<Dataset> dataset, std::vector<std::int64_t> lengths,
                                                   std::uint64_t seed) {
  if (!dataset) fail<ValueError>("random_split: the dataset is null");
  const std::int64_t n = dataset->size();
  std::int64_t total = 0;
  for (std::int64_t len : lengths) {
    if (len < 0) fail<ValueError>("random_split: lengths {} must be non-negative", lengths);
    if (__builtin_add_overflow(total, len, &total))
      fail<ValueError>("random_split: lengths {} overflow when summed", lengths);
  }
  if (total != n)
    fail<ValueError>("random_split: lengths {} sum to {}, but the dataset has {} samples", lengths, total, n);
  Generator gen(seed);
  const Tensor perm = randperm(n, &gen);
  const std::int64_t* p = perm.data<std::int64_t>();
  std::vector<std::shared_ptr<Dataset>> out;
  std::int64_t offset = 0;
  for (std::int64_t len : lengths) {
    out.push_back(std::make_shared<Subset>(dataset, std::vector<std::int64_t>(p + offset, p + offset + len)));
    offset += len;
  }
  return out;
}

}  // namespace tapegrad::data
