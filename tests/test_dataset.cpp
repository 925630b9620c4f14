// data/dataset.hpp: TensorDataset, the default batch collation, Subset and random_split.
// Expected values are written out by hand from the rows the tests build.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <numeric>
#include <set>
#include <vector>

using namespace tapegrad;
using data::Sample;

namespace {

// inputs [5, 2] = [[0, 1], [10, 11], ..., [40, 41]]; targets [5] int64 = [0, 1, 2, 3, 4]
std::shared_ptr<data::TensorDataset> five_rows() {
  std::vector<double> x;
  for (int i = 0; i < 5; ++i) x.insert(x.end(), {10.0 * i, 10.0 * i + 1});
  return std::make_shared<data::TensorDataset>(tensor(x, {5, 2}), tensor({0, 1, 2, 3, 4}, {.dtype = DType::i64}));
}

// A dataset that computes its samples: input [2] = (i, i * i) float64, target 0-d int64 = i % 3.
struct Squares : data::Dataset {
  std::int64_t n;
  explicit Squares(std::int64_t n) : n(n) {}
  std::int64_t size() const override { return n; }
  Sample get(std::int64_t i) const override {
    return {tensor({double(i), double(i * i)}, {.dtype = DType::f64}),
            scalar_tensor(double(i % 3), {.dtype = DType::i64})};
  }
};

// A dataset whose samples change shape (index 1) or dtype (index 2), which cannot be batched.
struct Ragged : data::Dataset {
  std::int64_t size() const override { return 3; }
  Sample get(std::int64_t i) const override {
    if (i == 1) return {zeros({3}), scalar_tensor(0, {.dtype = DType::i64})};
    if (i == 2) return {zeros({2}, {.dtype = DType::f64}), scalar_tensor(0, {.dtype = DType::i64})};
    return {zeros({2}), scalar_tensor(0, {.dtype = DType::i64})};
  }
};

std::vector<double> values(const Tensor& t) { return t.to_vector(); }

}  // namespace

TEST_CASE("TensorDataset returns row i of inputs and targets") {
  auto ds = five_rows();
  CHECK(ds->size() == 5);
  auto [x, y] = ds->get(3);
  CHECK(x.shape() == Shape{2});
  CHECK(y.shape() == Shape{});
  CHECK(x.dtype() == DType::f32);
  CHECK(y.dtype() == DType::i64);
  CHECK(values(x) == std::vector<double>{30, 31});
  CHECK(y.item() == 3);
  CHECK_FALSE(x.requires_grad());
}

TEST_CASE("TensorDataset::get_batch gathers rows in index order, repeats allowed") {
  auto ds = five_rows();
  const std::vector<std::int64_t> idx{4, 0, 4, 2};
  auto [x, y] = ds->get_batch(idx);
  CHECK(x.shape() == Shape{4, 2});
  CHECK(y.shape() == Shape{4});
  CHECK(values(x) == std::vector<double>{40, 41, 0, 1, 40, 41, 20, 21});
  CHECK(values(y) == std::vector<double>{4, 0, 4, 2});
}

TEST_CASE("TensorDataset keeps float64 and multi-dim targets") {
  Tensor inputs = arange(12.0, {.dtype = DType::f64}).reshape({3, 2, 2});
  Tensor targets = tensor({0.5, 1.5, 2.5, 3.5, 4.5, 5.5}, {3, 2}, {.dtype = DType::f64});
  data::TensorDataset ds(inputs, targets);
  auto [x, y] = ds.get(2);
  CHECK(x.shape() == Shape{2, 2});
  CHECK(values(x) == std::vector<double>{8, 9, 10, 11});
  CHECK(values(y) == std::vector<double>{4.5, 5.5});
  const std::vector<std::int64_t> idx{1};
  auto b = ds.get_batch(idx);
  CHECK(b.input.shape() == Shape{1, 2, 2});
  CHECK(b.target.shape() == Shape{1, 2});
  CHECK(values(b.target) == std::vector<double>{2.5, 3.5});
}

TEST_CASE("TensorDataset rejects tensors that do not line up") {
  CHECK_THROWS_WITH_AS(data::TensorDataset(zeros({4, 2}), zeros({3})),
                       doctest::Contains("TensorDataset: inputs [4, 2] and targets [3] differ"), ShapeError);
  CHECK_THROWS_WITH_AS(data::TensorDataset(scalar_tensor(1), zeros({1})), doctest::Contains("0-d"), ShapeError);
  CHECK_THROWS_AS(data::TensorDataset(Tensor(), zeros({1})), ValueError);
}

TEST_CASE("TensorDataset index out of range is an IndexError") {
  auto ds = five_rows();
  CHECK_THROWS_WITH_AS(ds->get(5), doctest::Contains("TensorDataset: index 5 is out of range for a dataset of 5"),
                       IndexError);
  CHECK_THROWS_AS(ds->get(-1), IndexError);
  const std::vector<std::int64_t> idx{0, 7};
  CHECK_THROWS_WITH_AS(ds->get_batch(idx), doctest::Contains("index 7"), IndexError);
}

TEST_CASE("Dataset::get_batch stacks computed samples (default collation)") {
  Squares ds(6);
  const std::vector<std::int64_t> idx{5, 1, 2};
  auto [x, y] = ds.get_batch(idx);
  CHECK(x.shape() == Shape{3, 2});
  CHECK(x.dtype() == DType::f64);
  CHECK(y.shape() == Shape{3});
  CHECK(y.dtype() == DType::i64);
  CHECK(values(x) == std::vector<double>{5, 25, 1, 1, 2, 4});
  CHECK(values(y) == std::vector<double>{2, 1, 2});
}

TEST_CASE("Dataset::get_batch rejects samples of different shapes or dtypes, and an empty list") {
  Ragged ds;
  const std::vector<std::int64_t> shape_clash{0, 1}, dtype_clash{0, 2};
  CHECK_THROWS_WITH_AS(ds.get_batch(shape_clash),
                       doctest::Contains("sample 1 has input of shape [3] but the first has [2]"), ShapeError);
  CHECK_THROWS_WITH_AS(ds.get_batch(dtype_clash), doctest::Contains("float64"), DTypeError);
  CHECK_THROWS_WITH_AS(ds.get_batch({}), doctest::Contains("empty"), ValueError);
}

TEST_CASE("Subset maps its indices onto the dataset, singly and in batches") {
  auto ds = five_rows();
  data::Subset sub(ds, {3, 1});
  CHECK(sub.size() == 2);
  CHECK(values(sub.get(0).input) == std::vector<double>{30, 31});
  CHECK(sub.get(1).target.item() == 1);
  const std::vector<std::int64_t> idx{1, 0, 1};
  auto [x, y] = sub.get_batch(idx);
  CHECK(values(x) == std::vector<double>{10, 11, 30, 31, 10, 11});
  CHECK(values(y) == std::vector<double>{1, 3, 1});
  CHECK_THROWS_WITH_AS(sub.get(2), doctest::Contains("Subset: index 2"), IndexError);
  CHECK_THROWS_WITH_AS(data::Subset(ds, {0, 5}), doctest::Contains("Subset: index 5"), IndexError);
  CHECK_THROWS_AS(data::Subset(nullptr, {}), ValueError);
}

TEST_CASE("random_split gives disjoint subsets of the requested sizes that cover the dataset") {
  auto ds = std::make_shared<Squares>(100);
  auto parts = data::random_split(ds, {70, 20, 0, 10}, 7);
  REQUIRE(parts.size() == 4);
  CHECK(parts[0]->size() == 70);
  CHECK(parts[1]->size() == 20);
  CHECK(parts[2]->size() == 0);
  CHECK(parts[3]->size() == 10);
  std::vector<std::int64_t> all;
  for (const auto& p : parts) {
    const auto& idx = std::dynamic_pointer_cast<data::Subset>(p)->indices();
    all.insert(all.end(), idx.begin(), idx.end());
  }
  std::vector<std::int64_t> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  std::vector<std::int64_t> expected(100);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(sorted == expected);  // every index exactly once: disjoint and complete
  std::vector<std::int64_t> identity = expected;
  CHECK(all != identity);  // shuffled, not cut in order
  // the samples are the dataset's: Squares' input is (i, i * i) for the subset's index i
  const std::int64_t i = std::dynamic_pointer_cast<data::Subset>(parts[1])->indices()[3];
  CHECK(values(parts[1]->get(3).input) == std::vector<double>{double(i), double(i * i)});
}

TEST_CASE("random_split is reproducible by seed and differs across seeds") {
  auto ds = std::make_shared<Squares>(50);
  auto indices = [&](std::uint64_t seed) {
    auto parts = data::random_split(ds, {30, 20}, seed);
    return std::dynamic_pointer_cast<data::Subset>(parts[0])->indices();
  };
  CHECK(indices(3) == indices(3));
  CHECK(indices(3) != indices(4));
}

TEST_CASE("random_split rejects lengths that do not sum to the size, or negative ones") {
  auto ds = std::make_shared<Squares>(10);
  CHECK_THROWS_WITH_AS(data::random_split(ds, {6, 3}, 0),
                       doctest::Contains("random_split: lengths [6, 3] sum to 9, but the dataset has 10 samples"),
                       ValueError);
  CHECK_THROWS_WITH_AS(data::random_split(ds, {12, -2}, 0), doctest::Contains("non-negative"), ValueError);
  CHECK_THROWS_AS(data::random_split(nullptr, {1}, 0), ValueError);
}
