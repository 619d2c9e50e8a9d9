// tools/cli/adapter_flags.hpp: the adapter flags of frost train, explain and bench (--lora-*,
// --ia3, --ia3-targets) and --adapter directories, as an AdapterChoice (LoRA, IA3 or none).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include <frost/adapters/ia3_config.hpp>
#include <frost/adapters/lora_config.hpp>
#include <frost/explain.hpp>
#include <frost/freeze/freeze_spec.hpp>
#include <frost/io/peft_config.hpp>

#include "model_dir.hpp"

namespace frost::cli {

/// The adapter of a run: LoRA, IA3, or none (both empty).
struct AdapterChoice {
  std::optional<LoraConfig> lora;
  std::optional<Ia3Config> ia3;

  explicit operator bool() const { return lora || ia3; }
  /// "lora", "ia3" or "" (metrics.json's key, the policy suffix).
  [[nodiscard]] const char* name() const { return lora ? "lora" : ia3 ? "ia3" : ""; }
  /// The model: base frozen as `frozen`, the adapter in its layers.
  template <class Model>
  Model make(const BertConfig& cfg, const FreezeMask& frozen) const {
    if (lora) return Model(cfg, frozen, *lora);
    if (ia3) return Model(cfg, frozen, *ia3);
    return Model(cfg, frozen);
  }
  /// The plan report of `plan` with this adapter's parameters counted (as PEFT counts them).
  [[nodiscard]] PlanReport report(const BackwardPlan& plan, const BertConfig& cfg) const {
    if (ia3) return plan_report(plan, cfg, sizeof(float), *ia3);
    return plan_report(plan, cfg, sizeof(float), lora ? &*lora : nullptr);
  }
  /// The BackwardPlan of `frozen` with this adapter in its layers.
  [[nodiscard]] BackwardPlan plan(const FreezeMask& frozen, int depth) const {
    if (lora) return BackwardPlan{frozen, depth, lora->layer_bits(depth), Adapter::lora};
    if (ia3) return BackwardPlan{frozen, depth, ia3->layer_bits(depth), Adapter::ia3};
    return BackwardPlan{frozen, depth};
  }
  /// metrics.json's adapter block.
  [[nodiscard]] nlohmann::json metrics(std::int64_t adapter_params) const {
    if (ia3)
      return {{"target_modules", ia3->target_modules()},
              {"feedforward_modules", ia3->feedforward_modules()},
              {"adapter_params", adapter_params}};
    if (!lora) return nullptr;
    return {{"r", lora->r},
            {"alpha", lora->alpha},
            {"dropout", lora->dropout},
            {"use_rslora", lora->use_rslora},
            {"target_modules", lora->target_modules()},
            {"layers_to_transform", lora->layers},
            {"adapter_params", adapter_params}};
  }
};

/// An --adapter directory checked (a directory, its manifest if frost wrote it, both PEFT files)
/// and its adapter_config.json (peft_type LORA or IA3) read for a model of `depth` layers.
inline AdapterChoice read_adapter_dir(const std::string& dir, int depth) {
  std::error_code ec;
  FROST_CHECK(fs::is_directory(dir, ec), dir +
                                             ": --adapter: expected a LoRA or IA3 adapter directory "
                                             "(adapter_config.json, adapter_model.safetensors), found " +
                                             describe_path(dir));
  (void)io::verify_manifest(dir);
  const std::string config = dir + "/adapter_config.json";
  check_input_file("--adapter", config, "the adapter's adapter_config.json");
  check_input_file("--adapter", dir + "/adapter_model.safetensors",
                   "the adapter's weights (adapter_model.safetensors)");
  AdapterChoice a;
  const std::string type = io::read_peft_type(config);
  if (type == "IA3")
    a.ia3 = io::read_peft_ia3_config(config);
  else if (type == "LORA")
    a.lora = io::read_peft_adapter_config(config, depth);
  else
    throw Error(config + ": peft_type: expected \"LORA\" or \"IA3\", got \"" + type + "\"");
  return a;
}

/// The LoRA configuration of the --lora-* flags (nullopt without --lora-r).
inline std::optional<LoraConfig> lora_options(const LoraOptions& lo, std::uint64_t seed, int depth) {
  if (lo.r == 0) {
    for (const auto& [flag, given] :
         {std::pair<const char*, bool>{"--lora-layers", !lo.layers.empty()}, {"--use-rslora", lo.use_rslora}})
      FROST_CHECK(!given, std::string(flag) + ": expected --lora-r R as well (LoRA is off without a rank)");
    return std::nullopt;
  }
  LoraConfig lc;
  lc.r = lo.r;
  lc.alpha = lo.alpha;
  lc.dropout = lo.dropout;
  lc.use_rslora = lo.use_rslora;
  lc.seed = seed;
  try {
    lc.targets = parse_lora_targets(lo.targets);
  } catch (const Error& e) {
    throw Error("--lora-targets: " + std::string(e.what()));
  }
  if (!lo.layers.empty()) {
    // One grammar for layer ranges: --freeze's (layers:A-B = A..B-1, layers[A:B], layer:I).
    const std::string spec = lo.layers.find_first_of(":[") == std::string::npos ? "layers:" + lo.layers : lo.layers;
    FreezeMask m;
    try {
      m = FreezeSpec::parse(spec.starts_with("[") ? "layers" + spec : spec).mask(depth);
    } catch (const Error& e) {
      throw Error("--lora-layers: " + std::string(e.what()));
    }
    for (int i = 0; i < depth; ++i)
      if (m.layer(i) != 0) lc.layers.push_back(i);
    FROST_CHECK(!lc.layers.empty(), "--lora-layers: '" + lo.layers + "' selects no layer");
  }
  try {
    lc.check(depth);
  } catch (const Error& e) {
    throw Error("--lora-layers: " + std::string(e.what()));
  }
  return lc;
}

/// The adapter of the flags: --adapter DIR, --lora-r R [--lora-*], --ia3 [--ia3-targets], or none.
inline AdapterChoice adapter_options(const LoraOptions& lo, const Ia3Options& io, const std::string& adapter_dir,
                                     std::uint64_t seed, int depth) {
  FROST_CHECK(io.on || io.targets.empty(), "--ia3-targets: expected --ia3 as well");
  if (!adapter_dir.empty()) {
    FROST_CHECK(lo.r == 0 && lo.layers.empty() && !lo.use_rslora && !io.on,
                "--adapter: not with --lora-r, --lora-layers, --use-rslora or --ia3 (the adapter's "
                "adapter_config.json sets the kind, rank, targets and layers)");
    AdapterChoice a = read_adapter_dir(adapter_dir, depth);
    if (a.lora) a.lora->seed = seed;
    return a;
  }
  AdapterChoice a;
  a.lora = lora_options(lo, seed, depth);
  if (io.on) {
    FROST_CHECK(!a.lora, "--ia3: not with --lora-r (one adapter kind per run)");
    try {
      a.ia3 = io.targets.empty() ? Ia3Config{} : ia3_config_from_targets(io.targets);
    } catch (const Error& e) {
      throw Error("--ia3-targets: " + std::string(e.what()));
    }
  }
  return a;
}

}  // namespace frost::cli
