// safetensors writing and (defensive) reading. Layout:
//   [N: u64 little-endian][N bytes of JSON header, space-padded][data section]
// Loading checks every number in the header against the file before it allocates a tensor.
#include "serialize.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "../core/file_io.hpp"

namespace tapegrad::nn {

static_assert(
    std::endian::native == std::endian::little,
    "safetensors data is little-endian; tapegrad copies it as raw bytes (a big-endian host would need a swap)");

namespace {
using Json = nlohmann::ordered_json;  // keeps the header's key order

constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;  // 100 MB, the reference implementation's limit
constexpr const char* kMetadataKey = "__metadata__";

const char* dtype_code(DType d) {
  switch (d) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    case DType::i64: return "I64";
  }
  return "?";
}

std::optional<DType> dtype_from_code(const std::string& s) {
  if (s == "F32") return DType::f32;
  if (s == "F64") return DType::f64;
  if (s == "I64") return DType::i64;
  return std::nullopt;
}

// dtypes the safetensors format defines that tapegrad does not hold
bool other_safetensors_dtype(const std::string& s) {
  static const std::set<std::string> known = {"BOOL", "U8",   "I8",  "F8_E5M2", "F8_E4M3", "I16", "U16",
                                              "F16",  "BF16", "I32", "U32",     "U64",     "C64"};
  return known.count(s) > 0;
}

struct Entry {
  std::string name;
  DType dtype;
  Shape shape;
  std::uint64_t begin, end;
};

[[noreturn]] void corrupt(const std::string& path, const std::string& problem) {
  fail<IOError>("load {}: {}", path, problem);
}

// A JSON value as a non-negative integer, or nullopt (negative, fractional, too large, not a number).
std::optional<std::uint64_t> as_u64(const Json& v) {
  if (!v.is_number_unsigned()) return std::nullopt;
  return v.get<std::uint64_t>();
}

// One header entry {"dtype": .., "shape": [..], "data_offsets": [b, e]}, checked on its own
// (the ranges are checked against each other afterwards).
Entry parse_entry(const std::string& path, const std::string& name, const Json& v, std::uint64_t data_size) {
  const auto bad = [&](const std::string& problem) { corrupt(path, fmt::format("tensor '{}': {}", name, problem)); };
  if (!v.is_object()) bad(fmt::format("expected an object, got {}", v.type_name()));
  for (const auto& [field, _] : v.items())
    if (field != "dtype" && field != "shape" && field != "data_offsets")
      bad(fmt::format("unexpected field '{}'", field));
  for (const char* field : {"dtype", "shape", "data_offsets"})
    if (!v.contains(field)) bad(fmt::format("missing field '{}'", field));

  const Json& jd = v["dtype"];
  if (!jd.is_string()) bad(fmt::format("dtype must be a string, got {}", jd.dump()));
  const std::string code = jd.get<std::string>();
  const auto dtype = dtype_from_code(code);
  if (!dtype) {
    if (other_safetensors_dtype(code))
      bad(fmt::format("dtype {} is not supported (tapegrad reads F32, F64 and I64)", code));
    bad(fmt::format("unknown dtype '{}'", code));
  }

  const Json& js = v["shape"];
  if (!js.is_array()) bad(fmt::format("shape must be an array, got {}", js.dump()));
  if (js.size() > static_cast<std::size_t>(kMaxDims))
    bad(fmt::format("shape has {} dims, at most {} are supported", js.size(), kMaxDims));
  std::vector<std::int64_t> dims;
  std::int64_t numel = 1, nbytes = 0;
  bool overflow = false;
  for (const Json& d : js) {
    const auto e = as_u64(d);
    if (!e) bad(fmt::format("shape {} must hold non-negative integers", js.dump()));
    if (*e > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) overflow = true;
    dims.push_back(static_cast<std::int64_t>(*e));
  }
  for (auto d : dims) overflow = overflow || __builtin_mul_overflow(numel, d, &numel);
  overflow = overflow || __builtin_mul_overflow(numel, static_cast<std::int64_t>(element_size(*dtype)), &nbytes);
  if (overflow) bad(fmt::format("shape {} has more bytes than fit in 64 bits", js.dump()));

  const Json& jo = v["data_offsets"];
  const auto b = jo.is_array() && jo.size() == 2 ? as_u64(jo[0]) : std::nullopt;
  const auto e = jo.is_array() && jo.size() == 2 ? as_u64(jo[1]) : std::nullopt;
  if (!b || !e) bad(fmt::format("data_offsets must be two non-negative integers, got {}", jo.dump()));
  if (*b > *e) bad(fmt::format("data_offsets [{}, {}] end before they begin", *b, *e));
  if (*e > data_size)
    bad(fmt::format("data_offsets [{}, {}] reach past the end of the data section ({} bytes; truncated file?)", *b, *e,
                    data_size));
  if (*e - *b != static_cast<std::uint64_t>(nbytes))
    bad(fmt::format("dtype {} and shape {} need {} bytes but data_offsets [{}, {}] hold {}", code, js.dump(), nbytes,
                    *b, *e, *e - *b));
  return Entry{name, *dtype, Shape(dims), *b, *e};
}

// The ranges must tile [0, data_size) exactly: no overlap, no hole, nothing after the last.
void check_coverage(const std::string& path, const std::vector<Entry>& entries, std::uint64_t data_size) {
  std::vector<const Entry*> order;
  for (const auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(),
            [](const Entry* a, const Entry* b) { return std::tie(a->begin, a->end) < std::tie(b->begin, b->end); });
  std::uint64_t covered = 0;
  const Entry* prev = nullptr;
  for (const Entry* e : order) {
    if (e->begin < covered)
      corrupt(path, fmt::format("tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", prev->name, prev->begin, prev->end,
                                e->name, e->begin, e->end));
    if (e->begin > covered)
      corrupt(path, fmt::format("bytes [{}, {}) of the data section belong to no tensor (the format allows no holes)",
                                covered, e->begin));
    covered = e->end;
    prev = e;
  }
  if (covered != data_size)
    corrupt(path,
            fmt::format("the data section has {} bytes but the tensors cover only the first {}", data_size, covered));
}

// Parses the header text. While parsing, rejects duplicate keys at any depth (the JSON parser
// itself would keep one) and anything deeper or longer than a valid header holds (containers
// below depth 2, e.g. "shape": [[1]], or more than 64 items in one: a valid shape has at most 8),
// so a hostile header cannot make the parser build a huge tree.
Json parse_header(const std::string& path, const std::string& text) {
  using Event = Json::parse_event_t;
  if (text.empty() || text.front() != '{')
    corrupt(path, "the header does not start with '{' (not a safetensors file?)");
  std::vector<std::set<std::string>> open_objects;
  std::size_t items_in_field = 0;  // items in the current depth-2 container
  const Json::parser_callback_t watch = [&](int depth, Event event, Json& parsed) {
    if (event == Event::object_start || event == Event::array_start) {
      if (depth >= 3) corrupt(path, "the header nests arrays or objects deeper than a safetensors header does");
      if (depth == 2) items_in_field = 0;
    }
    if ((event == Event::value || event == Event::key) && depth >= 3 && ++items_in_field > 64)
      corrupt(path, "the header has an array or object with more than 64 items where a shape or offsets belong");
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end && !open_objects.empty()) {
      open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty() &&
               !open_objects.back().insert(parsed.get<std::string>()).second) {
      corrupt(path, fmt::format("the header has the key '{}' twice", parsed.get<std::string>()));
    }
    return true;
  };
  Json header;
  try {
    header = Json::parse(text, watch);
  } catch (const Json::exception& e) {
    corrupt(path, fmt::format("the header is not valid JSON ({})", e.what()));
  }
  if (!header.is_object()) corrupt(path, "the header is not a JSON object");
  return header;
}

struct Header {
  std::vector<Entry> entries;  // in the header's order
  Metadata metadata;
};

// Every entry of the header checked, alone and against each other (the JSON tree is dropped on
// return, before any tensor is allocated).
Header check_header(const std::string& path, const std::string& text, std::uint64_t data_size) {
  const Json json = parse_header(path, text);
  Header h;
  for (const auto& [key, value] : json.items()) {
    if (key != kMetadataKey) {
      h.entries.push_back(parse_entry(path, key, value, data_size));
      continue;
    }
    if (!value.is_object())
      corrupt(path, fmt::format("{} must be an object of strings, got {}", kMetadataKey, value.type_name()));
    for (const auto& [k, v] : value.items()) {
      if (!v.is_string())
        corrupt(path, fmt::format("{} entry '{}' must be a string, got {}", kMetadataKey, k, v.dump()));
      h.metadata[k] = v.get<std::string>();
    }
  }
  check_coverage(path, h.entries, data_size);
  return h;
}

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

void read_exact(std::FILE* f, const std::string& path, std::uint64_t offset, void* dst, std::size_t n,
                const std::string& what) {
  if (n == 0) return;
  if (::fseeko(f, static_cast<off_t>(offset), SEEK_SET) != 0 || std::fread(dst, 1, n, f) != n)
    corrupt(path, fmt::format("reading {} ({} bytes at offset {}) failed: the file is unreadable or changed", what, n,
                              offset));
}
}  // namespace

// ---- save ----------------------------------------------------------------------------------------

void save(const StateDict& dict, const std::string& path, const Metadata& metadata) {
  for (const auto& [name, t] : dict) {
    if (name == kMetadataKey)
      fail<ValueError>("save {}: the name \"{}\" is reserved by safetensors for metadata", path, kMetadataKey);
    if (!t.defined()) fail<ValueError>("save {}: tensor '{}' is undefined", path, name);
  }
  // offsets: the 8-byte dtypes first, then float32, so each tensor is aligned to its element size
  std::vector<std::pair<std::uint64_t, std::uint64_t>> range(dict.size());
  std::vector<const Tensor*> data_order;
  std::uint64_t offset = 0;
  for (bool eight : {true, false}) {
    std::size_t i = 0;
    for (const auto& [name, t] : dict) {
      if ((element_size(t.dtype()) == 8) == eight) {
        const auto nbytes = static_cast<std::uint64_t>(t.numel()) * element_size(t.dtype());
        range[i] = {offset, offset + nbytes};
        offset += nbytes;
        data_order.push_back(&t);
      }
      ++i;
    }
  }
  Json header = Json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::size_t i = 0;
  for (const auto& [name, t] : dict) {
    header[name] = {{"dtype", dtype_code(t.dtype())},
                    {"shape", t.shape().vec()},
                    {"data_offsets", {range[i].first, range[i].second}}};
    ++i;
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const Json::exception& e) {
    fail<ValueError>("save {}: a tensor name or metadata string is not valid UTF-8 ({})", path, e.what());
  }
  while ((8 + text.size()) % 8 != 0) text.push_back(' ');

  std::string bytes;
  bytes.reserve(8 + text.size() + offset);
  const std::uint64_t n = text.size();
  for (int b = 0; b < 8; ++b) bytes.push_back(static_cast<char>((n >> (8 * b)) & 0xff));
  bytes += text;
  for (const Tensor* t : data_order)
    bytes.append(static_cast<const char*>(t->impl()->storage->data()),
                 static_cast<std::size_t>(t->numel()) * element_size(t->dtype()));
  write_file_atomic(path, bytes);
}

void save(const Module& module, const std::string& path, const Metadata& metadata) {
  save(module.state_dict(), path, metadata);
}

// ---- load ----------------------------------------------------------------------------------------

StateDict load(const std::string& path, Metadata* metadata) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) corrupt(path, fmt::format("cannot open the file: {}", std::strerror(errno)));
  struct stat st {};
  if (::fstat(::fileno(file.get()), &st) != 0 || !S_ISREG(st.st_mode)) corrupt(path, "not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < 8) corrupt(path, fmt::format("the file has {} bytes, too few for the 8-byte header length", size));

  unsigned char len[8];
  read_exact(file.get(), path, 0, len, 8, "the header length");
  std::uint64_t n = 0;
  for (int b = 7; b >= 0; --b) n = (n << 8) | len[b];
  if (n > size - 8)
    corrupt(path,
            fmt::format("the header length {} exceeds the {} bytes after it (truncated or corrupt file)", n, size - 8));
  if (n > kMaxHeaderBytes) corrupt(path, fmt::format("the header length {} exceeds the limit of 100 MB", n));

  std::string text(static_cast<std::size_t>(n), '\0');
  read_exact(file.get(), path, 8, text.data(), text.size(), "the header");
  Header header = check_header(path, text, size - 8 - n);
  text = std::string();

  // every size is now known to lie within the file: allocate and read
  StateDict dict;
  for (const Entry& e : header.entries) {
    Tensor t = detail::make_tensor(e.shape, e.dtype);
    read_exact(file.get(), path, 8 + n + e.begin, t.impl()->storage->data(), static_cast<std::size_t>(e.end - e.begin),
               fmt::format("tensor '{}'", e.name));
    dict.set(e.name, t);
  }
  if (metadata) *metadata = std::move(header.metadata);
  return dict;
}

Module::LoadResult load(Module& module, const std::string& path, bool strict) {
  return module.load_state_dict(load(path), strict);
}

}  // namespace tapegrad::nn
