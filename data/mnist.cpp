// MNIST's IDX files, plain or gzipped, read through zlib (gzread passes plain files through).
#include "mnist.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tapegrad::data {

namespace {

constexpr const char* kIdxHint =
    "get the IDX files (train-images-idx3-ubyte.gz etc.) from an MNIST mirror, or run scripts/fetch-data "
    "for tapegrad's cache of 10,000 MNIST digits";

/// An open (maybe gzipped) file; every failure is an IOError naming the file.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    errno = 0;
    file_ = gzopen(path.c_str(), "rb");
    if (!file_)
      fail<IOError>("mnist: cannot open '{}': {}; {}", path, errno ? std::strerror(errno) : "out of memory", kIdxHint);
  }
  ~GzReader() { gzclose(file_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  /// Reads up to n bytes; fewer only at the end of the data.
  std::size_t read(void* buf, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n - done, 1u << 20));
      const int got = gzread(file_, static_cast<char*>(buf) + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* msg = gzerror(file_, &code);
        fail<IOError>("mnist: '{}' is corrupt or truncated (zlib: {}); {}", path_, msg, kIdxHint);
      }
      if (got == 0) break;
      done += static_cast<std::size_t>(got);
    }
    return done;
  }

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

std::uint32_t big_endian_u32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

/// Reads an IDX file whose magic must be `magic` and which has `ndims` u32 extents after it.
/// Returns the extents and the payload (exactly the product of the extents, in bytes). The
/// payload grows with the bytes actually read, never from the header's counts alone.
std::vector<std::uint8_t> read_idx_file(const std::string& path, std::uint32_t magic, int ndims,
                                        std::vector<std::uint32_t>& dims) {
  GzReader in(path);
  unsigned char header[16];
  const std::size_t header_bytes = 4 + 4 * static_cast<std::size_t>(ndims);
  const std::size_t got = in.read(header, 4);
  if (got == 4 && big_endian_u32(header) != magic)
    fail<IOError>("mnist: '{}' is not an IDX{} file of unsigned bytes: magic 0x{:08x}, expected 0x{:08x}; {}", path,
                  ndims, big_endian_u32(header), magic, kIdxHint);
  if (got != 4 || in.read(header + 4, header_bytes - 4) != header_bytes - 4)
    fail<IOError>("mnist: '{}' is truncated: it is shorter than an IDX header ({} bytes); {}", path, header_bytes,
                  kIdxHint);
  dims.clear();
  std::uint64_t total = 1;
  for (int d = 0; d < ndims; ++d) {
    dims.push_back(big_endian_u32(header + 4 + 4 * d));
    if (d > 0 && (dims.back() == 0 || dims.back() > 1024))
      fail<IOError>("mnist: '{}' is corrupt: image extent {} is outside 1..1024; {}", path, dims.back(), kIdxHint);
    total *= dims.back();  // at most 2^32 * 1024 * 1024: no overflow
  }
  std::vector<std::uint8_t> data;
  constexpr std::size_t kChunk = std::size_t{1} << 22;
  while (data.size() < total) {
    const std::size_t old = data.size();
    const std::size_t want = std::min<std::uint64_t>(kChunk, total - old);
    data.resize(old + want);
    const std::size_t got = in.read(data.data() + old, want);
    if (got != want)
      fail<IOError>("mnist: '{}' is truncated: its header promises {} bytes of data, the file holds {}; {}", path,
                    total, old + got, kIdxHint);
  }
  unsigned char extra;
  if (in.read(&extra, 1) != 0)
    fail<IOError>("mnist: '{}' is corrupt: it has bytes after the {} its header promises; {}", path, total, kIdxHint);
  return data;
}

/// float32 [count, pixels] = bytes / 255.
Tensor scaled_images(const std::vector<std::uint8_t>& bytes, std::int64_t count, std::int64_t pixels) {
  Tensor x = detail::make_tensor({count, pixels}, DType::f32);
  float* px = x.data<float>();
  for (std::size_t i = 0; i < bytes.size(); ++i) px[i] = static_cast<float>(bytes[i]) / 255.0f;
  return x;
}

}  // namespace

Sample to_sample(const MnistBytes& d) {
  const std::int64_t pixels = d.rows * d.cols;
  if (d.count < 0 || d.rows < 1 || d.cols < 1 || static_cast<std::int64_t>(d.labels.size()) != d.count ||
      static_cast<std::int64_t>(d.pixels.size()) != d.count * pixels)
    fail<ValueError>("mnist to_sample: {} images of {}x{} need {} pixels and {} labels, got {} and {}", d.count, d.rows,
                     d.cols, d.count * pixels, d.count, d.pixels.size(), d.labels.size());
  // input [N, rows * cols] = pixels / 255; target [N] = labels
  Tensor x = scaled_images(d.pixels, d.count, pixels);
  Tensor y = detail::make_tensor({d.count}, DType::i64);
  std::int64_t* py = y.data<std::int64_t>();
  for (std::size_t i = 0; i < d.labels.size(); ++i) py[i] = d.labels[i];
  return {x, y};
}

Tensor read_idx_images(const std::string& path) {
  std::vector<std::uint32_t> dims;
  const std::vector<std::uint8_t> data = read_idx_file(path, 0x00000803, 3, dims);
  return scaled_images(data, dims[0], std::int64_t{dims[1]} * dims[2]);
}

Tensor read_idx_labels(const std::string& path) {
  std::vector<std::uint32_t> dims;
  const std::vector<std::uint8_t> data = read_idx_file(path, 0x00000801, 1, dims);
  Tensor y = detail::make_tensor({static_cast<std::int64_t>(dims[0])}, DType::i64);
  std::int64_t* py = y.data<std::int64_t>();
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] > 9)
      fail<IOError>("mnist: '{}' is corrupt: label {} at position {} is not a digit 0..9; {}", path, data[i], i,
                    kIdxHint);
    py[i] = data[i];
  }
  return y;
}

Sample read_idx(const std::string& images_path, const std::string& labels_path) {
  Tensor images = read_idx_images(images_path);  // first, so its errors come first
  Sample s{images, read_idx_labels(labels_path)};
  if (s.input.size(0) != s.target.size(0))
    fail<IOError>("mnist: '{}' holds {} images but '{}' holds {} labels; {}", images_path, s.input.size(0), labels_path,
                  s.target.size(0), kIdxHint);
  return s;
}

Sample read_mnist_idx_dir(const std::string& dir, bool train) {
  const std::string prefix = train ? "train" : "t10k";
  auto find = [&](const std::string& name) {
    const std::filesystem::path base = std::filesystem::path(dir) / name;
    for (const char* suffix : {"", ".gz"})
      if (std::filesystem::exists(base.string() + suffix)) return base.string() + suffix;
    fail<IOError>("mnist: neither '{}' nor '{}.gz' exists; {}", base.string(), base.string(), kIdxHint);
  };
  const std::string images = find(prefix + "-images-idx3-ubyte");
  return read_idx(images, find(prefix + "-labels-idx1-ubyte"));
}

}  // namespace tapegrad::data
