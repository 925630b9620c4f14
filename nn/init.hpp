#pragma once
// Weight initialisation, as torch.nn.init: each function fills a tensor IN PLACE (under
// NoGradGuard, so parameters that require grad may be passed) and returns it. Random ones draw
// from `gen`, or from default_generator() when gen is null, so manual_seed makes them
// reproducible (the numbers are tapegrad's own, not PyTorch's for the same seed).
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include "../autograd/random.hpp"
#include "../autograd/tensor.hpp"

namespace tapegrad::nn::init {

/// The recommended gain for a nonlinearity, as torch.nn.init.calculate_gain:
/// "linear", "conv1d/2d/3d", "conv_transpose1d/2d/3d", "sigmoid": 1; "tanh": 5/3;
/// "relu": √2; "leaky_relu": √(2 / (1 + slope²)) with slope = param (0.01 if absent);
/// "selu": 3/4. param is ignored by the others, as in torch. Throws ValueError for any other
/// name.
double calculate_gain(std::string_view nonlinearity, std::optional<double> param = std::nullopt);

/// (fan_in, fan_out) of a weight, as torch's _calculate_fan_in_and_fan_out: for shape
/// [out, in, k...] fan_in = in * prod(k), fan_out = out * prod(k). Throws ValueError for fewer
/// than 2 dims.
std::pair<std::int64_t, std::int64_t> calculate_fan_in_and_fan_out(const Tensor& t);

/// Fills t with U(a, b).
Tensor uniform_(const Tensor& t, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
/// Fills t with N(mean, std²).
Tensor normal_(const Tensor& t, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
/// Fills t with val.
Tensor constant_(const Tensor& t, double val);
/// Fills t with 0.
Tensor zeros_(const Tensor& t);
/// Fills t with 1.
Tensor ones_(const Tensor& t);
/// Glorot uniform: U(-a, a) with a = gain * √(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);
/// Glorot normal: N(0, std²) with std = gain * √(2 / (fan_in + fan_out)).
Tensor xavier_normal_(const Tensor& t, double gain = 1.0, Generator* gen = nullptr);
/// He uniform: U(-bound, bound) with bound = gain * √(3 / fan), gain = calculate_gain(
/// nonlinearity, a) and fan = fan_in or fan_out by `mode`. Linear's default weight init is
/// kaiming_uniform_(w, √5), i.e. bound = 1/√fan_in. Throws ValueError for a mode other than
/// "fan_in"/"fan_out". A tensor with no elements is left as it is (torch warns).
Tensor kaiming_uniform_(const Tensor& t, double a = 0.0, std::string_view mode = "fan_in",
                        std::string_view nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// He normal: N(0, std²) with std = gain / √fan (gain and fan as kaiming_uniform_).
Tensor kaiming_normal_(const Tensor& t, double a = 0.0, std::string_view mode = "fan_in",
                       std::string_view nonlinearity = "leaky_relu", Generator* gen = nullptr);

}  // namespace tapegrad::nn::init
