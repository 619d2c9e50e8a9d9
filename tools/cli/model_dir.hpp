// tools/cli/model_dir.hpp: a Hugging Face model directory as the commands read it (config.json
// with its raw JSON to round-trip, label names, model.safetensors, vocab.txt). No Eigen here.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <frost/config.hpp>
#include <frost/io/config_json.hpp>
#include <frost/text/wordpiece.hpp>

namespace frost::cli {

namespace fs = std::filesystem;

/// Whether the model directory's vocabulary is uncased (tokenizer_config.json's do_lower_case;
/// BERT's default, true, when absent).
inline bool lower_case_of(const std::string& dir) {
  // tokenizer_config.json, when present, says whether the vocabulary is cased.
  std::ifstream in(dir + "/tokenizer_config.json");
  if (in.good()) {
    try {
      nlohmann::json j;
      in >> j;
      if (j.contains("do_lower_case") && j["do_lower_case"].is_boolean()) return j["do_lower_case"].get<bool>();
    } catch (const nlohmann::json::exception&) {
    }
  }
  return true;
}

/// A model directory: config.json (+ raw JSON to round-trip), model.safetensors, vocab.txt.
struct ModelDir {
  std::string dir;
  BertConfig config;
  nlohmann::json raw_config;
  std::vector<std::string> label_names;

  explicit ModelDir(const std::string& d, int num_labels_override = 0) : dir(d) {
    FROST_CHECK(fs::is_directory(d), d + ": model directory not found");
    for (const char* f : {"config.json", "model.safetensors", "vocab.txt"})
      FROST_CHECK(fs::exists(d + "/" + f), d + ": missing " + f + " (expected a Hugging Face model directory)");
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

}  // namespace frost::cli
