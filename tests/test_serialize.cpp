// nn/serialize.hpp: safetensors save/load. Round trips; files PyTorch users write by hand
// (fixtures/torch_*.safetensors from gen_safetensors.py, values in fixtures/safetensors.txt);
// files tapegrad writes read by NumPy alone (tests/read_safetensors_numpy.py); atomic saves; and
// one test per kind of corrupt or hostile file, each an IOError naming the file and the problem.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <tapegrad/nn/nn.hpp>
#include <tapegrad/nn/serialize.hpp>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "fixtures.hpp"
#include "temp_dir.hpp"

using namespace tapegrad;
namespace fs = std::filesystem;

namespace {
std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string le64(std::uint64_t n) {
  std::string s;
  for (int b = 0; b < 8; ++b) s.push_back(static_cast<char>((n >> (8 * b)) & 0xff));
  return s;
}

// A safetensors file from a header text and `data_bytes` zero bytes of data.
std::string raw_file(const std::string& header, std::size_t data_bytes) {
  return le64(header.size()) + header + std::string(data_bytes, '\0');
}

// Writes `bytes` to a file in dir and expects nn::load to throw IOError naming the file and `problem`.
void expect_rejected(const TempDir& dir, const std::string& bytes, const std::string& problem) {
  const std::string path = dir.file("bad.safetensors");
  write_bytes(path, bytes);
  CAPTURE(problem);
  CHECK_THROWS_WITH_AS(nn::load(path), doctest::Contains(path.c_str()), IOError);
  CHECK_THROWS_WITH_AS(nn::load(path), doctest::Contains(problem.c_str()), IOError);
}

bool same_bits(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  return std::memcmp(a.impl()->storage->data(), b.impl()->storage->data(),
                     static_cast<std::size_t>(a.numel()) * element_size(a.dtype())) == 0;
}

nn::StateDict sample_dict() {
  nn::StateDict d;
  d.set("0.weight", tensor({1.5, -2.25, 3e-39, 1e38, -0.0, 7}, {2, 3}));
  d.set("0.bias", tensor({NAN, INFINITY, -INFINITY}));
  d.set("bn.running_var", tensor({0.1, 5e-324, 1e308}, {.dtype = DType::f64}));
  d.set("bn.num_batches_tracked", scalar_tensor(3, {.dtype = DType::i64}));
  d.set("big", tensor({0, -1}, {.dtype = DType::i64}));
  d.set("empty", zeros({0, 2}));
  d.set("odd", tensor({1, 2, 3}, {1, 3}));
  // exact int64 extremes (beyond double's 53 bits), written through the raw pointer
  d.at("big").data<std::int64_t>()[0] = 9007199254740993;  // 2^53 + 1
  d.at("big").data<std::int64_t>()[1] = std::numeric_limits<std::int64_t>::min();
  return d;
}

const std::string kScript = std::string(TAPEGRAD_FIXTURE_DIR) + "/../read_safetensors_numpy.py";
}  // namespace

// ---- round trips ----------------------------------------------------------------------------------

TEST_CASE("save then load round-trips float32, float64, int64, 0-d and empty tensors and metadata bit for bit") {
  TempDir dir;
  const nn::StateDict d = sample_dict();
  const std::string path = dir.file("w.safetensors");
  nn::save(d, path, {{"format", "pt"}, {"note", "tapegrad ü"}});
  nn::Metadata meta;
  const nn::StateDict back = nn::load(path, &meta);
  CHECK(back.keys() == d.keys());
  for (const auto& [name, t] : d) {
    CAPTURE(name);
    CHECK(same_bits(back.at(name), t));
    CHECK_FALSE(back.at(name).requires_grad());
  }
  CHECK(meta == nn::Metadata{{"format", "pt"}, {"note", "tapegrad ü"}});
  // the data section starts 8-byte aligned
  const std::string bytes = read_bytes(path);
  std::uint64_t n = 0;
  for (int b = 7; b >= 0; --b) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(b)]);
  CHECK((8 + n) % 8 == 0);
  CHECK(bytes[8] == '{');
}

TEST_CASE("an empty state dict saves and loads") {
  TempDir dir;
  nn::save(nn::StateDict(), dir.file("e.safetensors"));
  CHECK(nn::load(dir.file("e.safetensors")).empty());
}

TEST_CASE("a model saved and loaded into a fresh model gives identical outputs (Sequential and a user module)") {
  TempDir dir;
  struct Net : nn::Module {
    std::shared_ptr<nn::Linear> fc1, fc2;
    std::shared_ptr<nn::BatchNorm1d> bn;
    Net()
        : fc1(register_module("fc1", nn::Linear(3, 5))),
          fc2(register_module("fc2", nn::Linear(5, 2))),
          bn(register_module("bn", nn::BatchNorm1d(5))) {}
    Tensor forward(const Tensor& x) override { return (*fc2)(relu((*bn)((*fc1)(x)))); }
  };
  manual_seed(3);
  nn::Sequential seq(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  Net net;
  for (nn::Module* m : std::vector<nn::Module*>{&seq, &net}) {
    for (int step = 0; step < 3; ++step) {  // a few SGD steps, so weights and running stats move
      m->zero_grad();
      const Tensor out = (*m)(randn({6, 3}));
      sum(out * out).backward();
      NoGradGuard no_grad;
      for (Tensor p : m->parameters()) p.copy_(p - p.grad() * 0.1);
    }
    m->eval();
  }
  nn::save(seq, dir.file("seq.safetensors"));
  nn::save(net, dir.file("net.safetensors"));

  nn::Sequential seq2(nn::Linear(3, 4), nn::BatchNorm1d(4), nn::ReLU(), nn::Linear(4, 2));
  Net net2;
  const auto r1 = nn::load(seq2, dir.file("seq.safetensors"));
  const auto r2 = nn::load(net2, dir.file("net.safetensors"));
  CHECK(r1.missing_keys.empty());
  CHECK(r2.unexpected_keys.empty());
  seq2.eval();
  net2.eval();
  const Tensor x = randn({4, 3});
  CHECK_CLOSE_TOL(seq2(x), seq(x), 0.0, 0.0);
  CHECK_CLOSE_TOL(net2(x), net(x), 0.0, 0.0);
  CHECK(nn::load(dir.file("net.safetensors")).keys() ==
        std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "bn.weight", "bn.bias",
                                 "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"});
  CHECK(nn::load(dir.file("seq.safetensors")).at("1.num_batches_tracked").item() == 3);

  // a file for another model: strict names the keys; strict = false loads what matches
  CHECK_THROWS_WITH_AS(nn::load(net2, dir.file("seq.safetensors")), doctest::Contains("fc1.weight"), ValueError);
  nn::Sequential head(nn::Linear(3, 4));
  const auto r3 = nn::load(head, dir.file("seq.safetensors"), false);
  CHECK(r3.missing_keys.empty());
  CHECK(r3.unexpected_keys.size() == 7);  // 1.* (5 keys) and 3.* (2 keys)
  CHECK_CLOSE_TOL(head.parameters()[0], seq.parameters()[0], 0.0, 0.0);
}

// ---- interop with PyTorch and NumPy ---------------------------------------------------------------

TEST_CASE("a file written by hand from PyTorch tensors loads with torch's values and runs torch's model") {
  const auto& fx = fixtures::load("safetensors");
  nn::Metadata meta;
  const nn::StateDict d = nn::load(std::string(TAPEGRAD_FIXTURE_DIR) + "/torch_model.safetensors", &meta);
  CHECK(meta == nn::Metadata{{"format", "pt"}});
  CHECK(d.keys() == std::vector<std::string>{"0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                             "1.running_var", "1.num_batches_tracked", "2.weight", "2.bias"});
  for (const auto& [name, t] : d) {
    CAPTURE(name);
    CHECK(t.dtype() == fx["model." + name].dtype());
    CHECK_CLOSE_TOL(t, fx["model." + name], 0.0, 0.0);
  }
  nn::Sequential model(nn::Linear(4, 3), nn::BatchNorm1d(3), nn::Linear(3, 2));
  nn::load(model, std::string(TAPEGRAD_FIXTURE_DIR) + "/torch_model.safetensors");
  model.eval();
  CHECK_CLOSE_T(model(fx["model.x"]), fx["model.out"]);
}

TEST_CASE("a hand-written file with unaligned data, header order unlike data order, nan/inf and int64 loads exactly") {
  const auto& fx = fixtures::load("safetensors");
  const nn::StateDict d = nn::load(std::string(TAPEGRAD_FIXTURE_DIR) + "/torch_misc.safetensors");
  CHECK(d.keys() == std::vector<std::string>{"special", "ints", "count", "empty", "cube"});
  for (const auto& [name, t] : d) {
    CAPTURE(name);
    CHECK(t.dtype() == fx["misc." + name].dtype());
    CHECK_CLOSE_TOL(t, fx["misc." + name], 0.0, 0.0);
  }
  CHECK(d.at("ints").data<std::int64_t>()[0] == (std::int64_t{1} << 62));
  CHECK(std::signbit(d.at("special").to_vector()[4]));  // -0.0 kept
}

TEST_CASE("NumPy alone reads a file tapegrad writes (tests/read_safetensors_numpy.py)") {
  if (::access("/usr/bin/python3", X_OK) != 0) {
    MESSAGE("skipped: /usr/bin/python3 is not installed");
    return;
  }
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) {
    MESSAGE("skipped: NumPy is not installed for /usr/bin/python3");
    return;
  }
  TempDir dir;
  const nn::StateDict d = sample_dict();
  const std::string path = dir.file("np.safetensors"), err = dir.file("stderr.txt");
  nn::save(d, path, {{"format", "pt"}});
  const std::string cmd = "/usr/bin/python3 '" + kScript + "' --aligned '" + path + "' 2>'" + err + "'";
  std::FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t k; (k = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, k);
  const int status = ::pclose(pipe);
  REQUIRE_MESSAGE(status == 0, "read_safetensors_numpy.py failed: " << read_bytes(err));

  std::istringstream lines(out);
  std::string line;
  std::size_t seen = 0;
  bool saw_meta = false;
  while (std::getline(lines, line)) {
    std::istringstream ls(line);
    std::string name, dtype;
    ls >> name >> dtype;
    if (name == "__metadata__") {
      std::string value;
      ls >> value;
      saw_meta = dtype == "format" && value == "pt";
      continue;
    }
    CAPTURE(name);
    REQUIRE(d.contains(name));
    const Tensor& t = d.at(name);
    ++seen;
    CHECK(dtype == dtype_name(t.dtype()));
    std::int64_t ndim = 0;
    ls >> ndim;
    std::vector<std::int64_t> dims(static_cast<std::size_t>(ndim));
    for (auto& x : dims) ls >> x;
    CHECK(Shape(dims) == t.shape());
    for (std::int64_t i = 0; i < t.numel(); ++i) {
      std::string tok;
      ls >> tok;
      if (t.dtype() == DType::i64) {
        CHECK(std::stoll(tok) == t.data<std::int64_t>()[i]);
      } else {
        const double expect = t.to_vector()[static_cast<std::size_t>(i)], got = std::strtod(tok.c_str(), nullptr);
        CHECK(((std::isnan(expect) && std::isnan(got)) || got == expect));
      }
    }
  }
  CHECK(seen == d.size());
  CHECK(saw_meta);
}

// ---- atomic saves ---------------------------------------------------------------------------------

TEST_CASE("a failed save leaves the existing file untouched") {
  TempDir dir;
  const std::string path = dir.file("ckpt.safetensors");
  nn::save(sample_dict(), path);
  const std::string before = read_bytes(path);

  // the temporary file cannot be created: a directory holds the name write_file_atomic gives it
  // (path + ".tmp-" + pid); unlike a read-only directory, this fails even for root
  fs::create_directory(path + ".tmp-" + std::to_string(::getpid()));
  nn::StateDict other;
  other.set("x", ones({1000}));
  CHECK_THROWS_WITH_AS(nn::save(other, path), doctest::Contains(path.c_str()), IOError);
  CHECK(read_bytes(path) == before);
  fs::remove(path + ".tmp-" + std::to_string(::getpid()));

  // a dict that cannot be saved: nothing is written
  nn::StateDict bad;
  bad.set("x", ones({2}));
  bad.set("y", Tensor());
  CHECK_THROWS_WITH_AS(nn::save(bad, path), doctest::Contains("'y' is undefined"), ValueError);
  nn::StateDict reserved;
  reserved.set("__metadata__", ones({2}));
  CHECK_THROWS_WITH_AS(nn::save(reserved, path), doctest::Contains("reserved"), ValueError);
  nn::StateDict not_utf8;
  not_utf8.set("w\xff", ones({2}));
  CHECK_THROWS_WITH_AS(nn::save(not_utf8, path), doctest::Contains("UTF-8"), ValueError);
  CHECK(read_bytes(path) == before);

  // a directory that does not exist
  CHECK_THROWS_AS(nn::save(other, dir.file("missing/ckpt.safetensors")), IOError);
  CHECK(nn::load(path).keys() == sample_dict().keys());
}

// ---- corrupt and hostile files --------------------------------------------------------------------

TEST_CASE("load: a missing file, a directory and a file shorter than 8 bytes are IOErrors") {
  TempDir dir;
  CHECK_THROWS_WITH_AS(nn::load(dir.file("nope.safetensors")), doctest::Contains("cannot open"), IOError);
  CHECK_THROWS_WITH_AS(nn::load(dir.path.string()), doctest::Contains("not a regular file"), IOError);
  expect_rejected(dir, "", "too few");
  expect_rejected(dir, std::string("\x02\0\0\0", 4), "too few");
}

TEST_CASE("load: a huge header length is rejected without allocating it") {
  TempDir dir;
  expect_rejected(dir, le64(~std::uint64_t{0}) + "{}", "exceeds the 2 bytes after it");
  expect_rejected(dir, le64(std::uint64_t{1} << 40) + "{}", "exceeds");
  // a (sparse) 101 MB file whose header claims all of it: within the file but over the limit
  const std::string path = dir.file("sparse.safetensors");
  write_bytes(path, le64(101ull << 20) + "{");
  REQUIRE(::truncate(path.c_str(), static_cast<off_t>(8 + (101ull << 20))) == 0);
  CHECK_THROWS_WITH_AS(nn::load(path), doctest::Contains("limit of 100 MB"), IOError);
}

TEST_CASE("load: a truncated file is rejected") {
  TempDir dir;
  const std::string good = dir.file("good.safetensors");
  nn::save(sample_dict(), good);
  const std::string bytes = read_bytes(good);
  expect_rejected(dir, bytes.substr(0, bytes.size() - 1), "reach past the end of the data section");
  expect_rejected(dir, bytes.substr(0, 20), "exceeds");  // cut inside the header
}

TEST_CASE("load: offsets past the end, overlapping ranges, holes and trailing bytes are rejected") {
  TempDir dir;
  const auto f32 = [](const std::string& name, int n, std::uint64_t b, std::uint64_t e) {
    return fmt::format(R"("{}": {{"dtype": "F32", "shape": [{}], "data_offsets": [{}, {}]}})", name, n, b, e);
  };
  expect_rejected(dir, raw_file("{" + f32("a", 250, 0, 1000) + "}", 8), "reach past the end");
  expect_rejected(dir, raw_file("{" + f32("a", 2, 0, 8) + ", " + f32("b", 2, 4, 12) + "}", 12), "overlap");
  expect_rejected(dir, raw_file("{" + f32("a", 2, 0, 8) + ", " + f32("b", 2, 0, 8) + "}", 8), "overlap");
  expect_rejected(dir, raw_file("{" + f32("a", 2, 0, 8) + ", " + f32("b", 2, 12, 20) + "}", 20), "no holes");
  expect_rejected(dir, raw_file("{" + f32("a", 2, 0, 8) + "}", 12), "cover only the first 8");
  expect_rejected(dir, raw_file("{" + f32("a", 3, 0, 8) + "}", 8), "need 12 bytes");
  expect_rejected(dir, raw_file("{" + f32("a", 0, 8, 0) + "}", 8), "end before they begin");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0.0, 4]}})", 4),
                  "two non-negative integers");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 4]}})", 4),
                  "two non-negative integers");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}})", 4),
                  "two non-negative integers");
  expect_rejected(dir,
                  raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 99999999999999999999999]}})", 4),
                  "two non-negative integers");
}

TEST_CASE("load: unknown and unsupported dtypes are rejected") {
  TempDir dir;
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "Q7", "shape": [1], "data_offsets": [0, 4]}})", 4),
                  "unknown dtype 'Q7'");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F16", "shape": [2], "data_offsets": [0, 4]}})", 4),
                  "F16 is not supported");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": 32, "shape": [1], "data_offsets": [0, 4]}})", 4),
                  "dtype must be a string");
}

TEST_CASE("load: shapes with overflowing products, negative or huge extents and too many dims are rejected") {
  TempDir dir;
  // 2^32 * 2^32 overflows int64; 2^62 * 2 elements * 4 bytes overflows the byte count
  expect_rejected(dir,
                  raw_file(R"({"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})", 0),
                  "more bytes than fit in 64 bits");
  expect_rejected(dir,
                  raw_file(R"({"a": {"dtype": "F32", "shape": [4611686018427387904, 2], "data_offsets": [0, 0]}})", 0),
                  "more bytes than fit in 64 bits");
  expect_rejected(dir,
                  raw_file(R"({"a": {"dtype": "F64", "shape": [18446744073709551615], "data_offsets": [0, 0]}})", 0),
                  "more bytes than fit in 64 bits");
  // a product that fits but would need terabytes: rejected by the offsets check, never allocated
  expect_rejected(
      dir, raw_file(R"({"a": {"dtype": "F64", "shape": [1048576, 1048576], "data_offsets": [0, 8796093022208]}})", 0),
      "reach past the end");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}})", 0),
                  "non-negative integers");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1.5], "data_offsets": [0, 0]}})", 0),
                  "non-negative integers");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1,1,1,1,1,1,1,1,1], "data_offsets": [0, 4]}})", 4),
                  "9 dims");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": 3, "data_offsets": [0, 12]}})", 12),
                  "shape must be an array");
}

TEST_CASE("load: a header that is not JSON, not an object, or has duplicate keys is rejected") {
  TempDir dir;
  expect_rejected(dir, raw_file("{not json", 0), "not valid JSON");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}} trailing)", 4),
                  "not valid JSON");
  expect_rejected(dir, raw_file("[1, 2]", 0), "does not start with '{'");
  expect_rejected(dir, raw_file("", 0), "does not start with '{'");
  expect_rejected(dir, raw_file(std::string("{\"a\xff\": 1}"), 0), "not valid JSON");
  expect_rejected(dir,
                  raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, )"
                           R"("a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                           8),
                  "the key 'a' twice");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "dtype": "F64", "shape": [1], "data_offsets": [0, 4]}})", 4),
                  "the key 'dtype' twice");
  // structures no valid header has are refused while parsing, before the tree grows
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [[1]], "data_offsets": [0, 4]}})", 4),
                  "nests arrays or objects deeper");
  std::string long_shape = "1";
  for (int i = 0; i < 100000; ++i) long_shape += ",1";
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [)" + long_shape + "]}}", 0), "more than 64 items");
}

TEST_CASE("load: malformed entries and metadata are rejected") {
  TempDir dir;
  expect_rejected(dir, raw_file(R"({"a": [1, 2]})", 0), "tensor 'a': expected an object");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1]}})", 4), "missing field 'data_offsets'");
  expect_rejected(dir, raw_file(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": 1}})", 4),
                  "unexpected field 'x'");
  expect_rejected(dir, raw_file(R"({"__metadata__": {"k": 1}})", 0), "must be a string");
  expect_rejected(dir, raw_file(R"({"__metadata__": "pt"})", 0), "must be an object");
}

TEST_CASE("load: padding spaces after the header and a metadata-only file are accepted") {
  TempDir dir;
  const std::string path = dir.file("pad.safetensors");
  const std::string header =
      R"({"__metadata__": {"k": "v"}, "a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})";
  std::string bytes = le64(header.size() + 5) + header + "     ";
  const float v = 2.5f;
  bytes.append(reinterpret_cast<const char*>(&v), 4);
  write_bytes(path, bytes);
  nn::Metadata meta;
  const nn::StateDict d = nn::load(path, &meta);
  CHECK(d.at("a").item() == 2.5);
  CHECK(meta.at("k") == "v");
}
