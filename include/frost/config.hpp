// frost/config.hpp: BertConfig (the geometry and hyper-parameters of a BERT classifier), its
// presets and validate(). No JSON here: reading and writing Hugging Face's config.json is
// io/config_json.hpp (read_config, config_from_json, hf_config_json, config_to_json).
#pragma once

#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <system_error>

#include "detail/macros.hpp"

namespace frost {

/// HF's `problem_type`; `infer` means "decide from num_labels and the label dtype" as HF does.
enum class ProblemType { infer, single_label_classification, multi_label_classification, regression };

inline const char* to_string(ProblemType p) {
  switch (p) {
    case ProblemType::single_label_classification:
      return "single_label_classification";
    case ProblemType::multi_label_classification:
      return "multi_label_classification";
    case ProblemType::regression:
      return "regression";
    default:
      return "infer";
  }
}

namespace detail {

/// The one shape of every config error: "<where>: field '<name>': expected <...>, got <...>".
inline Error config_field_error(const std::string& where, const std::string& field, const std::string& expected,
                                const std::string& got) {
  return Error(where + ": field '" + field + "': expected " + expected + ", got " + got);
}

/// Shortest text that reads back as `v` (1e-12, not std::to_string's "0.000000").
inline std::string show_number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return r.ec == std::errc{} ? std::string(buf, r.ptr) : std::to_string(v);
}

}  // namespace detail

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
  [[nodiscard]] double classifier_dropout_prob() const { return classifier_dropout.value_or(hidden_dropout_prob); }

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

  /// The range rules of every field. Throws frost::Error for the first field that breaks one:
  /// "<where>: field '<name>': expected <...>, got <...>" (`where`: e.g. the config.json path).
  void validate(const std::string& where = "BertConfig") const {
    auto fail = [&](const char* field, const std::string& expected, const std::string& got) {
      throw detail::config_field_error(where, field, expected, got);
    };
    auto positive = [&](int v, const char* field) {
      if (v <= 0) fail(field, "a positive integer", std::to_string(v));
    };
    positive(vocab_size, "vocab_size");
    positive(hidden_size, "hidden_size");
    positive(num_hidden_layers, "num_hidden_layers");
    positive(num_attention_heads, "num_attention_heads");
    positive(intermediate_size, "intermediate_size");
    positive(max_position_embeddings, "max_position_embeddings");
    positive(type_vocab_size, "type_vocab_size");
    positive(num_labels, "num_labels");
    if (hidden_size % num_attention_heads != 0)
      fail("num_attention_heads",
           "a divisor of hidden_size (" + std::to_string(hidden_size) +
               ") (hidden_size must be divisible by num_attention_heads)",
           std::to_string(num_attention_heads));
    auto prob = [&](double p, const char* field, const char* expected) {
      if (!(p >= 0.0 && p < 1.0)) fail(field, expected, detail::show_number(p));
    };
    prob(hidden_dropout_prob, "hidden_dropout_prob", "a probability in [0, 1)");
    prob(attention_probs_dropout_prob, "attention_probs_dropout_prob", "a probability in [0, 1)");
    if (classifier_dropout) prob(*classifier_dropout, "classifier_dropout", "null or a probability in [0, 1)");
    if (!(std::isfinite(layer_norm_eps) && layer_norm_eps > 0.0))
      fail("layer_norm_eps", "a finite number > 0", detail::show_number(layer_norm_eps));
    if (!(std::isfinite(initializer_range) && initializer_range >= 0.0))
      fail("initializer_range", "a finite number >= 0", detail::show_number(initializer_range));
    if (pad_token_id < 0 || pad_token_id >= vocab_size)
      fail("pad_token_id", "an id in [0, vocab_size) = [0, " + std::to_string(vocab_size) + ")",
           std::to_string(pad_token_id));
    if (problem_type == ProblemType::regression && num_labels != 1)
      fail("num_labels", "1 (problem_type is 'regression')", std::to_string(num_labels));
  }
};

}  // namespace frost
