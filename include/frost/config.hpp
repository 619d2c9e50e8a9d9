// frost/config.hpp: BertConfig, readable from a Hugging Face config.json.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ios>
#include <limits>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "detail/macros.hpp"

namespace frost {

/// HF's `problem_type`; `infer` means "decide from num_labels and the label dtype" as HF does.
enum class ProblemType { infer, single_label_classification, multi_label_classification, regression };

inline const char* to_string(ProblemType p) {
  switch (p) {
    case ProblemType::single_label_classification: return "single_label_classification";
    case ProblemType::multi_label_classification: return "multi_label_classification";
    case ProblemType::regression: return "regression";
    default: return "infer";
  }
}

struct BertConfig {
  int vocab_size = 30522;
  int hidden_size = 768;
  int num_hidden_layers = 12;
  int num_attention_heads = 12;
  int intermediate_size = 3072;
  int max_position_embeddings = 512;
  int type_vocab_size = 2;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  std::optional<double> classifier_dropout;  ///< null in config.json: use hidden_dropout_prob
  double layer_norm_eps = 1e-12;
  double initializer_range = 0.02;
  int pad_token_id = 0;
  int num_labels = 2;
  ProblemType problem_type = ProblemType::infer;

  [[nodiscard]] int head_dim() const { return hidden_size / num_attention_heads; }
  [[nodiscard]] double classifier_dropout_prob() const {
    return classifier_dropout.value_or(hidden_dropout_prob);
  }

  /// bert-base-uncased with a 2-label head (the seed's model).
  static BertConfig bert_base(int num_labels = 2) {
    BertConfig c;
    c.num_labels = num_labels;
    return c;
  }
  /// sentence-transformers/all-MiniLM-L6-v2 geometry.
  static BertConfig minilm_l6(int num_labels = 2) {
    BertConfig c;
    c.hidden_size = 384;
    c.num_hidden_layers = 6;
    c.intermediate_size = 1536;
    c.num_labels = num_labels;
    return c;
  }

  /// Throws frost::Error naming the first inconsistent field. `where` prefixes the message
  /// (e.g. the config.json path).
  void validate(const std::string& where = "BertConfig") const {
    auto positive = [&](int v, const char* field) {
      FROST_CHECK(v > 0, where + ": field '" + field + "' must be a positive integer, got " +
                             std::to_string(v));
    };
    positive(vocab_size, "vocab_size");
    positive(hidden_size, "hidden_size");
    positive(num_hidden_layers, "num_hidden_layers");
    positive(num_attention_heads, "num_attention_heads");
    positive(intermediate_size, "intermediate_size");
    positive(max_position_embeddings, "max_position_embeddings");
    positive(type_vocab_size, "type_vocab_size");
    positive(num_labels, "num_labels");
    FROST_CHECK(hidden_size % num_attention_heads == 0,
                where + ": hidden_size (" + std::to_string(hidden_size) +
                    ") must be divisible by num_attention_heads (" +
                    std::to_string(num_attention_heads) + ")");
    auto prob = [&](double p, const char* field) {
      FROST_CHECK(p >= 0.0 && p < 1.0, where + ": field '" + field +
                                           "' must be a probability in [0, 1), got " +
                                           std::to_string(p));
    };
    prob(hidden_dropout_prob, "hidden_dropout_prob");
    prob(attention_probs_dropout_prob, "attention_probs_dropout_prob");
    if (classifier_dropout) prob(*classifier_dropout, "classifier_dropout");
    FROST_CHECK(layer_norm_eps > 0.0, where + ": field 'layer_norm_eps' must be > 0");
    FROST_CHECK(pad_token_id >= 0 && pad_token_id < vocab_size,
                where + ": pad_token_id (" + std::to_string(pad_token_id) +
                    ") must be in [0, vocab_size)");
    FROST_CHECK(problem_type != ProblemType::regression || num_labels == 1,
                where + ": problem_type 'regression' needs num_labels == 1, got " +
                    std::to_string(num_labels));
  }

  /// Parses an HF config.json object. Required: the geometry fields; optional with HF defaults:
  /// dropouts, layer_norm_eps, pad_token_id, type_vocab_size, initializer_range, num_labels
  /// (else the size of id2label, else 2), problem_type, classifier_dropout.
  static BertConfig from_json(const nlohmann::json& j, const std::string& where = "config.json") {
    FROST_CHECK(j.is_object(), where + ": expected a JSON object at top level");
    BertConfig c;
    auto get_int = [&](const char* field, int& out, bool required) {
      if (!j.contains(field) || j.at(field).is_null()) {
        FROST_CHECK(!required, where + ": missing required field '" + field + "'");
        return;
      }
      const auto& v = j.at(field);
      FROST_CHECK(v.is_number_integer(),
                  where + ": field '" + field + "' must be an integer, got " + v.dump());
      const bool fits = v.is_number_unsigned()
                            ? v.get<std::uint64_t>() <= std::uint64_t{std::numeric_limits<int>::max()}
                            : v.get<std::int64_t>() >= std::numeric_limits<int>::min() &&
                                  v.get<std::int64_t>() <= std::numeric_limits<int>::max();
      FROST_CHECK(fits, where + ": field '" + field + "' is out of range for a 32-bit int, got " +
                            v.dump());
      out = v.get<int>();
    };
    auto get_num = [&](const char* field, double& out) {
      if (!j.contains(field) || j.at(field).is_null()) return;
      const auto& v = j.at(field);
      FROST_CHECK(v.is_number(), where + ": field '" + field + "' must be a number, got " + v.dump());
      out = v.get<double>();
    };
    auto get_str = [&](const char* field) -> std::optional<std::string> {
      if (!j.contains(field) || j.at(field).is_null()) return std::nullopt;
      const auto& v = j.at(field);
      FROST_CHECK(v.is_string(), where + ": field '" + field + "' must be a string, got " + v.dump());
      return v.get<std::string>();
    };
    if (auto mt = get_str("model_type"))
      FROST_CHECK(*mt == "bert", where + ": model_type must be 'bert', got '" + *mt + "'");
    get_int("vocab_size", c.vocab_size, true);
    get_int("hidden_size", c.hidden_size, true);
    get_int("num_hidden_layers", c.num_hidden_layers, true);
    get_int("num_attention_heads", c.num_attention_heads, true);
    get_int("intermediate_size", c.intermediate_size, true);
    get_int("max_position_embeddings", c.max_position_embeddings, true);
    get_int("type_vocab_size", c.type_vocab_size, false);
    get_int("pad_token_id", c.pad_token_id, false);
    get_num("hidden_dropout_prob", c.hidden_dropout_prob);
    get_num("attention_probs_dropout_prob", c.attention_probs_dropout_prob);
    get_num("layer_norm_eps", c.layer_norm_eps);
    get_num("initializer_range", c.initializer_range);
    if (j.contains("classifier_dropout") && !j.at("classifier_dropout").is_null()) {
      double p = 0;
      get_num("classifier_dropout", p);
      c.classifier_dropout = p;
    }
    if (auto act = get_str("hidden_act"))
      FROST_CHECK(*act == "gelu", where + ": hidden_act '" + *act +
                                      "' is not supported (frost implements exact erf 'gelu')");
    if (auto pe = get_str("position_embedding_type"))
      FROST_CHECK(*pe == "absolute", where + ": position_embedding_type '" + *pe +
                                         "' is not supported (only 'absolute')");
    const bool has_id2label = j.contains("id2label") && j.at("id2label").is_object();
    if (has_id2label) c.num_labels = static_cast<int>(j.at("id2label").size());
    int num_labels = c.num_labels;
    get_int("num_labels", num_labels, false);
    FROST_CHECK(!has_id2label || num_labels == c.num_labels,
                where + ": num_labels (" + std::to_string(num_labels) + ") disagrees with id2label (" +
                    std::to_string(c.num_labels) + " entries)");
    c.num_labels = num_labels;
    if (auto pt = get_str("problem_type")) {
      if (*pt == "single_label_classification") c.problem_type = ProblemType::single_label_classification;
      else if (*pt == "multi_label_classification") c.problem_type = ProblemType::multi_label_classification;
      else if (*pt == "regression") c.problem_type = ProblemType::regression;
      else
        throw Error(where + ": problem_type '" + *pt +
                    "' is not one of single_label_classification, multi_label_classification, "
                    "regression");
    }
    c.validate(where);
    return c;
  }

  static BertConfig from_file(const std::string& path) {
    std::error_code ec;
    FROST_CHECK(!std::filesystem::is_directory(path, ec), path + ": cannot open config file (a directory)");
    std::ifstream in(path);
    FROST_CHECK(in.good(), path + ": cannot open config file");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(in);  // whole stream: trailing garbage is an error
    } catch (const nlohmann::json::exception& e) {
      throw Error(path + ": not valid JSON (" + e.what() + ")");
    } catch (const std::ios_base::failure& e) {
      throw Error(path + ": read error (" + e.what() + ")");
    }
    return from_json(j, path);
  }
};

}  // namespace frost
