// frost/model/bert.hpp: BertForSequenceClassification generated from a freeze policy (the static,
// zero-dispatch model).
//
//   BertForSequenceClassification<T, Policy, Depth>
//     T      float (training) or double (finite-difference checks)
//     Policy any FreezePolicy; only its normal form (the FreezeMask) reaches the model, so two
//            spellings of one policy are one type
//     Depth  number of encoder layers, or kDynamicDepth to take it from the config
//
// Layers [0, Plan::typed_layers) each get their own type from their ComponentSpec; with a dynamic
// depth the remaining layers share one type (the policy's mask is uniform there). The forward and
// backward sequence is detail::BertBase's, shared with the run-time-composed BertClassifier.
#pragma once

#include <tuple>
#include <utility>
#include <vector>

#include "../freeze/freeze_policy.hpp"
#include "bert_base.hpp"
#include "embeddings.hpp"
#include "encoder_layer.hpp"
#include "heads.hpp"

namespace frost {
namespace detail {

template <class T, class Plan, class Seq>
struct TypedLayers;
template <class T, class Plan, int... I>
struct TypedLayers<T, Plan, std::integer_sequence<int, I...>> {
  using type = std::tuple<EncoderLayer<T, Plan::layer(I)>...>;
};

template <class T, FreezeMask M, int Depth>
class BertModel : public BertBase<BertModel<T, M, Depth>, T> {
  using Base = BertBase<BertModel<T, M, Depth>, T>;
  friend Base;

 public:
  using plan = FreezePlan<M, Depth>;
  using policy = NormalPolicy<M>;
  static constexpr int static_depth = Depth;
  using typed_layers_t = typename TypedLayers<T, plan, std::make_integer_sequence<int, plan::typed_layers>>::type;
  using tail_layer_t = EncoderLayer<T, plan::tail>;

  explicit BertModel(const BertConfig& cfg) : Base(cfg, checked(cfg)) {
    const BertConfig& c = this->cfg_;
    embeddings.allocate(c);
    for_each_typed_layer([&](int i, auto& l) { l.allocate(c, i); });
    if constexpr (plan::dynamic_depth) {
      tail.resize(static_cast<std::size_t>(c.num_hidden_layers - plan::typed_layers));
      for (std::size_t j = 0; j < tail.size(); ++j) tail[j].allocate(c, plan::typed_layers + static_cast<int>(j));
    }
    pooler.allocate(c);
    classifier.allocate(c);
  }

  // ---- parameters --------------------------------------------------------------------------
  EmbeddingLayer<T, plan::embeddings> embeddings;
  typed_layers_t layers;
  std::vector<tail_layer_t> tail;  ///< layers >= plan::typed_layers (dynamic depth only)
  PoolerHead<T, plan::pooler> pooler;
  ClassifierHead<T, plan::classifier> classifier;

  /// f(index, layer&) over all encoder layers, bottom-up.
  template <class F>
  void for_each_layer(F&& f) {
    for_each_typed_layer(f);
    for (std::size_t j = 0; j < tail.size(); ++j) f(plan::typed_layers + static_cast<int>(j), tail[j]);
  }
  /// f(index, layer&) -> bool over the encoder layers, top-down, until f returns false.
  template <class F>
  void for_each_layer_reverse(F&& f) {
    bool go = true;
    for (std::size_t j = tail.size(); go && j-- > 0;) go = f(plan::typed_layers + static_cast<int>(j), tail[j]);
    [&]<int... I>(std::integer_sequence<int, I...>) {
      constexpr int N = sizeof...(I);
      ((go = go && f(N - 1 - I, std::get<N - 1 - I>(layers))), ...);
    }
    (std::make_integer_sequence<int, plan::typed_layers>{});
  }

 private:
  static FreezeMask checked(const BertConfig& cfg) {
    plan::check_depth(cfg.num_hidden_layers);
    return M;
  }
  template <class F>
  void visit_embeddings(F&& f) {
    f(embeddings);
  }
  template <class F>
  void visit_pooler(F&& f) {
    f(pooler);
  }
  template <class F>
  void visit_classifier(F&& f) {
    f(classifier);
  }
  template <class F>
  void for_each_typed_layer(F&& f) {
    [&]<int... I>(std::integer_sequence<int, I...>) { (f(I, std::get<I>(layers)), ...); }
    (std::make_integer_sequence<int, plan::typed_layers>{});
  }
};

}  // namespace detail

namespace detail {
/// The frozen mask of a policy, with the mistakes people make stopped at a message that says what
/// to write instead.
template <class P>
constexpr FreezeMask policy_mask() {
  static_assert(!Selector<P>,
                "frost: a selector (Embeddings, Layers<A, B>, Body, Biases, ...) names parameters but is not a "
                "policy: write Freeze<Selector...> to freeze them, or FreezeAllExcept<Selector...> to train only them");
  static_assert(Selector<P> || FreezePolicy<P>,
                "frost: the second template argument must be a freeze policy (Freeze<...>, FreezeAllExcept<...>, "
                "NoFreeze, FreezeBert, BitFit, ...); for a policy chosen at run time use BertClassifier<T>");
  if constexpr (FreezePolicy<P>)
    return P::frozen;
  else
    return FreezeMask{};
}
}  // namespace detail

/// The public model type. Equal policies give the same type.
template <class T, class Policy = NoFreeze, int Depth = kDynamicDepth>
using BertForSequenceClassification = detail::BertModel<T, detail::policy_mask<Policy>(), Depth>;

}  // namespace frost
