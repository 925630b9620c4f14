#pragma once
// Synthetic data sets built in: three spirals, two moons, and the textbooks' noisy line.
// Each is a pure function of its arguments: the same seed gives the same values on every
// platform (tapegrad's own Generator; not NumPy's or sklearn's numbers for that seed).
#include <cstdint>

#include "../core/dtype.hpp"
#include "dataset.hpp"

namespace tapegrad::data {

/// Interleaved spiral arms, one per class (the CS231n set): point i of class c lies at radius
/// r = i / (n_per_class - 1) and angle 4 (c + r) + noise * N(0, 1) radians, at
/// (r sin(angle), r cos(angle)). Points are ordered class by class. Returns input [N, 2]
/// (dtype, float32 by default) and target [N] int64, N = n_per_class * classes. Throws
/// ValueError for n_per_class < 2, classes < 1 or a negative noise.
Sample spirals(std::int64_t n_per_class, std::int64_t classes, double noise, std::uint64_t seed,
               DType dtype = DType::f32);

/// Two interleaving half circles, as sklearn.datasets.make_moons(shuffle=False): the first
/// n / 2 (rounded down) points, class 0, at (cos t, sin t); the rest, class 1, at
/// (1 - cos t, 0.5 - sin t), t evenly spaced over [0, pi] on each moon; then Gaussian noise of
/// standard deviation `noise` added to both coordinates. Returns input [n, 2] and target [n]
/// int64. Throws ValueError for n < 2 or a negative noise.
Sample moons(std::int64_t n, double noise, std::uint64_t seed, DType dtype = DType::f32);

/// The textbooks' regression set y = slope * x + intercept + noise * N(0, 1), with x uniform in
/// [0, 2). Unlike the NumPy demos it redoes (`y = 3 * X + 2 + np.random.rand(100, 1)`), the
/// noise has mean zero, so least squares recovers the intercept instead of intercept + 0.5.
/// Returns input x [n, 1] and target y [n, 1]. Throws ValueError for n < 1 or a negative noise.
Sample noisy_line(std::int64_t n, double slope = 3, double intercept = 2, double noise = 0.5, std::uint64_t seed = 0,
                  DType dtype = DType::f32);

}  // namespace tapegrad::data
