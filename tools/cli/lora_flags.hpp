// tools/cli/lora_flags.hpp: the --lora-* flags (and --adapter) of frost train and explain, as a
// LoraConfig.
#pragma once

#include <optional>
#include <string>

#include <frost/adapters/lora_config.hpp>
#include <frost/freeze/freeze_spec.hpp>
#include <frost/io/peft_config.hpp>

#include "model_dir.hpp"

namespace frost::cli {

/// An --adapter directory checked (a directory, its manifest if frost wrote it, both PEFT files)
/// and its adapter_config.json read for a model of `depth` layers.
inline LoraConfig read_adapter_dir(const std::string& dir, int depth) {
  std::error_code ec;
  FROST_CHECK(fs::is_directory(dir, ec), dir +
                                             ": --adapter: expected a LoRA adapter directory (adapter_config.json, "
                                             "adapter_model.safetensors), found " +
                                             describe_path(dir));
  (void)io::verify_manifest(dir);
  check_input_file("--adapter", dir + "/adapter_config.json", "the adapter's adapter_config.json");
  check_input_file("--adapter", dir + "/adapter_model.safetensors",
                   "the adapter's weights (adapter_model.safetensors)");
  return io::read_peft_adapter_config(dir + "/adapter_config.json", depth);
}

/// The LoRA configuration of the --lora-* flags (nullopt without --lora-r).
inline std::optional<LoraConfig> lora_options(const LoraOptions& lo, const std::string& adapter_dir, std::uint64_t seed,
                                              int depth) {
  if (!adapter_dir.empty()) {
    FROST_CHECK(lo.r == 0 && lo.layers.empty() && !lo.use_rslora,
                "--adapter: not with --lora-r, --lora-layers or --use-rslora (the adapter's adapter_config.json "
                "sets the rank, targets and layers)");
    LoraConfig lc = read_adapter_dir(adapter_dir, depth);
    lc.seed = seed;
    return lc;
  }
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

}  // namespace frost::cli
