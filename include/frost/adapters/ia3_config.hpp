// frost/adapters/ia3_config.hpp: what an IA3 adapter is (PEFT's IA3Config), as a plain value.
//
// IA3 learns one vector l per target Linear (W [out, in], b) and rescales with it:
//   output-scaled target:  h = (x W^T + b) * l        l [out, 1]   (key, value by default)
//   input-scaled target:   h = (x * l) W^T + b        l [1, in]    (PEFT's "feedforward_modules")
// l starts at one (init_ia3_weights), so a fresh adapter changes nothing.
//
// PEFT's defaults for BERT are target_modules {key, value, output.dense} and feedforward_modules
// {output.dense}; suffix matching makes "output.dense" select both attention.output.dense and the
// FFN's output.dense, so the two output denses are input-scaled: 2 H + H + I entries per layer
// (2,688 for MiniLM, H = 384, I = 1536). Module names and their matching are LoRA's
// (adapters/lora_config.hpp: LoraTarget, kLoraTargetTable, parse_lora_targets).
//
// What frost runs: query, key and value output-scaled; attention.output.dense and output.dense
// input-scaled. check() refuses the other combinations with the reason (output scaling of a dense
// whose bias frost fuses into the LayerNorm or GELU pass, input scaling of the QKV input, and
// intermediate.dense), as it refuses the FFN's output.dense without attention.output.dense, which
// PEFT's list form cannot say. PEFT 0.13's IA3Config has no layers_to_transform: every layer
// carries the adapter.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "../detail/macros.hpp"
#include "lora_config.hpp"

namespace frost {

/// Targets frost can scale at their output, and at their input.
inline constexpr std::uint32_t kIa3OutputScaled =
    lora_bit(LoraTarget::query) | lora_bit(LoraTarget::key) | lora_bit(LoraTarget::value);
inline constexpr std::uint32_t kIa3InputScaled = lora_bit(LoraTarget::attn_out) | lora_bit(LoraTarget::out);

/// PEFT's IA3Config for BERT sequence classification (defaults are PEFT's).
struct Ia3Config {
  std::uint32_t targets = lora_bit(LoraTarget::key) | lora_bit(LoraTarget::value) | kIa3InputScaled;
  std::uint32_t feedforward = kIa3InputScaled;  ///< targets scaled at their input

  [[nodiscard]] bool has(LoraTarget t) const { return (targets & lora_bit(t)) != 0; }
  [[nodiscard]] bool scales_input(LoraTarget t) const { return (feedforward & lora_bit(t)) != 0; }
  /// Encoder layers carrying the adapter, as a bit set over [0, depth): every layer (PEFT 0.13's
  /// IA3Config has no layers_to_transform).
  [[nodiscard]] static std::uint64_t layer_bits(int depth) {
    return depth >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << depth) - 1u;
  }

  /// frost::Error naming what is impossible (see the header comment).
  void check() const {
    FROST_CHECK(targets != 0, "IA3 needs at least one target module");
    FROST_CHECK((feedforward & ~targets) == 0,
                "IA3 feedforward_modules must be a subset of target_modules (as PEFT requires)");
    FROST_CHECK(!has(LoraTarget::inter),
                "IA3 on intermediate.dense is not supported (targets: query, key, value, "
                "attention.output.dense, output.dense)");
    FROST_CHECK((feedforward & kIa3OutputScaled) == 0,
                "IA3 input scaling (feedforward_modules) of query, key or value is not supported: they are "
                "scaled at their output");
    FROST_CHECK((targets & kIa3InputScaled) == (feedforward & kIa3InputScaled),
                "IA3 on attention.output.dense or output.dense must scale the input (list it in "
                "feedforward_modules, as PEFT's defaults do): frost fuses their bias into the LayerNorm pass");
    FROST_CHECK(!has(LoraTarget::out) || has(LoraTarget::attn_out),
                "IA3 on the FFN's output.dense alone is not supported (PEFT's suffix matching reads "
                "output.dense as both output denses)");
  }
  /// PEFT's module names for a target set (adapter_config.json): "output.dense" for both output
  /// denses, as PEFT's defaults spell them.
  [[nodiscard]] static std::vector<std::string> module_names(std::uint32_t bits) {
    std::vector<std::string> out;
    for (auto [t, name] : {std::pair{LoraTarget::query, "query"}, std::pair{LoraTarget::key, "key"},
                           std::pair{LoraTarget::value, "value"}})
      if (bits & lora_bit(t)) out.emplace_back(name);
    if ((bits & kIa3InputScaled) == kIa3InputScaled)
      out.emplace_back("output.dense");
    else if (bits & lora_bit(LoraTarget::attn_out))
      out.emplace_back("attention.output.dense");
    return out;
  }
  [[nodiscard]] std::vector<std::string> target_modules() const { return module_names(targets); }
  [[nodiscard]] std::vector<std::string> feedforward_modules() const { return module_names(feedforward); }
  /// Trainable IA3 entries of one layer of `hidden` / `intermediate` size.
  [[nodiscard]] std::int64_t layer_params(std::int64_t hidden, std::int64_t intermediate) const {
    std::int64_t n = 0;
    for (LoraTarget t : {LoraTarget::query, LoraTarget::key, LoraTarget::value, LoraTarget::attn_out})
      n += has(t) ? hidden : 0;
    return n + (has(LoraTarget::out) ? intermediate : 0);
  }
};

/// "--ia3-targets key,value,output.dense" -> an Ia3Config whose feedforward modules are the output
/// denses among the targets (PEFT's default feedforward_modules, output.dense).
inline Ia3Config ia3_config_from_targets(std::string_view list) {
  Ia3Config c;
  c.targets = parse_lora_targets(list, "IA3");
  c.feedforward = c.targets & kIa3InputScaled;
  c.check();
  return c;
}

}  // namespace frost
