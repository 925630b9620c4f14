// The MNIST cache of scripts/fetch-data: a small header, the pixel and label bytes, a CRC-32.
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "../core/file_io.hpp"
#include "mnist.hpp"

namespace tapegrad::data {

namespace {

constexpr char kMagic[8] = {'T', 'G', 'M', 'N', 'I', 'S', 'T', '\0'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderBytes = 24;  // magic, version, count, rows, cols
constexpr const char* kFetchHint = "run scripts/fetch-data to download and convert the MNIST digits";

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(const std::string& in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

std::uint32_t crc_of(const std::string& bytes, std::size_t n) {
  uLong crc = crc32(0L, Z_NULL, 0);
  for (std::size_t done = 0; done < n;) {
    const uInt chunk = static_cast<uInt>(std::min<std::size_t>(n - done, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data() + done), chunk);
    done += chunk;
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace

std::string mnist_cache_path(const std::string& dir) { return (std::filesystem::path(dir) / kMnistCacheFile).string(); }

void write_mnist_cache(const std::string& path, const MnistBytes& d) {
  if (d.count < 0 || d.count > 0xffffffffLL || d.rows < 1 || d.rows > 1024 || d.cols < 1 || d.cols > 1024 ||
      static_cast<std::int64_t>(d.labels.size()) != d.count ||
      static_cast<std::int64_t>(d.pixels.size()) != d.count * d.rows * d.cols)
    fail<ValueError>("write_mnist_cache {}: {} images of {}x{} need {} pixels and {} labels, got {} and {}", path,
                     d.count, d.rows, d.cols, d.count * d.rows * d.cols, d.count, d.pixels.size(), d.labels.size());
  for (std::size_t i = 0; i < d.labels.size(); ++i)
    if (d.labels[i] > 9)
      fail<ValueError>("write_mnist_cache {}: label {} at {} is not a digit 0..9", path, d.labels[i], i);
  std::string out(kMagic, sizeof kMagic);
  put_u32(out, kVersion);
  put_u32(out, static_cast<std::uint32_t>(d.count));
  put_u32(out, static_cast<std::uint32_t>(d.rows));
  put_u32(out, static_cast<std::uint32_t>(d.cols));
  out.append(reinterpret_cast<const char*>(d.pixels.data()), d.pixels.size());
  out.append(reinterpret_cast<const char*>(d.labels.data()), d.labels.size());
  put_u32(out, crc_of(out, out.size()));
  write_file_atomic(path, out);
}

MnistBytes read_mnist_cache_bytes(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) fail<IOError>("mnist: '{}' does not exist; {}", path, kFetchHint);
  if (!std::filesystem::is_regular_file(status))
    fail<IOError>("mnist: '{}' is not a regular file; {}", path, kFetchHint);
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) fail<IOError>("mnist: cannot read the size of '{}': {}; {}", path, ec.message(), kFetchHint);
  if (size < kHeaderBytes + 4)
    fail<IOError>("mnist: '{}' is truncated: {} bytes, shorter than the cache's {}-byte header and checksum; {}", path,
                  size, kHeaderBytes + 4, kFetchHint);
  if (size > (std::uintmax_t{1} << 34))
    fail<IOError>("mnist: '{}' is too large ({} bytes) to be an MNIST cache; {}", path, size, kFetchHint);

  // The buffer has the file's real size (checked above), not a size the header claims.
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size)))
    fail<IOError>("mnist: cannot read '{}': {}; {}", path, std::strerror(errno), kFetchHint);

  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    fail<IOError>("mnist: '{}' is not a tapegrad MNIST cache (bad magic); {}", path, kFetchHint);
  const std::uint32_t version = get_u32(bytes, 8);
  if (version != kVersion)
    fail<IOError>("mnist: '{}' has cache version {}, this tapegrad reads version {}; {}", path, version, kVersion,
                  kFetchHint);
  MnistBytes d;
  d.count = get_u32(bytes, 12);
  d.rows = get_u32(bytes, 16);
  d.cols = get_u32(bytes, 20);
  if (d.rows < 1 || d.rows > 1024 || d.cols < 1 || d.cols > 1024)
    fail<IOError>("mnist: '{}' is corrupt: image size {}x{} is outside 1..1024; {}", path, d.rows, d.cols, kFetchHint);
  // at most 2^32 * (2^20 + 1) + 28: no overflow in 64 bits
  const std::uint64_t pixels = static_cast<std::uint64_t>(d.count) * static_cast<std::uint64_t>(d.rows * d.cols);
  const std::uint64_t expected = kHeaderBytes + pixels + static_cast<std::uint64_t>(d.count) + 4;
  if (size != expected)
    fail<IOError>("mnist: '{}' is {}: {} images of {}x{} need {} bytes, the file has {}; {}", path,
                  size < expected ? "truncated" : "corrupt (wrong size)", d.count, d.rows, d.cols, expected, size,
                  kFetchHint);
  const std::uint32_t stored_crc = get_u32(bytes, size - 4);
  const std::uint32_t crc = crc_of(bytes, size - 4);
  if (stored_crc != crc)
    fail<IOError>("mnist: '{}' is corrupt: checksum 0x{:08x} does not match its contents (0x{:08x}); {}", path,
                  stored_crc, crc, kFetchHint);
  const auto* p = reinterpret_cast<const std::uint8_t*>(bytes.data()) + kHeaderBytes;
  d.pixels.assign(p, p + pixels);
  d.labels.assign(p + pixels, p + pixels + d.count);
  for (std::size_t i = 0; i < d.labels.size(); ++i)
    if (d.labels[i] > 9)
      fail<IOError>("mnist: '{}' is corrupt: label {} at position {} is not a digit 0..9; {}", path, d.labels[i], i,
                    kFetchHint);
  return d;
}

Sample read_mnist_cache(const std::string& path) { return to_sample(read_mnist_cache_bytes(path)); }

}  // namespace tapegrad::data
