// frost/text/bert_tokenizer.hpp: HF's BertTokenizer as people call it: from a model directory
// (vocab.txt or tokenizer.json, text/tokenizer_files.hpp), to a padded Batch the model takes.
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
#include <optional>
#include <string>
#include <vector>

#include "../io/config_json.hpp"
#include "../model/batch.hpp"
#include "../train/data.hpp"
#include "../train/data_file.hpp"
#include "../train/labels.hpp"
#include "../train/tsv.hpp"
#include "tokenizer_files.hpp"
#include "wordpiece.hpp"

namespace frost::text {

struct EncodeOptions {
  int max_length = 512;            ///< truncation length ("longest_first"), tokens incl. [CLS]/[SEP]
  bool pad_to_max_length = false;  ///< false: pad to the longest in the batch (padding=True)
};

class BertTokenizer : public WordPieceTokenizer {
 public:
  using WordPieceTokenizer::WordPieceTokenizer;
  explicit BertTokenizer(WordPieceTokenizer base) : WordPieceTokenizer(std::move(base)) {}

  /// The tokenizer of a model directory (load_tokenizer, text/tokenizer_files.hpp): vocab.txt as
  /// BertTokenizer reads it or, in a directory without one, tokenizer.json as BertTokenizerFast
  /// does (`load.flavor` chooses otherwise), with tokenizer_config.json's do_lower_case,
  /// strip_accents, tokenize_chinese_chars and model_max_length (options()). When the directory
  /// has a config.json, it is read (read_config) and the vocabulary may not have more tokens than
  /// its vocab_size (check_vocab_size).
  static BertTokenizer from_pretrained(const std::string& dir, const TokenizerLoadOptions& load = {}) {
    BertTokenizer tok(load_tokenizer(dir, load));
    const std::string config = dir + "/config.json";
    if (std::filesystem::exists(config)) tok.check_vocab_size(read_config(config).vocab_size, config);
    return tok;
  }
  /// The same with the model's config given (`config_path` only names it in the error).
  static BertTokenizer from_pretrained(const std::string& dir, const BertConfig& config,
                                       const std::string& config_path = "config.json",
                                       const TokenizerLoadOptions& load = {}) {
    BertTokenizer tok(load_tokenizer(dir, load));
    tok.check_vocab_size(config.vocab_size, config_path);
    return tok;
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

/// Tokenizes a read data file into examples, the labels as `labels` says (labels.hpp); errors name
/// the file, line and column.
FROST_DECL Dataset tokenize_file(const DataFile& f, const WordPieceTokenizer& tok, int max_len,
                                 const LabelScheme& labels);

/// Tokenizes a TSV file read by read_tsv (train/tsv.hpp, kept for compatibility): labels are class
/// indices, or one regression value when `regression`.
FROST_DECL Dataset tokenize_file(const TsvFile& f, const WordPieceTokenizer& tok, int max_len, bool regression,
                                 const std::string& path);

/// How load_dataset reads a data file.
struct DatasetOptions {
  std::string format;          ///< "tsv", "csv" or "jsonl"; empty: by the file's extension (data_format_of)
  DataColumns columns;         ///< text, second text and label columns (empty: sentence/sentence1+2, label)
  int max_length = 128;        ///< truncation length per example, tokens incl. [CLS]/[SEP]
  bool label_required = true;  ///< false: a predict file may omit the label column
  /// The scheme to apply (an evaluation file: the training file's scheme). Without it: inferred
  /// from this file (infer_label_scheme) when `infer_labels`, else the model's (label_scheme_for).
  std::optional<LabelScheme> labels;
  LabelHints hints;          ///< the model's config: num_labels, problem_type, id2label
  bool infer_labels = true;  ///< without `labels`: a training file (true) or a file for a trained model
};

/// A data file tokenized, the label scheme applied and the file's format and columns.
struct LoadedDataset {
  Dataset examples;
  LabelScheme labels;
  DataFile file;  ///< format, columns, pairs/labelled; rows cleared
};

/// A TSV, CSV or JSON Lines data file (data_file.hpp) read, its labels turned into targets
/// (labels.hpp) and tokenized, for the Trainer and evaluate(). Errors name the file, line and column.
///
///   auto train = frost::text::load_dataset("train.csv", tok, {.hints = {.num_labels = 2}});
///   auto dev = frost::text::load_dataset("dev.csv", tok, {.labels = train.labels});
///   // train.labels.num_labels and label_names(train.labels) go into the model's config.
FROST_DECL LoadedDataset load_dataset(const std::string& path, const WordPieceTokenizer& tok,
                                      const DatasetOptions& o = {});

/// How load_tsv reads a labelled file.
struct TsvOptions {
  int max_length = 128;        ///< truncation length per example
  int num_labels = 2;          ///< labels 0..num_labels-1; 1: regression (float labels)
  bool label_required = true;  ///< false: a predict file may omit the label column
};

/// A GLUE-style TSV file (a `sentence` or `sentence1` + `sentence2` column and a `label` column,
/// extra columns allowed) tokenized into a Dataset the Trainer and evaluate() take; labels are
/// class indices in [0, num_labels), or numbers when num_labels is 1. Errors name the file, line
/// and column. (load_dataset reads CSV and JSON Lines too, and string labels.)
FROST_DECL Dataset load_tsv(const std::string& path, const WordPieceTokenizer& tok, const TsvOptions& o = {});

}  // namespace frost::text

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/bert_tokenizer.ipp"
#endif
