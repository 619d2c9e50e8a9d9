// frost/model/shapes.hpp: the shape of every parameter slot, from the config. The one source of
// truth for allocation, loading and parameter counting.
#pragma once

#include <array>
#include <cstdint>

#include "../config.hpp"
#include "../freeze/slots.hpp"

namespace frost {

/// [rows, cols] of slot `s` of component `c` (the slot table's shape rule, freeze/slots.hpp).
/// Linear weights are [out, in] as in PyTorch; biases and LayerNorm parameters are [1, n].
inline std::int64_t dim_size(const BertConfig& cfg, Dim d) {
  switch (d) {
    case Dim::one:
      return 1;
    case Dim::hidden:
      return cfg.hidden_size;
    case Dim::intermediate:
      return cfg.intermediate_size;
    case Dim::vocab:
      return cfg.vocab_size;
    case Dim::positions:
      return cfg.max_position_embeddings;
    case Dim::token_types:
      return cfg.type_vocab_size;
    case Dim::labels:
      return cfg.num_labels;
    default:
      return 0;  // Dim::rank: an adapter's run-time rank, not a config field (adapters/lora.hpp)
  }
}

inline std::array<std::int64_t, 2> slot_shape(const BertConfig& cfg, Component c, int s) {
  const SlotInfo& info = slot_info(c, s);
  return {dim_size(cfg, info.rows), dim_size(cfg, info.cols)};
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
