#!/usr/bin/python3
"""Reads a safetensors file with NumPy and json alone (no torch, no safetensors package), checks
its structure, and prints every tensor, one a line:

    name dtype ndim d0 d1 ... v0 v1 ...        (dtype float32 | float64 | int64; floats as repr)

then "__metadata__ key value" lines. Exits 1 with a message on stderr if the file is malformed.
With --aligned it also requires what tapegrad's writer promises beyond the format: the data
section 8-byte aligned and every tensor aligned to its element size. Used by
tests/test_serialize.cpp to check that files tapegrad writes are readable outside it.

    /usr/bin/python3 tests/read_safetensors_numpy.py [--aligned] FILE
"""
import json
import struct
import sys

import numpy as np

DTYPES = {"F32": ("<f4", "float32"), "F64": ("<f8", "float64"), "I64": ("<i8", "int64")}


def fail(msg):
    print(f"read_safetensors_numpy: {msg}", file=sys.stderr)
    sys.exit(1)


def main(path, aligned):
    raw = open(path, "rb").read()
    if len(raw) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > len(raw) - 8:
        fail(f"header length {n} exceeds the file")
    text = raw[8:8 + n]
    if not text.startswith(b"{"):
        fail("header does not start with '{'")
    if aligned and (8 + n) % 8 != 0:
        fail(f"data section starts at {8 + n}, not 8-byte aligned")
    header = json.loads(text.decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    ranges = []
    for name, info in header.items():
        if sorted(info) != ["data_offsets", "dtype", "shape"]:
            fail(f"{name}: fields {sorted(info)}")
        np_dtype, label = DTYPES[info["dtype"]]
        begin, end = info["data_offsets"]
        shape = info["shape"]
        count = int(np.prod(shape, dtype=np.int64))
        itemsize = np.dtype(np_dtype).itemsize
        if end - begin != count * itemsize:
            fail(f"{name}: {end - begin} bytes for shape {shape}")
        if aligned and begin % itemsize != 0:
            fail(f"{name}: offset {begin} not aligned to {itemsize}")
        ranges.append((begin, end))
        arr = np.frombuffer(data, dtype=np_dtype, count=count, offset=begin).reshape(shape)
        flat = arr.reshape(-1)
        vals = [str(int(v)) for v in flat] if label == "int64" else [repr(float(v)) for v in flat]
        print(" ".join([name, label, str(len(shape))] + [str(d) for d in shape] + vals))
    pos = 0
    for begin, end in sorted(ranges):
        if begin != pos:
            fail(f"data not tiled at {pos}")
        pos = end
    if pos != len(data):
        fail(f"data section has {len(data)} bytes, tensors cover {pos}")
    for k, v in metadata.items():
        print(f"__metadata__ {k} {v}")


if __name__ == "__main__":
    args = sys.argv[1:]
    aligned = "--aligned" in args
    args = [a for a in args if a != "--aligned"]
    if len(args) != 1:
        fail("usage: read_safetensors_numpy.py [--aligned] FILE")
    main(args[0], aligned)
