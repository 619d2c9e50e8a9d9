// frost/io/safetensors.hpp: a validating reader and an atomic writer for the safetensors format.
//
// Layout: 8-byte little-endian header length n, n bytes of JSON header, then the data buffer.
// Header: {"__metadata__": {str: str}?, "<name>": {"dtype": D, "shape": [..], "data_offsets":
// [begin, end]}, ...}, offsets relative to the data buffer. The reader checks: header length
// bound and fit, JSON validity, known dtypes, non-negative integer shapes, end - begin equal to
// numel * dtype size, offsets within the buffer, no overlaps and no gaps (the buffer is covered
// exactly). Every error names the file and the tensor.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../detail/macros.hpp"
#include "atomic_file.hpp"

namespace frost::io {

enum class DType { F32, F16, BF16, F64, I64, I32, I8, U8, BOOL };

inline std::size_t dtype_size(DType d) {
  switch (d) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16: return 2;
    default: return 1;
  }
}

inline const char* dtype_name(DType d) {
  constexpr const char* names[] = {"F32", "F16", "BF16", "F64", "I64", "I32", "I8", "U8", "BOOL"};
  return names[static_cast<int>(d)];
}

inline bool parse_dtype(const std::string& s, DType& out) {
  static const std::map<std::string, DType> m = {
      {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16},
      {"F64", DType::F64}, {"I64", DType::I64}, {"I32", DType::I32},
      {"I8", DType::I8},   {"U8", DType::U8},   {"BOOL", DType::BOOL}};
  auto it = m.find(s);
  if (it == m.end()) return false;
  out = it->second;
  return true;
}

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
  [[nodiscard]] std::int64_t numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
};

/// A whole safetensors file in memory, validated on open.
class SafeTensorsFile {
 public:
  /// Largest header accepted (the reference implementation uses 100 MB).
  static constexpr std::uint64_t kMaxHeader = 100'000'000;

  explicit SafeTensorsFile(const std::string& path) : path_(path) {
    std::error_code ec;
    FROST_CHECK(std::filesystem::is_regular_file(path, ec),
                path + ": cannot open safetensors file (missing or not a regular file)");
    std::ifstream in(path, std::ios::binary);
    FROST_CHECK(in.good(), path + ": cannot open safetensors file");
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    FROST_CHECK(size >= 8, path + ": file is " + std::to_string(size) +
                               " bytes, too short for the 8-byte safetensors header length");
    unsigned char len_bytes[8];
    in.read(reinterpret_cast<char*>(len_bytes), 8);
    FROST_CHECK(in.good(), path + ": read error in the 8-byte header length");
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
    FROST_CHECK(n <= kMaxHeader, path + ": header length " + std::to_string(n) +
                                     " exceeds the limit of " + std::to_string(kMaxHeader));
    FROST_CHECK(n <= size - 8, path + ": header length " + std::to_string(n) +
                                   " runs past the end of the file (" + std::to_string(size) +
                                   " bytes)");
    std::string header(n, '\0');
    in.read(header.data(), static_cast<std::streamsize>(n));
    data_.resize(size - 8 - n);
    in.read(reinterpret_cast<char*>(data_.data()), static_cast<std::streamsize>(data_.size()));
    FROST_CHECK(in.good(), path + ": read error");
    parse_header(header);
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::map<std::string, TensorInfo>& tensors() const { return tensors_; }
  [[nodiscard]] const std::map<std::string, std::string>& metadata() const { return metadata_; }
  [[nodiscard]] bool contains(const std::string& name) const { return tensors_.count(name) != 0; }

  [[nodiscard]] const TensorInfo& info(const std::string& name) const {
    auto it = tensors_.find(name);
    FROST_CHECK(it != tensors_.end(), path_ + ": no tensor named '" + name + "'");
    return it->second;
  }

  /// Any float dtype (F32, F16, BF16, F64) as float.
  [[nodiscard]] std::vector<float> floats(const std::string& name) const {
    const TensorInfo& t = info(name);
    const unsigned char* p = data_.data() + t.begin;
    const auto n = static_cast<std::size_t>(t.numel());
    std::vector<float> out(n);
    switch (t.dtype) {
      case DType::F32:
        if (n != 0) std::memcpy(out.data(), p, n * 4);
        break;
      case DType::F64:
        for (std::size_t i = 0; i < n; ++i) {
          double d;
          std::memcpy(&d, p + 8 * i, 8);
          out[i] = static_cast<float>(d);
        }
        break;
      case DType::F16:
      case DType::BF16:
        for (std::size_t i = 0; i < n; ++i) {
          std::uint16_t h = static_cast<std::uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
          out[i] = t.dtype == DType::F16 ? half_to_float(h) : bf16_to_float(h);
        }
        break;
      default:
        throw Error(path_ + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype) +
                    ", expected a float dtype (F32, F16, BF16, F64)");
    }
    return out;
  }

  /// Integer dtypes (I64, I32, I8, U8, BOOL) as int64.
  [[nodiscard]] std::vector<std::int64_t> ints(const std::string& name) const {
    const TensorInfo& t = info(name);
    const unsigned char* p = data_.data() + t.begin;
    const auto n = static_cast<std::size_t>(t.numel());
    FROST_CHECK(t.dtype == DType::I64 || t.dtype == DType::I32 || t.dtype == DType::I8 ||
                    t.dtype == DType::U8 || t.dtype == DType::BOOL,
                path_ + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype) +
                    ", expected an integer dtype");
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      switch (t.dtype) {
        case DType::I64: std::memcpy(&out[i], p + 8 * i, 8); break;
        case DType::I32: {
          std::int32_t v;
          std::memcpy(&v, p + 4 * i, 4);
          out[i] = v;
          break;
        }
        case DType::I8: out[i] = static_cast<std::int8_t>(p[i]); break;
        case DType::U8:
        case DType::BOOL: out[i] = p[i]; break;
        default:
          throw Error(path_ + ": tensor '" + name + "' has dtype " + dtype_name(t.dtype) +
                      ", expected an integer dtype");
      }
    }
    return out;
  }

 private:
  void parse_header(const std::string& header) {
    // nlohmann's lexer stops at '\0' and would silently ignore the rest of the header
    const auto nul = header.find('\0');
    FROST_CHECK(nul == std::string::npos,
                path_ + ": header contains a NUL byte at offset " + std::to_string(nul));
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(header);
    } catch (const nlohmann::json::exception& e) {
      throw Error(path_ + ": header is not valid JSON (" + e.what() + ")");
    }
    FROST_CHECK(j.is_object(), path_ + ": header must be a JSON object");
    std::vector<std::tuple<std::uint64_t, std::uint64_t, std::string>> ranges;
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& name = it.key();
      const auto& v = it.value();
      if (name == "__metadata__") {
        FROST_CHECK(v.is_object(), path_ + ": __metadata__ must be an object of strings");
        for (auto m = v.begin(); m != v.end(); ++m) {
          FROST_CHECK(m.value().is_string(),
                      path_ + ": __metadata__ value for '" + m.key() + "' must be a string");
          metadata_[m.key()] = m.value().get<std::string>();
        }
        continue;
      }
      const std::string where = path_ + ": tensor '" + name + "'";
      FROST_CHECK(v.is_object() && v.contains("dtype") && v.contains("shape") &&
                      v.contains("data_offsets"),
                  where + ": expected an object with dtype, shape and data_offsets");
      TensorInfo t{};
      FROST_CHECK(v["dtype"].is_string() && parse_dtype(v["dtype"].get<std::string>(), t.dtype),
                  where + ": unknown dtype " + v["dtype"].dump());
      FROST_CHECK(v["shape"].is_array(), where + ": shape must be an array");
      std::uint64_t numel = 1;
      for (const auto& d : v["shape"]) {
        FROST_CHECK(d.is_number_unsigned() || (d.is_number_integer() && d.get<std::int64_t>() >= 0),
                    where + ": shape entries must be non-negative integers, got " + d.dump());
        const auto dim = d.get<std::uint64_t>();
        FROST_CHECK(dim == 0 || numel <= (std::uint64_t{1} << 62) / dim,
                    where + ": shape is too large");
        numel *= dim;
        t.shape.push_back(static_cast<std::int64_t>(dim));
      }
      FROST_CHECK(numel <= std::numeric_limits<std::uint64_t>::max() / dtype_size(t.dtype),
                  where + ": shape is too large");
      const auto& off = v["data_offsets"];
      FROST_CHECK(off.is_array() && off.size() == 2 && off[0].is_number_unsigned() &&
                      off[1].is_number_unsigned(),
                  where + ": data_offsets must be [begin, end] non-negative integers");
      t.begin = off[0].get<std::uint64_t>();
      t.end = off[1].get<std::uint64_t>();
      FROST_CHECK(t.begin <= t.end, where + ": data_offsets begin > end");
      FROST_CHECK(t.end <= data_.size(), where + ": data_offsets end " + std::to_string(t.end) +
                                             " is beyond the data buffer (" +
                                             std::to_string(data_.size()) + " bytes)");
      FROST_CHECK(t.end - t.begin == numel * dtype_size(t.dtype),
                  where + ": data_offsets span " + std::to_string(t.end - t.begin) +
                      " bytes but shape x dtype needs " +
                      std::to_string(numel * dtype_size(t.dtype)));
      ranges.emplace_back(t.begin, t.end, name);
      tensors_.emplace(name, std::move(t));
    }
    std::sort(ranges.begin(), ranges.end());
    std::uint64_t pos = 0;
    const std::string* prev = nullptr;
    for (const auto& [b, e, name] : ranges) {
      FROST_CHECK(b >= pos, path_ + ": tensors '" + *prev + "' and '" + name +
                                "' overlap in the data buffer at byte " + std::to_string(b));
      FROST_CHECK(b == pos, path_ + ": gap in the data buffer at bytes [" + std::to_string(pos) +
                                ", " + std::to_string(b) + ") before tensor '" + name + "'");
      pos = e;
      prev = &name;
    }
    FROST_CHECK(pos == data_.size(), path_ + ": " + std::to_string(data_.size() - pos) +
                                         " trailing bytes after the last tensor");
  }

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

  [[nodiscard]] std::string bytes() const {
    nlohmann::ordered_json h;
    if (!metadata_.empty()) h["__metadata__"] = metadata_;
    for (const auto& e : entries_)
      h[e.name] = {{"dtype", dtype_name(e.dtype)}, {"shape", e.shape}, {"data_offsets", {e.begin, e.end}}};
    std::string header = h.dump();
    while (header.size() % 8 != 0) header.push_back(' ');
    std::string out(8, '\0');
    const std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFFu);
    out += header;
    out.append(reinterpret_cast<const char*>(data_.data()), data_.size());
    return out;
  }

  void write(const std::string& path) const { write_file_atomic(path, bytes()); }

 private:
  struct Entry {
    std::string name;
    DType dtype;
    std::vector<std::int64_t> shape;
    std::uint64_t begin, end;
  };
  void add(const std::string& name, DType dtype, std::vector<std::int64_t> shape,
           const unsigned char* data, std::size_t elem) {
    FROST_CHECK(name != "__metadata__", "safetensors: '__metadata__' is not a tensor name");
    for (const auto& e : entries_)
      FROST_CHECK(e.name != name, "safetensors: tensor '" + name + "' added twice");
    std::uint64_t numel = 1;
    for (auto d : shape) {
      FROST_CHECK(d >= 0, "safetensors: tensor '" + name + "' has a negative dimension");
      numel *= static_cast<std::uint64_t>(d);
    }
    const std::uint64_t begin = data_.size();
    data_.insert(data_.end(), data, data + numel * elem);
    entries_.push_back({name, dtype, std::move(shape), begin, data_.size()});
  }

  std::map<std::string, std::string> metadata_;
  std::vector<Entry> entries_;
  std::vector<unsigned char> data_;
};

}  // namespace frost::io
