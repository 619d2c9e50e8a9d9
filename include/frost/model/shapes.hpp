// frost/model/shapes.hpp: the shape of every parameter slot, from the config. The one source of
// truth for allocation, loading and parameter counting.
#pragma once

#include <array>
#include <cstdint>

#include "../config.hpp"
#include "../freeze/slots.hpp"

namespace frost {

/// [rows, cols] of slot `s` of component `c`. Linear weights are [out, in] as in PyTorch;
/// biases and LayerNorm parameters are [1, n].
inline std::array<std::int64_t, 2> slot_shape(const BertConfig& cfg, Component c, int s) {
  const std::int64_t H = cfg.hidden_size, I = cfg.intermediate_size;
  switch (c) {
    case Component::embeddings:
      switch (s) {
        case slot::word: return {cfg.vocab_size, H};
        case slot::position: return {cfg.max_position_embeddings, H};
        case slot::token_type: return {cfg.type_vocab_size, H};
        default: return {1, H};
      }
    case Component::layer:
      switch (s) {
        case slot::inter_w: return {I, H};
        case slot::inter_b: return {1, I};
        case slot::out_w: return {H, I};
        default: return (s % 2 == 0 && s != slot::attn_ln_w && s != slot::out_ln_w)
                            ? std::array<std::int64_t, 2>{H, H}
                            : std::array<std::int64_t, 2>{1, H};
      }
    case Component::pooler: return s == slot::dense_w ? std::array<std::int64_t, 2>{H, H}
                                                      : std::array<std::int64_t, 2>{1, H};
    default: return s == slot::dense_w ? std::array<std::int64_t, 2>{cfg.num_labels, H}
                                       : std::array<std::int64_t, 2>{1, cfg.num_labels};
  }
}

inline std::int64_t slot_numel(const BertConfig& cfg, Component c, int s) {
  const auto sh = slot_shape(cfg, c, s);
  return sh[0] * sh[1];
}

/// Number of scalars in the slots `bits` of component c.
inline std::int64_t slots_numel(const BertConfig& cfg, Component c, std::uint32_t bits) {
  std::int64_t n = 0;
  for (int s = 0; s < slot_count(c); ++s)
    if (bits & bit(s)) n += slot_numel(cfg, c, s);
  return n;
}

}  // namespace frost
