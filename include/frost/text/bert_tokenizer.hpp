// frost/text/bert_tokenizer.hpp: HF's BertTokenizer as people call it: from a model directory, to a
// padded Batch the model takes.
//
//   auto tok = frost::text::BertTokenizer::from_pretrained("models/all-MiniLM-L6-v2");
//   frost::Batch b = tok.encode_batch({"a good film", "a bad one"}, {.max_length = 128});
//   frost::Batch p = tok.encode_pairs(premises, hypotheses, {.max_length = 128});
//
// = tokenizer(texts, [pairs,] padding=True, truncation=True, max_length=128): [CLS] A [SEP] (B [SEP]),
// token types 0/1, attention mask 1 for tokens and 0 for padding (pad_to_max_length: padding="max_length").
// Needs the frost::text target (utf8proc).
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../io/config_json.hpp"
#include "../model/batch.hpp"
#include "../train/data.hpp"
#include "../train/tsv.hpp"
#include "wordpiece.hpp"

namespace frost::text {

struct EncodeOptions {
  int max_length = 512;            ///< truncation length ("longest_first"), tokens incl. [CLS]/[SEP]
  bool pad_to_max_length = false;  ///< false: pad to the longest in the batch (padding=True)
};

class BertTokenizer : public WordPieceTokenizer {
 public:
  using WordPieceTokenizer::WordPieceTokenizer;

  /// vocab.txt of a model directory; lower-casing from tokenizer_config.json's do_lower_case
  /// (BERT's default, true, when the file or the field is absent). When the directory has a
  /// config.json, it is read (read_config) and the vocabulary may not have more tokens than its
  /// vocab_size (check_vocab_size).
  static BertTokenizer from_pretrained(const std::string& dir) {
    BertTokenizer tok = from_pretrained_unchecked(dir);
    const std::string config = dir + "/config.json";
    if (std::filesystem::exists(config)) tok.check_vocab_size(read_config(config).vocab_size, config);
    return tok;
  }
  /// The same with the model's config given (`config_path` only names it in the error).
  static BertTokenizer from_pretrained(const std::string& dir, const BertConfig& config,
                                       const std::string& config_path = "config.json") {
    BertTokenizer tok = from_pretrained_unchecked(dir);
    tok.check_vocab_size(config.vocab_size, config_path);
    return tok;
  }

 private:
  static BertTokenizer from_pretrained_unchecked(const std::string& dir) {
    FROST_CHECK(std::filesystem::exists(dir + "/vocab.txt"),
                dir + ": no vocab.txt (expected a Hugging Face model directory)");
    bool lower = true;
    std::ifstream in(dir + "/tokenizer_config.json");
    if (in.good()) {
      nlohmann::json j;
      try {
        in >> j;
      } catch (const nlohmann::json::exception& e) {
        throw Error(dir + "/tokenizer_config.json: not valid JSON (" + e.what() + ")");
      }
      if (j.contains("do_lower_case")) {
        FROST_CHECK(j["do_lower_case"].is_boolean(),
                    dir + "/tokenizer_config.json: do_lower_case must be true or false");
        lower = j["do_lower_case"].get<bool>();
      }
    }
    return BertTokenizer(dir + "/vocab.txt", TokenizerOptions::lower_case(lower));
  }

 public:
  /// Single sentences -> one padded Batch.
  [[nodiscard]] Batch encode_batch(const std::vector<std::string>& texts, const EncodeOptions& o = {}) const {
    std::vector<Encoding> enc;
    enc.reserve(texts.size());
    for (const auto& t : texts) enc.push_back(encode(t, std::nullopt, o.max_length));
    return to_batch(enc, o);
  }
  /// Sentence pairs (a[i], b[i]) -> one padded Batch.
  [[nodiscard]] Batch encode_pairs(const std::vector<std::string>& a, const std::vector<std::string>& b,
                                   const EncodeOptions& o = {}) const {
    FROST_CHECK(a.size() == b.size(), "BertTokenizer::encode_pairs: " + std::to_string(a.size()) + " first and " +
                                          std::to_string(b.size()) + " second sequences");
    std::vector<Encoding> enc;
    enc.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i) enc.push_back(encode(a[i], b[i], o.max_length));
    return to_batch(enc, o);
  }

 private:
  Batch to_batch(std::vector<Encoding>& enc, const EncodeOptions& o) const {
    FROST_CHECK(!enc.empty(), "BertTokenizer::encode_batch: no texts");
    pad(enc, o.pad_to_max_length ? Padding::max_length : Padding::longest, o.max_length);
    Batch b;
    b.batch_size = static_cast<int>(enc.size());
    b.seq_len = static_cast<int>(enc.front().size());
    for (const auto& e : enc) {
      b.input_ids.insert(b.input_ids.end(), e.input_ids.begin(), e.input_ids.end());
      b.token_type_ids.insert(b.token_type_ids.end(), e.token_type_ids.begin(), e.token_type_ids.end());
      b.attention_mask.insert(b.attention_mask.end(), e.attention_mask.begin(), e.attention_mask.end());
    }
    return b;
  }
};

/// Tokenizes a read TSV file into examples; errors name the file and line.
inline Dataset tokenize_file(const TsvFile& f, const WordPieceTokenizer& tok, int max_len, bool regression,
                             const std::string& path) {
  Dataset d;
  d.reserve(f.rows.size());
  for (const auto& r : f.rows) {
    Encoding enc;
    try {
      enc = f.pairs ? tok.encode(r.text_a, r.text_b, max_len) : tok.encode(r.text_a, std::nullopt, max_len);
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(r.line) + ": " + e.what());
    }
    Example ex;
    ex.input_ids = std::move(enc.input_ids);
    ex.token_type_ids = std::move(enc.token_type_ids);
    if (regression)
      ex.targets = {r.label};
    else
      ex.label = static_cast<std::int64_t>(r.label);
    d.push_back(std::move(ex));
  }
  return d;
}

/// How load_tsv reads a labelled file.
struct TsvOptions {
  int max_length = 128;        ///< truncation length per example
  int num_labels = 2;          ///< labels 0..num_labels-1; 1: regression (float labels)
  bool label_required = true;  ///< false: a predict file may omit the label column
};

/// A GLUE-style TSV file (sentence<TAB>label or sentence1<TAB>sentence2<TAB>label) tokenized into a
/// Dataset the Trainer and evaluate() take. Errors name the file and line.
inline Dataset load_tsv(const std::string& path, const WordPieceTokenizer& tok, const TsvOptions& o = {}) {
  const TsvFile f = read_tsv(path, o.label_required, o.num_labels);
  return tokenize_file(f, tok, o.max_length, o.num_labels == 1, path);
}

}  // namespace frost::text
