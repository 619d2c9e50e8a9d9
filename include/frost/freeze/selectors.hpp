// frost/freeze/selectors.hpp: composable parameter selectors.
//
// A selector is a type with `static constexpr FreezeMask mask()`: the set of parameter slots it
// names. Selectors compose by set algebra at compile time:
//
//   Embeddings, Layers<A,B> (Python slice [A:B]), Layer<I>, Encoder, Pooler, Classifier,
//   Body (= model.bert: Embeddings | Encoder | Pooler), Everything,
//   Biases (every bias, LayerNorm biases included), LayerNorms (LayerNorm weights and biases),
//   Union<S...>, Intersection<S...>, Except<S> (everything but S), Minus<A, B> (A but not B).
//
// A freeze policy (freeze_policy.hpp) is built from selectors; the model only ever sees the
// policy's normal form, a FreezeMask.
#pragma once

#include <type_traits>

#include "freeze_mask.hpp"

namespace frost {

namespace detail {
template <class S, class = void>
struct is_selector : std::false_type {};
template <class S>
struct is_selector<S, std::void_t<decltype(S::mask())>>
    : std::is_same<std::remove_cv_t<decltype(S::mask())>, FreezeMask> {};
}  // namespace detail

/// A type usable wherever frost expects a set of parameters.
template <class S>
concept Selector = detail::is_selector<S>::value;

struct Embeddings {
  static constexpr FreezeMask mask() {
    FreezeMask m;
    m.embeddings = kEmbeddingAll;
    return m;
  }
};

/// Encoder layers [A, B) with Python slice semantics: `model.bert.encoder.layer[:8]` is Layers<0, 8>.
template <int A, int B>
struct Layers {
  static_assert(0 <= A && A <= B, "frost::Layers<A, B>: need 0 <= A <= B (Python slice [A:B])");
  static_assert(B < kMaxLayers, "frost::Layers<A, B>: B is beyond frost::kMaxLayers");
  static constexpr FreezeMask mask() {
    FreezeMask m;
    for (int i = A; i < B; ++i) m.layers[static_cast<std::size_t>(i)] = kLayerAll;
    return m;
  }
};

template <int I>
using Layer = Layers<I, I + 1>;

struct Encoder {
  static constexpr FreezeMask mask() {
    FreezeMask m;
    for (auto& l : m.layers) l = kLayerAll;
    return m;
  }
};

struct Pooler {
  static constexpr FreezeMask mask() {
    FreezeMask m;
    m.pooler = kHeadAll;
    return m;
  }
};

struct Classifier {
  static constexpr FreezeMask mask() {
    FreezeMask m;
    m.classifier = kHeadAll;
    return m;
  }
};

struct Everything {
  static constexpr FreezeMask mask() { return FreezeMask::everything(); }
};

namespace detail {
template <class Pred>
constexpr FreezeMask kinds_where(Pred pred) {
  FreezeMask m;
  m.embeddings = slots_where(Component::embeddings, pred);
  for (auto& l : m.layers) l = slots_where(Component::layer, pred);
  m.pooler = slots_where(Component::pooler, pred);
  m.classifier = slots_where(Component::classifier, pred);
  return m;
}
}  // namespace detail

/// Every bias of the model; LayerNorm biases count as biases (BitFit's convention).
struct Biases {
  static constexpr FreezeMask mask() {
    return detail::kinds_where([](SlotKind k) { return k == SlotKind::bias || k == SlotKind::ln_bias; });
  }
};

/// Every LayerNorm weight and bias (embeddings and both per-layer LayerNorms).
struct LayerNorms {
  static constexpr FreezeMask mask() {
    return detail::kinds_where([](SlotKind k) { return k == SlotKind::ln_weight || k == SlotKind::ln_bias; });
  }
};

template <Selector... S>
struct Union {
  static constexpr FreezeMask mask() { return (FreezeMask::none() | ... | S::mask()); }
};

template <Selector... S>
struct Intersection {
  static_assert(sizeof...(S) > 0, "frost::Intersection needs at least one selector");
  static constexpr FreezeMask mask() { return (FreezeMask::everything() & ... & S::mask()); }
};

/// Everything except S.
template <Selector S>
struct Except {
  static constexpr FreezeMask mask() { return ~S::mask(); }
};

/// A but not B.
template <Selector A, Selector B>
struct Minus {
  static constexpr FreezeMask mask() { return A::mask() & ~B::mask(); }
};

/// `model.bert`: embeddings, encoder and pooler.
using Body = Union<Embeddings, Encoder, Pooler>;

}  // namespace frost
