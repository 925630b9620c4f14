// nn/functional.hpp: batch_norm, layer_norm, embedding against PyTorch (fixtures/norm.txt from
// gen_norm.py), gradcheck of first and second order, values by hand, and bad input.
#include <doctest/doctest.h>
#include <tapegrad/nn/functional.hpp>

#include "fixtures.hpp"

using namespace tapegrad;
using TL = std::vector<Tensor>;

namespace {
const char* kTags[] = {"f64", "f32"};

Tensor leaf(const Shape& s, double scale = 1.0, double shift = 0.0) {
  NoGradGuard no_grad;
  return (randn(s, {.dtype = DType::f64}) * scale + shift).requires_grad_(true);
}
Tensor idx(const std::vector<double>& v, const Shape& s) { return tensor(v, s, {.dtype = DType::i64}); }

// x -> the gradients of sum(fn(x) * r) with respect to every input that requires grad (made with
// create_graph), flattened and joined: gradcheck on it checks the second derivatives
Tensor grad_of_weighted_sum(const std::function<Tensor(const TL&)>& fn, const TL& v) {
  EnableGradGuard on;  // gradcheck's numerical pass runs under no-grad
  const Tensor y = fn(v);
  Generator gen(7);
  const Tensor r = randn(y.shape(), {.dtype = y.dtype()}, &gen);
  TL wrt;
  for (const auto& t : v)
    if (t.requires_grad()) wrt.push_back(t);
  TL gs = grad({sum(y * r)}, wrt, {}, {.create_graph = true});
  for (auto& g : gs) g = flatten(g);
  return cat(gs);
}

bool gradgradcheck(const std::function<Tensor(const TL&)>& fn, const TL& inputs) {
  return static_cast<bool>(gradcheck([&](const TL& v) { return grad_of_weighted_sum(fn, v); }, inputs));
}

// runs the functional batch_norm case `name` (running stats from name.rm_before/.rv_before) and
// checks output, gradients and the running stats after the call
void check_batch_norm_case(const fixtures::Family& fx, const std::string& name, bool training, bool affine,
                           double momentum = 0.1, double eps = 1e-5) {
  Tensor rm = fx[name + ".rm_before"].clone(), rv = fx[name + ".rv_before"].clone();
  CHECK_CASE(fx, name, affine ? 3 : 1, [&](const TL& v) {
    return nn::batch_norm(v[0], rm, rv, affine ? v[1] : Tensor(), affine ? v[2] : Tensor(), training, momentum, eps);
  });
  CHECK_CLOSE_T(rm, fx[name + ".rm_after"]);
  CHECK_CLOSE_T(rv, fx[name + ".rv_after"]);
  CHECK_FALSE(rm.requires_grad());
  CHECK(rm.is_leaf());
}
}  // namespace

// ---- batch_norm ---------------------------------------------------------------------------------

TEST_CASE("batch_norm matches torch.nn.functional.batch_norm in training and eval, with running stats") {
  const auto& fx = fixtures::load("norm");
  for (std::string tag : kTags) {
    CAPTURE(tag);
    check_batch_norm_case(fx, "bnf_train_2d_" + tag, true, true);
    check_batch_norm_case(fx, "bnf_train_3d_" + tag, true, true, 0.3);
    check_batch_norm_case(fx, "bnf_train_2d_noaffine_" + tag, true, false);
    check_batch_norm_case(fx, "bnf_train_3d_eps_" + tag, true, true, 0.1, 1e-2);
    check_batch_norm_case(fx, "bnf_eval_2d_" + tag, false, true);
    check_batch_norm_case(fx, "bnf_eval_3d_noaffine_" + tag, false, false);
    check_batch_norm_case(fx, "bnf_train_n2_" + tag, true, true);
  }
}

TEST_CASE("batch_norm by hand: biased variance in the output, unbiased in the running estimate") {
  // x = [[1], [3]] in one channel: mean 2, biased var 1, unbiased var 2;
  // y = (x - 2) / sqrt(1 + 0) = [-1, 1]; rm = 0.5 * 0 + 0.5 * 2 = 1; rv = 0.5 * 1 + 0.5 * 2 = 1.5
  const Tensor x = tensor({1, 3}, {2, 1}, {.dtype = DType::f64});
  Tensor rm = zeros({1}, {.dtype = DType::f64}), rv = ones({1}, {.dtype = DType::f64});
  const Tensor y = nn::batch_norm(x, rm, rv, Tensor(), Tensor(), true, 0.5, 0.0);
  CHECK(y.to_vector() == std::vector<double>{-1, 1});
  CHECK(rm.item() == 1.0);
  CHECK(rv.item() == 1.5);
  // eval with those stats: (x - 1) / sqrt(1.5)
  const Tensor e = nn::batch_norm(x, rm, rv, Tensor(), Tensor(), false, 0.5, 0.0);
  CHECK(e.to_vector()[1] == doctest::Approx(2.0 / std::sqrt(1.5)).epsilon(1e-15));
  CHECK(rm.item() == 1.0);  // eval leaves the stats alone
}

TEST_CASE("batch_norm trains without running stats, and never records their update") {
  const Tensor x = leaf({4, 3});
  const Tensor y = nn::batch_norm(x, Tensor(), Tensor(), Tensor(), Tensor(), true);
  CHECK(y.shape() == Shape{4, 3});
  CHECK(sum(mean(y, {0}) * mean(y, {0})).item() < 1e-20);  // every channel has mean 0
  Tensor rm = zeros({3}, {.dtype = DType::f64}), rv = ones({3}, {.dtype = DType::f64});
  const Tensor y2 = nn::batch_norm(x, rm, rv, Tensor(), Tensor(), true);
  CHECK(y2.requires_grad());
  CHECK(rm.grad_fn() == nullptr);
  CHECK(rv.grad_fn() == nullptr);
}

TEST_CASE("gradcheck: batch_norm in training and eval, [N, C], [N, C, L] and [N, C, H, W]") {
  for (const Shape& s : {Shape{5, 3}, Shape{3, 2, 4}, Shape{2, 2, 3, 2}}) {
    CAPTURE(s);
    const Tensor x = leaf(s, 2.0, 0.5), w = leaf({s[1]}), b = leaf({s[1]});
    const Tensor rm = zeros({s[1]}, {.dtype = DType::f64}), rv = full({s[1]}, 1.5, {.dtype = DType::f64});
    const auto train = [=](const TL& v) { return nn::batch_norm(v[0], rm, rv, v[1], v[2], true); };
    const auto eval = [=](const TL& v) { return nn::batch_norm(v[0], rm, rv, v[1], v[2], false); };
    CHECK(gradcheck(train, {x, w, b}));
    CHECK(gradcheck(eval, {x, w, b}));
    CHECK(
        gradcheck([](const TL& v) { return nn::batch_norm(v[0], Tensor(), Tensor(), Tensor(), Tensor(), true); }, {x}));
    CHECK(gradgradcheck(train, {x, w, b}));
    CHECK(gradgradcheck(eval, {x, w, b}));
  }
}

TEST_CASE("batch_norm rejects bad input, naming batch_norm") {
  const Tensor x = randn({4, 3}), c3 = ones({3}), c2 = ones({2});
  CHECK_THROWS_WITH_AS(nn::batch_norm(randn({4}), c3, c3), doctest::Contains("batch_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x, c2, c3), doctest::Contains("running_mean"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x, c3, c3, c2), doctest::Contains("weight"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x, c3, c3, c3, c2), doctest::Contains("bias"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x, c3, c3, ones({3}, {.dtype = DType::f64})), doctest::Contains("batch_norm"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x.to(DType::f64), c3, c3), doctest::Contains("batch_norm"), DTypeError);
  CHECK_THROWS_WITH_AS(
      nn::batch_norm(zeros({4, 3}, {.dtype = DType::i64}), Tensor(), Tensor(), Tensor(), Tensor(), true),
      doctest::Contains("batch_norm"), DTypeError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x, Tensor(), Tensor()), doctest::Contains("training is false"), ValueError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(x, c3.clone(), Tensor(), Tensor(), Tensor(), true), doctest::Contains("both"),
                       ValueError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(randn({1, 3}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("more than 1 value per channel"), ValueError);
  CHECK_THROWS_WITH_AS(nn::batch_norm(randn({1, 3, 1}), Tensor(), Tensor(), Tensor(), Tensor(), true),
                       doctest::Contains("batch_norm"), ValueError);
}

// ---- layer_norm ---------------------------------------------------------------------------------

TEST_CASE("layer_norm matches torch.nn.functional.layer_norm over the last 1 and 2 dims") {
  const auto& fx = fixtures::load("norm");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "ln_last1_affine_" + tag, 3, [](const TL& v) { return nn::layer_norm(v[0], {5}, v[1], v[2]); });
    CHECK_CASE(fx, "ln_last1_plain_" + tag, 1, [](const TL& v) { return nn::layer_norm(v[0], {5}); });
    CHECK_CASE(fx, "ln_last2_affine_" + tag, 3, [](const TL& v) { return nn::layer_norm(v[0], {3, 4}, v[1], v[2]); });
    CHECK_CASE(fx, "ln_last2_plain_" + tag, 1, [](const TL& v) { return nn::layer_norm(v[0], {3, 4}); });
    CHECK_CASE(fx, "ln_last1_eps_" + tag, 3, [](const TL& v) { return nn::layer_norm(v[0], {6}, v[1], v[2], 1e-1); });
    CHECK_CASE(fx, "ln_1d_" + tag, 3, [](const TL& v) { return nn::layer_norm(v[0], {7}, v[1], v[2]); });
    CHECK_CASE(fx, "ln_weight_only_" + tag, 2, [](const TL& v) { return nn::layer_norm(v[0], {4}, v[1]); });
  }
}

TEST_CASE("layer_norm by hand") {
  // [1, 2, 3]: mean 2, biased var 2/3 -> (x - 2) / sqrt(2/3) = [-sqrt(1.5), 0, sqrt(1.5)]
  const Tensor y = nn::layer_norm(tensor({1, 2, 3}, {1, 3}, {.dtype = DType::f64}), {3}, Tensor(), Tensor(), 0.0);
  CHECK(y.to_vector()[0] == doctest::Approx(-std::sqrt(1.5)).epsilon(1e-15));
  CHECK(y.to_vector()[1] == 0.0);
  CHECK(y.to_vector()[2] == doctest::Approx(std::sqrt(1.5)).epsilon(1e-15));
}

TEST_CASE("gradcheck: layer_norm over 1 and 2 dims, with and without weight and bias") {
  const Tensor x = leaf({2, 3, 4}, 2.0, 1.0);
  for (const Shape& ns : {Shape{4}, Shape{3, 4}, Shape{2, 3, 4}}) {
    CAPTURE(ns);
    const Tensor w = leaf(ns), b = leaf(ns);
    const auto affine = [ns](const TL& v) { return nn::layer_norm(v[0], ns, v[1], v[2]); };
    CHECK(gradcheck(affine, {x, w, b}));
    CHECK(gradcheck([ns](const TL& v) { return nn::layer_norm(v[0], ns); }, {x}));
    CHECK(gradgradcheck(affine, {x, w, b}));
  }
}

TEST_CASE("layer_norm rejects bad input, naming layer_norm") {
  const Tensor x = randn({2, 3, 4});
  CHECK_THROWS_WITH_AS(nn::layer_norm(x, {3}), doctest::Contains("layer_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::layer_norm(x, {5, 2, 3, 4}), doctest::Contains("layer_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::layer_norm(x, Shape{}), doctest::Contains("layer_norm"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::layer_norm(x, {4}, ones({3})), doctest::Contains("weight"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::layer_norm(x, {4}, ones({4}), ones({1, 4})), doctest::Contains("bias"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::layer_norm(x, {4}, ones({4}, {.dtype = DType::f64})), doctest::Contains("layer_norm"),
                       DTypeError);
  CHECK_THROWS_WITH_AS(nn::layer_norm(zeros({2, 4}, {.dtype = DType::i64}), {4}), doctest::Contains("layer_norm"),
                       DTypeError);
}

// ---- embedding ----------------------------------------------------------------------------------

TEST_CASE("embedding matches torch.nn.functional.embedding, with repeats and padding_idx") {
  const auto& fx = fixtures::load("norm");
  for (std::string tag : kTags) {
    CHECK_CASE(fx, "emb_basic_" + tag, 2, [](const TL& v) { return nn::embedding(v[0], v[1]); });
    CHECK_CASE(fx, "emb_1d_" + tag, 2, [](const TL& v) { return nn::embedding(v[0], v[1]); });
    CHECK_CASE(fx, "emb_0d_" + tag, 2, [](const TL& v) { return nn::embedding(v[0], v[1]); });
    CHECK_CASE(fx, "emb_pad_" + tag, 2, [](const TL& v) { return nn::embedding(v[0], v[1], 2); });
    CHECK_CASE(fx, "emb_pad_neg_" + tag, 2, [](const TL& v) { return nn::embedding(v[0], v[1], -1); });
  }
}

TEST_CASE("embedding by hand: the padding row gets no gradient, repeated rows add up") {
  Tensor w = tensor({0, 1, 10, 11, 20, 21}, {3, 2}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor y = nn::embedding(idx({1, 2, 1, 0}, {2, 2}), w, 1);
  CHECK(y.shape() == Shape{2, 2, 2});
  CHECK(y.to_vector() == std::vector<double>{10, 11, 20, 21, 10, 11, 0, 1});
  y.backward(ones_like(y));
  // row 0 once, row 1 (padding) nothing, row 2 once
  CHECK(w.grad().to_vector() == std::vector<double>{1, 1, 0, 0, 1, 1});
  CHECK(y.grad_fn()->op() == std::string("embedding"));
}

TEST_CASE("gradcheck: embedding of weight, with and without padding_idx, first and second order") {
  const Tensor w = leaf({5, 3});
  const Tensor i = idx({0, 4, 4, 2, 1, 0}, {2, 3});
  // with padding_idx 4, row 4 gets no gradient by design although the output reads it; the
  // checked function masks row 4 out of the input so that finite differences agree
  const Tensor keep = tensor({1, 1, 1, 1, 0}, {5, 1}, {.dtype = DType::f64});
  for (std::optional<std::int64_t> pad : {std::optional<std::int64_t>(), std::optional<std::int64_t>(4)}) {
    const auto fn = [=](const TL& v) { return nn::embedding(i, pad ? v[0] * keep : v[0], pad); };
    CHECK(gradcheck(fn, {w}));
    CHECK(gradgradcheck([=](const TL& v) { return fn(v) * v[0].sum(); }, {w}));
  }
}

TEST_CASE("embedding rejects bad input, naming embedding") {
  const Tensor w = randn({4, 3});
  CHECK_THROWS_WITH_AS(nn::embedding(tensor({0, 1}), w), doctest::Contains("embedding"), DTypeError);
  CHECK_THROWS_WITH_AS(nn::embedding(idx({0, 4}, {2}), w), doctest::Contains("embedding"), IndexError);
  CHECK_THROWS_WITH_AS(nn::embedding(idx({-1}, {1}), w), doctest::Contains("embedding"), IndexError);
  CHECK_THROWS_WITH_AS(nn::embedding(idx({0}, {1}), randn({4})), doctest::Contains("embedding"), ShapeError);
  CHECK_THROWS_WITH_AS(nn::embedding(idx({0}, {1}), w, 4), doctest::Contains("padding_idx"), ValueError);
  CHECK_THROWS_WITH_AS(nn::embedding(idx({0}, {1}), w, -5), doctest::Contains("padding_idx"), ValueError);
  CHECK_THROWS_WITH_AS(nn::embedding(idx({0}, {1}), zeros({4, 3}, {.dtype = DType::i64})),
                       doctest::Contains("embedding"), DTypeError);
}
