// frost/text/wordpiece.hpp: WordPiece tokenization equal to Hugging Face `BertTokenizer` (the
// slow Python tokenizer, transformers 4.46.3) or, with Flavor::fast, to `BertTokenizerFast` (the
// Rust tokenizers 0.20.3 pipeline BertNormalizer + BertPreTokenizer + WordPiece), uncased and
// cased. Link frost::text (frost + utf8proc); the Unicode pieces are in text/unicode.hpp. Model
// directories (vocab.txt, tokenizer.json, tokenizer_config.json) are read and written by
// text/tokenizer_files.hpp.
//
//   frost::text::WordPieceTokenizer tok("vocab.txt");                  // do_lower_case = true
//   auto mem = frost::text::WordPieceTokenizer::from_string(text, "name"); // vocab.txt in memory
//   auto tokens = tok.tokenize("Héllo, world!");                      // {"hello", ",", "world", "!"}
//   auto enc = tok.encode("How old are you?", "I am six.", 128);      // [CLS] A [SEP] B [SEP]
//
// tokenize(text), step by step as BertTokenizer.tokenize() runs it (Flavor::slow, the default):
//   1. the special tokens [UNK] [SEP] [PAD] [CLS] [MASK] are cut out where they occur verbatim
//      (case-sensitive: "[cls]" is ordinary text; no stripping of the spaces around them;
//      "hello[SEP]world" -> hello [SEP] world) and pass through as single tokens;
//   2. with do_lower_case, every other character is lowercased one by one with Python's
//      str.lower() (full mapping: 'İ' U+0130 -> "i" + U+0307);
//   3. per remaining chunk (BasicTokenizer): drop U+0000, U+FFFD and category C* except \t \n \r;
//      ' ' \t \n \r and category Zs become ' '; spaces around CJK ideographs (the code point
//      ranges of BasicTokenizer._is_chinese_char) when tokenize_chinese_chars; NFC; split at
//      Python whitespace (str.split());
//   4. per word: a word equal to a special token (possible when cleaning removed characters
//      inside it, e.g. "[CLS\u200b]" cased) is kept whole; otherwise lowercase again (with
//      do_lower_case) and strip accents (NFD, drop category Mn) when strip_accents is true, or
//      unset and do_lower_case; a word that now equals a special token is kept whole (cased with
//      strip_accents: "[MAS\u0301K]"); otherwise every punctuation character (ASCII 33-47,
//      58-64, 91-96, 123-126, or category P*) becomes its own word;
//   5. WordPiece: more than 100 code points -> [UNK]; otherwise greedy longest-match-first with
//      "##" continuations, and a word with a piece that matches nothing -> one [UNK].
//
// Flavor::fast, as BertTokenizerFast runs it (the same five steps, with these differences, each
// of which changes the tokens of some input; tests/test_tokenizer_files.cpp has one line each):
//   - step 1 the same (tokenizers' added-token split, leftmost longest); step 4's second look for
//     special tokens inside cleaned words does not exist ("[CLS\u200b]" -> "[", "cl", "##s", "]");
//   - cleaning (BertNormalizer clean_text; it can be off) drops U+0000, U+FFFD and Cc Cf Co Cs
//     except \t \n \r, but keeps unassigned code points (Cn: they usually become [UNK]); then
//     \t \n \r and categories Zs Zl Zp become ' ';
//   - the CJK ranges are tokenizers' (its range 0x2B920-0x2CEAF starts 0x100 later than Python's
//     0x2B820);
//   - no NFC; accents are stripped (NFD, drop Mn) *before* lowercasing, per character with
//     Rust's char::to_lowercase (the same full mapping as Python);
//   - words split at Unicode White_Space (\t-\r, U+0085, Zs, Zl, Zp) and around punctuation
//     (the same definition as step 4);
//   - WordPiece limit max_input_chars_per_word (tokenizer.json; 100 in BertTokenizer);
//   - encode() truncates pairs as tokenizers' LongestFirst does (truncate_longest_first_fast):
//     on a tie or an odd budget it keeps a different token count per side than BertTokenizer.
// Unicode tables: the Rust crates tokenizers uses (unicode_categories, unicode-normalization-
// alignments) are older than utf8proc's; a code point assigned after them differs (see
// tests/fixtures/tokenizer/README.md).
//
// Invalid UTF-8 in the text is a frost::Error naming the byte offset of the first bad sequence
// ("WordPieceTokenizer: input text: invalid UTF-8 at byte offset 3 (0x80): unexpected
// continuation byte"). frost neither replaces nor skips bad bytes: Hugging Face only ever sees
// Python `str`, and bytes.decode("utf-8") refuses such input, so no reference output exists to
// be faithful to, and silent replacement would hide corrupt data in a training set.
//
// vocab.txt is read as HF's load_vocab reads it (text mode, UTF-8, every line one token, the line
// break removed): "\n", "\r\n" and "\r" end lines, a missing final newline is fine, spaces stay in
// the token, and an empty line is the token "" (it keeps the ids of the lines after it where
// transformers has them; a second empty line is a duplicate).
//
// Deliberate differences from Hugging Face (all on input HF accepts but frost reports):
//   - the vocabulary must hold [PAD] [UNK] [CLS] [SEP] [MASK] and no token twice (HF silently
//     appends missing specials as new ids and lets a later duplicate win); errors name the file,
//     the line(s) and the token.
//   - invalid UTF-8 in vocab.txt is an error naming the file and line (HF: UnicodeDecodeError).
//   - a UTF-8 BOM at the start of vocab.txt is skipped (HF keeps U+FEFF in the first token).
//   - check_vocab_size(): a model directory's vocab.txt may hold fewer tokens than config.json's
//     vocab_size (as in transformers) but not more (ids past the embedding matrix).
//   - id_to_token() of an id outside the vocabulary throws (HF returns "[UNK]").
//   - Unicode tables are utf8proc's (see text/unicode.hpp for the version caveat).
//   - decode() is BertTokenizer's in both flavors.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../detail/macros.hpp"
#include "unicode.hpp"

namespace frost::text {

/// Which Hugging Face implementation a WordPieceTokenizer reproduces: transformers'
/// BertTokenizer (Python, "slow") or BertTokenizerFast (the tokenizers library, "fast"). They
/// differ on some inputs (see the header comment); AutoTokenizer gives the fast one.
enum class Flavor { slow, fast };

struct TokenizerOptions {
  bool do_lower_case = true;
  std::optional<bool> strip_accents;  ///< unset: strip iff do_lower_case (BERT's convention)
  bool tokenize_chinese_chars = true;
  Flavor flavor = Flavor::slow;
  /// BertNormalizer's clean_text (drop controls, whitespace to ' '). Flavor::fast only:
  /// BertTokenizer always cleans, and a slow tokenizer with false is an error.
  bool clean_text = true;
  /// Words longer than this (code points) become [UNK] (BertTokenizer: always 100).
  int max_input_chars_per_word = 100;
  /// tokenizer_config.json's model_max_length (unset: none, or too large to matter). Not used by
  /// tokenize() or encode(): callers cap their max_length with it, as transformers does.
  std::optional<int> model_max_length;

  static TokenizerOptions lower_case(bool lower) {
    TokenizerOptions o;
    o.do_lower_case = lower;
    return o;
  }
  TokenizerOptions& with_strip_accents(bool strip) {
    strip_accents = strip;
    return *this;
  }
  TokenizerOptions& with_tokenize_chinese_chars(bool on) {
    tokenize_chinese_chars = on;
    return *this;
  }
  TokenizerOptions& with_flavor(Flavor f) {
    flavor = f;
    return *this;
  }
  /// The accent stripping in effect: strip_accents, or do_lower_case when unset.
  [[nodiscard]] bool strips_accents() const { return strip_accents.value_or(do_lower_case); }
};

/// One model input: ids, segment ids (0 for [CLS] A [SEP], 1 for B [SEP]) and the attention mask
/// (1 for real tokens, 0 for padding).
struct Encoding {
  std::vector<int> input_ids, token_type_ids, attention_mask;
  [[nodiscard]] std::size_t size() const { return input_ids.size(); }
};

/// How WordPieceTokenizer::pad sizes a batch: to its longest encoding, or to a fixed length.
enum class Padding { longest, max_length };

namespace detail {

/// BasicTokenizer._is_chinese_char: the CJK Unified Ideographs blocks HF lists (not kana, not
/// Hangul, not CJK punctuation).
inline bool is_chinese_char(CodePoint cp) {
  return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF) ||
         (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
}
/// _is_whitespace: ' ', \t, \n, \r or category Zs.
inline bool is_bert_whitespace(CodePoint cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || unicode::category(cp) == UTF8PROC_CATEGORY_ZS;
}
/// _is_control: category C* except \t, \n, \r.
inline bool is_bert_control(CodePoint cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return unicode::is_other(cp);
}
/// _is_punctuation: the four ASCII symbol/punctuation ranges, or category P*.
inline bool is_bert_punctuation(CodePoint cp) {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126))
    return true;
  return unicode::is_punctuation_category(cp);
}

/// tokenizers' is_chinese_char (normalizers/bert.rs): Python's ranges except that the one
/// Python starts at 0x2B820 starts at 0x2B920.
inline bool is_chinese_char_fast(CodePoint cp) { return is_chinese_char(cp) && !(cp >= 0x2B820 && cp < 0x2B920); }
/// tokenizers' is_control: Cc, Cf, Co or Cs (its tables have no Cn) except \t, \n, \r.
inline bool is_fast_control(CodePoint cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  switch (unicode::category(cp)) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}
/// Rust's char::is_whitespace (the White_Space property): U+0009-U+000D, U+0085 and the
/// categories Zs, Zl, Zp (U+2028, U+2029): what tokenizers' BertNormalizer turns into ' ' and
/// BertPreTokenizer splits at.
inline bool is_rust_whitespace(CodePoint cp) {
  if ((cp >= 0x9 && cp <= 0xD) || cp == 0x85) return true;
  const auto c = unicode::category(cp);
  return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/// Splits at Python whitespace (str.split() with no argument): no empty words.
inline std::vector<CodePoints> python_split(const CodePoints& text) {
  std::vector<CodePoints> words;
  CodePoints cur;
  for (CodePoint cp : text) {
    if (unicode::is_python_space(cp)) {
      if (!cur.empty()) words.push_back(std::move(cur));
      cur.clear();
    } else {
      cur.push_back(cp);
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

}  // namespace detail

class WordPieceTokenizer {
 public:
  static constexpr int kMaxInputCharsPerWord = 100;  ///< BertTokenizer's max_input_chars_per_word
  /// BertTokenizer.all_special_tokens (the order HF lists them in).
  static constexpr std::string_view kSpecialTokens[] = {"[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"};

  /// Reads a vocab.txt: one token per line, id = line index (0-based). Lines end at "\n", "\r\n"
  /// or "\r" (Python's universal newlines, as HF's load_vocab reads the file); everything else on
  /// the line, spaces included, is the token (an empty line: ""). A leading UTF-8 BOM is skipped.
  /// Throws frost::Error naming the file (and line) on a missing/unreadable file, invalid UTF-8,
  /// an empty vocabulary, a duplicate token (both lines), or a missing [PAD], [UNK], [CLS], [SEP]
  /// or [MASK]; and on options no Hugging Face tokenizer has (check_options).
  explicit WordPieceTokenizer(const std::string& vocab_path, TokenizerOptions opt = {})
      : opt_(opt), vocab_path_(vocab_path) {
    check_options(opt_, vocab_path_);
    std::ifstream in(vocab_path, std::ios::binary);
    FROST_CHECK(in.is_open(), vocab_path + ": cannot open vocabulary file");
    std::ostringstream ss;
    ss << in.rdbuf();
    FROST_CHECK(!in.bad(), vocab_path + ": cannot read vocabulary file");
    load_vocab(std::move(ss).str());
  }

  /// The same from vocab.txt's contents in memory; `name` stands for the file in errors (and is
  /// what vocab_path() returns).
  static WordPieceTokenizer from_string(std::string_view vocab_text, std::string name = "<vocab>",
                                        TokenizerOptions opt = {}) {
    return WordPieceTokenizer(FromText{}, vocab_text, std::move(name), opt);
  }

  /// A vocabulary given as its tokens in id order (tokenizer.json's model.vocab after its ids
  /// were checked); `name` stands for the file in errors ("<name>: token id 7: ...") and is what
  /// vocab_path() returns. The same rules as a vocab.txt: valid UTF-8, no duplicate, the five
  /// special tokens present.
  static WordPieceTokenizer from_tokens(std::vector<std::string> tokens, std::string name, TokenizerOptions opt = {}) {
    return WordPieceTokenizer(FromTokens{}, std::move(tokens), std::move(name), opt);
  }

  /// Options no Hugging Face tokenizer has: clean_text = false with Flavor::slow (BertTokenizer
  /// always cleans), a negative max_input_chars_per_word, a model_max_length below 1. `what`
  /// names the caller in the error.
  static void check_options(const TokenizerOptions& o, const std::string& what) {
    FROST_CHECK(o.clean_text || o.flavor == Flavor::fast,
                what +
                    ": clean_text = false exists only in BertTokenizerFast (Flavor::fast); BertTokenizer always "
                    "cleans the text");
    FROST_CHECK(o.max_input_chars_per_word >= 0,
                what + ": max_input_chars_per_word must be >= 0, got " + std::to_string(o.max_input_chars_per_word));
    FROST_CHECK(!o.model_max_length || *o.model_max_length >= 1,
                what + ": model_max_length must be >= 1, got " + std::to_string(o.model_max_length.value_or(0)));
  }

  [[nodiscard]] const TokenizerOptions& options() const { return opt_; }
  [[nodiscard]] std::size_t vocab_size() const { return tokens_.size(); }
  /// The file the vocabulary was read from.
  [[nodiscard]] const std::string& vocab_path() const { return vocab_path_; }
  /// Every token, by id.
  [[nodiscard]] const std::vector<std::string>& vocabulary() const { return tokens_; }

  /// The model's embedding matrix has `config_vocab_size` rows (config.json's vocab_size, read
  /// from `config_path`): a vocabulary with more tokens would produce ids past it. Fewer is fine
  /// (transformers allows it too: the remaining rows are never looked up).
  void check_vocab_size(int config_vocab_size, const std::string& config_path = "config.json") const {
    FROST_CHECK(tokens_.size() <= static_cast<std::size_t>(std::max(config_vocab_size, 0)),
                vocab_path_ + ": " + std::to_string(tokens_.size()) + " tokens, more than vocab_size " +
                    std::to_string(config_vocab_size) + " in " + config_path + " (ids from " +
                    std::to_string(config_vocab_size) + " on have no embedding row)");
  }
  [[nodiscard]] int pad_id() const { return pad_; }
  [[nodiscard]] int cls_id() const { return cls_; }
  [[nodiscard]] int sep_id() const { return sep_; }
  [[nodiscard]] int unk_id() const { return unk_; }
  [[nodiscard]] int mask_id() const { return mask_; }

  /// The id of a vocabulary token, if it is one.
  [[nodiscard]] std::optional<int> token_to_id(std::string_view token) const {
    const auto it = vocab_.find(std::string(token));
    if (it == vocab_.end()) return std::nullopt;
    return it->second;
  }
  [[nodiscard]] const std::string& id_to_token(int id) const {
    FROST_CHECK(id >= 0 && static_cast<std::size_t>(id) < tokens_.size(),
                "WordPieceTokenizer: token id " + std::to_string(id) + " out of range [0, " +
                    std::to_string(tokens_.size()) + ")");
    return tokens_[static_cast<std::size_t>(id)];
  }

  /// The WordPiece tokens of `text` (no [CLS]/[SEP] added); see the header comment.
  [[nodiscard]] std::vector<std::string> tokenize(std::string_view text) const {
    return split_text(text, [this](const CodePoints& word, std::vector<std::string>& out) { wordpiece(word, out); });
  }

  /// The words WordPiece then splits, special tokens included: BasicTokenizer's output (slow),
  /// or the added-token split, normalizer and pre-tokenizer (fast). For tests and debugging.
  [[nodiscard]] std::vector<std::string> basic_tokenize(std::string_view text) const {
    return split_text(text,
                      [](const CodePoints& word, std::vector<std::string>& out) { out.push_back(encode_utf8(word)); });
  }

  /// Vocabulary ids; a token outside the vocabulary maps to [UNK]'s id (as HF).
  [[nodiscard]] std::vector<int> convert_tokens_to_ids(const std::vector<std::string>& tokens) const {
    std::vector<int> ids;
    ids.reserve(tokens.size());
    for (const auto& t : tokens) {
      const auto it = vocab_.find(t);
      ids.push_back(it == vocab_.end() ? unk_ : it->second);
    }
    return ids;
  }
  [[nodiscard]] std::vector<std::string> convert_ids_to_tokens(const std::vector<int>& ids) const {
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (int id : ids) out.push_back(id_to_token(id));
    return out;
  }

  /// `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]` with token types 0 (through the first [SEP]) and
  /// 1, attention mask all 1, no padding. With truncation and max_length > 0, tokens are removed
  /// from the ends of A and B until the whole fits max_length, as HF's "longest_first":
  /// truncate_longest_first (BertTokenizer) or truncate_longest_first_fast (BertTokenizerFast),
  /// by the flavor. max_length <= 0 or truncation == false: no truncation.
  /// (HF's default without max_length is no truncation; frost's default is BERT's 512.)
  [[nodiscard]] Encoding encode(std::string_view a, std::optional<std::string_view> b = std::nullopt,
                                int max_length = 512, bool truncation = true) const {
    std::vector<int> ia = convert_tokens_to_ids(tokenize(a)), ib;
    if (b) ib = convert_tokens_to_ids(tokenize(*b));
    if (truncation && max_length > 0) {
      if (opt_.flavor == Flavor::fast)
        truncate_longest_first_fast(ia, b ? &ib : nullptr, max_length);
      else
        truncate_longest_first(ia, b ? &ib : nullptr, max_length);
    }
    Encoding e;
    e.input_ids.reserve(ia.size() + ib.size() + 3);
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

  /// Pads every encoding on the right with [PAD] (token type 0, attention 0), as HF's
  /// padding=True ("longest") or padding="max_length". Padding::max_length with an encoding
  /// already longer than max_length throws (HF would return a ragged batch that cannot become a
  /// tensor); truncate with encode(..., max_length) first.
  void pad(std::vector<Encoding>& batch, Padding padding, int max_length = 0) const {
    std::size_t length = 0;
    if (padding == Padding::max_length) {
      FROST_CHECK(max_length > 0, "WordPieceTokenizer::pad: Padding::max_length needs max_length > 0, got " +
                                      std::to_string(max_length));
      length = static_cast<std::size_t>(max_length);
      for (std::size_t i = 0; i < batch.size(); ++i)
        FROST_CHECK(batch[i].size() <= length, "WordPieceTokenizer::pad: encoding " + std::to_string(i) + " has " +
                                                   std::to_string(batch[i].size()) + " tokens, more than max_length " +
                                                   std::to_string(max_length) + " (encode with truncation first)");
    } else {
      for (const auto& e : batch) length = std::max(length, e.size());
    }
    for (auto& e : batch) {
      e.input_ids.resize(length, pad_);
      e.token_type_ids.resize(length, 0);
      e.attention_mask.resize(length, 0);
    }
  }
  /// Pads to the longest encoding, or to `min_length` when that is larger (never truncates).
  void pad(std::vector<Encoding>& batch, std::size_t min_length = 0) const {
    for (const auto& e : batch) min_length = std::max(min_length, e.size());
    for (auto& e : batch) {
      e.input_ids.resize(min_length, pad_);
      e.token_type_ids.resize(min_length, 0);
      e.attention_mask.resize(min_length, 0);
    }
  }

  /// HF's decode(ids, skip_special_tokens, clean_up_tokenization_spaces=True): tokens joined with
  /// spaces, " ##" removed, stripped, then the English clean-up (" ." -> "." etc.). For debugging:
  /// it does not undo lowercasing, accent stripping or [UNK].
  [[nodiscard]] std::string decode(const std::vector<int>& ids, bool skip_special_tokens = false,
                                   bool clean_up_tokenization_spaces = true) const {
    std::string joined;
    bool first = true;
    for (int id : ids) {
      const std::string& t = id_to_token(id);
      if (skip_special_tokens && is_special_token(t)) continue;
      if (!first) joined += ' ';
      joined += t;
      first = false;
    }
    std::string out = replace_all(joined, " ##", "");
    out = python_strip(out);
    if (clean_up_tokenization_spaces) {
      static constexpr std::pair<std::string_view, std::string_view> kCleanUp[] = {
          {" .", "."},     {" ?", "?"},   {" !", "!"},   {" ,", ","},     {" ' ", "'"},
          {" n't", "n't"}, {" 'm", "'m"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
      for (const auto& [from, to] : kCleanUp) out = replace_all(out, from, to);
    }
    return out;
  }

  /// HF's truncate_sequences(ids, pair_ids, total - max_length, "longest_first") (BertTokenizer,
  /// 4.46.3), truncation side right; `b` null for a single sequence. The 2 or 3 special tokens
  /// count towards max_length. First |len A - len B| (capped) from the longer one, the rest split
  /// in half, the *second* sequence losing the odd one; so a tie removes from B first. A single
  /// sequence that cannot shrink enough (max_length < 2) is left whole (HF logs an error and does
  /// the same).
  static void truncate_longest_first(std::vector<int>& a, std::vector<int>* b, int max_length) {
    const long special = b ? 3 : 2;
    const long la = static_cast<long>(a.size()), lb = b ? static_cast<long>(b->size()) : 0;
    const long remove = la + lb + special - max_length;
    if (remove <= 0) return;
    if (!b) {
      if (la > remove) a.resize(static_cast<std::size_t>(la - remove));
      return;
    }
    const long first = std::min(la > lb ? la - lb : lb - la, remove);
    const long second = remove - first;
    long from_a = 0, from_b = 0;
    if (la > lb) {
      from_a = first + second / 2;
      from_b = second - second / 2;
    } else {
      from_a = second / 2;
      from_b = first + second - second / 2;
    }
    a.resize(static_cast<std::size_t>(std::max(0L, la - from_a)));
    b->resize(static_cast<std::size_t>(std::max(0L, lb - from_b)));
  }

  /// tokenizers' truncate_encodings with TruncationStrategy::LongestFirst (0.20.3), as
  /// BertTokenizerFast calls it: the budget is max_length minus the 2 or 3 special tokens; none
  /// left (max_length equal to them) empties both sequences, a negative one (max_length below
  /// them: tokenizers' unsigned subtraction wraps) truncates nothing. A pair over budget: the
  /// shorter side keeps all of its tokens if the longer can take the rest and still be at least
  /// as long, else each keeps half the budget, the longer (B on a tie) the odd token.
  static void truncate_longest_first_fast(std::vector<int>& a, std::vector<int>* b, int max_length) {
    const long added = b ? 3 : 2;
    if (max_length < added) return;
    const long budget = max_length - added;
    if (budget == 0) {
      a.clear();
      if (b) b->clear();
      return;
    }
    const long la = static_cast<long>(a.size()), lb = b ? static_cast<long>(b->size()) : 0;
    if (la + lb <= budget) return;
    if (!b) {
      a.resize(static_cast<std::size_t>(budget));
      return;
    }
    long n1 = std::min(la, lb), n2 = 0;
    n2 = n1 > budget ? n1 : std::max(n1, budget - n1);
    if (n1 + n2 > budget) {
      n1 = budget / 2;
      n2 = n1 + budget % 2;
    }
    const long keep_a = la > lb ? n2 : n1, keep_b = la > lb ? n1 : n2;
    a.resize(static_cast<std::size_t>(std::min(la, keep_a)));
    b->resize(static_cast<std::size_t>(std::min(lb, keep_b)));
  }

 private:
  struct FromText {};
  WordPieceTokenizer(FromText, std::string_view vocab_text, std::string name, TokenizerOptions opt)
      : opt_(opt), vocab_path_(std::move(name)) {
    check_options(opt_, vocab_path_);
    load_vocab(vocab_text);
  }
  struct FromTokens {};
  WordPieceTokenizer(FromTokens, std::vector<std::string> tokens, std::string name, TokenizerOptions opt)
      : opt_(opt), vocab_path_(std::move(name)) {
    check_options(opt_, vocab_path_);
    tokens_.reserve(tokens.size());
    for (auto& t : tokens) {
      const std::string where = vocab_path_ + ": token id " + std::to_string(tokens_.size());
      (void)decode_utf8(t, where);
      const auto [it, inserted] = vocab_.emplace(t, static_cast<int>(tokens_.size()));
      FROST_CHECK(inserted, std::string(where)
                                .append(": duplicate token '")
                                .append(t)
                                .append("' (first id ")
                                .append(std::to_string(it->second))
                                .append(")"));
      tokens_.push_back(std::move(t));
    }
    FROST_CHECK(!tokens_.empty(), vocab_path_ + ": empty vocabulary");
    finish_vocab();
  }

  /// The vocabulary from vocab.txt's contents (see the constructor); errors name vocab_path_.
  void load_vocab(std::string_view data) {
    const std::string& path = vocab_path_;
    std::size_t pos = data.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (pos < data.size()) {
      std::size_t eol = data.find_first_of("\r\n", pos);
      if (eol == std::string_view::npos) eol = data.size();
      add_token(path, std::string(data.substr(pos, eol - pos)));
      pos = eol;
      if (pos < data.size()) pos += (data[pos] == '\r' && pos + 1 < data.size() && data[pos + 1] == '\n') ? 2 : 1;
    }
    FROST_CHECK(!tokens_.empty(), path + ": empty vocabulary (expected one token per line)");
    finish_vocab();
  }

  /// The special tokens' ids; errors name vocab_path_.
  void finish_vocab() {
    const std::string& path = vocab_path_;
    for (const char* t : {"[UNK]", "[CLS]", "[SEP]", "[PAD]", "[MASK]"})
      FROST_CHECK(vocab_.count(t) != 0,
                  path + ": vocabulary has no " + t + " token (" + std::to_string(tokens_.size()) + " tokens read)");
    unk_ = vocab_.at("[UNK]");
    cls_ = vocab_.at("[CLS]");
    sep_ = vocab_.at("[SEP]");
    pad_ = vocab_.at("[PAD]");
    mask_ = vocab_.at("[MASK]");
    for (auto s : kSpecialTokens) specials_.push_back(decode_utf8(s));
  }

  void add_token(const std::string& path, std::string token) {
    const int id = static_cast<int>(tokens_.size());
    const std::string where = path + ":" + std::to_string(id + 1);
    (void)decode_utf8(token, where);  // HF reads the file as UTF-8 and would fail too
    const auto [it, inserted] = vocab_.emplace(token, id);
    FROST_CHECK(inserted,
                where + ": duplicate token '" + token + "' (first at line " + std::to_string(it->second + 1) + ")");
    tokens_.push_back(std::move(token));
  }

  [[nodiscard]] static bool is_special_token(std::string_view t) {
    return std::find(std::begin(kSpecialTokens), std::end(kSpecialTokens), t) != std::end(kSpecialTokens);
  }

  /// Length of the special token starting at cps[i], or 0.
  [[nodiscard]] std::size_t special_at(const CodePoints& cps, std::size_t i) const {
    if (cps[i] != '[') return 0;
    for (const auto& s : specials_)
      if (i + s.size() <= cps.size() && std::equal(s.begin(), s.end(), cps.begin() + static_cast<std::ptrdiff_t>(i)))
        return s.size();
    return 0;
  }
  [[nodiscard]] bool is_special(const CodePoints& word) const {
    return std::find(specials_.begin(), specials_.end(), word) != specials_.end();
  }

  void lower(const CodePoints& in, CodePoints& out) const {
    out.clear();
    out.reserve(in.size() + 4);
    for (CodePoint cp : in) unicode::append_lower(cp, out);
  }

  /// _clean_text and _tokenize_chinese_chars: drops NUL, U+FFFD and controls, whitespace becomes
  /// ' ', CJK characters get a space either side (when opt_.tokenize_chinese_chars).
  [[nodiscard]] CodePoints clean_text(const CodePoints& text) const {
    CodePoints clean;
    clean.reserve(text.size());
    for (CodePoint cp : text) {
      if (cp == 0 || cp == 0xFFFD || detail::is_bert_control(cp)) continue;
      if (detail::is_bert_whitespace(cp)) {
        clean.push_back(' ');
      } else if (opt_.tokenize_chinese_chars && detail::is_chinese_char(cp)) {
        clean.push_back(' ');
        clean.push_back(cp);
        clean.push_back(' ');
      } else {
        clean.push_back(cp);
      }
    }
    return clean;
  }

  /// BasicTokenizer on one word: lowercases it (opt_.do_lower_case; `scratch` is reused storage),
  /// then drops combining marks after NFD when `strip` (_run_strip_accents).
  void lower_and_strip(CodePoints& w, bool strip, CodePoints& scratch) const {
    if (opt_.do_lower_case) {
      lower(w, scratch);
      w = std::move(scratch);
    }
    if (strip) w = strip_marks(w);
  }

  /// _run_strip_accents / BertNormalizer's strip_accents: `text` after NFD, less its combining
  /// marks (Mn).
  [[nodiscard]] static CodePoints strip_marks(const CodePoints& text) {
    CodePoints kept;
    for (CodePoint cp : unicode::nfd(text))
      if (unicode::category(cp) != UTF8PROC_CATEGORY_MN) kept.push_back(cp);
    return kept;
  }

  /// _run_split_on_punc on one word: each punctuation character its own piece, appended to `pieces`.
  static void split_on_punctuation(const CodePoints& w, std::vector<CodePoints>& pieces) {
    CodePoints cur;
    for (CodePoint cp : w) {
      if (detail::is_bert_punctuation(cp)) {
        if (!cur.empty()) pieces.push_back(std::move(cur));
        cur.clear();
        pieces.push_back({cp});
      } else {
        cur.push_back(cp);
      }
    }
    if (!cur.empty()) pieces.push_back(std::move(cur));
  }

  /// The tokens of `text`: each special token as written, and each word the basic split yields
  /// passed to emit(word, out), which appends that word's tokens.
  template <class Emit>
  std::vector<std::string> split_text(std::string_view text, Emit&& emit) const {
    std::vector<std::string> out;
    std::vector<CodePoints> words;
    for_each_chunk(text, [&](const CodePoints& cps, std::size_t begin, std::size_t end, bool special) {
      if (special) {
        out.push_back(encode_utf8(cps.data() + begin, cps.data() + end));
        return;
      }
      words.clear();
      split_words(cps, begin, end, words);
      for (const auto& w : words) emit(w, out);
    });
    return out;
  }

  /// Calls f(cps, begin, end, special) for every special token found verbatim in `text` and for
  /// every stretch of text between them (begin < end), in order.
  template <class F>
  void for_each_chunk(std::string_view text, F&& f) const {
    const CodePoints cps = decode_utf8(text, "WordPieceTokenizer: input text");
    std::size_t start = 0;  // start of the current non-special chunk
    std::size_t i = 0;
    while (i < cps.size()) {
      const std::size_t n = special_at(cps, i);
      if (n == 0) {
        ++i;
        continue;
      }
      if (start < i) f(cps, start, i, false);
      f(cps, i, i + n, true);
      i += n;
      start = i;
    }
    if (start < cps.size()) f(cps, start, cps.size(), false);
  }

  /// The words of cps[begin, end) (no special token in it), appended to `words`.
  void split_words(const CodePoints& cps, std::size_t begin, std::size_t end, std::vector<CodePoints>& words) const {
    if (opt_.flavor == Flavor::fast)
      split_words_fast(cps, begin, end, words);
    else
      split_words_slow(cps, begin, end, words);
  }

  /// BertNormalizer's clean_text and handle_chinese_chars on cps[begin, end): drops NUL, U+FFFD
  /// and controls, whitespace becomes ' ' (when opt_.clean_text), CJK characters get a space either
  /// side (when opt_.tokenize_chinese_chars).
  [[nodiscard]] CodePoints clean_text_fast(const CodePoints& cps, std::size_t begin, std::size_t end) const {
    CodePoints text;
    text.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      CodePoint cp = cps[i];
      if (opt_.clean_text) {
        if (cp == 0 || cp == 0xFFFD || detail::is_fast_control(cp)) continue;
        if (detail::is_rust_whitespace(cp)) cp = ' ';
      }
      if (opt_.tokenize_chinese_chars && detail::is_chinese_char_fast(cp)) {
        text.push_back(' ');
        text.push_back(cp);
        text.push_back(' ');
      } else {
        text.push_back(cp);
      }
    }
    return text;
  }

  /// BertPreTokenizer on `text`: split at White_Space, each punctuation character its own word,
  /// appended to `words`.
  static void pre_tokenize_fast(const CodePoints& text, std::vector<CodePoints>& words) {
    CodePoints cur;
    for (CodePoint cp : text) {
      if (detail::is_rust_whitespace(cp) || detail::is_bert_punctuation(cp)) {
        if (!cur.empty()) words.push_back(std::move(cur));
        cur.clear();
        if (!detail::is_rust_whitespace(cp)) words.push_back({cp});
      } else {
        cur.push_back(cp);
      }
    }
    if (!cur.empty()) words.push_back(std::move(cur));
  }

  /// BertNormalizer (clean_text, handle_chinese_chars, strip_accents, lowercase, in that order)
  /// and BertPreTokenizer (split at White_Space, punctuation isolated), tokenizers 0.20.3.
  void split_words_fast(const CodePoints& cps, std::size_t begin, std::size_t end,
                        std::vector<CodePoints>& words) const {
    CodePoints text = clean_text_fast(cps, begin, end);
    if (opt_.strips_accents()) text = strip_marks(text);
    if (opt_.do_lower_case) {
      CodePoints lowered;
      lower(text, lowered);
      text = std::move(lowered);
    }
    pre_tokenize_fast(text, words);
  }

  /// PreTrainedTokenizer lowercasing + BertTokenizer._tokenize (BasicTokenizer) on cps[begin, end).
  void split_words_slow(const CodePoints& cps, std::size_t begin, std::size_t end,
                        std::vector<CodePoints>& words) const {
    if (begin >= end) return;
    CodePoints text(cps.begin() + static_cast<std::ptrdiff_t>(begin), cps.begin() + static_cast<std::ptrdiff_t>(end));
    if (opt_.do_lower_case) {
      CodePoints lowered;
      lower(text, lowered);
      text = std::move(lowered);
    }
    const CodePoints clean = clean_text(text);
    const bool strip = opt_.strip_accents.value_or(opt_.do_lower_case);
    std::vector<CodePoints> pieces;
    CodePoints word;
    for (auto& w : detail::python_split(unicode::nfc(clean))) {
      if (is_special(w)) {
        pieces.push_back(std::move(w));
        continue;
      }
      lower_and_strip(w, strip, word);
      // _run_split_on_punc, which checks never_split again: accent stripping can make a special
      // token ("[MAS\u0301K]" cased with strip_accents).
      if (is_special(w)) {
        pieces.push_back(std::move(w));
        continue;
      }
      split_on_punctuation(w, pieces);
    }
    // whitespace_tokenize(" ".join(split_tokens)): the words WordPiece gets.
    for (const auto& p : pieces)
      for (auto& w : detail::python_split(p)) words.push_back(std::move(w));
  }

  void wordpiece(const CodePoints& word, std::vector<std::string>& out) const {
    if (static_cast<long>(word.size()) > opt_.max_input_chars_per_word) {
      out.emplace_back("[UNK]");
      return;
    }
    // UTF-8 of the word and the byte offset of each code point, so candidates are byte ranges.
    std::string utf8;
    std::vector<std::size_t> off;
    off.reserve(word.size() + 1);
    for (CodePoint cp : word) {
      off.push_back(utf8.size());
      append_utf8(cp, utf8);
    }
    off.push_back(utf8.size());
    const std::size_t first_out = out.size();
    std::string candidate;
    std::size_t start = 0;
    while (start < word.size()) {
      std::size_t end = word.size();
      bool found = false;
      for (; start < end; --end) {
        candidate.assign(start > 0 ? "##" : "");
        candidate.append(utf8, off[start], off[end] - off[start]);
        if (vocab_.count(candidate) != 0) {
          found = true;
          break;
        }
      }
      if (!found) {
        out.resize(first_out);
        out.emplace_back("[UNK]");
        return;
      }
      out.push_back(candidate);
      start = end;
    }
  }

  static std::string replace_all(const std::string& s, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(s.size());
    std::size_t pos = 0;
    for (;;) {
      const std::size_t f = s.find(from, pos);
      if (f == std::string::npos) break;
      out.append(s, pos, f - pos);
      out.append(to);
      pos = f + from.size();
    }
    out.append(s, pos, std::string::npos);
    return out;
  }
  /// Python's str.strip() (Unicode whitespace). The text is vocabulary tokens: valid UTF-8.
  static std::string python_strip(const std::string& s) {
    const CodePoints cps = decode_utf8(s);
    std::size_t b = 0, e = cps.size();
    while (b < e && unicode::is_python_space(cps[b])) ++b;
    while (e > b && unicode::is_python_space(cps[e - 1])) --e;
    return encode_utf8(cps.data() + b, cps.data() + e);
  }

  TokenizerOptions opt_;
  std::string vocab_path_;
  std::unordered_map<std::string, int> vocab_;
  std::vector<std::string> tokens_;
  std::vector<CodePoints> specials_;
  int unk_ = 0, cls_ = 0, sep_ = 0, pad_ = 0, mask_ = 0;
};

}  // namespace frost::text
