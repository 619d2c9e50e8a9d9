// tools/cli/model_dir.hpp: a Hugging Face model directory as the commands read it (config.json
// with its raw JSON to round-trip, label names, model.safetensors, vocab.txt) and the data files
// read for it. No Eigen here.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <frost/config.hpp>
#include <frost/io/config_json.hpp>
#include <frost/io/staged_dir.hpp>
#include <frost/text/bert_tokenizer.hpp>
#include <frost/text/wordpiece.hpp>

#include "cli.hpp"
#include "flags.hpp"

namespace frost::cli {

namespace fs = std::filesystem;

/// Whether the model directory's tokenizer lowercases: tokenizer_config.json's do_lower_case
/// (BERT's default, true, when the file or the field is absent), checked against tokenizer.json
/// as text::load_tokenizer checks it (a broken file is an error naming it and the field).
inline bool lower_case_of(const std::string& dir) {
  std::error_code ec;
  if (fs::exists(dir + "/tokenizer_config.json", ec))
    check_input_file("--model", dir + "/tokenizer_config.json", "a tokenizer_config.json file");
  return text::load_tokenizer(dir).options().do_lower_case;
}

/// A sequence-length flag (--max-seq-len, --seq-len; already checked >= 2) against the model:
/// 0 (not given) means 128 capped at max_position_embeddings; a given value may not exceed it.
inline int resolve_seq_len(const std::string& flag, int requested, const BertConfig& cfg,
                           const std::string& config_path) {
  const int limit = cfg.max_position_embeddings;
  FROST_CHECK(limit >= 2, config_path +
                              ": field 'max_position_embeddings': expected at least 2 ([CLS] and [SEP]), got " +
                              std::to_string(limit));
  if (requested == 0) return std::min(128, limit);
  FROST_CHECK(requested <= limit, flag + ": expected an integer in [2, " + std::to_string(limit) +
                                      "] (at most max_position_embeddings = " + std::to_string(limit) + " of " +
                                      config_path + "), got " + std::to_string(requested));
  return requested;
}

/// A model directory: config.json (+ raw JSON to round-trip), model.safetensors, vocab.txt.
/// The class names of a config.json object's id2label when it has exactly `num_labels` entries
/// (a missing or non-string entry is LABEL_<i>, as transformers names it); empty otherwise.
inline std::vector<std::string> id2label_names(const nlohmann::json& config, int num_labels) {
  std::vector<std::string> names;
  const auto it = config.find("id2label");
  if (it == config.end() || !it->is_object() || static_cast<int>(it->size()) != num_labels) return names;
  for (int i = 0; i < num_labels; ++i) {
    const std::string key = std::to_string(i);
    names.push_back(it->contains(key) && (*it)[key].is_string() ? (*it)[key].get<std::string>() : "LABEL_" + key);
  }
  return names;
}

struct ModelDir {
  std::string dir;
  BertConfig config;
  nlohmann::json raw_config;
  std::vector<std::string> label_names;
  /// config.json's problem_type as written (infer when absent: a base model's), which lets a
  /// training file's labels decide (labels.hpp); `config.problem_type` is resolved.
  ProblemType declared_problem_type = ProblemType::infer;

  explicit ModelDir(const std::string& d, int num_labels_override = 0) : dir(d) {
    std::error_code ec;
    FROST_CHECK(!d.empty(), "--model: expected a model directory (a path), got ''");
    FROST_CHECK(fs::is_directory(d, ec), d +
                                             ": --model: expected a Hugging Face model directory (config.json, "
                                             "model.safetensors, vocab.txt), found " +
                                             describe_path(d));
    // A directory frost wrote carries a manifest: every file must match it (transformers' have none).
    (void)io::verify_manifest(d);
    check_input_file("--model", d + "/config.json", "the model's config.json");
    check_input_file("--model", d + "/model.safetensors", "the model's weights (model.safetensors)");
    // The vocabulary: vocab.txt (BertTokenizer) or tokenizer.json (BertTokenizerFast), or both.
    const bool has_json = fs::exists(d + "/tokenizer.json", ec);
    if (has_json) check_input_file("--model", d + "/tokenizer.json", "the model's tokenizer (tokenizer.json)");
    if (!has_json || fs::exists(d + "/vocab.txt", ec))
      check_input_file("--model", d + "/vocab.txt", "the model's vocabulary (vocab.txt or tokenizer.json)");
    raw_config = read_config_json(d + "/config.json");
    config = config_from_json(raw_config, d + "/config.json");
    if (num_labels_override > 0 && num_labels_override != config.num_labels) {
      config.num_labels = num_labels_override;
      raw_config.erase("id2label");
      raw_config.erase("label2id");
      config.problem_type = ProblemType::infer;
    }
    declared_problem_type = config.problem_type;
    if (config.problem_type == ProblemType::infer)
      config.problem_type = config.num_labels == 1 ? ProblemType::regression : ProblemType::single_label_classification;
    label_names = id2label_names(raw_config, config.num_labels);
  }
  /// What config.json says about labels (labels.hpp); `forced`: --num-labels was given.
  [[nodiscard]] LabelHints hints(bool forced = false) const {
    LabelHints h = label_hints(config, label_names, forced);
    h.problem_type = declared_problem_type;
    return h;
  }
  /// Makes the model's classes those of a training file's label scheme (run_glue.py: num_labels
  /// and id2label from the training labels; problem_type from their shape).
  void use_labels(const LabelScheme& s) {
    if (s.num_labels != config.num_labels) {
      raw_config.erase("id2label");
      raw_config.erase("label2id");
    }
    config.num_labels = s.num_labels;
    config.problem_type = s.problem_type();
    label_names = frost::label_names(s);
  }
  [[nodiscard]] std::string vocab() const { return dir + "/vocab.txt"; }
  [[nodiscard]] std::string weights() const { return dir + "/model.safetensors"; }
  /// The tokenizer (text::load_tokenizer: vocab.txt as BertTokenizer reads it, else tokenizer.json
  /// as BertTokenizerFast does; tokenizer_config.json's settings and model_max_length in
  /// options()), checked against config.json's vocab_size (fewer tokens is fine, more is an error).
  [[nodiscard]] text::WordPieceTokenizer tokenizer() const {
    std::error_code ec;
    if (fs::exists(dir + "/tokenizer_config.json", ec))
      check_input_file("--model", dir + "/tokenizer_config.json", "a tokenizer_config.json file");
    text::WordPieceTokenizer tok = text::load_tokenizer(dir);
    tok.check_vocab_size(config.vocab_size, dir + "/config.json");
    return tok;
  }
};

/// --max-seq-len: 0 (not given) means 128 capped at the model's max_position_embeddings; a
/// value given (already checked >= 2) may not exceed it.
inline int resolve_max_len(int requested, const ModelDir& m) {
  return resolve_seq_len("--max-seq-len", requested, m.config, m.dir + "/config.json");
}

/// The format of a data file a flag names: --format, else by the extension (.csv; .jsonl, .json),
/// TSV for any other (frost's files before CSV and JSON Lines had no required extension).
inline DataFormat cli_data_format(const std::string& path, const DataOptions& o) {
  if (!o.format.empty()) {
    check_choice("--format", o.format, {"tsv", "csv", "jsonl"});
    return data_format_of(path, o.format);
  }
  std::string ext = fs::path(path).extension().string();
  for (char& c : ext)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return ext == ".csv" || ext == ".jsonl" || ext == ".json" ? data_format_of(path) : DataFormat::tsv;
}

/// A data file a flag names (--train, --eval, --data) read as --format and the column flags say;
/// rows with their raw labels. Errors name the file, the line and the column.
inline DataFile read_raw_data(const std::string& flag, const std::string& path, bool label_required,
                              const DataOptions& o) {
  check_input_file(flag, path, "a data file (.tsv, .csv or .jsonl)");
  FROST_CHECK(o.label_separator.size() <= 1,
              "--label-separator: expected one character, got " + show_value(o.label_separator));
  DataColumns cols{o.text_column, o.text_pair_column, o.label_column,
                   o.label_separator.empty() ? '\0' : o.label_separator[0]};
  return read_data_file(path, cli_data_format(path, o), cols, label_required);
}

/// A data file read (read_raw_data) and tokenized for the model, labels as `labels` says
/// (a training file's scheme, or the model's: label_scheme_for).
inline Dataset read_data(const std::string& flag, const std::string& path, bool label_required, const DataOptions& o,
                         const text::WordPieceTokenizer& tok, int max_len, const LabelScheme* labels,
                         const ModelDir& m) {
  const DataFile f = read_raw_data(flag, path, label_required, o);
  const LabelScheme s = labels ? *labels : label_scheme_for(f, m.hints(true));
  return text::tokenize_file(f, tok, max_len, s);
}

}  // namespace frost::cli
