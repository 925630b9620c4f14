// DataLoader: batches of a dataset, optionally in a fresh random order each pass.
#include "dataloader.hpp"

#include <algorithm>
#include <numeric>

namespace tapegrad::data {

DataLoader::DataLoader(std::shared_ptr<Dataset> dataset, DataLoaderOptions options)
    : dataset_(std::move(dataset)),
      options_(options),
      generator_(options.seed      ? *options.seed
                 : options.shuffle ? default_generator().next_u64()
                                   : 0) {
  if (!dataset_) fail<ValueError>("DataLoader: the dataset is null");
  if (options_.batch_size < 1)
    fail<ValueError>("DataLoader: batch_size should be a positive integer, got {}", options_.batch_size);
}

// n samples in batches of b: ceil(n / b) batches, floor(n / b) with drop_last
std::int64_t DataLoader::size() const {
  const std::int64_t n = dataset_->size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::int64_t DataLoader::num_samples() const {
  return options_.drop_last ? size() * options_.batch_size : dataset_->size();
}

DataLoader::Iterator DataLoader::begin() {
  const std::int64_t n = dataset_->size();
  auto order = std::make_shared<std::vector<std::int64_t>>(static_cast<std::size_t>(n));
  if (options_.shuffle) {
    // the next permutation of the loader's own generator: a new order every pass
    const Tensor perm = randperm(n, &generator_);
    const std::int64_t* p = perm.data<std::int64_t>();
    std::copy(p, p + n, order->begin());
  } else {
    std::iota(order->begin(), order->end(), std::int64_t{0});
  }
  return Iterator(this, std::move(order));
}

DataLoader::Iterator::Iterator(const DataLoader* loader, std::shared_ptr<const std::vector<std::int64_t>> order)
    : loader_(loader), order_(std::move(order)), n_batches_(loader->size()) {
  load();
}

DataLoader::Iterator& DataLoader::Iterator::operator++() {
  ++batch_index_;
  load();
  return *this;
}

// batch k holds order[k * b, min((k + 1) * b, n))
void DataLoader::Iterator::load() {
  if (done()) {
    batch_ = Sample{};
    return;
  }
  const std::int64_t b = loader_->options_.batch_size;
  const std::int64_t n = static_cast<std::int64_t>(order_->size());
  const std::int64_t first = batch_index_ * b;
  const std::int64_t count = std::min(b, n - first);
  batch_ = loader_->dataset_->get_batch(
      std::span<const std::int64_t>(order_->data() + first, static_cast<std::size_t>(count)));
}

}  // namespace tapegrad::data
