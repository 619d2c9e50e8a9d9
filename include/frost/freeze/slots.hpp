// frost/freeze/slots.hpp: the compile-time layer descriptors and the slot table (name, HF name,
// kind, shape rule of every parameter slot) from which selectors, shapes and HF names derive.
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
#include <iterator>

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
inline constexpr int q_w = 0, q_b = 1, k_w = 2, k_b = 3, v_w = 4, v_b = 5, attn_out_w = 6, attn_out_b = 7,
                     attn_ln_w = 8, attn_ln_b = 9, inter_w = 10, inter_b = 11, out_w = 12, out_b = 13, out_ln_w = 14,
                     out_ln_b = 15;
inline constexpr int kLayerSlots = 16;
// LoRA adapter parameters of an encoder layer (adapters/lora.hpp): lora_A of target t is slot
// kLoraSlotBase + 2 t, lora_B the next one. They are not base slots: no freeze mask bit, no
// checkpoint tensor of the base model; they exist only in a layer of the LoRA kind.
inline constexpr int kLoraSlotBase = kLayerSlots, kLoraSlots = 12;
// IA3 vectors (adapters/ia3.hpp): ia3_l of target t is slot kIa3SlotBase + t; same status as LoRA's.
inline constexpr int kIa3SlotBase = kLoraSlotBase + kLoraSlots, kIa3Slots = 6;
// Pooler and classifier.
inline constexpr int dense_w = 0, dense_b = 1;
inline constexpr int kHeadSlots = 2;
}  // namespace slot

constexpr std::uint32_t bit(int s) { return std::uint32_t{1} << s; }
constexpr std::uint32_t all_slots(int n) { return (std::uint32_t{1} << n) - 1u; }

inline constexpr std::uint32_t kEmbeddingAll = all_slots(slot::kEmbeddingSlots);
inline constexpr std::uint32_t kLayerAll = all_slots(slot::kLayerSlots);
inline constexpr std::uint32_t kHeadAll = all_slots(slot::kHeadSlots);

/// A dimension of a parameter's shape, resolved against the config by model/shapes.hpp.
enum class Dim : int { one, hidden, intermediate, vocab, positions, token_types, labels, rank };

/// One row of the slot table: everything frost knows about a parameter slot, in one place.
struct SlotInfo {
  const char* name;     ///< short name (explain)
  const char* hf_name;  ///< Hugging Face name within its module (io/hf_names.hpp adds the prefix)
  SlotKind kind;        ///< what selectors such as Biases and LayerNorms match
  Dim rows, cols;       ///< shape: Linear weights [out, in] as in PyTorch; vectors [1, n]
};

/// The slot table: one row per slot, indexed by the slot constants above (checked below).
inline constexpr SlotInfo kEmbeddingSlotTable[] = {
    {"word", "word_embeddings.weight", SlotKind::embedding, Dim::vocab, Dim::hidden},
    {"position", "position_embeddings.weight", SlotKind::embedding, Dim::positions, Dim::hidden},
    {"token_type", "token_type_embeddings.weight", SlotKind::embedding, Dim::token_types, Dim::hidden},
    {"ln.weight", "LayerNorm.weight", SlotKind::ln_weight, Dim::one, Dim::hidden},
    {"ln.bias", "LayerNorm.bias", SlotKind::ln_bias, Dim::one, Dim::hidden},
};
inline constexpr SlotInfo kLayerSlotTable[] = {
    {"q.weight", "attention.self.query.weight", SlotKind::weight, Dim::hidden, Dim::hidden},
    {"q.bias", "attention.self.query.bias", SlotKind::bias, Dim::one, Dim::hidden},
    {"k.weight", "attention.self.key.weight", SlotKind::weight, Dim::hidden, Dim::hidden},
    {"k.bias", "attention.self.key.bias", SlotKind::bias, Dim::one, Dim::hidden},
    {"v.weight", "attention.self.value.weight", SlotKind::weight, Dim::hidden, Dim::hidden},
    {"v.bias", "attention.self.value.bias", SlotKind::bias, Dim::one, Dim::hidden},
    {"attn_out.weight", "attention.output.dense.weight", SlotKind::weight, Dim::hidden, Dim::hidden},
    {"attn_out.bias", "attention.output.dense.bias", SlotKind::bias, Dim::one, Dim::hidden},
    {"attn_ln.weight", "attention.output.LayerNorm.weight", SlotKind::ln_weight, Dim::one, Dim::hidden},
    {"attn_ln.bias", "attention.output.LayerNorm.bias", SlotKind::ln_bias, Dim::one, Dim::hidden},
    {"inter.weight", "intermediate.dense.weight", SlotKind::weight, Dim::intermediate, Dim::hidden},
    {"inter.bias", "intermediate.dense.bias", SlotKind::bias, Dim::one, Dim::intermediate},
    {"out.weight", "output.dense.weight", SlotKind::weight, Dim::hidden, Dim::intermediate},
    {"out.bias", "output.dense.bias", SlotKind::bias, Dim::one, Dim::hidden},
    {"out_ln.weight", "output.LayerNorm.weight", SlotKind::ln_weight, Dim::one, Dim::hidden},
    {"out_ln.bias", "output.LayerNorm.bias", SlotKind::ln_bias, Dim::one, Dim::hidden},
};
/// LoRA slots (Dim::rank: the adapter's run-time rank; adapters/lora.hpp allocates them).
inline constexpr SlotInfo kLoraSlotTable[] = {
    {"q.lora_A", "attention.self.query.lora_A.weight", SlotKind::weight, Dim::rank, Dim::hidden},
    {"q.lora_B", "attention.self.query.lora_B.weight", SlotKind::weight, Dim::hidden, Dim::rank},
    {"k.lora_A", "attention.self.key.lora_A.weight", SlotKind::weight, Dim::rank, Dim::hidden},
    {"k.lora_B", "attention.self.key.lora_B.weight", SlotKind::weight, Dim::hidden, Dim::rank},
    {"v.lora_A", "attention.self.value.lora_A.weight", SlotKind::weight, Dim::rank, Dim::hidden},
    {"v.lora_B", "attention.self.value.lora_B.weight", SlotKind::weight, Dim::hidden, Dim::rank},
    {"attn_out.lora_A", "attention.output.dense.lora_A.weight", SlotKind::weight, Dim::rank, Dim::hidden},
    {"attn_out.lora_B", "attention.output.dense.lora_B.weight", SlotKind::weight, Dim::hidden, Dim::rank},
    {"inter.lora_A", "intermediate.dense.lora_A.weight", SlotKind::weight, Dim::rank, Dim::hidden},
    {"inter.lora_B", "intermediate.dense.lora_B.weight", SlotKind::weight, Dim::intermediate, Dim::rank},
    {"out.lora_A", "output.dense.lora_A.weight", SlotKind::weight, Dim::rank, Dim::intermediate},
    {"out.lora_B", "output.dense.lora_B.weight", SlotKind::weight, Dim::hidden, Dim::rank},
};
/// IA3 slots, in the shapes of the targets frost supports (adapters/ia3_config.hpp): query, key,
/// value scaled at their output [out, 1], the output denses at their input [1, in].
inline constexpr SlotInfo kIa3SlotTable[] = {
    {"q.ia3_l", "attention.self.query.ia3_l", SlotKind::weight, Dim::hidden, Dim::one},
    {"k.ia3_l", "attention.self.key.ia3_l", SlotKind::weight, Dim::hidden, Dim::one},
    {"v.ia3_l", "attention.self.value.ia3_l", SlotKind::weight, Dim::hidden, Dim::one},
    {"attn_out.ia3_l", "attention.output.dense.ia3_l", SlotKind::weight, Dim::one, Dim::hidden},
    {"inter.ia3_l", "intermediate.dense.ia3_l", SlotKind::weight, Dim::intermediate, Dim::one},
    {"out.ia3_l", "output.dense.ia3_l", SlotKind::weight, Dim::one, Dim::intermediate},
};
inline constexpr SlotInfo kPoolerSlotTable[] = {
    {"weight", "dense.weight", SlotKind::weight, Dim::hidden, Dim::hidden},
    {"bias", "dense.bias", SlotKind::bias, Dim::one, Dim::hidden},
};
inline constexpr SlotInfo kClassifierSlotTable[] = {
    {"weight", "weight", SlotKind::weight, Dim::labels, Dim::hidden},
    {"bias", "bias", SlotKind::bias, Dim::one, Dim::labels},
};

constexpr int slot_count(Component c) {
  switch (c) {
    case Component::embeddings:
      return slot::kEmbeddingSlots;
    case Component::layer:
      return slot::kLayerSlots;
    default:
      return slot::kHeadSlots;
  }
}

constexpr const SlotInfo& slot_info(Component c, int s) {
  switch (c) {
    case Component::embeddings:
      return kEmbeddingSlotTable[s];
    case Component::layer:
      return s < slot::kLayerSlots    ? kLayerSlotTable[s]
             : s < slot::kIa3SlotBase ? kLoraSlotTable[s - slot::kLoraSlotBase]
                                      : kIa3SlotTable[s - slot::kIa3SlotBase];
    case Component::pooler:
      return kPoolerSlotTable[s];
    default:
      return kClassifierSlotTable[s];
  }
}

constexpr SlotKind slot_kind(Component c, int s) { return slot_info(c, s).kind; }

namespace detail {
constexpr bool same_text(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
}  // namespace detail
// The slot constants index the table rows they name.
static_assert(std::size(kEmbeddingSlotTable) == slot::kEmbeddingSlots &&
              std::size(kLayerSlotTable) == slot::kLayerSlots && std::size(kPoolerSlotTable) == slot::kHeadSlots &&
              std::size(kClassifierSlotTable) == slot::kHeadSlots && std::size(kLoraSlotTable) == slot::kLoraSlots &&
              std::size(kIa3SlotTable) == slot::kIa3Slots);
static_assert(detail::same_text(kEmbeddingSlotTable[slot::emb_ln_b].name, "ln.bias") &&
              detail::same_text(kLayerSlotTable[slot::q_w].name, "q.weight") &&
              detail::same_text(kLayerSlotTable[slot::attn_ln_w].name, "attn_ln.weight") &&
              detail::same_text(kLayerSlotTable[slot::inter_b].name, "inter.bias") &&
              detail::same_text(kLayerSlotTable[slot::out_ln_b].name, "out_ln.bias") &&
              detail::same_text(kPoolerSlotTable[slot::dense_b].name, "bias"));

/// Bits of the slots of component `c` whose kind satisfies `pred`.
template <class Pred>
constexpr std::uint32_t slots_where(Component c, Pred pred) {
  std::uint32_t m = 0;
  for (int s = 0; s < slot_count(c); ++s)
    if (pred(slot_kind(c, s))) m |= bit(s);
  return m;
}

/// Short human names used by explain() (HF names: io/hf_names.hpp, from the same table).
constexpr const char* slot_name(Component c, int s) { return slot_info(c, s).name; }

/// Where a parameter sits in the model (see freeze/slots.hpp); io/hf_names.hpp maps it to the
/// Hugging Face name.
struct ParamId {
  Component component;
  int layer;  ///< encoder layer index; 0 for the other components
  int slot;
  constexpr bool operator==(const ParamId&) const = default;
};

}  // namespace frost
