#pragma once
// Saving and loading weights in the safetensors format, which PyTorch (safetensors.torch) and
// NumPy users read and write.
//
// File layout (https://github.com/huggingface/safetensors, "Format"):
//   8 bytes   N, the header length, unsigned little-endian
//   N bytes   a JSON object: {"<name>": {"dtype": "F32", "shape": [2, 3], "data_offsets": [b, e]},
//             ..., "__metadata__": {"<key>": "<value>", ...}}   (metadata optional, strings only)
//   the rest  the tensors' raw bytes, little-endian, row-major; [b, e) is relative to the
//             first byte after the header
// Keys are state_dict keys ("0.weight", "bn.running_mean"), so a file tapegrad writes loads into
// the same PyTorch model with safetensors.torch.load_file + load_state_dict, and back.
#include <map>
#include <string>

#include "module.hpp"
#include "state_dict.hpp"

namespace tapegrad::nn {

/// The optional "__metadata__" of a safetensors file: strings to strings.
using Metadata = std::map<std::string, std::string>;

/// Writes dict (float32 -> "F32", float64 -> "F64", int64 -> "I64") to path as safetensors,
/// header entries in the dict's order. The data section starts 8-byte aligned (the header is
/// padded with spaces, as the reference writer does) and holds the 8-byte dtypes first, then the
/// float32 tensors, each group in the dict's order, so every tensor is aligned to its element
/// size within the file. The write is atomic (write_file_atomic: a temporary
/// file beside path, flushed, then renamed), so a failed save leaves any previous file intact.
/// Throws ValueError for an undefined tensor or the reserved name "__metadata__" (nothing is
/// written), IOError if the file cannot be written.
void save(const StateDict& dict, const std::string& path, const Metadata& metadata = {});
/// save(module.state_dict(), path, metadata).
void save(const Module& module, const std::string& path, const Metadata& metadata = {});

/// Reads a safetensors file into a StateDict, in the header's order; the tensors are fresh
/// leaves (requires_grad false). If metadata is given it receives the "__metadata__" entries.
/// The whole header is validated before any tensor is allocated, so a corrupt, truncated or
/// hostile file gives an IOError naming the file and the problem, never a crash or a huge
/// allocation. Checked: file size >= 8; header length <= file size - 8 and <= 100 MB (the
/// reference implementation's limit); the header starts with '{', is valid JSON, is an object,
/// and has no duplicate keys at any level; "__metadata__" maps strings to strings; each entry is
/// an object with exactly dtype, shape and data_offsets; dtype is F32, F64 or I64 (other
/// safetensors dtypes such as F16 are named as unsupported); shape has at most 8 non-negative
/// integer extents whose product (times the element size) fits in int64; data_offsets are two
/// integers begin <= end with end - begin = numel * element size; the ranges lie within the
/// data section, do not overlap, and cover it entirely with no holes or trailing bytes (as the
/// format requires, so that a file cannot hide other content).
StateDict load(const std::string& path, Metadata* metadata = nullptr);
/// module.load_state_dict(load(path), strict): copies the file's tensors into the module's
/// (ValueError from load_state_dict for missing/unexpected keys or shape/dtype mismatches;
/// IOError for the file).
Module::LoadResult load(Module& module, const std::string& path, bool strict = true);

}  // namespace tapegrad::nn
