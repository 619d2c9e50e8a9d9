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

#include "flags.hpp"

namespace frost::cli {

namespace fs = std::filesystem;

/// Whether the model directory's vocabulary is uncased: tokenizer_config.json's do_lower_case
/// (BERT's default, true, when the file or the field is absent; a broken file is an error, as in
/// BertTokenizer::from_pretrained).
inline bool lower_case_of(const std::string& dir) {
  const std::string path = dir + "/tokenizer_config.json";
  std::error_code ec;
  if (!fs::exists(path, ec)) return true;
  check_input_file("--model", path, "a tokenizer_config.json file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  FROST_CHECK(!in.bad(), path + ": read error");
  std::string text = std::move(ss).str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  FROST_CHECK(j.is_object(), path + ": expected a JSON object at top level, got " + j.type_name());
  if (!j.contains("do_lower_case") || j["do_lower_case"].is_null()) return true;
  FROST_CHECK(j["do_lower_case"].is_boolean(),
              path + ": field 'do_lower_case': expected true or false, got " + j["do_lower_case"].dump());
  return j["do_lower_case"].get<bool>();
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
struct ModelDir {
  std::string dir;
  BertConfig config;
  nlohmann::json raw_config;
  std::vector<std::string> label_names;

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
    check_input_file("--model", d + "/vocab.txt", "the model's vocabulary (vocab.txt)");
    raw_config = read_config_json(d + "/config.json");
    config = config_from_json(raw_config, d + "/config.json");
    if (num_labels_override > 0 && num_labels_override != config.num_labels) {
      config.num_labels = num_labels_override;
      raw_config.erase("id2label");
      raw_config.erase("label2id");
      config.problem_type = ProblemType::infer;
    }
    if (config.problem_type == ProblemType::infer)
      config.problem_type = config.num_labels == 1 ? ProblemType::regression : ProblemType::single_label_classification;
    FROST_CHECK(config.problem_type != ProblemType::multi_label_classification,
                d + "/config.json: multi_label_classification models are not supported by the TSV tools");
    if (raw_config.contains("id2label") && raw_config["id2label"].is_object() &&
        static_cast<int>(raw_config["id2label"].size()) == config.num_labels)
      for (int i = 0; i < config.num_labels; ++i) {
        const auto key = std::to_string(i);
        label_names.push_back(raw_config["id2label"].contains(key) ? raw_config["id2label"][key].get<std::string>()
                                                                   : "LABEL_" + key);
      }
  }
  [[nodiscard]] std::string vocab() const { return dir + "/vocab.txt"; }
  [[nodiscard]] std::string weights() const { return dir + "/model.safetensors"; }
  /// vocab.txt, checked against config.json's vocab_size (fewer tokens is fine, more is an error).
  [[nodiscard]] text::WordPieceTokenizer tokenizer() const {
    text::WordPieceTokenizer tok(vocab(), text::TokenizerOptions::lower_case(lower_case_of(dir)));
    tok.check_vocab_size(config.vocab_size, dir + "/config.json");
    return tok;
  }
};

/// --max-seq-len: 0 (not given) means 128 capped at the model's max_position_embeddings; a
/// value given (already checked >= 2) may not exceed it.
inline int resolve_max_len(int requested, const ModelDir& m) {
  return resolve_seq_len("--max-seq-len", requested, m.config, m.dir + "/config.json");
}

/// A data file a flag names (--train, --eval, --data) read and tokenized for the model; errors
/// name the file and the line (and the column).
inline Dataset read_data(const std::string& flag, const std::string& path, bool label_required, const ModelDir& m,
                         const text::WordPieceTokenizer& tok, int max_len) {
  check_input_file(flag, path, "a TSV data file");
  const TsvFile f = read_tsv(path, label_required, m.config.num_labels);
  return text::tokenize_file(f, tok, max_len, m.config.problem_type == ProblemType::regression, path);
}

}  // namespace frost::cli
