// frost/io/peft_config.hpp: PEFT's adapter_config.json <-> frost::LoraConfig / frost::Ia3Config
// (JSON only, no Eigen; the tensors are in io/peft_adapter.hpp).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../adapters/ia3_config.hpp"
#include "../adapters/lora_config.hpp"
#include "config_json.hpp"

namespace frost::io {

inline constexpr const char* kPeftPrefix = "base_model.model.";

/// adapter_config.json for `lc` (PEFT 0.13's fields). A target set PEFT's suffix matching cannot
/// say as a list (the FFN's output.dense without attention.output.dense) is written as a regular
/// expression over the full module names, layers included.
FROST_DECL nlohmann::json peft_adapter_config(const LoraConfig& lc, int depth, const std::string& base_model = "");

/// adapter_config.json for IA3 (PEFT 0.13's IA3Config fields).
FROST_DECL nlohmann::json peft_adapter_config(const Ia3Config& ic, const std::string& base_model = "");

/// PEFT's adapter_config.json as a LoraConfig; frost::Error naming the file and field for anything
/// frost cannot run the same way (DoRA, bias training, regex targets, other adapter types).
FROST_DECL LoraConfig read_peft_adapter_config(const std::string& path, int depth);

/// "LORA", "IA3", ...: the peft_type of an adapter_config.json (frost::Error if it has none).
FROST_DECL std::string read_peft_type(const std::string& path);

/// PEFT's IA3 adapter_config.json as an Ia3Config; frost::Error naming the file and field for
/// anything frost cannot run the same way.
FROST_DECL Ia3Config read_peft_ia3_config(const std::string& path);

}  // namespace frost::io

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/peft_config.ipp"
#endif
