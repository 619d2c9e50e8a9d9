// frost/freeze/freeze_policy.hpp: freeze policies and their normal form.
//
//   Freeze<S...>           freeze the union of the selectors S...
//   FreezeAllExcept<S...>  freeze everything but the union of S... (PyTorch: requires_grad_(False)
//                          on everything, then requires_grad_(True) on S)
//
// normalize_t<P> is the policy's normal form, `NormalPolicy<mask>`: two policies are the same
// policy exactly when their normal forms are the same type. The model is generated from the
// normal form only, so equal policies give the very same model type.
#pragma once

#include <type_traits>

#include "selectors.hpp"

namespace frost {

/// The normal form: nothing but the mask of frozen slots.
template <FreezeMask M>
struct NormalPolicy {
  static constexpr FreezeMask frozen = M;
};

template <Selector... S>
struct Freeze {
  static constexpr FreezeMask frozen = Union<S...>::mask();
};

template <Selector... S>
struct FreezeAllExcept {
  static constexpr FreezeMask frozen = Except<Union<S...>>::mask();
};

template <class P>
concept FreezePolicy = requires {
  { P::frozen } -> std::convertible_to<FreezeMask>;
};

template <FreezePolicy P>
using normalize_t = NormalPolicy<P::frozen>;

template <FreezePolicy A, FreezePolicy B>
inline constexpr bool same_policy_v = std::is_same_v<normalize_t<A>, normalize_t<B>>;

// ---- The recipes people use, by name -------------------------------------------------------
/// Hugging Face's default: everything trains.
using NoFreeze = Freeze<>;
/// Seed Example 1: `for p in model.bert.parameters(): p.requires_grad = False`.
using FreezeBert = Freeze<Body>;
/// Seed Example 3: `model.bert.requires_grad_(False); model.classifier.requires_grad_(True)`.
using TrainClassifierOnly = FreezeAllExcept<Classifier>;
/// Seed Example 2: `model.bert.encoder.layer[:K]` frozen (embeddings still train).
template <int K>
using FreezeLowerLayers = Freeze<Layers<0, K>>;
/// Embeddings and layers [0, K) frozen: backward stops at layer K.
template <int K>
using FreezeEmbeddingsAndLowerLayers = Freeze<Embeddings, Layers<0, K>>;
/// BitFit (Ben Zaken et al. 2021): only biases of the body (and the classifier) train.
using BitFit = Freeze<Minus<Body, Biases>>;
/// LayerNorm-only tuning: only LayerNorm weights/biases of the body (and the classifier) train.
using LayerNormOnly = Freeze<Minus<Body, LayerNorms>>;

// The seed's Example 1 and Example 3 freeze exactly the same parameters.
static_assert(same_policy_v<FreezeBert, TrainClassifierOnly>, "freezing model.bert == training only the classifier");

}  // namespace frost
