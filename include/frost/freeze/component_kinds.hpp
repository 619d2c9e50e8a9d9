// frost/freeze/component_kinds.hpp: the closed set of compile-time component kinds a run-time
// composed model is built from.
//
// A *kind* is a ComponentSpec (which slots train, whether backward passes an input gradient): a
// component class is generated from it at compile time exactly as for a static policy, so every
// guarantee holds inside a kind (no gradient buffer or optimizer state for a frozen slot, no
// weight-gradient code for it, nothing saved below the backward stop). What the run time chooses is
// only *which* kind each component is: one std::variant alternative per kind, visited once per
// component per pass (never inside a kernel).
//
//   encoder layer    nothing (no input grad: frozen below the stop, inference forward, empty Saved)
//                    nothing + input grad (frozen, passes gradients to trainable layers below)
//                    everything | biases (BitFit)       (the lowest one skips its dx at run time)
//                    LayerNorms, without | with input grad
//                    LoRA on a frozen base (adapters/lora.hpp; targets and rank at run time),
//                    IA3 on a frozen base (adapters/ia3.hpp; targets at run time)       = 8 kinds
//   embeddings       nothing | everything | biases (LayerNorm.bias) | LayerNorms       = 4 kinds
//   pooler           nothing, without | with input grad; everything | bias           = 4 kinds
//   classifier       nothing, without | with input grad; everything                  = 3 kinds
//
// Adding a kind (a LoRA'd layer, say) is one more entry in a KindList: every list is a type, so the
// variant, the run-time lookup and the error for a pattern outside the set all follow from it.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <variant>

#include "layer_stages.hpp"
#include "plan.hpp"
#include "selectors.hpp"

namespace frost {

/// A compile-time list of component kinds.
template <ComponentSpec... K>
struct KindList {
  static constexpr std::size_t size = sizeof...(K);
  static constexpr std::array<ComponentSpec, sizeof...(K)> specs{K...};
  /// std::variant<C<T, K>...>: one alternative per kind, in list order.
  template <class T, template <class, ComponentSpec> class C>
  using variant = std::variant<C<T, K>...>;
  /// Index of `spec` in the list, or size if it is not a kind of this list.
  static constexpr std::size_t index_of(const ComponentSpec& spec) {
    for (std::size_t i = 0; i < size; ++i)
      if (specs[i] == spec) return i;
    return size;
  }
};

namespace kinds {
inline constexpr std::uint32_t kLayerBiases = Biases::mask().layers[0];
inline constexpr std::uint32_t kLayerNorms = LayerNorms::mask().layers[0];
inline constexpr std::uint32_t kEmbBiases = Biases::mask().embeddings;
inline constexpr std::uint32_t kEmbNorms = LayerNorms::mask().embeddings;
inline constexpr std::uint32_t kHeadBias = bit(slot::dense_b);

// A component's input-gradient code is guarded twice: at compile time by its spec's input_grad,
// and at run time by the dx pointer it is handed (nullptr at the backward stop). Where a trainable
// spec without input gradient runs the same stages and keeps the same activations as the spec with
// it, the two generate the same code but for that final, run-time-skipped input-gradient product,
// so one kind serves both (the static model computes exactly the same operations).

/// The kind that runs encoder-layer spec `s`.
constexpr ComponentSpec layer_kind_of(ComponentSpec s) {
  const ComponentSpec with_dx{s.trainable, true, s.adapter};
  return s.trains_something() && layer_stages(s).dctx ? with_dx : s;  // dctx: attention backward runs anyway
}
/// The kind that runs pooler or classifier spec `s` (their input gradient is one product).
constexpr ComponentSpec head_kind_of(ComponentSpec s) {
  return s.trainable != 0 ? ComponentSpec{s.trainable, true} : s;
}

using Layer =
    KindList<ComponentSpec{0, false}, ComponentSpec{0, true}, ComponentSpec{kLayerAll, true},
             ComponentSpec{kLayerBiases, true}, ComponentSpec{kLayerNorms, false}, ComponentSpec{kLayerNorms, true},
             ComponentSpec{0, true, Adapter::lora}, ComponentSpec{0, true, Adapter::ia3}>;
using Embeddings = KindList<ComponentSpec{0, false}, ComponentSpec{kEmbeddingAll, false},
                            ComponentSpec{kEmbBiases, false}, ComponentSpec{kEmbNorms, false}>;
using Pooler = KindList<ComponentSpec{0, false}, ComponentSpec{0, true}, ComponentSpec{kHeadAll, true},
                        ComponentSpec{kHeadBias, true}>;
using Classifier = KindList<ComponentSpec{0, false}, ComponentSpec{0, true}, ComponentSpec{kHeadAll, true}>;
}  // namespace kinds

/// Emplaces alternative `index` (a run-time value < variant size) into `v`, constructed from args.
template <class Variant, class... Args>
void emplace_alternative(Variant& v, std::size_t index, Args&&... args) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((index == I ? (void)v.template emplace<I>(args...) : void()), ...);
  }
  (std::make_index_sequence<std::variant_size_v<Variant>>{});
}

}  // namespace frost
