#pragma once
// Seeded random tensors. The generator is our own (mt19937_64 with fixed transforms), so a seed
// gives the same numbers on every platform; they are not PyTorch's numbers for that seed.
#include <cstdint>
#include <random>

#include "tensor.hpp"

namespace tapegrad {

/// Everything that decides a generator's next numbers (copyable, comparable).
struct GeneratorState {
  std::mt19937_64 engine;
  bool has_spare = false;  // a second Box-Muller normal waiting to be returned
  double spare = 0;
  friend bool operator==(const GeneratorState&, const GeneratorState&) = default;
};

/// A seeded source of random numbers.
class Generator {
 public:
  explicit Generator(std::uint64_t seed = 5489) : engine_(seed) {}
  /// Restarts the sequence: the same seed gives the same numbers whatever was drawn before.
  void manual_seed(std::uint64_t seed) {
    engine_.seed(seed);
    has_spare_ = false;
  }
  /// The state, to come back to later with set_state (as torch's get_state/set_state).
  GeneratorState state() const { return {engine_, has_spare_, spare_}; }
  void set_state(const GeneratorState& s) {
    engine_ = s.engine;
    has_spare_ = s.has_spare;
    spare_ = s.spare;
  }
  /// Uniform in [0, 1), 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  /// Standard normal (Box-Muller).
  double normal();
  /// Uniform integer in [low, high).
  std::int64_t integer(std::int64_t low, std::int64_t high);
  std::uint64_t next_u64() { return engine_(); }

 private:
  std::mt19937_64 engine_;
  bool has_spare_ = false;
  double spare_ = 0;
};

/// The generator creation functions use by default (per thread).
Generator& default_generator();
/// Seeds the default generator, like torch.manual_seed.
void manual_seed(std::uint64_t seed);

/// Uniform on [0, 1).
Tensor rand(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
/// Standard normal.
Tensor randn(const Shape& shape, TensorOptions options = {}, Generator* gen = nullptr);
/// Integers uniform in [low, high); int64 by default, as torch.randint.
Tensor randint(std::int64_t low, std::int64_t high, const Shape& shape, TensorOptions options = {.dtype = DType::i64},
               Generator* gen = nullptr);
Tensor rand_like(const Tensor& t, Generator* gen = nullptr);
Tensor randn_like(const Tensor& t, Generator* gen = nullptr);
/// A random permutation of 0..n-1 (int64), like torch.randperm.
Tensor randperm(std::int64_t n, Generator* gen = nullptr);

}  // namespace tapegrad
