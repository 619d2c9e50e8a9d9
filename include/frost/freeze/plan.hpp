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

/// Adapters a component can carry (adapters/): their parameters train, the base follows the spec.
enum class Adapter : std::uint8_t { none, lora, ia3 };

/// What backward does for one component. A structural type: it parameterises the component's
/// class template, so storage and code follow from it at compile time.
struct ComponentSpec {
  std::uint32_t trainable = 0;      ///< bit s set: slot s trains
  bool input_grad = false;          ///< backward must produce the gradient w.r.t. the input
  Adapter adapter = Adapter::none;  ///< trainable adapter parameters beside the base slots

  constexpr bool operator==(const ComponentSpec&) const = default;
  [[nodiscard]] constexpr bool trains(int s) const { return (trainable & bit(s)) != 0; }
  [[nodiscard]] constexpr bool trains_any(std::uint32_t bits) const { return (trainable & bits) != 0; }
  [[nodiscard]] constexpr bool has_adapter() const { return adapter != Adapter::none; }
  /// Something in the component trains (a base slot or an adapter).
  [[nodiscard]] constexpr bool trains_something() const { return trainable != 0 || has_adapter(); }
  [[nodiscard]] constexpr bool in_backward() const { return trains_something() || input_grad; }
};

/// The backward plan of a freeze mask for a model of a given depth, as a value: what the
/// run-time-composed model (model/bert_classifier.hpp) is built from, and what explain() and the
/// analytic FLOP count read. Every function is constexpr, so FreezePlan<M, Depth> below is the
/// same arithmetic done at compile time.
struct BackwardPlan {
  FreezeMask frozen;
  int depth = 0;
  std::uint64_t adapted_layers = 0;  ///< bit i: encoder layer i carries an adapter
  Adapter adapter = Adapter::none;   ///< which one

  [[nodiscard]] constexpr bool layer_adapted(int i) const { return ((adapted_layers >> i) & 1u) != 0; }
  /// Component c holds a trainable base slot or an adapter.
  [[nodiscard]] constexpr bool trains_something(int c) const {
    return trainable_of(c) != 0 || (c >= 1 && c <= depth && layer_adapted(c - 1));
  }

  [[nodiscard]] constexpr std::uint32_t layer_trainable(int i) const { return ~frozen.layer(i) & kLayerAll; }
  [[nodiscard]] constexpr int component_count() const { return depth + 3; }
  /// Trainable slot bits of component index c (0 = embeddings, 1 + i = layer i, depth + 1 =
  /// pooler, depth + 2 = classifier).
  [[nodiscard]] constexpr std::uint32_t trainable_of(int c) const {
    if (c == 0) return ~frozen.embeddings & kEmbeddingAll;
    if (c <= depth) return layer_trainable(c - 1);
    if (c == depth + 1) return ~frozen.pooler & kHeadAll;
    return ~frozen.classifier & kHeadAll;
  }
  /// Index of the lowest component with a trainable slot; component_count() if none trains.
  [[nodiscard]] constexpr int backward_stop() const {
    for (int c = 0; c < component_count(); ++c)
      if (trains_something(c)) return c;
    return component_count();
  }
  /// Does component c compute the gradient w.r.t. its input? (Something below it trains.)
  [[nodiscard]] constexpr bool computes_input_grad(int c) const { return c > backward_stop(); }
  [[nodiscard]] constexpr ComponentSpec component(int c) const {
    const bool adapted = c >= 1 && c <= depth && layer_adapted(c - 1);
    return {trainable_of(c), computes_input_grad(c), adapted ? adapter : Adapter::none};
  }
  [[nodiscard]] constexpr ComponentSpec embeddings() const { return component(0); }
  [[nodiscard]] constexpr ComponentSpec layer(int i) const { return component(1 + i); }
  [[nodiscard]] constexpr ComponentSpec pooler() const { return component(depth + 1); }
  [[nodiscard]] constexpr ComponentSpec classifier() const { return component(depth + 2); }
  /// Encoder layers without any trainable slot.
  [[nodiscard]] constexpr int frozen_layer_count() const {
    int n = 0;
    for (int i = 0; i < depth; ++i) n += layer_trainable(i) == 0 ? 1 : 0;
    return n;
  }

  /// Checks the depth against the mask; throws frost::Error naming both.
  void check() const {
    FROST_CHECK(depth >= 1, "BertConfig.num_hidden_layers must be >= 1, got " + std::to_string(depth));
    FROST_CHECK(depth <= kMaxLayers, "BertConfig.num_hidden_layers = " + std::to_string(depth) +
                                         " is beyond frost::kMaxLayers = " + std::to_string(kMaxLayers));
    const int need = layer_bound(frozen);
    FROST_CHECK(need <= depth, "the freeze policy names encoder layers up to index " + std::to_string(need - 1) +
                                   " but the model has only " + std::to_string(depth) + " layers (num_hidden_layers)");
  }
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
  static constexpr ComponentSpec layer(int i) { return {layer_trainable(i), trainable_below_layer(i)}; }
  /// Spec shared by the dynamic tail (layers >= typed_layers). Its first layer needs no input
  /// gradient when nothing below it trains; the model checks that at run time (backward_stop).
  static constexpr ComponentSpec tail{tail_trainable, trainable_below_layer(typed_layers) || tail_trainable != 0};
  static constexpr ComponentSpec pooler{~M.pooler & kHeadAll, embeddings_train || any_layer_trains()};
  static constexpr ComponentSpec classifier{~M.classifier & kHeadAll, pooler.input_grad || pooler.trainable != 0};

  /// The compile-time spec of encoder layer i (typed layers, else the shared tail spec).
  static constexpr ComponentSpec layer_spec_at(int i) { return i < typed_layers ? layer(i) : tail; }

  /// Checks a run-time depth against the policy; throws frost::Error naming both.
  static void check_depth(int depth) {
    FROST_CHECK(dynamic_depth || depth < 1 || depth == Depth,
                "config has num_hidden_layers = " + std::to_string(depth) +
                    " but the model type was compiled for depth " + std::to_string(Depth));
    at(depth).check();
  }
  /// The plan as a value for a model of the given depth.
  static constexpr BackwardPlan at(int depth) { return {M, depth}; }
  static constexpr std::uint32_t trainable_of(int c, int depth) { return at(depth).trainable_of(c); }
  static constexpr int component_count(int depth) { return depth + 3; }
  static constexpr int backward_stop(int depth) { return at(depth).backward_stop(); }
  static constexpr bool computes_input_grad(int c, int depth) { return at(depth).computes_input_grad(c); }
};

}  // namespace frost
