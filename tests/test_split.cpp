// chunk, split and unbind: the pieces and the gradients of weighted sums of all of them or of some
// of them against PyTorch (fixtures/gen_rearrange.py), int64 pieces, gradcheck and double
// backward, grad_fn names, errors, method forms, the cost of many pieces and the in-place guard.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"
#include "gradgrad.hpp"
#include "inplace_sweep.hpp"

using namespace tapegrad;

namespace {

using Pieces = std::function<std::vector<Tensor>(const Tensor&)>;
using TL = std::vector<Tensor>;

// <name>.in0 split by fn: the pieces match <name>.piece<i>, and the gradients of
// sum_i sum(piece_i * w_i) over all pieces and over the even-numbered ones match grad0 / grad_even
void check_pieces(const std::string& name, const Pieces& fn) {
  const auto& fx = fixtures::load("rearrange");
  for (std::string dt : {"f64", "f32"}) {
    const std::string full = name + "." + dt;
    CAPTURE(full);
    for (bool even_only : {false, true}) {
      const Tensor x = fx[full + ".in0"].clone().requires_grad_(true);
      const std::vector<Tensor> pieces = fn(x);
      REQUIRE(static_cast<double>(pieces.size()) == fx[full + ".count"].item());
      Tensor loss;
      for (std::size_t i = 0; i < pieces.size(); ++i) {
        const std::string p = full + ".piece" + std::to_string(i);
        CHECK_CLOSE_T(pieces[i], fx[p]);
        if (even_only && i % 2 == 1) continue;
        const Tensor term = sum(mul(pieces[i], fx[full + ".w" + std::to_string(i)]));
        loss = loss.defined() ? add(loss, term) : term;
      }
      loss.backward();
      CHECK_CLOSE_T(x.grad(), fx[full + (even_only ? ".grad_even" : ".grad0")]);
    }
  }
}

Tensor randn64(const Shape& s, std::uint64_t seed) {
  manual_seed(seed);
  return randn(s, {.dtype = DType::f64, .requires_grad = true});
}

// the pieces joined back into one tensor, weighted by their position, for gradcheck
Tensor weighted_join(const std::vector<Tensor>& pieces, std::int64_t dim) {
  std::vector<Tensor> scaled;
  for (std::size_t i = 0; i < pieces.size(); ++i) scaled.push_back(pieces[i] * static_cast<double>(i + 1));
  return cat(scaled, dim);
}

}  // namespace

TEST_CASE("chunk matches torch, including fewer chunks than asked and an empty dim") {
  check_pieces("chunk.c3d0", [](const Tensor& x) { return chunk(x, 3, 0); });
  check_pieces("chunk.c4of7", [](const Tensor& x) { return chunk(x, 4, 0); });
  check_pieces("chunk.c4of6", [](const Tensor& x) { return chunk(x, 4, 1); });  // 3 pieces, as torch
  check_pieces("chunk.c5of3", [](const Tensor& x) { return chunk(x, 5, 0); });
  check_pieces("chunk.dm1", [](const Tensor& x) { return chunk(x, 2, -1); });
  check_pieces("chunk.one", [](const Tensor& x) { return chunk(x, 1, 1); });
  check_pieces("chunk.empty", [](const Tensor& x) { return chunk(x, 3, 0); });  // 3 empty pieces
}

TEST_CASE("split by a size and by a list of sizes matches torch") {
  check_pieces("split.s2d0", [](const Tensor& x) { return split(x, 2, 0); });
  check_pieces("split.s7", [](const Tensor& x) { return split(x, 7, 0); });
  check_pieces("split.s2dm1", [](const Tensor& x) { return split(x, 2, -1); });
  check_pieces("split.s1d1", [](const Tensor& x) { return split(x, 1, 1); });
  check_pieces("split.empty", [](const Tensor& x) { return split(x, 2, 0); });
  check_pieces("split.sizes", [](const Tensor& x) { return split(x, {1, 3, 1}, 0); });
  check_pieces("split.sizes0", [](const Tensor& x) { return split(x, {0, 4, 0}, 1); });
  check_pieces("split.sizesm2", [](const Tensor& x) { return split(x, {3, 1}, -2); });
  check_pieces("split.sizesvec", [](const Tensor& x) { return split(x, {2, 4}); });
}

TEST_CASE("unbind matches torch along every dim, 1-d input giving 0-d pieces") {
  check_pieces("unbind.d0", [](const Tensor& x) { return unbind(x, 0); });
  check_pieces("unbind.d1", [](const Tensor& x) { return unbind(x, 1); });
  check_pieces("unbind.dm1", [](const Tensor& x) { return unbind(x, -1); });
  check_pieces("unbind.vec", [](const Tensor& x) { return unbind(x); });
}

TEST_CASE("chunk, split and unbind cut int64 tensors as torch") {
  const auto& fx = fixtures::load("rearrange");
  const std::vector<std::pair<std::string, std::vector<Tensor>>> cases = {
      {"chunk.c2d1", chunk(fx["chunk.c2d1.piece0.i64.in0"], 2, 1)},
      {"split.sizes", split(fx["split.sizes.piece0.i64.in0"], {1, 2}, 0)},
      {"unbind.d1", unbind(fx["unbind.d1.piece0.i64.in0"], 1)}};
  for (const auto& [name, pieces] : cases)
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      CAPTURE(name);
      CHECK(pieces[i].dtype() == DType::i64);
      CHECK_CLOSE_T(pieces[i], fx[name + ".piece" + std::to_string(i) + ".i64.out"]);
    }
  CHECK(unbind(fx["unbind.d1.piece0.i64.in0"], 1).size() == 4);
}

TEST_CASE("gradients from pieces used apart, several times or over several backward calls add up") {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, Shape{3, 2}, {.dtype = DType::f64, .requires_grad = true});
  auto pieces = unbind(x, 0);
  // piece 1 twice, piece 2 once: [0, 0, 2, 2, 1, 1]
  sum(add(add(pieces[1], pieces[1]), pieces[2])).backward({}, {.retain_graph = true});
  CHECK(x.grad().to_vector() == std::vector<double>{0, 0, 2, 2, 1, 1});
  // a second backward through piece 0 alone adds [1, 1, 0, ...]
  sum(pieces[0]).backward();
  CHECK(x.grad().to_vector() == std::vector<double>{1, 1, 2, 2, 1, 1});
}

TEST_CASE("gradcheck and double backward: chunk, split and unbind") {
  const Tensor x = randn64({5, 3}, 111), v = randn64({4}, 112);
  CHECK(gradcheck([](const TL& in) { return weighted_join(chunk(in[0], 3, 0), 0); }, {x}));
  CHECK(gradcheck([](const TL& in) { return weighted_join(split(in[0], 2, -1), -1); }, {x}));
  CHECK(gradcheck([](const TL& in) { return weighted_join(split(in[0], {1, 0, 2}, 1), 1); }, {x}));
  CHECK(gradcheck([](const TL& in) { return stack(unbind(in[0], 1), 0); }, {x}));
  CHECK(gradcheck([](const TL& in) { return weighted_join(chunk(in[0], 4), 0); }, {v}));
  // only some pieces used: the others get zeros
  CHECK(gradcheck([](const TL& in) { return unbind(in[0], 0)[3] * 2.0; }, {x}));
  CHECK(gradgrad::check([](const Tensor& t) { return mul(weighted_join(chunk(t, 2, 0), 0), t); }, x));
  CHECK(gradgrad::check(
      [](const Tensor& t) {
        auto p = unbind(t, 1);
        return mul(mul(p[0], p[1]), p[2]);
      },
      x));
}

TEST_CASE("unbind into many pieces backpropagates in O(numel log pieces), not O(numel * pieces)") {
  // 4096 pieces of 16: a full-shape gradient per piece would move 4096 * 65536 values; the tree of
  // 12 levels moves about 2 * 65536 per level
  const Tensor x = randn64({4096, 16}, 113);
  const auto pieces = unbind(x, 0);
  Tensor total = sum(pieces[0]);
  for (std::size_t i = 1; i < pieces.size(); ++i) total = add(total, sum(pieces[i] * static_cast<double>(i % 7)));
  std::int64_t moved = 0;  // elements of every gradient the sweep's rules returned
  {
    BackwardObserver watch([&](const BackwardStep& s) {
      for (const Tensor& g : s.grad_inputs)
        if (g.defined()) moved += g.numel();
    });
    total.backward();
  }
  CHECK(moved < 40 * x.numel());
  const auto g = x.grad().to_vector();
  CHECK(g[0] == 1.0);
  CHECK(g[16 * 4095] == static_cast<double>(4095 % 7));
  CHECK(g[16 * 8 + 3] == 1.0);
}

TEST_CASE("chunk, split and unbind name their grad_fn as PyTorch and have method forms") {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, Shape{2, 3}, {.dtype = DType::f64, .requires_grad = true});
  for (const Tensor& p : chunk(x, 2, 1)) CHECK(p.grad_fn()->name() == "SplitBackward0");
  for (const Tensor& p : split(x, 1, 0)) CHECK(p.grad_fn()->name() == "SplitBackward0");
  for (const Tensor& p : split(x, {1, 2}, 1)) CHECK(p.grad_fn()->name() == "SplitWithSizesBackward0");
  for (const Tensor& p : unbind(x, 1)) CHECK(p.grad_fn()->name() == "UnbindBackward0");
  const Tensor e = zeros({0, 2}, {.dtype = DType::f64, .requires_grad = true});
  for (const Tensor& p : chunk(e, 2)) CHECK(p.grad_fn()->name() == "SplitWithSizesBackward0");  // as torch
  CHECK(x.chunk(2, 1).size() == 2);
  CHECK(x.chunk(2, 1)[1].to_vector() == std::vector<double>{3, 6});
  CHECK(x.split(2, 1)[0].shape() == Shape{2, 2});
  CHECK(x.split({2}, 0).size() == 1);  // braced sizes are a list of sizes, as x.split([2], 0)
  CHECK(x.split({1, 2}, 1)[1].to_vector() == std::vector<double>{2, 3, 5, 6});
  CHECK(x.unbind(1)[2].to_vector() == std::vector<double>{3, 6});
  CHECK(x.unbind().size() == 2);
}

TEST_CASE("chunk, split and unbind reject bad arguments, naming the op") {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, Shape{2, 3}, {.dtype = DType::f64});
  const Tensor s = scalar_tensor(1.0);
  CHECK_THROWS_WITH_AS(chunk(x, 0, 1), doctest::Contains("chunk: chunks must be greater than 0, got 0"), ValueError);
  CHECK_THROWS_WITH_AS(chunk(x, -2), doctest::Contains("chunk"), ValueError);
  CHECK_THROWS_WITH_AS(chunk(s, 2), doctest::Contains("chunk"), IndexError);
  CHECK_THROWS_WITH_AS(chunk(x, 2, 2), doctest::Contains("chunk"), ValueError);
  CHECK_THROWS_WITH_AS(split(x, -1, 1), doctest::Contains("split: split_size must be non-negative"), ValueError);
  CHECK_THROWS_WITH_AS(split(x, 0, 1), doctest::Contains("split: split_size can be 0 only"), ValueError);
  CHECK_THROWS_WITH_AS(split(x, {1, 1}, 1), doctest::Contains("add up to the extent 3 of dim 1"), ValueError);
  CHECK_THROWS_WITH_AS(split(x, {4, -1}, 1), doctest::Contains("split: sizes [4, -1] must be non-negative"),
                       ValueError);
  CHECK_THROWS_WITH_AS(split(s, 1), doctest::Contains("split"), IndexError);
  CHECK_THROWS_WITH_AS(unbind(s), doctest::Contains("unbind"), IndexError);
  CHECK_THROWS_WITH_AS(unbind(x, -3), doctest::Contains("unbind"), ValueError);
}

TEST_CASE("chunk, split and unbind give no silently wrong gradient after an in-place change") {
  const std::vector<double> a = {0.3, -0.7, 1.2, 0.5}, b = {0.9, 0.4, -0.2, 1.5};
  inplace_sweep::run({
      {"chunk",
       [](auto& v) {
         auto p = chunk(v[0], 2, 0);
         return mul(p[0], p[1]);
       },
       {a}},
      {"split_sizes",
       [](auto& v) {
         auto p = split(v[0], {1, 1}, 1);
         return mul(mul(p[0], p[1]), v[1]);
       },
       {a, b}},
      {"unbind",
       [](auto& v) {
         auto p = unbind(v[0], 1);
         return mul(p[1], v[1]);
       },
       {a, b}},
  });
}
