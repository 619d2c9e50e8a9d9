// frost/freeze/freeze_mask.hpp: the normal form of a freeze policy.
//
// A FreezeMask holds one bit per parameter slot (see slots.hpp): set = frozen. It is a structural
// literal type, so it can be a template argument: two policies that freeze the same parameters have
// the same mask and therefore generate the same model type.
#pragma once

#include <array>
#include <cstdint>

#include "slots.hpp"

namespace frost {

struct FreezeMask {
  std::uint32_t embeddings = 0;
  std::array<std::uint32_t, kMaxLayers> layers{};
  std::uint32_t pooler = 0;
  std::uint32_t classifier = 0;

  constexpr bool operator==(const FreezeMask&) const = default;

  [[nodiscard]] constexpr std::uint32_t layer(int i) const {
    // Masks are uniform beyond their layer bound (see layer_bound()), so the last entry stands for
    // every deeper layer of a dynamic-depth model.
    return layers[static_cast<std::size_t>(i < kMaxLayers ? i : kMaxLayers - 1)];
  }
  [[nodiscard]] constexpr std::uint32_t component(Component c, int layer_index = 0) const {
    switch (c) {
      case Component::embeddings:
        return embeddings;
      case Component::layer:
        return layer(layer_index);
      case Component::pooler:
        return pooler;
      default:
        return classifier;
    }
  }

  // Set algebra. `everything()` is the universe; complement is relative to it.
  static constexpr FreezeMask none() { return {}; }
  static constexpr FreezeMask everything() {
    FreezeMask m;
    m.embeddings = kEmbeddingAll;
    for (auto& l : m.layers) l = kLayerAll;
    m.pooler = kHeadAll;
    m.classifier = kHeadAll;
    return m;
  }
  friend constexpr FreezeMask operator|(FreezeMask a, const FreezeMask& b) {
    a.embeddings |= b.embeddings;
    for (int i = 0; i < kMaxLayers; ++i) a.layers[i] |= b.layers[i];
    a.pooler |= b.pooler;
    a.classifier |= b.classifier;
    return a;
  }
  friend constexpr FreezeMask operator&(FreezeMask a, const FreezeMask& b) {
    a.embeddings &= b.embeddings;
    for (int i = 0; i < kMaxLayers; ++i) a.layers[i] &= b.layers[i];
    a.pooler &= b.pooler;
    a.classifier &= b.classifier;
    return a;
  }
  friend constexpr FreezeMask operator~(FreezeMask a) {
    a.embeddings = ~a.embeddings & kEmbeddingAll;
    for (auto& l : a.layers) l = ~l & kLayerAll;
    a.pooler = ~a.pooler & kHeadAll;
    a.classifier = ~a.classifier & kHeadAll;
    return a;
  }
};

/// Smallest B such that every layer >= B has the same mask as the last one. A policy's masks are
/// uniform from its largest named layer index on; B is the depth a model needs at least.
constexpr int layer_bound(const FreezeMask& m) {
  int b = kMaxLayers - 1;
  while (b > 0 && m.layers[static_cast<std::size_t>(b - 1)] == m.layers[kMaxLayers - 1]) --b;
  return b;
}

}  // namespace frost
