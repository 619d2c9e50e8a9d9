#!/usr/bin/env python3
"""Writes the malformed-input corpus for frost's safetensors reader.

Each case is a small .safetensors file that breaks one rule of the reader (see the comment at the
top of include/frost/io/safetensors.hpp), plus a few valid edge cases that must keep loading. The
manifest cases.json lists them as {"file": name, "expect": substring}: the reader must throw a
frost::Error whose message contains `expect` (and the file's path); "expect": null means the file
must load. tests/test_safetensors.cpp (ManifestCases) runs them all.

    python3 tools/make_malformed_safetensors.py [--out tests/fixtures/malformed/safetensors]
                                                [--seeds tests/fuzz/corpus/safetensors]

Regression cases found by fuzzing (tools/run-fuzz.sh) are added to CASES below.
"""
import argparse
import json
import os
import struct
import sys


def st(header, data=b""):
    """8-byte little-endian length + header + data; `header` is str (UTF-8) or bytes."""
    h = header.encode("utf-8") if isinstance(header, str) else header
    return struct.pack("<Q", len(h)) + h + data


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def tensor(dtype="F32", shape="[1]", offsets="[0,4]"):
    return '{"dtype":"%s","shape":%s,"data_offsets":%s}' % (dtype, shape, offsets)


ONE = '{"w":' + tensor() + "}"  # a valid header for f32(1.0)

# (file name, bytes, substring the error must contain, or None: the file must load)
CASES = [
    # 8-byte header length
    ("too_short.safetensors", b"\x02\x00\x00", "too short for the 8-byte safetensors header length"),
    ("header_length_over_limit.safetensors", struct.pack("<Q", 100_000_001) + b"{}",
     "header length 100000001 exceeds the limit of 100000000 bytes"),
    ("header_length_past_eof.safetensors", struct.pack("<Q", 64) + b"{}",
     "header length 64 runs past the end of the file (10 bytes)"),
    # header text
    ("header_bom.safetensors", st(b"\xef\xbb\xbf{}"), "byte order mark"),
    ("header_invalid_utf8.safetensors", st(b'{"w\xff":' + tensor().encode() + b"}", f32(1)),
     "header is not valid UTF-8: byte 0xFF at header offset 3"),
    ("header_overlong_utf8.safetensors", st(b'{"\xc0\xaf":' + tensor().encode() + b"}", f32(1)),
     "header is not valid UTF-8: byte 0xC0"),
    ("header_nul.safetensors", st(b"{}\x00junk"), "header contains a NUL byte at offset 2"),
    ("header_not_json.safetensors", st('{"w":' + tensor()), "header is not valid JSON"),
    ("header_lone_surrogate.safetensors", st('{"\\ud800":' + tensor() + "}", f32(1)),
     "header is not valid JSON"),
    ("header_trailing_garbage.safetensors", st(ONE + " x", f32(1)), "header is not valid JSON"),
    ("header_too_deep.safetensors",
     st('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":' + "[" * 127 + "]" * 127 + "}}", b"z"),
     "header is nested more than 128 levels deep"),
    ("header_not_object.safetensors", st("[1,2]"), "header must be a JSON object, found an array"),
    # duplicate keys
    ("duplicate_tensor.safetensors",
     st('{"w":' + tensor() + ',"w":' + tensor(offsets="[4,8]") + "}", f32(1, 2)),
     "duplicate key 'w' in the header"),
    ("duplicate_metadata.safetensors", st('{"__metadata__":{},"__metadata__":{}}'),
     "duplicate key '__metadata__' in the header"),
    ("duplicate_field.safetensors",
     st('{"w":{"dtype":"F32","shape":[1],"dtype":"I32","data_offsets":[0,4]}}', f32(1)),
     "tensor 'w': duplicate key 'dtype'"),
    ("duplicate_metadata_key.safetensors", st('{"__metadata__":{"format":"pt","format":"tf"}}'),
     "__metadata__: duplicate key 'format'"),
    ("duplicate_nested_key.safetensors",
     st('{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":{"a":1,"a":2}}}', f32(1)),
     "tensor 'w': duplicate key 'a' in a nested object"),
    # __metadata__
    ("metadata_not_object.safetensors", st('{"__metadata__":["format","pt"]}'),
     "__metadata__ must be an object of strings, found an array"),
    ("metadata_value_not_string.safetensors", st('{"__metadata__":{"format":"pt","epoch":3}}'),
     "__metadata__ value for 'epoch' must be a string, found 3"),
    # tensor entries
    ("tensor_not_object.safetensors", st('{"w":[0,4]}'),
     "tensor 'w': expected an object with dtype, shape and data_offsets, found an array"),
    ("missing_dtype.safetensors", st('{"w":{"shape":[1],"data_offsets":[0,4]}}', f32(1)),
     "tensor 'w': missing 'dtype'"),
    ("missing_shape.safetensors", st('{"w":{"dtype":"F32","data_offsets":[0,4]}}', f32(1)),
     "tensor 'w': missing 'shape'"),
    ("missing_data_offsets.safetensors", st('{"w":{"dtype":"F32","shape":[1]}}', f32(1)),
     "tensor 'w': missing 'data_offsets'"),
    ("unknown_dtype.safetensors", st('{"w":' + tensor(dtype="F8_E4M3", offsets="[0,1]") + "}", b"x"),
     "tensor 'w': unknown dtype \"F8_E4M3\""),
    ("dtype_not_string.safetensors", st('{"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}}', f32(1)),
     "tensor 'w': unknown dtype 4"),
    ("shape_not_array.safetensors", st('{"w":' + tensor(shape="4") + "}", f32(1)),
     "tensor 'w': shape must be an array of non-negative integers, found 4"),
    ("shape_negative.safetensors", st('{"w":' + tensor(shape="[2,-3]") + "}", f32(1)),
     "tensor 'w': shape entries must be non-negative integers, found -3 at shape index 1"),
    ("shape_float.safetensors", st('{"w":' + tensor(shape="[1.0]") + "}", f32(1)),
     "tensor 'w': shape entries must be non-negative integers, found 1.0"),
    ("shape_nested.safetensors", st('{"w":' + tensor(shape="[[1]]") + "}", f32(1)),
     "tensor 'w': shape entries must be non-negative integers, found an array"),
    ("shape_rank_over_limit.safetensors",
     st('{"w":' + tensor(shape="[" + ",".join(["1"] * 1025) + "]") + "}", f32(1)),
     "tensor 'w': shape has more than 1024 entries"),
    ("shape_entry_over_int64.safetensors",
     st('{"w":' + tensor(shape="[0,9223372036854775808]", offsets="[0,0]") + "}"),
     "tensor 'w': shape is too large: entry 9223372036854775808 at shape index 1 exceeds the int64 range"),
    ("shape_numel_overflow.safetensors",
     st('{"w":' + tensor(shape="[4294967296,4294967296,0]", offsets="[0,0]") + "}"),
     "tensor 'w': shape is too large: the element count of [4294967296] x 4294967296 overflows"),
    ("shape_bytes_overflow.safetensors",
     st('{"w":' + tensor(shape="[4611686018427387904]", offsets="[0,0]") + "}"),
     "tensor 'w': shape is too large: 4611686018427387904 elements of F32 (4 bytes each) overflow 64 bits"),
    # data_offsets
    ("offsets_one_entry.safetensors", st('{"w":' + tensor(offsets="[0]") + "}", f32(1)),
     "tensor 'w': data_offsets must be [begin, end] non-negative integers, found an array of 1 entries"),
    ("offsets_three_entries.safetensors", st('{"w":' + tensor(offsets="[0,4,8]") + "}", f32(1)),
     "tensor 'w': data_offsets must be [begin, end] non-negative integers, found more than 2 entries"),
    ("offsets_negative.safetensors", st('{"w":' + tensor(offsets="[-4,4]") + "}", f32(1)),
     "tensor 'w': data_offsets must be [begin, end] non-negative integers, found -4 at index 0"),
    ("offsets_huge_number.safetensors",
     st('{"w":' + tensor(offsets="[0,18446744073709551616]") + "}", f32(1)),
     "tensor 'w': data_offsets must be [begin, end] non-negative integers, found 18446744073709551616"),
    ("offsets_not_ordered.safetensors",
     st('{"bert.pooler.dense.bias":' + tensor(offsets="[10,8]") + "}", bytes(12)),
     "tensor 'bert.pooler.dense.bias': data_offsets [10, 8] are not ordered"),
    ("offsets_beyond_buffer.safetensors", st('{"w":' + tensor(shape="[2]", offsets="[0,8]") + "}", f32(1)),
     "tensor 'w': data_offsets end 8 is beyond the data buffer (4 bytes)"),
    ("offsets_span_mismatch.safetensors", st('{"w":' + tensor(shape="[3]", offsets="[0,8]") + "}", f32(1, 2)),
     "tensor 'w': data_offsets span 8 bytes but shape x dtype needs 12"),
    ("tensor_1tb.safetensors",
     st('{"w":' + tensor(shape="[262144,1048576]", offsets="[0,1099511627776]") + "}", f32(1)),
     "tensor 'w': data_offsets end 1099511627776 is beyond the data buffer (4 bytes)"),
    ("tensor_1tb_span.safetensors",
     st('{"w":' + tensor(shape="[262144,1048576]") + "}", f32(1)),
     "tensor 'w': data_offsets span 4 bytes but shape x dtype needs 1099511627776"),
    # coverage of the data buffer
    ("overlap.safetensors",
     st('{"a":' + tensor(shape="[2]", offsets="[0,8]") + ',"b":' + tensor(shape="[2]", offsets="[4,12]") + "}",
        f32(1, 2, 3)),
     "tensors 'a' (data_offsets [0, 8]) and 'b' (data_offsets [4, 12]) overlap in the data buffer at byte 4"),
    ("alias.safetensors", st('{"a":' + tensor() + ',"b":' + tensor(dtype="I32") + "}", f32(1)),
     "overlap in the data buffer at byte 0"),
    ("empty_inside_tensor.safetensors",
     st('{"a":' + tensor(shape="[2]", offsets="[0,8]") + ',"e":' + tensor(shape="[0]", offsets="[4,4]") + "}",
        f32(1, 2)),
     "and 'e' (data_offsets [4, 4]) overlap"),
    ("gap.safetensors",
     st('{"a":' + tensor() + ',"b":' + tensor(offsets="[8,12]") + "}", f32(1, 2, 3)),
     "gap in the data buffer at bytes [4, 8) before tensor 'b'"),
    ("gap_at_start.safetensors", st('{"a":' + tensor(offsets="[4,8]") + "}", f32(1, 2)),
     "gap in the data buffer at bytes [0, 4) before tensor 'a'"),
    ("trailing_bytes.safetensors", st(ONE, f32(1) + b"abc"), "3 trailing bytes after the last tensor"),
    ("no_tensors_trailing.safetensors", st("{}", b"z"), "1 trailing bytes after the last tensor"),
    # valid edge cases: must load
    ("valid_empty_tensor.safetensors", st('{"e":' + tensor(shape="[0]", offsets="[0,0]") + "}"), None),
    ("valid_empty_tensor_metadata.safetensors",
     st('{"__metadata__":{"format":"pt"},"e":' + tensor(shape="[0]", offsets="[0,0]") + "}"), None),
    ("valid_empty_and_full.safetensors",
     st('{"e":' + tensor(shape="[0,3]", offsets="[4,4]") + ',"w":' + tensor() + ',"z":'
        + tensor(dtype="I64", shape="[2,0]", offsets="[0,0]") + "}", f32(1)), None),
    ("valid_metadata_only.safetensors", st('{"__metadata__":{"format":"pt","note":"h\\u00e9llo"}}'), None),
    ("valid_nothing.safetensors", st("{}"), None),
    ("valid_padded_unknown_key.safetensors",
     st('{"w":{"dtype":"BF16","shape":[2],"data_offsets":[0,4],"extra":[{"a":[1]},null]}}' + "   ",
        b"\x80\x3f\x00\x40"), None),
]


# The fuzz seed corpus (tests/fuzz/corpus/safetensors): whole files, and the fuzz target's
# header-first form (the input starts with '{'; the header ends at the last '}', the data follows
# and the 8-byte length is synthesised), so that mutations keep the length consistent.
SEEDS = [
    ("valid_f32.safetensors", st('{"__metadata__":{"format":"pt"},"a":' + tensor(shape="[2]", offsets="[0,8]")
                                 + ',"b":' + tensor(dtype="F16", shape="[1,2]", offsets="[8,12]") + "}",
                                 f32(1, 2) + b"\x00\x3c\x00\xc0")),
    ("valid_ints.safetensors", st('{"i":' + tensor(dtype="I64", shape="[1]", offsets="[0,8]") + ',"u":'
                                  + tensor(dtype="U8", shape="[2]", offsets="[8,10]") + ',"b":'
                                  + tensor(dtype="BOOL", shape="[]", offsets="[10,11]") + "}",
                                  struct.pack("<q", -5) + b"\x07\xff\x01")),
    ("header_first_valid.txt", ('{"w":' + tensor(dtype="BF16", shape="[2]", offsets="[0,4]") + ',"e":'
                                + tensor(dtype="I32", shape="[0]", offsets="[4,4]") + "}").encode() + b"\x80\x3f\x00\x40"),
    ("header_first_metadata.txt", ('{"__metadata__":{"format":"pt","x":"y"},"d":'
                                   + tensor(dtype="F64", shape="[1]", offsets="[0,8]") + "}").encode()
                                  + struct.pack("<d", 0.5)),
    ("header_first_many.txt", ('{"a":' + tensor(dtype="I16", shape="[1]", offsets="[0,2]") + ',"b":'
                               + tensor(dtype="U16", shape="[1]", offsets="[2,4]") + ',"c":'
                               + tensor(dtype="U32", shape="[1]", offsets="[4,8]") + ',"d":'
                               + tensor(dtype="I8", shape="[1,1]", offsets="[8,9]") + "}").encode() + bytes(9)),
    ("header_first_overlap.txt", ('{"a":' + tensor(shape="[2]", offsets="[0,8]") + ',"b":'
                                  + tensor(offsets="[4,8]") + "}").encode() + bytes(8)),
    ("header_first_unknown_key.txt", ('{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[{"k":1}]}}').encode() + b"z"),
]
SEED_FROM_CASES = ["duplicate_field.safetensors", "offsets_not_ordered.safetensors", "gap.safetensors",
                   "shape_numel_overflow.safetensors", "header_invalid_utf8.safetensors",
                   "metadata_value_not_string.safetensors", "tensor_1tb.safetensors"]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "malformed", "safetensors"))
    ap.add_argument("--seeds", default=os.path.join(here, "..", "tests", "fuzz", "corpus", "safetensors"),
                    help="fuzz seed corpus directory (files found by fuzzing there are kept)")
    args = ap.parse_args()
    os.makedirs(args.seeds, exist_ok=True)
    by_name = {c[0]: c[1] for c in CASES}
    for name, data in SEEDS + [(n, by_name[n]) for n in SEED_FROM_CASES]:
        with open(os.path.join(args.seeds, name), "wb") as f:
            f.write(data)
    os.makedirs(args.out, exist_ok=True)
    names = [c[0] for c in CASES]
    if len(set(names)) != len(names):
        sys.exit("duplicate case file names")
    for old in os.listdir(args.out):  # cases removed from CASES
        if old.endswith(".safetensors") and old not in names:
            os.remove(os.path.join(args.out, old))
    manifest = []
    for name, data, expect in CASES:
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(data)
        manifest.append({"file": name, "expect": expect})
    with open(os.path.join(args.out, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    bad = sum(1 for c in CASES if c[2] is not None)
    print("wrote %d malformed and %d valid cases to %s" % (bad, len(CASES) - bad, os.path.normpath(args.out)))
    print("wrote %d fuzz seeds to %s" % (len(SEEDS) + len(SEED_FROM_CASES), os.path.normpath(args.seeds)))


if __name__ == "__main__":
    main()
