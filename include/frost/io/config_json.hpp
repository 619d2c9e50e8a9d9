// frost/io/config_json.hpp: BertConfig <-> JSON. Hugging Face's config.json in and out, and the
// compact form checkpoints embed, all derived from one table of fields (kConfigFields) and one
// of the string fields frost supports a single value of (kConfigConstants).
//
//   BertConfig c = frost::read_config("model/config.json");       // file (a UTF-8 BOM is skipped)
//   BertConfig d = frost::config_from_json(j, "where");           // an nlohmann::json object
//   nlohmann::json j = frost::parse_config_json(text, "where");   // config.json text in memory
//   nlohmann::json hf = frost::hf_config_json(c, base, labels);   // what transformers loads
//   nlohmann::json compact = frost::config_to_json(c);            // checkpoint metadata
//
// Reading checks every field frost uses, type and range, and throws frost::Error
// "<where>: field '<name>': expected <...>, got <...>". Keys frost does not use (use_cache,
// transformers_version, torch_dtype, architectures, ...) are accepted and ignored.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "../config.hpp"
#include "../detail/macros.hpp"

namespace frost {

/// One numeric field of BertConfig as config.json spells it.
struct ConfigField {
  using Member = std::variant<int BertConfig::*, double BertConfig::*, std::optional<double> BertConfig::*>;
  const char* name;
  Member member;
  bool required;                     ///< frost refuses a config.json without it (transformers would default it)
  std::optional<double> hf_default;  ///< transformers' BertConfig default (nullopt: null); used when absent
  bool in_checkpoint;                ///< part of config_to_json (the form checkpoints embed and compare)
};

/// Every numeric field, in config.json's names. The range rules are BertConfig::validate().
inline constexpr ConfigField kConfigFields[] = {
    {"vocab_size", &BertConfig::vocab_size, true, 30522, true},
    {"hidden_size", &BertConfig::hidden_size, true, 768, true},
    {"num_hidden_layers", &BertConfig::num_hidden_layers, true, 12, true},
    {"num_attention_heads", &BertConfig::num_attention_heads, true, 12, true},
    {"intermediate_size", &BertConfig::intermediate_size, true, 3072, true},
    {"max_position_embeddings", &BertConfig::max_position_embeddings, true, 512, true},
    {"type_vocab_size", &BertConfig::type_vocab_size, false, 2, true},
    {"hidden_dropout_prob", &BertConfig::hidden_dropout_prob, false, 0.1, true},
    {"attention_probs_dropout_prob", &BertConfig::attention_probs_dropout_prob, false, 0.1, true},
    {"classifier_dropout", &BertConfig::classifier_dropout, false, std::nullopt, true},
    {"layer_norm_eps", &BertConfig::layer_norm_eps, false, 1e-12, true},
    {"initializer_range", &BertConfig::initializer_range, false, 0.02, false},
    {"pad_token_id", &BertConfig::pad_token_id, false, 0, true},
    // without num_labels: the size of id2label, else 2 (PretrainedConfig's default)
    {"num_labels", &BertConfig::num_labels, false, 2, true},
};

/// A string field frost implements one value of: absent or null is that value, anything else an
/// error. hf_config_json writes each.
struct ConfigConstant {
  const char* name;
  const char* value;
  const char* why;  ///< said in the error
};
inline constexpr ConfigConstant kConfigConstants[] = {
    {"model_type", "bert", "frost implements BERT only"},
    {"hidden_act", "gelu",
     "the exact erf GELU, the only activation frost implements; \"gelu_new\", \"gelu_pytorch_tanh\", \"relu\", "
     "... are not supported"},
    {"position_embedding_type", "absolute", "the only position embedding frost implements"},
};

/// Most labels a config.json may declare: each is a classifier row and an id2label/label2id entry,
/// so a corrupt num_labels (2^31 - 1) would otherwise surface as gigabytes of JSON on export or a
/// failed allocation in the model instead of an error naming the field.
inline constexpr int kMaxNumLabels = 1 << 20;

/// problem_type's values in config.json (null or absent: ProblemType::infer).
inline constexpr ProblemType kProblemTypes[] = {ProblemType::single_label_classification,
                                                ProblemType::multi_label_classification, ProblemType::regression};

namespace detail {
/// One kConfigFields entry of `c` as config.json writes it.
FROST_DECL nlohmann::json write_config_field(const ConfigField& f, const BertConfig& c);
/// The whole file (parse_config_json skips a leading UTF-8 BOM); a directory or a file that cannot
/// be read is a frost::Error naming `path`.
FROST_DECL std::string read_config_text(const std::string& path);
}  // namespace detail

/// A Hugging Face config.json object -> BertConfig. Required: the six geometry fields; the rest
/// take transformers' defaults (kConfigFields) when absent or null. `where` prefixes every error.
FROST_DECL BertConfig config_from_json(const nlohmann::json& j, const std::string& where = "config.json");

/// Deepest nesting of objects and arrays parse_config_json accepts (transformers' configs nest 3 or
/// 4 levels): nlohmann's parser is iterative, but dump() and comparisons recurse, so a deeper
/// document could overflow the stack.
inline constexpr int kMaxConfigJsonDepth = 64;

/// The raw JSON object in `text`, config.json's contents (a leading UTF-8 BOM is skipped; trailing
/// text after the object and nesting deeper than kMaxConfigJsonDepth are errors); `where` names
/// it in errors. read_config_json without I/O.
FROST_DECL nlohmann::json parse_config_json(std::string_view text, const std::string& where = "config.json");

/// The raw JSON object of a config.json file (see parse_config_json), for callers that round-trip
/// the keys frost does not use.
FROST_DECL nlohmann::json read_config_json(const std::string& path);

/// A config.json file -> BertConfig; errors name `path`.
FROST_DECL BertConfig read_config(const std::string& path);

/// The compact form a checkpoint embeds (and compares on load): the kConfigFields marked
/// in_checkpoint, plus problem_type as a string ("infer" included).
FROST_DECL nlohmann::json config_to_json(const BertConfig& c);

/// config.json for `cfg` as transformers writes a BertForSequenceClassification's, starting from
/// `base` (the checkpoint's own config.json, to keep fields frost does not use): every
/// kConfigFields and kConfigConstants entry, architectures, id2label/label2id (names from
/// `label_names`, else "LABEL_<i>"), num_labels, and problem_type (removed when infer).
FROST_DECL nlohmann::json hf_config_json(const BertConfig& cfg, nlohmann::json base = nlohmann::json::object(),
                                         const std::vector<std::string>& label_names = {});

}  // namespace frost

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/config_json.ipp"
#endif
