// frost/text/wordpiece.hpp: WordPiece tokenization equal to Hugging Face `BertTokenizer` (the
// Python one, transformers 4.46), uncased and cased. Unicode data comes from utf8proc (Debian's
// libutf8proc-dev): categories, NFC/NFD and case mapping.
//
// Pipeline, as BertTokenizer.tokenize() runs it:
//   1. split the text at exact occurrences of the special tokens [PAD] [UNK] [CLS] [SEP] [MASK]
//      (they pass through as single tokens);
//   2. lowercase (only with do_lower_case): per code point, Python's str.lower() (full mapping:
//      U+0130 'İ' becomes "i" + U+0307, every other code point its simple lowercase);
//   3. clean: drop U+0000, U+FFFD and control characters (category C*, except \t \n \r), map
//      whitespace (space, \t, \n, \r, category Zs) to ' ';
//   4. put spaces around CJK ideographs; NFC; split on whitespace (' ', U+2028, U+2029: what
//      Python's str.split() still sees after step 3);
//   5. per word: lowercase again and strip accents (NFD, drop category Mn) when do_lower_case (or
//      when strip_accents is set explicitly), then split off every punctuation character (ASCII
//      33-47, 58-64, 91-96, 123-126 or category P*);
//   6. WordPiece: a word of more than 100 code points is [UNK]; otherwise greedy longest match
//      first, continuations prefixed "##"; a word with an unmatched piece is [UNK].
// Invalid UTF-8 is an error (frost::Error naming the byte offset): frost never guesses a
// replacement, as Python would have refused to decode such input in the first place.
#pragma once

#include <utf8proc.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../detail/macros.hpp"

namespace frost::text {

using CodePoints = std::vector<std::int32_t>;

/// UTF-8 to code points; throws frost::Error with the byte offset of the first invalid sequence.
inline CodePoints decode_utf8(std::string_view s) {
  CodePoints out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(s.data() + i),
                                    static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    FROST_CHECK(n > 0 && cp >= 0, "invalid UTF-8 at byte offset " + std::to_string(i));
    out.push_back(cp);
    i += static_cast<std::size_t>(n);
  }
  return out;
}

inline std::string encode_utf8(const CodePoints& cps) {
  std::string out;
  utf8proc_uint8_t buf[4];
  for (auto cp : cps) {
    const auto n = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
  }
  return out;
}

namespace detail {

inline utf8proc_category_t category(std::int32_t cp) { return utf8proc_category(cp); }

inline bool is_whitespace(std::int32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || category(cp) == UTF8PROC_CATEGORY_ZS;
}
inline bool is_control(std::int32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS: return true;
    default: return false;
  }
}
inline bool is_punctuation(std::int32_t cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  const auto c = category(cp);
  return c == UTF8PROC_CATEGORY_PC || c == UTF8PROC_CATEGORY_PD || c == UTF8PROC_CATEGORY_PS ||
         c == UTF8PROC_CATEGORY_PE || c == UTF8PROC_CATEGORY_PI || c == UTF8PROC_CATEGORY_PF ||
         c == UTF8PROC_CATEGORY_PO;
}
inline bool is_cjk(std::int32_t cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}
/// Separators Python's str.split() uses that survive cleaning.
inline bool is_split_space(std::int32_t cp) { return cp == ' ' || cp == 0x2028 || cp == 0x2029; }

/// Python's str.lower() for one code point (full mapping).
inline void append_lower(std::int32_t cp, CodePoints& out) {
  if (cp == 0x130) {  // LATIN CAPITAL LETTER I WITH DOT ABOVE: "i" + COMBINING DOT ABOVE
    out.push_back('i');
    out.push_back(0x307);
    return;
  }
  out.push_back(utf8proc_tolower(cp));
}

inline CodePoints normalize(const CodePoints& in, bool compose) {
  if (in.empty()) return {};
  const auto opts = static_cast<utf8proc_option_t>(UTF8PROC_STABLE | (compose ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE));
  std::vector<utf8proc_int32_t> buf(in.begin(), in.end());
  // utf8proc_decompose_custom needs room for the decomposition; grow until it fits.
  std::vector<utf8proc_int32_t> out(in.size() * 4 + 16);
  utf8proc_ssize_t n = 0;
  for (;;) {
    n = 0;
    for (std::size_t i = 0; i < buf.size(); ++i) {
      const auto r = utf8proc_decompose_char(buf[i], out.data() + n,
                                             static_cast<utf8proc_ssize_t>(out.size()) - n, opts, nullptr);
      FROST_CHECK(r >= 0, std::string("Unicode normalisation failed: ") + utf8proc_errmsg(r));
      n += r;
      if (n > static_cast<utf8proc_ssize_t>(out.size())) break;
    }
    if (n <= static_cast<utf8proc_ssize_t>(out.size())) break;
    out.resize(static_cast<std::size_t>(n) * 2);
  }
  const auto m = utf8proc_reencode(out.data(), n, opts);  // canonical ordering (+ composition)
  FROST_CHECK(m >= 0, std::string("Unicode normalisation failed: ") + utf8proc_errmsg(m));
  // utf8proc_reencode leaves UTF-8 bytes in the buffer; decode them back.
  const std::string_view bytes(reinterpret_cast<const char*>(out.data()), static_cast<std::size_t>(m));
  return decode_utf8(bytes);
}

}  // namespace detail

struct TokenizerOptions {
  bool do_lower_case = true;
  std::optional<bool> strip_accents;  ///< unset: strip iff do_lower_case (BERT's convention)
  bool tokenize_chinese_chars = true;

  static TokenizerOptions lower_case(bool lower) {
    TokenizerOptions o;
    o.do_lower_case = lower;
    return o;
  }
  TokenizerOptions& with_strip_accents(bool strip) {
    strip_accents = strip;
    return *this;
  }
};

struct Encoding {
  std::vector<int> input_ids, token_type_ids, attention_mask;
};

class WordPieceTokenizer {
 public:
  static constexpr int kMaxInputCharsPerWord = 100;

  explicit WordPieceTokenizer(const std::string& vocab_path, TokenizerOptions opt = {}) : opt_(opt) {
    std::ifstream in(vocab_path, std::ios::binary);
    FROST_CHECK(in.good(), vocab_path + ": cannot open vocabulary file");
    std::string line;
    while (std::getline(in, line)) {
      // HF strips the newline only (token.rstrip("\n")): spaces and \r belong to the token.
      const int id = static_cast<int>(tokens_.size());
      FROST_CHECK(vocab_.emplace(line, id).second,
                  vocab_path + ":" + std::to_string(id + 1) + ": duplicate token '" + line + "'");
      tokens_.push_back(line);
    }
    FROST_CHECK(!tokens_.empty(), vocab_path + ": empty vocabulary");
    for (const char* t : {"[UNK]", "[CLS]", "[SEP]", "[PAD]"})
      FROST_CHECK(vocab_.count(t), vocab_path + ": vocabulary has no " + t + " token");
    unk_ = vocab_.at("[UNK]");
    cls_ = vocab_.at("[CLS]");
    sep_ = vocab_.at("[SEP]");
    pad_ = vocab_.at("[PAD]");
    for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) specials_.push_back(t);
  }

  [[nodiscard]] std::size_t vocab_size() const { return tokens_.size(); }
  [[nodiscard]] int pad_id() const { return pad_; }
  [[nodiscard]] int cls_id() const { return cls_; }
  [[nodiscard]] int sep_id() const { return sep_; }
  [[nodiscard]] int unk_id() const { return unk_; }
  [[nodiscard]] const std::string& id_to_token(int id) const {
    FROST_CHECK(id >= 0 && static_cast<std::size_t>(id) < tokens_.size(), "token id " + std::to_string(id) + " out of range");
    return tokens_[static_cast<std::size_t>(id)];
  }

  /// The WordPiece tokens of `text` (no [CLS]/[SEP] added).
  [[nodiscard]] std::vector<std::string> tokenize(std::string_view text) const {
    std::vector<std::string> out;
    // 1. Special tokens pass through; split the rest around them.
    std::size_t pos = 0;
    while (pos <= text.size()) {
      std::size_t best = std::string_view::npos, best_len = 0;
      for (const auto& s : specials_) {
        const auto f = text.find(s, pos);
        if (f != std::string_view::npos && (f < best || (f == best && s.size() > best_len))) best = f, best_len = s.size();
      }
      const std::size_t end = best == std::string_view::npos ? text.size() : best;
      tokenize_chunk(text.substr(pos, end - pos), pos, out);
      if (best == std::string_view::npos) break;
      out.emplace_back(text.substr(best, best_len));
      pos = best + best_len;
    }
    return out;
  }

  [[nodiscard]] std::vector<int> convert_tokens_to_ids(const std::vector<std::string>& tokens) const {
    std::vector<int> ids;
    ids.reserve(tokens.size());
    for (const auto& t : tokens) {
      auto it = vocab_.find(t);
      ids.push_back(it == vocab_.end() ? unk_ : it->second);
    }
    return ids;
  }

  /// `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`, token types 0 / 1, truncated to max_length with
  /// HF's "longest_first" rule (remove from the longer sequence first, then alternately, the first
  /// sequence taking the smaller half). max_length <= 0: no truncation.
  [[nodiscard]] Encoding encode(std::string_view a, std::optional<std::string_view> b = std::nullopt,
                                int max_length = 512) const {
    std::vector<int> ia = convert_tokens_to_ids(tokenize(a)), ib;
    if (b) ib = convert_tokens_to_ids(tokenize(*b));
    const long special = b ? 3 : 2;
    const long total = static_cast<long>(ia.size() + ib.size()) + special;
    if (max_length > 0 && total > max_length) {
      const long remove = total - max_length;
      if (!b) {
        // HF logs an error and leaves the sequence alone when it cannot remove enough.
        if (static_cast<long>(ia.size()) > remove) ia.resize(ia.size() - static_cast<std::size_t>(remove));
      } else {
        const long la = static_cast<long>(ia.size()), lb = static_cast<long>(ib.size());
        const long first = std::min(std::labs(lb - la), remove), second = remove - first;
        long from_a = 0, from_b = 0;
        if (la > lb) {
          from_a = first + second / 2;
          from_b = second - second / 2;
        } else {
          from_a = second / 2;
          from_b = first + second - second / 2;
        }
        ia.resize(static_cast<std::size_t>(std::max(0L, la - from_a)));
        ib.resize(static_cast<std::size_t>(std::max(0L, lb - from_b)));
      }
    }
    Encoding e;
    e.input_ids.push_back(cls_);
    e.input_ids.insert(e.input_ids.end(), ia.begin(), ia.end());
    e.input_ids.push_back(sep_);
    e.token_type_ids.assign(e.input_ids.size(), 0);
    if (b) {
      e.input_ids.insert(e.input_ids.end(), ib.begin(), ib.end());
      e.input_ids.push_back(sep_);
      e.token_type_ids.resize(e.input_ids.size(), 1);
    }
    e.attention_mask.assign(e.input_ids.size(), 1);
    return e;
  }

  /// Pads encodings to a common length (the longest, or `length` if larger) with [PAD].
  void pad(std::vector<Encoding>& batch, std::size_t length = 0) const {
    for (const auto& e : batch) length = std::max(length, e.input_ids.size());
    for (auto& e : batch) {
      e.input_ids.resize(length, pad_);
      e.token_type_ids.resize(length, 0);
      e.attention_mask.resize(length, 0);
    }
  }

  /// Tokens joined with spaces, "##" continuations glued (HF's convert_tokens_to_string).
  [[nodiscard]] std::string decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) {
      const std::string& t = id_to_token(id);
      if (t.rfind("##", 0) == 0) out += t.substr(2);
      else out += (out.empty() ? "" : " ") + t;
    }
    return out;
  }

 private:
  void tokenize_chunk(std::string_view chunk, std::size_t offset, std::vector<std::string>& out) const {
    CodePoints cps;
    try {
      cps = decode_utf8(chunk);
    } catch (const Error&) {
      // Re-locate the offset relative to the whole text.
      std::size_t i = 0;
      while (i < chunk.size()) {
        utf8proc_int32_t cp = 0;
        const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(chunk.data() + i),
                                        static_cast<utf8proc_ssize_t>(chunk.size() - i), &cp);
        if (n <= 0 || cp < 0) break;
        i += static_cast<std::size_t>(n);
      }
      throw Error("invalid UTF-8 at byte offset " + std::to_string(offset + i));
    }
    // 2. Lowercase per code point (HF lowercases everything but special tokens up front).
    CodePoints text;
    text.reserve(cps.size() + 8);
    if (opt_.do_lower_case) {
      for (auto cp : cps) detail::append_lower(cp, text);
    } else {
      text = std::move(cps);
    }
    // 3. Clean, 4. CJK spacing.
    CodePoints clean;
    clean.reserve(text.size());
    for (auto cp : text) {
      if (cp == 0 || cp == 0xFFFD || detail::is_control(cp)) continue;
      if (detail::is_whitespace(cp)) {
        clean.push_back(' ');
      } else if (opt_.tokenize_chinese_chars && detail::is_cjk(cp)) {
        clean.push_back(' ');
        clean.push_back(cp);
        clean.push_back(' ');
      } else {
        clean.push_back(cp);
      }
    }
    const CodePoints nfc = detail::normalize(clean, true);
    const bool strip = opt_.strip_accents.value_or(opt_.do_lower_case);
    std::vector<CodePoints> pieces;
    auto flush_word = [&](CodePoints& word) {
      if (word.empty()) return;
      CodePoints w;
      if (opt_.do_lower_case) {
        for (auto cp : word) detail::append_lower(cp, w);
      } else {
        w = word;
      }
      if (strip) {
        CodePoints kept;
        for (auto cp : detail::normalize(w, false))
          if (detail::category(cp) != UTF8PROC_CATEGORY_MN) kept.push_back(cp);
        w = std::move(kept);
      }
      // 5. Split off punctuation.
      CodePoints cur;
      for (auto cp : w) {
        if (detail::is_punctuation(cp)) {
          if (!cur.empty()) pieces.push_back(std::move(cur));
          cur.clear();
          pieces.push_back({cp});
        } else {
          cur.push_back(cp);
        }
      }
      if (!cur.empty()) pieces.push_back(std::move(cur));
      word.clear();
    };
    CodePoints word;
    for (auto cp : nfc) {
      if (detail::is_split_space(cp)) flush_word(word);
      else word.push_back(cp);
    }
    flush_word(word);
    // 6. WordPiece (pieces contain no separators: splitting again is a no-op).
    for (const auto& p : pieces) wordpiece(p, out);
  }

  void wordpiece(const CodePoints& word, std::vector<std::string>& out) const {
    if (static_cast<int>(word.size()) > kMaxInputCharsPerWord) {
      out.emplace_back("[UNK]");
      return;
    }
    std::vector<std::string> subs;
    std::size_t start = 0;
    while (start < word.size()) {
      std::size_t end = word.size();
      std::string found;
      while (start < end) {
        std::string sub = encode_utf8(CodePoints(word.begin() + static_cast<std::ptrdiff_t>(start),
                                                 word.begin() + static_cast<std::ptrdiff_t>(end)));
        if (start > 0) sub = "##" + sub;
        if (vocab_.count(sub)) {
          found = std::move(sub);
          break;
        }
        --end;
      }
      if (found.empty()) {
        out.emplace_back("[UNK]");
        return;
      }
      subs.push_back(std::move(found));
      start = end;
    }
    out.insert(out.end(), subs.begin(), subs.end());
  }

  TokenizerOptions opt_;
  std::unordered_map<std::string, int> vocab_;
  std::vector<std::string> tokens_;
  std::vector<std::string> specials_;
  int unk_ = 0, cls_ = 0, sep_ = 0, pad_ = 0;
};

}  // namespace frost::text
