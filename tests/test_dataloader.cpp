// data/dataloader.hpp: batch counts and contents, shuffling (a permutation, new each epoch,
// reproducible by seed), drop_last, and bad options.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <numeric>
#include <vector>

using namespace tapegrad;

namespace {

// n samples: input row i = [i, 100 + i] (float32), target i (int64), so each batch says which
// samples it holds and that inputs and targets stayed paired.
std::shared_ptr<data::TensorDataset> numbered(std::int64_t n) {
  std::vector<double> x, y;
  for (std::int64_t i = 0; i < n; ++i) {
    x.insert(x.end(), {double(i), 100.0 + double(i)});
    y.push_back(double(i));
  }
  return std::make_shared<data::TensorDataset>(tensor(x, {n, 2}), tensor(y, {.dtype = DType::i64}));
}

// One pass: the targets of each batch, checking that every input row matches its target.
std::vector<std::vector<std::int64_t>> pass(data::DataLoader& loader) {
  std::vector<std::vector<std::int64_t>> batches;
  for (auto& [x, y] : loader) {
    REQUIRE(x.dim() == 2);
    REQUIRE(x.size(0) == y.size(0));
    std::vector<std::int64_t> ids;
    const auto xv = x.to_vector();
    const auto yv = y.to_vector();
    for (std::size_t i = 0; i < yv.size(); ++i) {
      CHECK(xv[2 * i] == yv[i]);
      CHECK(xv[2 * i + 1] == 100 + yv[i]);
      ids.push_back(static_cast<std::int64_t>(yv[i]));
    }
    batches.push_back(ids);
  }
  return batches;
}

std::vector<std::int64_t> flat(const std::vector<std::vector<std::int64_t>>& batches) {
  std::vector<std::int64_t> out;
  for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
  return out;
}

std::vector<std::int64_t> iota(std::int64_t n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}

}  // namespace

TEST_CASE("DataLoader without shuffle yields the samples in order, the last batch partial") {
  data::DataLoader loader(numbered(10), {.batch_size = 3});
  CHECK(loader.size() == 4);
  CHECK(loader.num_samples() == 10);
  const auto batches = pass(loader);
  CHECK(batches == std::vector<std::vector<std::int64_t>>{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}, {9}});
  // batch tensors: input [3, 2] float32, target [3] int64
  auto it = loader.begin();
  CHECK(it->input.shape() == Shape{3, 2});
  CHECK(it->input.dtype() == DType::f32);
  CHECK(it->target.shape() == Shape{3});
  CHECK(it->target.dtype() == DType::i64);
  CHECK(it.index() == 0);
  ++it;
  CHECK(it.index() == 1);
  CHECK(it->input.to_vector() == std::vector<double>{3, 103, 4, 104, 5, 105});
}

TEST_CASE("DataLoader with drop_last drops the partial batch") {
  data::DataLoader loader(numbered(10), {.batch_size = 3, .drop_last = true});
  CHECK(loader.size() == 3);
  CHECK(loader.num_samples() == 9);
  CHECK(pass(loader) == std::vector<std::vector<std::int64_t>>{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}});
  // an exact multiple drops nothing
  data::DataLoader exact(numbered(9), {.batch_size = 3, .drop_last = true});
  CHECK(exact.size() == 3);
  CHECK(flat(pass(exact)) == iota(9));
}

TEST_CASE("DataLoader with a batch larger than the dataset") {
  data::DataLoader one(numbered(4), {.batch_size = 10});
  CHECK(one.size() == 1);
  CHECK(pass(one) == std::vector<std::vector<std::int64_t>>{{0, 1, 2, 3}});
  data::DataLoader none(numbered(4), {.batch_size = 10, .drop_last = true});
  CHECK(none.size() == 0);
  CHECK(pass(none).empty());
  data::DataLoader empty(numbered(0), {.batch_size = 2});
  CHECK(empty.size() == 0);
  CHECK(pass(empty).empty());
}

TEST_CASE("DataLoader shuffle: each epoch is a permutation, a new one each epoch") {
  data::DataLoader loader(numbered(40), {.batch_size = 8, .shuffle = true, .seed = 5});
  const auto e1 = flat(pass(loader));
  const auto e2 = flat(pass(loader));
  auto s1 = e1, s2 = e2;
  std::sort(s1.begin(), s1.end());
  std::sort(s2.begin(), s2.end());
  CHECK(s1 == iota(40));
  CHECK(s2 == iota(40));
  CHECK(e1 != iota(40));
  CHECK(e1 != e2);
}

TEST_CASE("DataLoader shuffle is reproducible by seed and differs across seeds") {
  auto ds = numbered(30);
  data::DataLoader a(ds, {.batch_size = 4, .shuffle = true, .seed = 11});
  data::DataLoader b(ds, {.batch_size = 4, .shuffle = true, .seed = 11});
  data::DataLoader c(ds, {.batch_size = 4, .shuffle = true, .seed = 12});
  const auto a1 = pass(a), a2 = pass(a);
  CHECK(a1 == pass(b));
  CHECK(a2 == pass(b));  // the same sequence of orders, epoch after epoch
  CHECK(a1 != pass(c));
  // the shuffled order is the loader generator's first permutation: randperm(30) of Generator(11)
  Generator gen(11);
  const auto perm = randperm(30, &gen).to_vector();
  CHECK(flat(a1) == std::vector<std::int64_t>(perm.begin(), perm.end()));
}

TEST_CASE("DataLoader without a seed takes one from the global generator: manual_seed fixes its shuffles") {
  auto ds = numbered(30);
  manual_seed(3);
  data::DataLoader a(ds, {.batch_size = 4, .shuffle = true});
  manual_seed(3);
  data::DataLoader b(ds, {.batch_size = 4, .shuffle = true});
  manual_seed(4);
  data::DataLoader c(ds, {.batch_size = 4, .shuffle = true});
  const auto a1 = pass(a);
  CHECK(a1 == pass(b));
  CHECK(pass(a) == pass(b));
  CHECK(a1 != pass(c));
  // the seed is the global generator's next 64 bits
  manual_seed(3);
  Generator gen(default_generator().next_u64());
  const auto perm = randperm(30, &gen).to_vector();
  CHECK(flat(a1) == std::vector<std::int64_t>(perm.begin(), perm.end()));
  // an unshuffled loader draws nothing
  manual_seed(3);
  const double first = default_generator().uniform();
  manual_seed(3);
  data::DataLoader plain(ds, {.batch_size = 4});
  CHECK(default_generator().uniform() == first);
}

TEST_CASE("DataLoader shuffle with drop_last drops the tail of the shuffled order") {
  data::DataLoader loader(numbered(10), {.batch_size = 4, .shuffle = true, .drop_last = true, .seed = 2});
  const auto batches = pass(loader);
  REQUIRE(batches.size() == 2);
  Generator gen(2);
  const auto perm = randperm(10, &gen).to_vector();
  CHECK(flat(batches) == std::vector<std::int64_t>(perm.begin(), perm.begin() + 8));
}

TEST_CASE("DataLoader over a Subset and over a computed dataset") {
  auto ds = numbered(10);
  auto parts = data::random_split(ds, {6, 4}, 1);
  data::DataLoader loader(parts[1], {.batch_size = 3});
  const auto got = flat(pass(loader));
  CHECK(got == std::dynamic_pointer_cast<data::Subset>(parts[1])->indices());

  struct Halves : data::Dataset {
    std::int64_t size() const override { return 5; }
    data::Sample get(std::int64_t i) const override {
      return {tensor({i / 2.0}), tensor({double(i)}, {.dtype = DType::f64})};
    }
  };
  data::DataLoader computed(std::make_shared<Halves>(), {.batch_size = 2});
  std::vector<double> xs, ys;
  for (auto& [x, y] : computed) {
    CHECK(x.dim() == 2);
    CHECK(y.dtype() == DType::f64);
    for (double v : x.to_vector()) xs.push_back(v);
    for (double v : y.to_vector()) ys.push_back(v);
  }
  CHECK(xs == std::vector<double>{0, 0.5, 1, 1.5, 2});
  CHECK(ys == std::vector<double>{0, 1, 2, 3, 4});
}

TEST_CASE("DataLoader rejects a null dataset and a non-positive batch size") {
  CHECK_THROWS_WITH_AS(data::DataLoader(numbered(3), {.batch_size = 0}),
                       doctest::Contains("DataLoader: batch_size should be a positive integer, got 0"), ValueError);
  CHECK_THROWS_AS(data::DataLoader(numbered(3), {.batch_size = -2}), ValueError);
  CHECK_THROWS_WITH_AS(data::DataLoader(nullptr), doctest::Contains("DataLoader"), ValueError);
}
