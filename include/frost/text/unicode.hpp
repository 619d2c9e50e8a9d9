// frost/text/unicode.hpp: the Unicode pieces the WordPiece tokenizer needs, with Python's
// semantics (what Hugging Face's BertTokenizer sees through `str` and `unicodedata`): a strict
// UTF-8 codec and, from utf8proc (Debian: libutf8proc-dev), general categories, str.isspace(),
// str.lower() per character, NFC and NFD. No hand-made Unicode tables.
//
// Unicode version: these answers follow utf8proc's tables (utf8proc_unicode_version(): 15.0.0 for
// Debian 12's utf8proc 2.8), Python's follow its unicodedata (14.0.0 in Python 3.11, 15.0.0 in
// 3.12). They agree on every code point assigned in both; a code point assigned only in the newer
// version differs (the older side calls it Cn, and BertTokenizer drops Cn as a control character).
#pragma once

#include <utf8proc.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/macros.hpp"

namespace frost::text {

using CodePoint = std::int32_t;
using CodePoints = std::vector<CodePoint>;

namespace detail {

/// One step of strict UTF-8 decoding at s[i] (Unicode 15, table 3-7: no overlong forms, no
/// surrogates, nothing above U+10FFFF: exactly what Python's "utf-8" codec accepts).
struct Utf8Step {
  CodePoint cp = 0;
  std::size_t len = 0;          ///< bytes consumed (valid) or bytes of the bad sequence looked at
  const char* error = nullptr;  ///< null when valid
};

inline Utf8Step utf8_step(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned>(static_cast<unsigned char>(s[k])); };
  const unsigned c0 = byte(i);
  if (c0 < 0x80) return {static_cast<CodePoint>(c0), 1, nullptr};
  if (c0 < 0xC0) return {0, 1, "unexpected continuation byte"};
  if (c0 < 0xC2) return {0, 1, "overlong encoding (lead byte 0xC0/0xC1)"};
  if (c0 > 0xF4) return {0, 1, "invalid byte (never appears in UTF-8)"};
  const std::size_t n = c0 < 0xE0 ? 2 : c0 < 0xF0 ? 3 : 4;
  unsigned lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  const char* second_error = nullptr;
  if (c0 == 0xE0) lo = 0xA0, second_error = "overlong encoding";
  if (c0 == 0xF0) lo = 0x90, second_error = "overlong encoding";
  if (c0 == 0xED) hi = 0x9F, second_error = "UTF-16 surrogate (U+D800..U+DFFF) encoded in UTF-8";
  if (c0 == 0xF4) hi = 0x8F, second_error = "code point above U+10FFFF";
  CodePoint cp = static_cast<CodePoint>(c0 & (n == 2 ? 0x1Fu : n == 3 ? 0x0Fu : 0x07u));
  for (std::size_t k = 1; k < n; ++k) {
    if (i + k >= s.size()) return {0, k, "truncated multi-byte sequence (text ends)"};
    const unsigned c = byte(i + k);
    if (c < 0x80 || c > 0xBF) return {0, k + 1, "truncated multi-byte sequence (no continuation byte)"};
    if (k == 1 && (c < lo || c > hi)) return {0, 2, second_error};
    cp = static_cast<CodePoint>((static_cast<unsigned>(cp) << 6) | (c & 0x3Fu));
  }
  return {cp, n, nullptr};
}

inline std::string hex_bytes(std::string_view s, std::size_t i, std::size_t n) {
  std::string out;
  for (std::size_t k = i; k < i + n && k < s.size(); ++k) {
    char b[8];
    std::snprintf(b, sizeof b, "%s0x%02X", k == i ? "" : " ", static_cast<unsigned>(static_cast<unsigned char>(s[k])));
    out += b;
  }
  return out;
}

}  // namespace detail

/// UTF-8 to code points. Invalid UTF-8 throws frost::Error
/// "<what>: invalid UTF-8 at byte offset N (<bytes>): <reason>", N being the offset of the first
/// byte of the first bad sequence (as Python's UnicodeDecodeError reports it).
inline CodePoints decode_utf8(std::string_view s, std::string_view what = "text") {
  CodePoints out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto st = detail::utf8_step(s, i);
    if (FROST_UNLIKELY(st.error != nullptr))
      throw Error(std::string(what) + ": invalid UTF-8 at byte offset " + std::to_string(i) + " (" +
                  detail::hex_bytes(s, i, st.len) + "): " + st.error);
    out.push_back(st.cp);
    i += st.len;
  }
  return out;
}

inline void append_utf8(CodePoint cp, std::string& out) {
  const auto u = static_cast<std::uint32_t>(cp);
  if (u < 0x80) {
    out += static_cast<char>(u);
  } else if (u < 0x800) {
    out += static_cast<char>(0xC0 | (u >> 6));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else if (u < 0x10000) {
    out += static_cast<char>(0xE0 | (u >> 12));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (u >> 18));
    out += static_cast<char>(0x80 | ((u >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((u >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (u & 0x3F));
  }
}

inline std::string encode_utf8(const CodePoint* begin, const CodePoint* end) {
  std::string out;
  out.reserve(static_cast<std::size_t>(end - begin) * 2);
  for (const CodePoint* p = begin; p != end; ++p) append_utf8(*p, out);
  return out;
}
inline std::string encode_utf8(const CodePoints& cps) { return encode_utf8(cps.data(), cps.data() + cps.size()); }

namespace unicode {

/// unicodedata.category(chr(cp)), as utf8proc's enum.
inline utf8proc_category_t category(CodePoint cp) { return utf8proc_category(cp); }

/// Category C* (Cc, Cf, Cs, Co, Cn).
inline bool is_other(CodePoint cp) {
  switch (category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

/// Category P* (Pc, Pd, Ps, Pe, Pi, Pf, Po).
inline bool is_punctuation_category(CodePoint cp) {
  switch (category(cp)) {
    case UTF8PROC_CATEGORY_PC:
    case UTF8PROC_CATEGORY_PD:
    case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE:
    case UTF8PROC_CATEGORY_PI:
    case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

/// Python's str.isspace() (what str.split() / str.strip() cut at): category Zs, or bidirectional
/// class WS, B or S.
inline bool is_python_space(CodePoint cp) {
  if (category(cp) == UTF8PROC_CATEGORY_ZS) return true;
  const auto bidi = utf8proc_get_property(cp)->bidi_class;
  return bidi == UTF8PROC_BIDI_CLASS_WS || bidi == UTF8PROC_BIDI_CLASS_B || bidi == UTF8PROC_BIDI_CLASS_S;
}

/// Python's chr(cp).lower() appended to `out`: the *full* lowercase mapping. utf8proc_tolower is
/// the simple mapping; the two differ only where SpecialCasing.txt has an unconditional lowercase
/// entry, which is U+0130 LATIN CAPITAL LETTER I WITH DOT ABOVE alone: "İ" -> "i" + U+0307
/// (utf8proc: plain "i"). (Final sigma is conditional and does not apply to one character.)
inline void append_lower(CodePoint cp, CodePoints& out) {
  if (cp == 0x130) {
    out.push_back('i');
    out.push_back(0x307);
    return;
  }
  out.push_back(utf8proc_tolower(cp));
}

namespace detail {
inline CodePoints normalize(const CodePoints& in, utf8proc_option_t decompose_opts, bool compose) {
  if (in.empty()) return {};
  const std::string utf8 = encode_utf8(in);
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(utf8.data());
  const auto len = static_cast<utf8proc_ssize_t>(utf8.size());
  // Decomposition plus canonical ordering; the first call may only report the size it needs.
  std::vector<utf8proc_int32_t> buf(in.size() + 8);
  auto n = utf8proc_decompose(bytes, len, buf.data(), static_cast<utf8proc_ssize_t>(buf.size()), decompose_opts);
  if (n > static_cast<utf8proc_ssize_t>(buf.size())) {
    buf.resize(static_cast<std::size_t>(n));
    n = utf8proc_decompose(bytes, len, buf.data(), n, decompose_opts);
  }
  FROST_CHECK(n >= 0, std::string("Unicode normalisation failed: ") + utf8proc_errmsg(n));
  if (compose) {
    n = utf8proc_normalize_utf32(buf.data(), n, decompose_opts);
    FROST_CHECK(n >= 0, std::string("Unicode normalisation failed: ") + utf8proc_errmsg(n));
  }
  return CodePoints(buf.begin(), buf.begin() + n);
}
}  // namespace detail

/// unicodedata.normalize("NFD", ...)
inline CodePoints nfd(const CodePoints& in) {
  return detail::normalize(in, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_DECOMPOSE), false);
}
/// unicodedata.normalize("NFC", ...)
inline CodePoints nfc(const CodePoints& in) {
  return detail::normalize(in, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE), true);
}

/// The Unicode version of the tables in use (utf8proc's).
inline const char* version() { return utf8proc_unicode_version(); }

}  // namespace unicode
}  // namespace frost::text
