// frost/freeze/plan.hpp: from a freeze mask to the backward plan the model is generated from.
//
// For every component (embeddings, each encoder layer, pooler, classifier) the plan says
//   trainable  - which slots get a gradient buffer and a weight-gradient computation;
//   input_grad - whether backward must produce d(loss)/d(component input), which is true exactly
//                when some trainable slot lies *below* the component.
// A component with neither is below the backward stop: its forward runs in inference mode and it
// caches nothing. `backward_stop()` is the index of the lowest component with a trainable slot.
//
// Component indices: 0 = embeddings, 1 + i = encoder layer i, depth + 1 = pooler,
// depth + 2 = classifier.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "../detail/macros.hpp"
#include "freeze_mask.hpp"

namespace frost {

/// What backward does for one component. A structural type: it parameterises the component's
/// class template, so storage and code follow from it at compile time.
struct ComponentSpec {
  std::uint32_t trainable = 0;  ///< bit s set: slot s trains
  bool input_grad = false;      ///< backward must produce the gradient w.r.t. the input

  constexpr bool operator==(const ComponentSpec&) const = default;
  [[nodiscard]] constexpr bool trains(int s) const { return (trainable & bit(s)) != 0; }
  [[nodiscard]] constexpr bool trains_any(std::uint32_t bits) const {
    return (trainable & bits) != 0;
  }
  [[nodiscard]] constexpr bool in_backward() const { return trainable != 0 || input_grad; }
};

template <FreezeMask M, int Depth>
struct FreezePlan {
  static constexpr FreezeMask frozen = M;
  static constexpr bool dynamic_depth = (Depth == kDynamicDepth);
  /// The depth the policy needs at least (its largest named layer bound).
  static constexpr int min_depth = layer_bound(M);
  static_assert(dynamic_depth || Depth >= 1, "frost: a static depth must be >= 1");
  static_assert(dynamic_depth || min_depth <= Depth,
                "frost: the freeze policy names an encoder layer beyond the model depth");
  /// Encoder layers that get their own type. With a dynamic depth, layers >= min_depth all share
  /// the freeze mask of the last one and are stored as a homogeneous tail.
  static constexpr int typed_layers = dynamic_depth ? min_depth : Depth;

  static constexpr std::uint32_t layer_trainable(int i) { return ~M.layer(i) & kLayerAll; }
  static constexpr std::uint32_t tail_trainable = ~M.layer(kMaxLayers - 1) & kLayerAll;
  static constexpr bool embeddings_train = (~M.embeddings & kEmbeddingAll) != 0;

  /// Something trainable in the embeddings or in typed layers [0, i).
  static constexpr bool trainable_below_layer(int i) {
    bool any = embeddings_train;
    for (int j = 0; j < i; ++j) any = any || layer_trainable(j) != 0;
    return any;
  }
  static constexpr bool any_layer_trains() {
    bool any = dynamic_depth && tail_trainable != 0;
    for (int j = 0; j < typed_layers; ++j) any = any || layer_trainable(j) != 0;
    return any;
  }

  static constexpr ComponentSpec embeddings{~M.embeddings & kEmbeddingAll, false};
  static constexpr ComponentSpec layer(int i) {
    return {layer_trainable(i), trainable_below_layer(i)};
  }
  /// Spec shared by the dynamic tail (layers >= typed_layers). Its first layer needs no input
  /// gradient when nothing below it trains; the model checks that at run time (backward_stop).
  static constexpr ComponentSpec tail{tail_trainable,
                                      trainable_below_layer(typed_layers) || tail_trainable != 0};
  static constexpr ComponentSpec pooler{~M.pooler & kHeadAll,
                                        embeddings_train || any_layer_trains()};
  static constexpr ComponentSpec classifier{~M.classifier & kHeadAll,
                                            pooler.input_grad || pooler.trainable != 0};

  /// The compile-time spec of encoder layer i (typed layers, else the shared tail spec).
  static constexpr ComponentSpec layer_spec_at(int i) { return i < typed_layers ? layer(i) : tail; }

  /// Checks a run-time depth against the policy; throws frost::Error naming both.
  static void check_depth(int depth) {
    FROST_CHECK(depth >= 1, "BertConfig.num_hidden_layers must be >= 1, got " +
                                std::to_string(depth));
    FROST_CHECK(dynamic_depth || depth == Depth,
                "config has num_hidden_layers = " + std::to_string(depth) +
                    " but the model type was compiled for depth " + std::to_string(Depth));
    FROST_CHECK(min_depth <= depth,
                "the freeze policy names encoder layers up to index " +
                    std::to_string(min_depth - 1) + " but the model has only " +
                    std::to_string(depth) + " layers (num_hidden_layers)");
  }

  /// Trainable slot bits of component index c for a model of the given depth.
  static constexpr std::uint32_t trainable_of(int c, int depth) {
    if (c == 0) return embeddings.trainable;
    if (c <= depth) return layer_trainable(c - 1);
    if (c == depth + 1) return pooler.trainable;
    return classifier.trainable;
  }
  static constexpr int component_count(int depth) { return depth + 3; }
  /// Index of the lowest component with a trainable slot; component_count(depth) if none trains
  /// (then backward does nothing at all).
  static constexpr int backward_stop(int depth) {
    for (int c = 0; c < component_count(depth); ++c)
      if (trainable_of(c, depth) != 0) return c;
    return component_count(depth);
  }
  /// Does component c compute the gradient w.r.t. its input?
  static constexpr bool computes_input_grad(int c, int depth) { return c > backward_stop(depth); }
};

}  // namespace frost
