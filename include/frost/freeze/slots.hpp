// frost/freeze/slots.hpp: the compile-time layer descriptors.
//
// Every parameter of BertForSequenceClassification is a *slot*: (component, layer, slot index).
// Components are ordered bottom-up as the forward pass visits them; the backward pass visits them
// top-down and stops at the lowest component holding a trainable slot.
//
//   component   slots                                                       count
//   embeddings  word, position, token_type, ln.weight, ln.bias              5
//   layer[i]    q.w q.b k.w k.b v.w v.b attn_out.w attn_out.b attn_ln.w     16
//               attn_ln.b inter.w inter.b out.w out.b out_ln.w out_ln.b
//   pooler      dense.w dense.b                                             2
//   classifier  w b                                                         2
#pragma once

#include <cstdint>

namespace frost {

/// Maximum number of encoder layers a freeze mask describes (bert-large has 24).
inline constexpr int kMaxLayers = 48;
/// Marker for a depth known only at run time (read from config.json).
inline constexpr int kDynamicDepth = -1;

enum class Component : int { embeddings, layer, pooler, classifier };

/// What a slot is, for selectors such as Biases and LayerNorms.
enum class SlotKind : int { weight, bias, ln_weight, ln_bias, embedding };

namespace slot {
// Embeddings.
inline constexpr int word = 0, position = 1, token_type = 2, emb_ln_w = 3, emb_ln_b = 4;
inline constexpr int kEmbeddingSlots = 5;
// Encoder layer.
inline constexpr int q_w = 0, q_b = 1, k_w = 2, k_b = 3, v_w = 4, v_b = 5, attn_out_w = 6,
                     attn_out_b = 7, attn_ln_w = 8, attn_ln_b = 9, inter_w = 10, inter_b = 11,
                     out_w = 12, out_b = 13, out_ln_w = 14, out_ln_b = 15;
inline constexpr int kLayerSlots = 16;
// Pooler and classifier.
inline constexpr int dense_w = 0, dense_b = 1;
inline constexpr int kHeadSlots = 2;
}  // namespace slot

constexpr std::uint32_t bit(int s) { return std::uint32_t{1} << s; }
constexpr std::uint32_t all_slots(int n) { return (std::uint32_t{1} << n) - 1u; }

inline constexpr std::uint32_t kEmbeddingAll = all_slots(slot::kEmbeddingSlots);
inline constexpr std::uint32_t kLayerAll = all_slots(slot::kLayerSlots);
inline constexpr std::uint32_t kHeadAll = all_slots(slot::kHeadSlots);

constexpr int slot_count(Component c) {
  switch (c) {
    case Component::embeddings: return slot::kEmbeddingSlots;
    case Component::layer: return slot::kLayerSlots;
    default: return slot::kHeadSlots;
  }
}

constexpr SlotKind slot_kind(Component c, int s) {
  switch (c) {
    case Component::embeddings:
      if (s == slot::emb_ln_w) return SlotKind::ln_weight;
      if (s == slot::emb_ln_b) return SlotKind::ln_bias;
      return SlotKind::embedding;
    case Component::layer:
      if (s == slot::attn_ln_w || s == slot::out_ln_w) return SlotKind::ln_weight;
      if (s == slot::attn_ln_b || s == slot::out_ln_b) return SlotKind::ln_bias;
      return (s % 2 == 0) ? SlotKind::weight : SlotKind::bias;
    default:
      return s == slot::dense_w ? SlotKind::weight : SlotKind::bias;
  }
}

/// Bits of the slots of component `c` whose kind satisfies `pred`.
template <class Pred>
constexpr std::uint32_t slots_where(Component c, Pred pred) {
  std::uint32_t m = 0;
  for (int s = 0; s < slot_count(c); ++s)
    if (pred(slot_kind(c, s))) m |= bit(s);
  return m;
}

/// Short human names used by explain() (HF names live in io/hf_names.hpp).
constexpr const char* slot_name(Component c, int s) {
  constexpr const char* emb[] = {"word", "position", "token_type", "ln.weight", "ln.bias"};
  constexpr const char* layer[] = {"q.weight",       "q.bias",         "k.weight",
                                   "k.bias",         "v.weight",       "v.bias",
                                   "attn_out.weight", "attn_out.bias", "attn_ln.weight",
                                   "attn_ln.bias",   "inter.weight",   "inter.bias",
                                   "out.weight",     "out.bias",       "out_ln.weight",
                                   "out_ln.bias"};
  constexpr const char* head[] = {"weight", "bias"};
  switch (c) {
    case Component::embeddings: return emb[s];
    case Component::layer: return layer[s];
    default: return head[s];
  }
}

/// Where a parameter sits in the model (see freeze/slots.hpp); io/hf_names.hpp maps it to the
/// Hugging Face name.
struct ParamId {
  Component component;
  int layer;  ///< encoder layer index; 0 for the other components
  int slot;
  constexpr bool operator==(const ParamId&) const = default;
};

}  // namespace frost
