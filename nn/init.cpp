// torch.nn.init: in-place fills with torch's formulas for gains, fans and bounds.
#include "init.hpp"

#include <cmath>

#include "../autograd/grad_mode.hpp"

namespace tapegrad::nn::init {

namespace {
Generator& pick(Generator* gen) { return gen ? *gen : default_generator(); }

// Writes draw() into every element of t (float dtypes only), without recording.
template <class F> Tensor fill(const Tensor& t, const char* op, F&& draw) {
  if (!t.defined()) fail<StateError>("init.{}: the tensor is undefined", op);
  NoGradGuard no_grad;
  detail::bump_version(t);
  dispatch_float(t.dtype(), op, [&]<class T>() {
    T* p = t.data<T>();
    for (std::int64_t i = 0, n = t.numel(); i < n; ++i) p[i] = static_cast<T>(draw());
  });
  return t;
}

std::int64_t pick_fan(const Tensor& t, std::string_view mode, const char* op) {
  if (mode != "fan_in" && mode != "fan_out")
    fail<ValueError>("init.{}: mode '{}' not supported, please use one of fan_in, fan_out", op, mode);
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return mode == "fan_in" ? fan_in : fan_out;
}
}  // namespace

double calculate_gain(std::string_view nl, std::optional<double> param) {
  if (nl == "linear" || nl == "conv1d" || nl == "conv2d" || nl == "conv3d" || nl == "conv_transpose1d" ||
      nl == "conv_transpose2d" || nl == "conv_transpose3d" || nl == "sigmoid")
    return 1.0;
  if (nl == "tanh") return 5.0 / 3.0;
  if (nl == "relu") return std::sqrt(2.0);
  if (nl == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nl == "selu") return 3.0 / 4.0;
  fail<ValueError>(
      "init.calculate_gain: unsupported nonlinearity '{}' (use linear, sigmoid, tanh, relu, "
      "leaky_relu, selu or a conv name)",
      nl);
}

// weight [out, in, k1, k2, ...]: receptive = k1 * k2 * ...; fan_in = in * receptive,
// fan_out = out * receptive
std::pair<std::int64_t, std::int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  if (t.dim() < 2)
    fail<ValueError>(
        "init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
        "(shape {})",
        t.shape());
  std::int64_t receptive = 1;
  for (std::int64_t d = 2; d < t.dim(); ++d) receptive *= t.size(d);
  return {t.size(1) * receptive, t.size(0) * receptive};
}

// x = a + (b - a) u, u ~ U[0, 1)
Tensor uniform_(const Tensor& t, double a, double b, Generator* gen) {
  if (!(a <= b)) fail<ValueError>("init.uniform_: expected a <= b, got a = {} and b = {}", a, b);
  Generator& g = pick(gen);
  return fill(t, "uniform_", [&] { return a + (b - a) * g.uniform(); });
}

// x = mean + std z, z ~ N(0, 1)
Tensor normal_(const Tensor& t, double mean, double std, Generator* gen) {
  if (!(std >= 0)) fail<ValueError>("init.normal_: expected std >= 0, got {}", std);
  Generator& g = pick(gen);
  return fill(t, "normal_", [&] { return mean + std * g.normal(); });
}

Tensor constant_(const Tensor& t, double val) {
  return fill(t, "constant_", [&] { return val; });
}
Tensor zeros_(const Tensor& t) { return constant_(t, 0.0); }
Tensor ones_(const Tensor& t) { return constant_(t, 1.0); }

// std = gain √(2 / (fan_in + fan_out)); U(-√3 std, √3 std) has that std
Tensor xavier_uniform_(const Tensor& t, double gain, Generator* gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  const double a = std::sqrt(3.0) * std;
  return uniform_(t, -a, a, gen);
}

Tensor xavier_normal_(const Tensor& t, double gain, Generator* gen) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(t, 0.0, std, gen);
}

// std = gain / √fan; bound = √3 std
Tensor kaiming_uniform_(const Tensor& t, double a, std::string_view mode, std::string_view nonlinearity,
                        Generator* gen) {
  if (t.defined() && t.numel() == 0) return t;
  const std::int64_t fan = pick_fan(t, mode, "kaiming_uniform_");
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
  const double bound = std::sqrt(3.0) * std;
  return uniform_(t, -bound, bound, gen);
}

Tensor kaiming_normal_(const Tensor& t, double a, std::string_view mode, std::string_view nonlinearity,
                       Generator* gen) {
  if (t.defined() && t.numel() == 0) return t;
  const std::int64_t fan = pick_fan(t, mode, "kaiming_normal_");
  const double std = calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
  return normal_(t, 0.0, std, gen);
}

}  // namespace tapegrad::nn::init
