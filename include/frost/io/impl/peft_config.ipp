// frost/io/impl/peft_config.ipp: the definitions of io/peft_config.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../peft_config.hpp"

namespace frost::io {

FROST_DECL nlohmann::json peft_adapter_config(const LoraConfig& lc, int depth, const std::string& base_model) {
  nlohmann::json j = {{"peft_type", "LORA"},
                      {"task_type", "SEQ_CLS"},
                      {"base_model_name_or_path", base_model},
                      {"r", lc.r},
                      {"lora_alpha", lc.alpha},
                      {"lora_dropout", lc.dropout},
                      {"use_rslora", lc.use_rslora},
                      {"use_dora", false},
                      {"bias", "none"},
                      {"fan_in_fan_out", false},
                      {"inference_mode", true},
                      {"init_lora_weights", true},
                      {"modules_to_save", {"classifier", "score"}},
                      {"layers_pattern", nullptr},
                      {"layers_to_transform", nullptr},
                      {"rank_pattern", nlohmann::json::object()},
                      {"alpha_pattern", nlohmann::json::object()}};
  const bool ffn_out_alone = lc.has(LoraTarget::out) && !lc.has(LoraTarget::attn_out);
  if (!ffn_out_alone) {
    j["target_modules"] = lc.target_modules();
    if (!lc.layers.empty()) j["layers_to_transform"] = lc.layers;
    return j;
  }
  std::string layers, modules;
  for (int i = 0; i < depth; ++i)
    if ((lc.layer_bits(depth) >> i) & 1u) layers += (layers.empty() ? "" : "|") + std::to_string(i);
  for (int t = 0; t < kLoraTargets; ++t) {
    if (!(lc.targets & (1u << t))) continue;
    std::string m = kLoraTargetTable[t].module;
    for (std::size_t p = m.find('.'); p != std::string::npos; p = m.find('.', p + 2)) m.replace(p, 1, "\\.");
    modules += (modules.empty() ? "" : "|") + m;
  }
  j["target_modules"] = "bert\\.encoder\\.layer\\.(" + layers + ")\\.(" + modules + ")";
  return j;
}

FROST_DECL nlohmann::json peft_adapter_config(const Ia3Config& ic, const std::string& base_model) {
  return {{"peft_type", "IA3"},
          {"task_type", "SEQ_CLS"},
          {"base_model_name_or_path", base_model},
          {"target_modules", ic.target_modules()},
          {"feedforward_modules", ic.feedforward_modules()},
          {"fan_in_fan_out", false},
          {"inference_mode", true},
          {"init_ia3_weights", true},
          {"modules_to_save", {"classifier", "score"}}};
}

namespace detail {
/// target_modules (or feedforward_modules): a list of PEFT module names (suffix-matched) -> target
/// bits.
inline std::uint32_t read_peft_targets(const nlohmann::json& tm, const std::string& path,
                                       const char* field = "target_modules", const char* what = "LoRA") {
  FROST_CHECK(tm.is_array() && !tm.empty(),
              path + ": " + field +
                  ": expected a list of module names (a regular expression or all-linear, which "
                  "in PEFT also adapts bert.pooler.dense, is not supported)");
  std::uint32_t targets = 0;
  for (const auto& t : tm) {
    FROST_CHECK(t.is_string(), path + ": " + field + ": expected strings");
    try {
      targets |= parse_lora_targets(t.get<std::string>(), what);
    } catch (const Error& e) {
      throw Error(path + ": " + field + ": " + e.what());
    }
  }
  return targets;
}
inline nlohmann::json read_peft_json(const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(frost::detail::read_config_text(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  FROST_CHECK(j.is_object(), path + ": expected a JSON object (PEFT's adapter_config.json)");
  return j;
}
/// layers_to_transform: null, an integer or a list of integers.
inline std::vector<int> read_peft_layers(const nlohmann::json& lt, const std::string& path) {
  std::vector<int> layers;
  if (lt.is_number_integer()) return {lt.get<int>()};
  FROST_CHECK(lt.is_null() || lt.is_array(),
              path + ": layers_to_transform: expected null, an integer or a list of integers");
  if (lt.is_array())
    for (const auto& v : lt) {
      FROST_CHECK(v.is_number_integer(), path + ": layers_to_transform: expected integers");
      layers.push_back(v.get<int>());
    }
  return layers;
}
/// What frost cannot run the same way: DoRA, bias training, fan_in_fan_out, per-module ranks.
inline void check_peft_unsupported(const nlohmann::json& j, const std::string& path) {
  FROST_CHECK(!j.value("use_dora", false), path + ": use_dora: DoRA adapters are not supported (expected false)");
  FROST_CHECK(j.value("bias", std::string("none")) == "none",
              path + ": bias: expected \"none\" (frost trains no base bias beside LoRA), got " + j["bias"].dump());
  FROST_CHECK(!j.value("fan_in_fan_out", false), path + ": fan_in_fan_out: expected false (BERT's Linear layers)");
  for (const char* k : {"rank_pattern", "alpha_pattern"})
    FROST_CHECK(!j.contains(k) || j[k].is_null() || j[k].empty(),
                path + ": " + k + ": per-module ranks or alphas are not supported (expected {})");
}
}  // namespace detail

FROST_DECL LoraConfig read_peft_adapter_config(const std::string& path, int depth) {
  const nlohmann::json j = detail::read_peft_json(path);
  auto field = [&](const char* k) -> const nlohmann::json& {
    FROST_CHECK(j.contains(k), path + ": missing field '" + k + "'");
    return j.at(k);
  };
  FROST_CHECK(field("peft_type") == "LORA", path + ": peft_type: expected \"LORA\", got " + field("peft_type").dump());
  detail::check_peft_unsupported(j, path);
  LoraConfig lc;
  FROST_CHECK(field("r").is_number_integer(), path + ": r: expected an integer");
  lc.r = field("r").get<int>();
  FROST_CHECK(field("lora_alpha").is_number(), path + ": lora_alpha: expected a number");
  lc.alpha = field("lora_alpha").get<double>();
  FROST_CHECK(j.value("lora_dropout", nlohmann::json(0.0)).is_number(), path + ": lora_dropout: expected a number");
  lc.dropout = j.value("lora_dropout", 0.0);
  lc.use_rslora = j.value("use_rslora", false);
  lc.targets = detail::read_peft_targets(field("target_modules"), path);
  lc.layers = detail::read_peft_layers(j.value("layers_to_transform", nlohmann::json()), path);
  try {
    lc.check(depth);
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return lc;
}

FROST_DECL std::string read_peft_type(const std::string& path) {
  const nlohmann::json j = detail::read_peft_json(path);
  FROST_CHECK(j.contains("peft_type") && j["peft_type"].is_string(),
              path + ": missing field 'peft_type' (expected \"LORA\" or \"IA3\")");
  return j["peft_type"].get<std::string>();
}

FROST_DECL Ia3Config read_peft_ia3_config(const std::string& path) {
  const nlohmann::json j = detail::read_peft_json(path);
  FROST_CHECK(j.value("peft_type", nlohmann::json()) == "IA3",
              path + ": peft_type: expected \"IA3\", got " + j.value("peft_type", nlohmann::json()).dump());
  FROST_CHECK(j.contains("target_modules"), path + ": missing field 'target_modules'");
  FROST_CHECK(!j.value("fan_in_fan_out", false), path + ": fan_in_fan_out: expected false (BERT's Linear layers)");
  Ia3Config ic;
  ic.targets = detail::read_peft_targets(j["target_modules"], path, "target_modules", "IA3");
  const nlohmann::json ff = j.value("feedforward_modules", nlohmann::json());
  ic.feedforward = ff.is_null() || (ff.is_array() && ff.empty())
                       ? 0u
                       : detail::read_peft_targets(ff, path, "feedforward_modules", "IA3");
  try {
    ic.check();
  } catch (const Error& e) {
    throw Error(path + ": " + e.what());
  }
  return ic;
}

}  // namespace frost::io
