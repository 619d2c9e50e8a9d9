// frost/io/safetensors.hpp: a validating reader and an atomic writer for the safetensors format.
//
// Layout: 8-byte little-endian header length n, n bytes of JSON header, then the data buffer.
// Header: {"__metadata__": {str: str}?, "<name>": {"dtype": D, "shape": [..], "data_offsets":
// [begin, end]}, ...}, offsets relative to the data buffer.
//
// The reader trusts nothing in the file. It checks, in this order, and throws frost::Error naming
// the file (or the `where` of the in-memory entry points), the tensor or key, what was expected
// and what was found:
//   - the file holds at least the 8-byte length; n <= kSafeTensorsMaxHeader (100 MB, the limit of
//     the Rust safetensors crate) and n <= file size - 8;
//   - the header is well-formed UTF-8 without a byte order mark or NUL byte, and is one JSON
//     object (spaces after it are padding), nested at most kSafeTensorsMaxDepth (128) levels;
//     no object anywhere in it has a duplicate key;
//   - "__metadata__", if present, is an object of string -> string;
//   - every other key is a tensor: an object with "dtype" (one of kSafeTensorsDtypes), "shape"
//     (an array of at most kSafeTensorsMaxRank (1024) integers in [0, 2^63)) and "data_offsets"
//     (an array of two integers >= 0);
//     other keys in a tensor object are ignored (their duplicates are not);
//   - the element count (product of the shape, every partial product included) fits in int64
//     and element count x dtype size fits in 64 bits;
//   - begin <= end <= data buffer size, and end - begin == element count x dtype size;
//   - the tensors, sorted by offsets, cover the data buffer exactly: no overlap, no gap, no
//     trailing bytes (zero-size tensors may sit at any tensor boundary).
// Only the header is read before it has passed all these checks; the data buffer (file size -
// 8 - n bytes, never more than the file holds) is allocated and read afterwards, so a small file
// declaring a huge tensor fails without allocating anything large. Parsing is two streaming
// (SAX) passes, JSON syntax first, then the rules above: no JSON tree is built, and the header
// needs memory in proportion to n, whatever its content (at most about 9 bytes per header byte,
// for 100 MB of tiny __metadata__ entries: 0.85 GB; a real checkpoint header is tens of KB).
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "../detail/macros.hpp"
#include "atomic_file.hpp"

namespace frost::io {

/// Largest header accepted, in bytes (the Rust safetensors crate uses the same 100 MB).
inline constexpr std::uint64_t kSafeTensorsMaxHeader = 100'000'000;

/// Deepest nesting of arrays and objects accepted in a header (serde_json's default recursion
/// limit, which the Rust reader inherits); a valid header needs 3.
inline constexpr int kSafeTensorsMaxDepth = 128;

/// Most shape entries accepted (NumPy allows 64 dimensions): bounds the memory a header needs.
inline constexpr std::size_t kSafeTensorsMaxRank = 1024;

/// The element types the reader knows (new ones are appended: the values are stable).
enum class DType { F32, F16, BF16, F64, I64, I32, I8, U8, BOOL, I16, U16, U32 };

/// Their names in a header, in DType order.
inline constexpr const char* kSafeTensorsDtypes[] = {"F32", "F16", "BF16", "F64", "I64", "I32",
                                                     "I8",  "U8",  "BOOL", "I16", "U16", "U32"};

inline std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::F64:
    case DType::I64:
      return 8;
    case DType::F32:
    case DType::I32:
    case DType::U32:
      return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16:
    case DType::U16:
      return 2;
    case DType::I8:
    case DType::U8:
    case DType::BOOL:
      return 1;
  }
  return 1;
}

inline const char* dtype_name(DType d) { return kSafeTensorsDtypes[static_cast<int>(d)]; }

inline bool parse_dtype(std::string_view s, DType& out) {
  for (std::size_t i = 0; i < std::size(kSafeTensorsDtypes); ++i) {
    if (s == kSafeTensorsDtypes[i]) {
      out = static_cast<DType>(i);
      return true;
    }
  }
  return false;
}

inline bool is_float_dtype(DType d) {
  return d == DType::F32 || d == DType::F16 || d == DType::BF16 || d == DType::F64;
}
inline bool is_int_dtype(DType d) { return !is_float_dtype(d); }

inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = (h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu, bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while (!(mant & 0x400u)) mant <<= 1, --exp;
      bits = sign | (exp << 23) | ((mant & 0x3FFu) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7F800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

inline float bf16_to_float(std::uint16_t h) {
  const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

struct TensorInfo {
  DType dtype;
  std::vector<std::int64_t> shape;
  std::uint64_t begin, end;  // byte offsets in the data buffer
  /// Product of the shape; the reader guarantees that no partial product overflows int64.
  [[nodiscard]] std::int64_t numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
};

/// A header that passed every check in this file's comment.
struct SafeTensorsHeader {
  std::uint64_t header_size = 0;  ///< n, the JSON bytes after the 8-byte length
  std::uint64_t data_size = 0;    ///< bytes of the data buffer (file size - 8 - n)
  std::map<std::string, TensorInfo> tensors;
  std::map<std::string, std::string> metadata;
  /// Offset of the data buffer in the file.
  [[nodiscard]] std::uint64_t data_begin() const { return 8 + header_size; }
};

/// Checks the 8-byte header length `n` of a file of `file_size` bytes (>= 8).
FROST_DECL void check_safetensors_header_length(std::uint64_t n, std::uint64_t file_size, std::string_view where);

/// Parses and checks the JSON header (the n bytes after the length) of a file whose data buffer
/// has `data_size` bytes. Throws frost::Error, prefixed with `where`, at the first violation.
FROST_DECL SafeTensorsHeader parse_safetensors_header_json(std::string_view header, std::uint64_t data_size,
                                                           std::string_view where);

/// Parses and checks the header of a whole safetensors file image `bytes[0, size)`: the 8-byte
/// length, the JSON header, and that the data buffer is what the tensors cover. The same code
/// as the file reader (SafeTensorsFile), without I/O; the data bytes themselves are not read.
FROST_DECL SafeTensorsHeader parse_safetensors_header(const std::uint8_t* bytes, std::size_t size,
                                                      std::string_view where);

/// A whole safetensors file in memory, validated on open (see the checks at the top).
class SafeTensorsFile {
 public:
  /// Largest header accepted (the reference implementation uses 100 MB).
  static constexpr std::uint64_t kMaxHeader = kSafeTensorsMaxHeader;

  explicit SafeTensorsFile(const std::string& path);

  /// The same checks on a file image in memory (`where` names it in errors); copies the data.
  static SafeTensorsFile from_memory(const std::uint8_t* bytes, std::size_t size, std::string where = "<memory>") {
    SafeTensorsHeader h = parse_safetensors_header(bytes, size, where);
    const std::uint8_t* data = bytes + h.data_begin();
    return SafeTensorsFile(std::move(where), std::move(h), std::vector<unsigned char>(data, data + h.data_size));
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  [[nodiscard]] const std::map<std::string, std::string>& metadata() const { return metadata_; }
  [[nodiscard]] bool contains(const std::string& name) const { return tensors_.count(name) != 0; }

  [[nodiscard]] const TensorInfo& info(const std::string& name) const;

  /// Any float dtype (F32, F16, BF16, F64) as float.
  [[nodiscard]] std::vector<float> floats(const std::string& name) const;

  /// Integer dtypes (I64, I32, I16, I8, U32, U16, U8, BOOL) as int64.
  [[nodiscard]] std::vector<std::int64_t> ints(const std::string& name) const;

 private:
  SafeTensorsFile(std::string where, SafeTensorsHeader&& h, std::vector<unsigned char>&& data)
      : path_(std::move(where)),
        data_(std::move(data)),
        tensors_(std::move(h.tensors)),
        metadata_(std::move(h.metadata)) {}

  std::string path_;
  std::vector<unsigned char> data_;
  std::map<std::string, TensorInfo> tensors_;
  std::map<std::string, std::string> metadata_;
};

/// Builds a safetensors file in memory and writes it atomically (see atomic_file.hpp).
/// Tensors are laid out in the order they are added; the header is padded with spaces to a
/// multiple of 8 bytes and carries __metadata__ (HF writes {"format": "pt"}).
class SafeTensorsWriter {
 public:
  SafeTensorsWriter() { metadata_["format"] = "pt"; }

  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }

  void add_f32(const std::string& name, std::vector<std::int64_t> shape, const float* data) {
    add(name, DType::F32, std::move(shape), reinterpret_cast<const unsigned char*>(data), 4);
  }
  void add_i64(const std::string& name, std::vector<std::int64_t> shape, const std::int64_t* data) {
    add(name, DType::I64, std::move(shape), reinterpret_cast<const unsigned char*>(data), 8);
  }

  [[nodiscard]] std::string bytes() const;

  void write(const std::string& path) const { write_file_atomic(path, bytes()); }

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t begin, end;
  };
  void add(const std::string& name, DType dtype, std::vector<std::int64_t> shape, const unsigned char* data,
           std::size_t elem);

  std::map<std::string, std::string> metadata_;
  std::vector<Entry> entries_;
  std::vector<unsigned char> data_;
};

}  // namespace frost::io

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/safetensors.ipp"
#endif
