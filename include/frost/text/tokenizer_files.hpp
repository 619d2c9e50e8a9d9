// frost/text/tokenizer_files.hpp: the tokenizer files of a Hugging Face model directory, read and
// written: vocab.txt (what transformers' BertTokenizer reads), tokenizer.json (what
// BertTokenizerFast reads), tokenizer_config.json, and, when present, special_tokens_map.json and
// added_tokens.json. Needs the frost::text target (utf8proc).
//
//   auto tok = frost::text::load_tokenizer("models/bert");              // vocab.txt or tokenizer.json
//   auto fast = frost::text::load_tokenizer(dir, {.flavor = frost::text::Flavor::fast});
//   int cap = tok.options().model_max_length.value_or(512);             // tokenizer_config.json
//   frost::text::save_tokenizer_files("out", tok, {.model_max_length = 128});
//
// Reading (load_tokenizer):
//   - the vocabulary comes from vocab.txt when the directory has one, else from tokenizer.json's
//     model.vocab (ids must be exactly 0..n-1). With both, they must hold the same tokens with the
//     same ids: BertTokenizer reads the one and BertTokenizerFast the other.
//   - the flavor (which implementation frost reproduces, see text/wordpiece.hpp) is
//     TokenizerLoadOptions::flavor, else BertTokenizer (slow) when the directory has vocab.txt and
//     BertTokenizerFast (fast) when it has only tokenizer.json: a directory with both keeps the
//     tokenization frost always gave it, and a tokenizer.json-only directory is one only
//     BertTokenizerFast can load.
//   - do_lower_case, strip_accents (null: follow do_lower_case) and tokenize_chinese_chars are
//     tokenizer_config.json's, with BertTokenizer's defaults (true, null, true) where it has no
//     such key (or no file). This is what transformers does for *both* classes:
//     BertTokenizerFast.__init__ rebuilds tokenizer.json's normalizer from these three arguments
//     whenever they differ from it. tokenizer.json's normalizer only adds clean_text (and the
//     model its max_input_chars_per_word). tokenizers' own Tokenizer.from_file, though, uses
//     tokenizer.json's normalizer as it is; so where tokenizer.json says otherwise than a
//     *default* (tokenizer_config.json silent: e.g. "lowercase": false and no do_lower_case),
//     the two Hugging Face entry points disagree and frost refuses the directory, asking for the
//     key in tokenizer_config.json. An explicit tokenizer_config.json key wins (as in transformers).
//   - model_max_length (tokenizer_config.json) becomes TokenizerOptions::model_max_length (unset
//     when absent or above INT_MAX, e.g. transformers' 1e30 for "no limit"); callers cap their
//     max_length with it. Unknown keys are accepted.
//   - Anything frost cannot reproduce exactly is a frost::Error naming the file and the field:
//     a normalizer other than BertNormalizer (a Sequence holding exactly one BertNormalizer is
//     accepted), a pre-tokenizer other than BertPreTokenizer (likewise), a post-processor other
//     than BERT's [CLS] A [SEP] (B [SEP]) (TemplateProcessing or BertProcessing), a decoder
//     other than WordPiece "##", a model other than WordPiece with unk_token [UNK] and prefix
//     "##", special or added tokens other than BERT's five ([PAD] [UNK] [CLS] [SEP] [MASK], not
//     normalized, no lstrip/rstrip/single_word, all five in tokenizer.json's added_tokens),
//     do_basic_tokenize false, never_split, split_special_tokens, a tokenizer_class that is not
//     BERT's WordPiece, unknown top-level fields of tokenizer.json (tokenizers refuses them too).
//     With the slow flavor also clean_text false and max_input_chars_per_word other than 100
//     (BertTokenizer has neither). tokenizer.json's truncation and padding are ignored: transformers
//     replaces them on every call.
//
// Writing (save_tokenizer_files): vocab.txt, tokenizer.json and tokenizer_config.json, each
// atomically (io::write_file_atomic), so that AutoTokenizer.from_pretrained(dir) with use_fast
// True or False and load_tokenizer(dir) all get the same vocabulary and settings (the same JSON
// values as transformers' save_pretrained writes; `tools/gen_tokenizer_fixtures.py
// --check-written DIR` checks a directory against transformers, and tests/test_tokenizer_files.cpp
// that frost still writes tests/fixtures/tokenizer/files/written_by_frost/). Options only one of the two
// classes has (clean_text false, max_input_chars_per_word other than 100) are an error, and so
// are tokens vocab.txt cannot hold (a line break in a token; U+FEFF starting the first token). The
// files do not record the flavor: load_tokenizer reads such a directory as BertTokenizer.
#pragma once

#include <optional>
#include <string>

#include "../detail/macros.hpp"
#include "wordpiece.hpp"

namespace frost::text {

/// How load_tokenizer reads a directory.
struct TokenizerLoadOptions {
  /// The implementation to reproduce; unset: Flavor::slow with vocab.txt, Flavor::fast without.
  std::optional<Flavor> flavor;
};

/// What save_tokenizer_files writes besides the vocabulary and the tokenizer's options.
struct TokenizerFileOptions {
  /// tokenizer_config.json's model_max_length; unset: the tokenizer's own
  /// (options().model_max_length); neither: no such key (transformers: no limit).
  std::optional<int> model_max_length;
};

/// The tokenizer of a Hugging Face model directory: vocab.txt or tokenizer.json, with
/// tokenizer_config.json's settings (see the header comment for the rules and the errors).
FROST_DECL WordPieceTokenizer load_tokenizer(const std::string& dir, const TokenizerLoadOptions& load = {});

/// tokenizer.json for `tok` as BertTokenizerFast.save_pretrained writes it (tokenizers 0.20.3).
FROST_DECL std::string tokenizer_json_text(const WordPieceTokenizer& tok);

/// tokenizer_config.json for `tok` as BertTokenizer.save_pretrained writes it (transformers
/// 4.46.3, keys sorted), with `model_max_length` when given.
FROST_DECL std::string tokenizer_config_text(const WordPieceTokenizer& tok, std::optional<int> model_max_length);

/// Writes vocab.txt, tokenizer.json and tokenizer_config.json for `tok` into `dir` (created if
/// missing), each atomically. Throws frost::Error, before writing anything, on what the files
/// cannot express for both BertTokenizer and BertTokenizerFast (see the header comment).
FROST_DECL void save_tokenizer_files(const std::string& dir, const WordPieceTokenizer& tok,
                                     const TokenizerFileOptions& o = {});

}  // namespace frost::text

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/tokenizer_files.ipp"
#endif
