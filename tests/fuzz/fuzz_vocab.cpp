// libFuzzer target for frost's vocab.txt loader and the tokenizer it builds (tools/run-fuzz.sh
// builds and runs it).
//
// The input is a vocab.txt's contents, loaded with WordPieceTokenizer::from_string (the file
// constructor's code without the I/O) under tokenizer options picked from the input's size. When
// it loads, a fixed text (accents, CJK, special tokens, controls, a long word), a few invalid
// UTF-8 strings and the input itself (whole, and a slice from its middle cut at any byte) are
// tokenized, encoded alone and as pairs, padded and decoded. Every call must succeed or throw
// frost::Error; anything else (another exception, a sanitizer report, a result that breaks the
// tokenizer's guarantees) is a finding.
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <frost/text/wordpiece.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using frost::text::Encoding;
using frost::text::TokenizerOptions;
using frost::text::WordPieceTokenizer;

[[noreturn]] void fail(const char* what) { frost_fuzz::fail("fuzz_vocab", what); }

// Tokenized as one text (one pass through the tokenizer per input, to keep executions fast).
constexpr std::string_view kText =
    "Hello, world! How are you? "
    "H\xC3\xA9llo [CLS] w\xC3\xB6rld[SEP]x [MASK] [mask] [UNK] "
    "\xE4\xB8\xAD\xE6\x96\x87\xE5\xAD\x97 \xE3\x81\x8B\xE3\x81\xAA \xED\x95\x9C "  // CJK, kana, Hangul
    "e\xCC\x81 \xC4\xB0stanbul \xCE\xA3\xCE\x91\xCE\xA3 stra\xC3\x9F"
    "e \xEF\xAC\x81 "  // combining, İ, Σ, ß, ﬁ
    "a\x01"
    "b\tc\r\nd\xC2\xA0"
    "e\xE2\x80\x8B"
    "f\xEF\xBF\xBD"
    "g\xE2\x80\xA8h "  // C0, NBSP, ZWSP, U+FFFD, U+2028
    "[MAS\xCC\x81K] [CLS\xE2\x80\x8B] ##ing un##able \xF0\x9F\x98\x80!! "
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
// Invalid UTF-8 (and a NUL, valid): each must be a frost::Error or tokenize.
constexpr std::string_view kBad[] = {std::string_view("nul\0inside", 10), "\x80 bad", "ok \xF4\x90\x80\x80",
                                     "cut \xE4\xB8"};

/// Every token is a vocabulary token; ids map back to them.
void check_tokens(const WordPieceTokenizer& tok, const std::vector<std::string>& tokens) {
  const std::vector<int> ids = tok.convert_tokens_to_ids(tokens);
  if (ids.size() != tokens.size()) fail("convert_tokens_to_ids changed the length");
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!tok.token_to_id(tokens[i])) fail("tokenize produced a token outside the vocabulary");
    if (tok.id_to_token(ids[i]) != tokens[i]) fail("id_to_token(token_to_id(t)) != t");
  }
}

void check_encoding(const WordPieceTokenizer& tok, const Encoding& e, int max_length, bool pair) {
  if (e.token_type_ids.size() != e.size() || e.attention_mask.size() != e.size()) fail("ragged encoding");
  if (max_length >= 3 && e.size() > static_cast<std::size_t>(max_length)) fail("encode ignored max_length");
  if (e.size() < (pair ? 3u : 2u) || e.input_ids.front() != tok.cls_id()) fail("encoding without [CLS] ... [SEP]");
  for (int id : e.input_ids)
    if (id < 0 || static_cast<std::size_t>(id) >= tok.vocab_size()) fail("id outside the vocabulary");
}

void exercise(const WordPieceTokenizer& tok, std::string_view a, std::string_view b) {
  try {
    check_tokens(tok, tok.tokenize(a));
    std::vector<Encoding> batch;
    batch.push_back(tok.encode(a, b, 8));
    check_encoding(tok, batch.back(), 8, true);
    batch.push_back(tok.encode(a, std::nullopt, 0));
    check_encoding(tok, batch.back(), 0, false);
    tok.pad(batch, frost::text::Padding::longest);
    for (const auto& e : batch)
      if (e.size() != batch.front().size()) fail("pad left a ragged batch");
    (void)tok.decode(batch.front().input_ids, false);
    (void)tok.decode(batch.back().input_ids, true);
  } catch (const frost::Error&) {
    // invalid UTF-8 in the text
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  TokenizerOptions opt = TokenizerOptions::lower_case(size % 2 == 0);
  if (size % 3 == 1) opt.with_strip_accents(size % 4 < 2);
  if (size % 5 == 4) opt.with_tokenize_chinese_chars(false);
  std::optional<WordPieceTokenizer> tok;
  try {
    tok.emplace(WordPieceTokenizer::from_string(text, "fuzz/vocab.txt", opt));
  } catch (const frost::Error&) {
    return 0;  // the expected outcome for a malformed vocabulary
  }
  if (tok->vocab_size() == 0) fail("an empty vocabulary loaded");
  for (auto id : {tok->unk_id(), tok->cls_id(), tok->sep_id(), tok->pad_id(), tok->mask_id()})
    if (id < 0 || static_cast<std::size_t>(id) >= tok->vocab_size()) fail("special token id out of range");
  for (std::string_view bad : kBad) {
    try {
      check_tokens(*tok, tok->tokenize(bad));
    } catch (const frost::Error&) {
    }
  }
  // The fixed text, then the input as text (valid UTF-8 when it loaded) and a slice of it that may
  // cut a character.
  exercise(*tok, kText, text.substr(size / 3, size / 3));
  exercise(*tok, text, "[SEP]");
  return 0;
}
