// Writing your own differentiable function, and checking its gradient with gradcheck.
//
// custom_op(name, inputs, forward, backward) records any function on the tape, like a built-in
// op: forward computes the value (here once with a raw loop, once with tensor ops), backward
// maps the output's gradient g to one gradient per input. gradcheck then compares that backward
// with central differences. The last part plants a bug in a backward rule and prints what the
// failing check reports.
//
//   custom_op_gradcheck [--seed 0]
// Exits 0 only if the correct ops pass and the wrong one fails.
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/tapegrad.hpp>

#include <cmath>

using namespace tapegrad;

namespace {

// my_softsign(x) = x / (1 + |x|); dx = g / (1 + |x|)^2.
// The forward is a plain loop over the values (any code can go here: it is not recorded); the
// backward uses tensor ops, so it is itself differentiable (double backward works).
Tensor my_softsign(const Tensor& x) {
  return custom_op(
      "my_softsign", {x},
      [](const std::vector<Tensor>& in) {
        const Tensor& v = in[0];
        Tensor out = empty_like(v);
        dispatch_float(v.dtype(), "softsign", [&]<class T>() {
          const T* src = v.data<T>();
          T* dst = out.data<T>();
          for (std::int64_t i = 0; i < v.numel(); ++i) dst[i] = src[i] / (T(1) + std::abs(src[i]));
        });
        return out;
      },
      [](const Tensor& g, const std::vector<Tensor>& in, const Tensor& /*out*/) {
        const Tensor denom = 1.0 + abs(in[0]);
        return GradList{g / (denom * denom)};
      },
      {.rule = "dx = g / (1 + |x|)^2"});
}

// hypot(a, b) = sqrt(a^2 + b^2), a and b broadcast; da = g a / out, db = g b / out, each summed
// back to its input's shape. The backward reuses the output it is handed.
// `wrong` plants a copy-paste bug: db = g a / out.
Tensor hypotenuse(const Tensor& a, const Tensor& b, bool wrong = false) {
  return custom_op(
      wrong ? "hypot_wrong" : "hypot", {a, b},
      [](const std::vector<Tensor>& in) { return sqrt(in[0] * in[0] + in[1] * in[1]); },
      [wrong](const Tensor& g, const std::vector<Tensor>& in, const Tensor& out) {
        const Tensor& a = in[0];
        const Tensor& b = in[1];
        const Tensor go = g / out;
        return GradList{a.requires_grad() ? sum_to(go * a, a.shape()) : Tensor(),
                        b.requires_grad() ? sum_to(go * (wrong ? a : b), b.shape()) : Tensor()};
      },
      {.rule = wrong ? "da = g a / out, db = g a / out (wrong!)" : "da = g a / out, db = g b / out"});
}

Tensor random_input(const Shape& shape) { return randn(shape, {.dtype = DType::f64, .requires_grad = true}); }

bool report(const std::string& what, const GradcheckReport& r) {
  fmt::print("{}:\n  {}\n", what, r.message());
  return r.ok;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"custom_op_gradcheck: a user-defined differentiable function, checked with gradcheck"};
  int seed = 0;
  app.add_option("--seed", seed, "seed of the random test inputs")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  manual_seed(static_cast<std::uint64_t>(seed));

  try {
    // use them like any op: the tape shows them, backward runs their rules
    Tensor x = tensor({-2.0, 0.5, 3.0}, {.requires_grad = true});
    Tensor y = sum(my_softsign(x) * hypotenuse(x, tensor({1.0})));
    fmt::print("the tape of sum(my_softsign(x) * hypot(x, 1)):\n{}\n", tape_string(y));
    y.backward();
    fmt::print("x = {}\ndy/dx = {}\n\n", x, x.grad());

    bool ok = true;
    ok &= report("gradcheck softsign on [3, 4]",
                 gradcheck([](const std::vector<Tensor>& in) { return my_softsign(in[0]); }, {random_input({3, 4})}));
    ok &= report("gradcheck softsign on a 0-d tensor",
                 gradcheck([](const std::vector<Tensor>& in) { return my_softsign(in[0]); }, {random_input({})}));
    ok &= report("gradcheck hypot on [2, 3] and [3] (broadcast)",
                 gradcheck([](const std::vector<Tensor>& in) { return hypotenuse(in[0], in[1]); },
                           {random_input({2, 3}), random_input({3})}));
    // second derivatives: gradcheck of the gradient function itself
    ok &= report("gradcheck of softsign's gradient (double backward)",
                 gradcheck(
                     [](const std::vector<Tensor>& in) {
                       EnableGradGuard recording;  // gradcheck evaluates fn under no_grad for the differences
                       return grad({sum(softsign(in[0]))}, {in[0]}, {}, {.create_graph = true})[0];
                     },
                     {random_input({4})}));

    fmt::print("\nnow the same check on hypot with a wrong backward (db uses a instead of b):\n");
    const GradcheckReport wrong =
        gradcheck([](const std::vector<Tensor>& in) { return hypotenuse(in[0], in[1], true); },
                  {random_input({2, 3}), random_input({3})});
    report("gradcheck hypot_wrong", wrong);
    fmt::print("  (input {} is b; at element [{}] autograd says {:.6g} where central differences say {:.6g})\n",
               wrong.input, fmt::join(wrong.index, ", "), wrong.analytical, wrong.numerical);

    const bool caught = !wrong.ok && wrong.input == 1;
    fmt::print("\ncorrect ops pass: {}; the wrong backward is caught (on input 1): {}\n", ok ? "yes" : "NO",
               caught ? "yes" : "NO");
    return ok && caught ? 0 : 1;
  } catch (const Error& e) {
    fmt::print(stderr, "custom_op_gradcheck: {}\n", e.what());
    return 1;
  }
}
