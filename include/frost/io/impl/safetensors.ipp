// frost/io/impl/safetensors.ipp: the definitions of io/safetensors.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "../safetensors.hpp"

namespace frost::io {

namespace detail {

/// A name for an error message: quoted, cut (at a UTF-8 boundary) if very long.
inline std::string st_quote(std::string_view s, char q = '\'') {
  constexpr std::size_t kMax = 200;
  std::string out(1, q);
  if (s.size() <= kMax) {
    out.append(s);
    out.push_back(q);
    return out;
  }
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0u) == 0x80u) --cut;
  out.append(s.substr(0, cut));
  out += "...";
  out.push_back(q);
  out += " (" + std::to_string(s.size()) + " bytes)";
  return out;
}

inline std::string st_shape_str(const std::vector<std::int64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ", ";
    if (i == 16 && shape.size() > 20) {
      s += "... (" + std::to_string(shape.size()) + " entries)";
      break;
    }
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

inline std::string st_dtype_list() {
  std::string s;
  for (const char* d : kSafeTensorsDtypes) s += (s.empty() ? "" : ", ") + std::string(d);
  return s;
}

/// Length of the UTF-8 sequence a lead byte `c` (>= 0x80) starts, with its payload bits in `cp`;
/// 0 for a byte that cannot start one.
inline std::size_t st_utf8_lead(unsigned char c, std::uint32_t& cp) {
  if (c >= 0xC2u && c <= 0xDFu) {
    cp = c & 0x1Fu;
    return 2;
  }
  if (c >= 0xE0u && c <= 0xEFu) {
    cp = c & 0x0Fu;
    return 3;
  }
  if (c >= 0xF0u && c <= 0xF4u) {
    cp = c & 0x07u;
    return 4;
  }
  return 0;
}

/// Whether code point `cp` of a `len`-byte sequence is an overlong form, a surrogate or above U+10FFFF.
inline bool st_utf8_out_of_range(std::size_t len, std::uint32_t cp) {
  return (len == 3 && (cp < 0x800u || (cp >= 0xD800u && cp <= 0xDFFFu))) ||
         (len == 4 && (cp < 0x10000u || cp > 0x10FFFFu));
}

/// Length of the well-formed multi-byte sequence at s[i] (s[i] >= 0x80), or 0 when it is not one.
inline std::size_t st_utf8_sequence(std::string_view s, std::size_t i) {
  std::uint32_t cp = 0;
  const std::size_t len = st_utf8_lead(static_cast<unsigned char>(s[i]), cp);
  if (len == 0 || s.size() - i < len) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0u) != 0x80u) return 0;
    cp = (cp << 6) | (cc & 0x3Fu);
  }
  return st_utf8_out_of_range(len, cp) ? 0 : len;
}

/// Offset of the first byte that does not start a well-formed UTF-8 sequence (no overlong forms,
/// no surrogates, nothing above U+10FFFF), or npos.
inline std::size_t st_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80u) {
      ++i;
      continue;
    }
    const std::size_t len = st_utf8_sequence(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

/// The first pass: JSON syntax only (so that a broken header is reported as such, not by the
/// first semantic error before the break), without building anything.
struct JsonSyntaxSax {
  using json = nlohmann::json;
  std::string_view where;
  int depth = 0;
  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) { return nest(); }
  bool key(json::string_t&) { return true; }
  bool end_object() { return --depth, true; }
  bool start_array(std::size_t) { return nest(); }
  bool end_array() { return --depth, true; }
  bool nest() {
    FROST_CHECK(++depth <= kSafeTensorsMaxDepth, std::string(where) + ": header is nested more than " +
                                                     std::to_string(kSafeTensorsMaxDepth) +
                                                     " levels deep (expected a flat object of tensors)");
    return true;
  }
  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    throw Error(std::string(where) + ": header is not valid JSON (at header byte " + std::to_string(pos) + ": " +
                e.what() + ")");
  }
};

/// The second pass, behind parse_safetensors_header_json: a nlohmann SAX handler that
/// fills a SafeTensorsHeader and throws frost::Error at the first violation.
class SafeTensorsSax {
 public:
  using json = nlohmann::json;

  SafeTensorsSax(std::string_view where, SafeTensorsHeader& out) : where_(where), out_(out) {}

  // ---- values ----
  bool null() { return value(Tok{Kind::Null, "null"}); }
  bool boolean(bool b) { return value(Tok{Kind::Bool, b ? "true" : "false"}); }
  bool number_integer(json::number_integer_t v) {
    Tok t{Kind::Int, std::to_string(v)};
    t.i = v;
    return value(t);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    Tok t{Kind::Uint, std::to_string(v)};
    t.u = v;
    return value(t);
  }
  bool number_float(json::number_float_t, const json::string_t& s) {
    return value(Tok{Kind::Float, s.size() > 40 ? s.substr(0, 40) + "..." : s});
  }
  bool string(json::string_t& s) {
    Tok t{Kind::String, st_quote(s, '"')};
    t.s = &s;
    return value(t);
  }
  bool binary(json::binary_t&) { return value(Tok{Kind::Other, "binary data"}); }
  bool start_object(std::size_t) { return value(Tok{Kind::Object, "an object"}); }
  bool start_array(std::size_t) { return value(Tok{Kind::Array, "an array"}); }

  // ---- structure ----
  bool key(json::string_t& k) {
    switch (state_) {
      case State::RootKey: {
        const bool dup = k == "__metadata__" ? metadata_seen_ : out_.tensors.count(k) != 0;
        FROST_CHECK(!dup, where_ + ": duplicate key " + st_quote(k) +
                              " in the header (each tensor name and __metadata__ may appear once)");
        if (k == "__metadata__") {
          metadata_seen_ = true;
          state_ = State::MetaValue;
        } else {
          name_ = k;
          state_ = State::TensorValue;
        }
        break;
      }
      case State::MetaKey:
        FROST_CHECK(out_.metadata.count(k) == 0, where_ + ": __metadata__: duplicate key " + st_quote(k));
        meta_key_ = k;
        state_ = State::MetaValue2;
        break;
      case State::TensorKey: {
        FROST_CHECK(tensor_keys_.insert(k).second, tensor_where() + ": duplicate key " + st_quote(k));
        if (k == "dtype") {
          state_ = State::Dtype;
        } else if (k == "shape") {
          state_ = State::Shape;
        } else if (k == "data_offsets") {
          state_ = State::Offsets;
        } else {
          state_ = State::Skip;  // unknown keys are ignored
          skip_depth_ = 0;
        }
        break;
      }
      case State::Skip:
        FROST_CHECK(skip_keys_.back().insert(k).second,
                    tensor_where() + ": duplicate key " + st_quote(k) + " in a nested object");
        break;
      default:
        break;  // unreachable: nlohmann only calls key() inside an object
    }
    return true;
  }

  bool end_object() {
    switch (state_) {
      case State::RootKey:
        state_ = State::Done;
        break;
      case State::MetaKey:
        state_ = State::RootKey;
        break;
      case State::TensorKey:
        finish_tensor();
        state_ = State::RootKey;
        break;
      case State::Skip:
        end_skipped();
        break;
      default:
        break;
    }
    return true;
  }

  bool end_array() {
    switch (state_) {
      case State::ShapeEntry:
        state_ = State::TensorKey;
        break;
      case State::OffsetsEntry:
        FROST_CHECK(n_offsets_ == 2, tensor_where() +
                                         ": data_offsets must be [begin, end] non-negative "
                                         "integers, found an array of " +
                                         std::to_string(n_offsets_) + " entries");
        state_ = State::TensorKey;
        break;
      case State::Skip:
        end_skipped();
        break;
      default:
        break;
    }
    return true;
  }

  bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    // unreachable after JsonSyntaxSax accepted the same text
    throw Error(where_ + ": header is not valid JSON (at header byte " + std::to_string(pos) + ": " + e.what() + ")");
  }

  [[nodiscard]] bool done() const { return state_ == State::Done; }

  /// The checks that need every tensor: sorted by offsets, they cover the data buffer exactly.
  void check_coverage() const {
    std::vector<std::tuple<std::uint64_t, std::uint64_t, const std::string*>> ranges;
    ranges.reserve(out_.tensors.size());
    for (const auto& [name, t] : out_.tensors) ranges.emplace_back(t.begin, t.end, &name);
    std::sort(ranges.begin(), ranges.end(), [](const auto& a, const auto& b) {
      return std::tie(std::get<0>(a), std::get<1>(a), *std::get<2>(a)) <
             std::tie(std::get<0>(b), std::get<1>(b), *std::get<2>(b));
    });
    std::uint64_t pos = 0;
    const std::string* prev = nullptr;
    std::uint64_t prev_b = 0;
    for (const auto& [b, e, name] : ranges) {
      FROST_CHECK(b >= pos, where_ + ": tensors " + st_quote(*prev) + " (data_offsets [" + std::to_string(prev_b) +
                                ", " + std::to_string(pos) + "]) and " + st_quote(*name) + " (data_offsets [" +
                                std::to_string(b) + ", " + std::to_string(e) +
                                "]) overlap in the data buffer at byte " + std::to_string(b));
      FROST_CHECK(b == pos, where_ + ": gap in the data buffer at bytes [" + std::to_string(pos) + ", " +
                                std::to_string(b) + ") before tensor " + st_quote(*name) +
                                " (expected the tensors to cover the buffer without holes)");
      pos = e;
      prev = name;
      prev_b = b;
    }
    FROST_CHECK(pos == out_.data_size, where_ + ": " + std::to_string(out_.data_size - pos) +
                                           " trailing bytes after the last tensor (data buffer is " +
                                           std::to_string(out_.data_size) + " bytes, the tensors cover " +
                                           std::to_string(pos) + ")");
  }

 private:
  enum class Kind { Null, Bool, Int, Uint, Float, String, Object, Array, Other };
  struct Tok {
    Kind kind;
    std::string text;  // for messages: the value, or "an object" / "an array"
    std::int64_t i = 0;
    std::uint64_t u = 0;
    const std::string* s = nullptr;
  };
  enum class State {
    Root,          // expecting the header object
    RootKey,       // in the header: a key (tensor name or __metadata__) or the end
    MetaValue,     // expecting __metadata__'s object
    MetaKey,       // in __metadata__: a key or the end
    MetaValue2,    // expecting a metadata string
    TensorValue,   // expecting a tensor's object
    TensorKey,     // in a tensor: a key or the end
    Dtype,         // expecting the dtype string
    Shape,         // expecting the shape array
    ShapeEntry,    // in the shape array
    Offsets,       // expecting the data_offsets array
    OffsetsEntry,  // in the data_offsets array
    Skip,          // inside the value of an unknown tensor key
    Done
  };

  [[nodiscard]] std::string tensor_where() const { return where_ + ": tensor " + st_quote(name_); }

  static bool non_negative(const Tok& t, std::uint64_t& v) {
    if (t.kind == Kind::Uint) {
      v = t.u;
      return true;
    }
    if (t.kind == Kind::Int && t.i >= 0) {  // "-0"
      v = static_cast<std::uint64_t>(t.i);
      return true;
    }
    return false;
  }

  bool value(const Tok& t) {
    switch (state_) {
      case State::Root:
        FROST_CHECK(t.kind == Kind::Object, where_ + ": header must be a JSON object, found " + t.text);
        state_ = State::RootKey;
        break;
      case State::MetaValue:
        FROST_CHECK(t.kind == Kind::Object, where_ + ": __metadata__ must be an object of strings, found " + t.text);
        state_ = State::MetaKey;
        break;
      case State::MetaValue2:
        FROST_CHECK(t.kind == Kind::String,
                    where_ + ": __metadata__ value for " + st_quote(meta_key_) + " must be a string, found " + t.text);
        out_.metadata.emplace(meta_key_, *t.s);
        state_ = State::MetaKey;
        break;
      case State::TensorValue:
        FROST_CHECK(t.kind == Kind::Object,
                    tensor_where() + ": expected an object with dtype, shape and data_offsets, found " + t.text);
        cur_ = TensorInfo{};
        tensor_keys_.clear();
        numel_ = 1;
        n_offsets_ = 0;
        state_ = State::TensorKey;
        break;
      case State::Dtype:
        FROST_CHECK(t.kind == Kind::String && parse_dtype(*t.s, cur_.dtype),
                    tensor_where() + ": unknown dtype " + t.text + " (expected one of " + st_dtype_list() + ")");
        state_ = State::TensorKey;
        break;
      case State::Shape:
        FROST_CHECK(t.kind == Kind::Array,
                    tensor_where() + ": shape must be an array of non-negative integers, found " + t.text);
        state_ = State::ShapeEntry;
        break;
      case State::ShapeEntry: {
        std::uint64_t d = 0;
        const auto at = [&] { return " at shape index " + std::to_string(cur_.shape.size()); };
        FROST_CHECK(non_negative(t, d),
                    tensor_where() + ": shape entries must be non-negative integers, found " + t.text + at());
        FROST_CHECK(cur_.shape.size() < kSafeTensorsMaxRank,
                    tensor_where() + ": shape has more than " + std::to_string(kSafeTensorsMaxRank) + " entries");
        constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        FROST_CHECK(d <= kMax,
                    tensor_where() + ": shape is too large: entry " + t.text + at() + " exceeds the int64 range");
        std::uint64_t p = 0;
        FROST_CHECK(!__builtin_mul_overflow(numel_, d, &p) && p <= kMax,
                    tensor_where() + ": shape is too large: the element count of " + st_shape_str(cur_.shape) + " x " +
                        std::to_string(d) + " overflows 64 bits (int64)");
        numel_ = p;
        cur_.shape.push_back(static_cast<std::int64_t>(d));
        break;
      }
      case State::Offsets:
        FROST_CHECK(t.kind == Kind::Array,
                    tensor_where() + ": data_offsets must be [begin, end] non-negative integers, found " + t.text);
        state_ = State::OffsetsEntry;
        break;
      case State::OffsetsEntry: {
        std::uint64_t v = 0;
        FROST_CHECK(n_offsets_ < 2, tensor_where() +
                                        ": data_offsets must be [begin, end] non-negative "
                                        "integers, found more than 2 entries");
        FROST_CHECK(non_negative(t, v), tensor_where() +
                                            ": data_offsets must be [begin, end] non-negative integers, found " +
                                            t.text + " at index " + std::to_string(n_offsets_));
        (n_offsets_ == 0 ? cur_.begin : cur_.end) = v;
        ++n_offsets_;
        break;
      }
      case State::Skip:
        if (t.kind == Kind::Object || t.kind == Kind::Array) {
          ++skip_depth_;
          skip_keys_.emplace_back();
        } else if (skip_depth_ == 0) {
          state_ = State::TensorKey;
        }
        break;
      default:
        break;  // unreachable: nlohmann rejects a second top-level value
    }
    return true;
  }

  void end_skipped() {
    skip_keys_.pop_back();
    if (--skip_depth_ == 0) state_ = State::TensorKey;
  }

  void finish_tensor() {
    const std::string w = tensor_where();
    for (const char* k : {"dtype", "shape", "data_offsets"})
      FROST_CHECK(tensor_keys_.count(k) != 0,
                  w + ": missing '" + k + "' (expected an object with dtype, shape and data_offsets)");
    const std::uint64_t esize = dtype_size(cur_.dtype);
    std::uint64_t bytes = 0;
    FROST_CHECK(!__builtin_mul_overflow(numel_, esize, &bytes),
                w + ": shape is too large: " + std::to_string(numel_) + " elements of " + dtype_name(cur_.dtype) +
                    " (" + std::to_string(esize) + " bytes each) overflow 64 bits");
    const std::string offs = "[" + std::to_string(cur_.begin) + ", " + std::to_string(cur_.end) + "]";
    FROST_CHECK(cur_.begin <= cur_.end, w + ": data_offsets " + offs + " are not ordered: begin > end");
    FROST_CHECK(cur_.end <= out_.data_size, w + ": data_offsets end " + std::to_string(cur_.end) +
                                                " is beyond the data buffer (" + std::to_string(out_.data_size) +
                                                " bytes)");
    FROST_CHECK(cur_.end - cur_.begin == bytes,
                w + ": data_offsets span " + std::to_string(cur_.end - cur_.begin) + " bytes but shape x dtype needs " +
                    std::to_string(bytes) + " (shape " + st_shape_str(cur_.shape) + ", " + dtype_name(cur_.dtype) +
                    ", " + std::to_string(esize) + " bytes each)");
    cur_.shape.shrink_to_fit();
    out_.tensors.emplace(std::move(name_), std::move(cur_));
    name_.clear();
  }

  std::string where_;
  SafeTensorsHeader& out_;
  State state_ = State::Root;
  bool metadata_seen_ = false;
  std::string meta_key_;
  std::string name_;
  TensorInfo cur_{};
  std::set<std::string> tensor_keys_;
  std::uint64_t numel_ = 1;
  int n_offsets_ = 0;
  int skip_depth_ = 0;
  std::vector<std::set<std::string>> skip_keys_;
};

}  // namespace detail

FROST_DECL void check_safetensors_header_length(std::uint64_t n, std::uint64_t file_size, std::string_view where) {
  const std::string w(where);
  FROST_CHECK(n <= kSafeTensorsMaxHeader, w + ": header length " + std::to_string(n) + " exceeds the limit of " +
                                              std::to_string(kSafeTensorsMaxHeader) + " bytes");
  FROST_CHECK(n <= file_size - 8, w + ": header length " + std::to_string(n) + " runs past the end of the file (" +
                                      std::to_string(file_size) + " bytes)");
}

FROST_DECL SafeTensorsHeader parse_safetensors_header_json(std::string_view header, std::uint64_t data_size,
                                                           std::string_view where) {
  const std::string w(where);
  SafeTensorsHeader out;
  out.header_size = header.size();
  out.data_size = data_size;
  FROST_CHECK(header.substr(0, 3) != "\xEF\xBB\xBF", w + ": header starts with a UTF-8 byte order mark (expected '{')");
  const std::size_t bad = detail::st_invalid_utf8(header);
  if (bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(header[bad])));
    throw Error(w + ": header is not valid UTF-8: byte " + hex + " at header offset " + std::to_string(bad) +
                " does not start a well-formed UTF-8 sequence");
  }
  // nlohmann's lexer would stop at '\0' and ignore the rest of the header
  const auto nul = header.find('\0');
  FROST_CHECK(nul == std::string_view::npos,
              w + ": header contains a NUL byte at offset " + std::to_string(nul) + " (expected JSON text)");
  detail::JsonSyntaxSax syntax{where};
  bool ok = nlohmann::json::sax_parse(header.data(), header.data() + header.size(), &syntax,
                                      nlohmann::json::input_format_t::json, true);
  detail::SafeTensorsSax sax(w, out);
  ok = ok && nlohmann::json::sax_parse(header.data(), header.data() + header.size(), &sax,
                                       nlohmann::json::input_format_t::json, true);
  FROST_CHECK(ok && sax.done(), w + ": header is not valid JSON");
  sax.check_coverage();
  return out;
}

FROST_DECL SafeTensorsHeader parse_safetensors_header(const std::uint8_t* bytes, std::size_t size,
                                                      std::string_view where) {
  const std::string w(where);
  FROST_CHECK(size >= 8,
              w + ": file is " + std::to_string(size) + " bytes, too short for the 8-byte safetensors header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | bytes[i];
  check_safetensors_header_length(n, size, where);
  const std::string_view header(reinterpret_cast<const char*>(bytes) + 8, static_cast<std::size_t>(n));
  return parse_safetensors_header_json(header, size - 8 - n, where);
}

FROST_DECL SafeTensorsFile::SafeTensorsFile(const std::string& path) : path_(path) {
  std::error_code ec;
  FROST_CHECK(std::filesystem::is_regular_file(path, ec),
              path + ": cannot open safetensors file (missing or not a regular file)");
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.good(), path + ": cannot open safetensors file");
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  FROST_CHECK(end >= 0, path + ": cannot determine the file size");
  const auto size = static_cast<std::uint64_t>(end);
  in.seekg(0);
  FROST_CHECK(size >= 8, path + ": file is " + std::to_string(size) +
                             " bytes, too short for the 8-byte safetensors header length");
  unsigned char len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  FROST_CHECK(in.gcount() == 8, path + ": read error in the 8-byte header length");
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | len_bytes[i];
  check_safetensors_header_length(n, size, path);
  // n <= 100 MB and within the file: the only allocation before the header is checked
  std::string header(static_cast<std::size_t>(n), '\0');
  in.read(header.data(), static_cast<std::streamsize>(n));
  FROST_CHECK(static_cast<std::uint64_t>(in.gcount()) == n,
              path + ": read error in the header (the file shrank while being read?)");
  SafeTensorsHeader h = parse_safetensors_header_json(header, size - 8 - n, path);
  header = std::string();
  // every offset is now known to lie inside the data buffer, which the file holds
  data_.resize(static_cast<std::size_t>(h.data_size));
  in.read(reinterpret_cast<char*>(data_.data()), static_cast<std::streamsize>(data_.size()));
  FROST_CHECK(static_cast<std::uint64_t>(in.gcount()) == h.data_size,
              path + ": read error in the data buffer (the file shrank while being read?)");
  tensors_ = std::move(h.tensors);
  metadata_ = std::move(h.metadata);
}

FROST_DECL std::vector<float> SafeTensorsFile::floats(const std::string& name) const {
  const TensorInfo& t = info(name);
  FROST_CHECK(is_float_dtype(t.dtype), path_ + ": tensor " + detail::st_quote(name) + " has dtype " +
                                           dtype_name(t.dtype) + ", expected a float dtype (F32, F16, BF16, F64)");
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
    default:  // F16, BF16
      for (std::size_t i = 0; i < n; ++i) {
        const auto h = static_cast<std::uint16_t>(p[2 * i] | (p[2 * i + 1] << 8));
        out[i] = t.dtype == DType::F16 ? half_to_float(h) : bf16_to_float(h);
      }
      break;
  }
  return out;
}

FROST_DECL std::vector<std::int64_t> SafeTensorsFile::ints(const std::string& name) const {
  const TensorInfo& t = info(name);
  FROST_CHECK(is_int_dtype(t.dtype), path_ + ": tensor " + detail::st_quote(name) + " has dtype " +
                                         dtype_name(t.dtype) + ", expected an integer dtype");
  const unsigned char* p = data_.data() + t.begin;
  const auto n = static_cast<std::size_t>(t.numel());
  std::vector<std::int64_t> out(n);
  auto read = [&](auto v, std::size_t i) {
    std::memcpy(&v, p + sizeof v * i, sizeof v);
    return static_cast<std::int64_t>(v);
  };
  for (std::size_t i = 0; i < n; ++i) {
    switch (t.dtype) {
      case DType::I64:
        out[i] = read(std::int64_t{}, i);
        break;
      case DType::I32:
        out[i] = read(std::int32_t{}, i);
        break;
      case DType::U32:
        out[i] = read(std::uint32_t{}, i);
        break;
      case DType::I16:
        out[i] = read(std::int16_t{}, i);
        break;
      case DType::U16:
        out[i] = read(std::uint16_t{}, i);
        break;
      case DType::I8:
        out[i] = static_cast<std::int64_t>(p[i]) - (p[i] >= 0x80u ? 256 : 0);
        break;  // two's complement
      default:
        out[i] = p[i];
        break;  // U8, BOOL
    }
  }
  return out;
}

FROST_DECL const TensorInfo& SafeTensorsFile::info(const std::string& name) const {
  auto it = tensors_.find(name);
  FROST_CHECK(it != tensors_.end(), path_ + ": no tensor named " + detail::st_quote(name));
  return it->second;
}

FROST_DECL std::string SafeTensorsWriter::bytes() const {
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

FROST_DECL void SafeTensorsWriter::add(const std::string& name, DType dtype, std::vector<std::int64_t> shape,
                                       const unsigned char* data, std::size_t elem) {
  FROST_CHECK(name != "__metadata__", "safetensors: '__metadata__' is not a tensor name");
  FROST_CHECK(detail::st_invalid_utf8(name) == std::string_view::npos,
              "safetensors: tensor name " + detail::st_quote(name) + " is not valid UTF-8");
  for (const auto& e : entries_) FROST_CHECK(e.name != name, "safetensors: tensor '" + name + "' added twice");
  std::uint64_t numel = 1;
  for (auto d : shape) {
    FROST_CHECK(d >= 0, "safetensors: tensor '" + name + "' has a negative dimension");
    numel *= static_cast<std::uint64_t>(d);
  }
  const std::uint64_t begin = data_.size();
  data_.insert(data_.end(), data, data + numel * elem);
  entries_.push_back({name, dtype, std::move(shape), begin, data_.size()});
}

}  // namespace frost::io
