// The workloads of the benchmark, shared by the tapegrad and libtorch programs so both run the
// same shapes: four ReLU MLPs (float32, Adam) and the matmul shapes their steps contain.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

/// A ReLU MLP: layer widths (input first), batch size, and whether the loss is cross-entropy
/// over the last width's classes (else MSE against a [batch, 1] target).
struct MlpConfig {
  std::string name;
  std::vector<int64_t> widths;
  int64_t batch;
  bool classify;
};

inline const std::vector<MlpConfig>& mlp_configs() {
  static const std::vector<MlpConfig> configs = {
      {"tiny", {2, 16, 16, 1}, 32, false},
      {"small", {784, 128, 10}, 64, true},
      {"medium", {784, 512, 512, 10}, 256, true},
      {"large", {1024, 4096, 4096, 1024}, 512, true},
  };
  return configs;
}

inline const MlpConfig& mlp_config(const std::string& name) {
  for (const auto& c : mlp_configs())
    if (c.name == name) return c;
  throw std::invalid_argument("unknown MLP config '" + name + "' (tiny, small, medium, large)");
}

/// A GEMM C [m, n] = op(A) op(B) with inner size k, as the layers of a step run it.
struct Gemm {
  int64_t m, k, n;
  bool trans_a, trans_b;
};

/// The GEMMs of one training step of an MLP (nn.Linear: y = x Wᵀ): per layer of in -> out with
/// batch B, forward y [B, out] = x [B, in] Wᵀ; backward dW [out, in] = gᵀ [out, B] x [B, in];
/// and dx [B, in] = g [B, out] W [out, in] for every layer but the first (the input needs none).
inline std::vector<Gemm> step_gemms(const MlpConfig& c) {
  std::vector<Gemm> out;
  for (size_t l = 0; l + 1 < c.widths.size(); ++l) {
    const int64_t in = c.widths[l], o = c.widths[l + 1], b = c.batch;
    out.push_back({b, in, o, false, true});
    out.push_back({o, b, in, true, false});
    if (l > 0) out.push_back({b, o, in, false, false});
  }
  return out;
}

}  // namespace bench
