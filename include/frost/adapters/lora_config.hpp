// frost/adapters/lora_config.hpp: what a LoRA adapter is (PEFT's LoraConfig), as a plain value.
//
//   For a target Linear (W [out, in], b):   h = x W^T + b + scaling * dropout(x) A^T B^T
//     A [r, in]  Kaiming-uniform (a = sqrt(5): U(-1/sqrt(in), 1/sqrt(in))), as PEFT
//     B [out, r] zeros, as PEFT (so a fresh adapter changes nothing)
//     scaling = alpha / r, or alpha / sqrt(r) with use_rslora
//
// Targets are PEFT's module names inside a BertLayer. PEFT matches a target_modules entry by
// suffix ("output.dense" selects both attention.output.dense and the FFN's output.dense; "dense"
// selects all four dense layers); parse_lora_targets() does the same, so a spelling means here
// what it means in an adapter_config.json. "all-linear" selects the six.
//
// The targets and the layers are run-time values of one compile-time layer kind (freeze/
// component_kinds.hpp): every target set that includes query, key or value needs the whole layer
// backward anyway, so 63 target subsets x the base kinds would multiply the compiled code (the
// design issue's compile-time budget) for no gain; the guarantees that matter are compile-time in
// that kind: the base weights have no gradient buffer, no optimizer state and no weight-gradient
// code.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/macros.hpp"
#include "../freeze/slots.hpp"

namespace frost {

/// The six Linear modules of a BertLayer LoRA can adapt, in the order a forward pass meets them.
enum class LoraTarget : int { query, key, value, attn_out, inter, out };
inline constexpr int kLoraTargets = 6;

struct LoraTargetInfo {
  const char* module;  ///< PEFT / HF module name inside the layer
  int base_slot;       ///< the frozen weight it adapts (freeze/slots.hpp)
  Dim in, out;         ///< A is [r, in], B is [out, r]
};
inline constexpr LoraTargetInfo kLoraTargetTable[kLoraTargets] = {
    {"attention.self.query", slot::q_w, Dim::hidden, Dim::hidden},
    {"attention.self.key", slot::k_w, Dim::hidden, Dim::hidden},
    {"attention.self.value", slot::v_w, Dim::hidden, Dim::hidden},
    {"attention.output.dense", slot::attn_out_w, Dim::hidden, Dim::hidden},
    {"intermediate.dense", slot::inter_w, Dim::hidden, Dim::intermediate},
    {"output.dense", slot::out_w, Dim::intermediate, Dim::hidden},
};
inline constexpr std::uint32_t kLoraAllLinear = (1u << kLoraTargets) - 1u;
constexpr std::uint32_t lora_bit(LoraTarget t) { return 1u << static_cast<int>(t); }

/// PEFT's target_modules matching for one entry: the module's name equals it or ends with
/// "." + it. Returns the bits of the matching targets (0: none).
inline std::uint32_t match_lora_target(std::string_view name) {
  if (name == "all-linear") return kLoraAllLinear;
  std::uint32_t m = 0;
  for (int t = 0; t < kLoraTargets; ++t) {
    const std::string_view mod = kLoraTargetTable[t].module;
    const bool eq = mod == name;
    const bool suffix = mod.size() > name.size() && mod.ends_with(name) && mod[mod.size() - name.size() - 1] == '.';
    if (eq || suffix) m |= 1u << t;
  }
  return m;
}

/// "query,value" / "all-linear" / "query,key,value,dense" -> target bits; frost::Error naming the
/// entry that matches nothing (`what`: the adapter, for the message).
inline std::uint32_t parse_lora_targets(std::string_view list, const char* what = "LoRA") {
  std::uint32_t m = 0;
  std::size_t pos = 0;
  while (pos <= list.size()) {
    const std::size_t comma = list.find(',', pos);
    const std::string_view item =
        list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    const std::uint32_t b = match_lora_target(item);
    FROST_CHECK(b != 0, std::string(what) + " target '" + std::string(item) +
                            "' matches no Linear of a BertLayer (expected query, key, value, attention.output.dense, "
                            "intermediate.dense, output.dense (PEFT's suffix matching: output.dense selects both "
                            "output denses), dense, or all-linear)");
    m |= b;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return m;
}

/// PEFT's LoraConfig for BERT sequence classification (defaults are PEFT's).
struct LoraConfig {
  int r = 8;             ///< rank
  double alpha = 8.0;    ///< lora_alpha
  double dropout = 0.0;  ///< lora_dropout (on the adapter's input only)
  std::uint32_t targets = lora_bit(LoraTarget::query) | lora_bit(LoraTarget::value);
  std::vector<int> layers;  ///< layers_to_transform; empty = every layer
  bool use_rslora = false;  ///< scaling alpha / sqrt(r) instead of alpha / r
  std::uint64_t seed = 0;   ///< initialises A (B starts at zero)

  [[nodiscard]] double scaling() const { return use_rslora ? alpha / std::sqrt(static_cast<double>(r)) : alpha / r; }
  [[nodiscard]] bool has(LoraTarget t) const { return (targets & lora_bit(t)) != 0; }
  /// Encoder layers carrying the adapter, as a bit set over [0, depth).
  [[nodiscard]] std::uint64_t layer_bits(int depth) const {
    std::uint64_t b = 0;
    if (layers.empty()) {
      for (int i = 0; i < depth; ++i) b |= std::uint64_t{1} << i;
    } else {
      for (int i : layers) b |= std::uint64_t{1} << i;
    }
    return b;
  }
  /// frost::Error naming the field when the configuration is impossible for a model of `depth`.
  void check(int depth) const {
    FROST_CHECK(r >= 1 && r <= 4096, "LoRA r must be in [1, 4096], got " + std::to_string(r));
    FROST_CHECK(std::isfinite(alpha) && alpha > 0, "LoRA alpha must be a positive number");
    FROST_CHECK(dropout >= 0.0 && dropout < 1.0, "LoRA dropout must be in [0, 1)");
    FROST_CHECK(targets != 0 && (targets & ~kLoraAllLinear) == 0, "LoRA needs at least one target module");
    for (int i : layers)
      FROST_CHECK(i >= 0 && i < depth, "LoRA layers_to_transform names layer " + std::to_string(i) +
                                           " but the model has " + std::to_string(depth) +
                                           " layers (num_hidden_layers)");
  }
  /// PEFT's target_modules, in layer order (adapter_config.json).
  [[nodiscard]] std::vector<std::string> target_modules() const {
    std::vector<std::string> out;
    static constexpr const char* kShort[kLoraTargets] = {
        "query", "key", "value", "attention.output.dense", "intermediate.dense", "output.dense"};
    // (PEFT's suffix matching reads "output.dense" as both output denses: io/peft_config.hpp writes
    // a regular expression instead for the FFN's output.dense without attention.output.dense.)
    for (int t = 0; t < kLoraTargets; ++t)
      if (targets & (1u << t)) out.emplace_back(kShort[t]);
    return out;
  }
};

}  // namespace frost
