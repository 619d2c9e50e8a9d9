// frost/model/embeddings.hpp: BertEmbeddings (word + token_type + position, LayerNorm, dropout).
//
//   forward : e[N, H] = word[ids] + token_type[types] + position[0..S)   (HF's addition order)
//             y = dropout(LayerNorm(e))
//   backward: weight halves only (nothing lies below the embeddings)
//             dln = dy * dropmask;  LN gamma/beta;  de = LN backward_input;  scatter-add de into
//             each trainable table (the word table skips pad_token_id, HF's padding_idx)
#pragma once

#include <numeric>
#include <vector>

#include "../config.hpp"
#include "../freeze/plan.hpp"
#include "../ops/dropout.hpp"
#include "../ops/embedding.hpp"
#include "../ops/layer_norm.hpp"
#include "param.hpp"
#include "run_state.hpp"
#include "shapes.hpp"

namespace frost {

template <class T, ComponentSpec S>
class EmbeddingLayer {
 public:
  static constexpr ComponentSpec spec = S;
  static constexpr std::uint32_t kTables = bit(slot::word) | bit(slot::position) | bit(slot::token_type);
  static constexpr bool need_de = S.trains_any(kTables);
  static constexpr bool need_ln_cache = need_de || S.trains(slot::emb_ln_w);

  Param<T, S.trains(slot::word)> word;
  Param<T, S.trains(slot::position)> position;
  Param<T, S.trains(slot::token_type)> token_type;
  Param<T, S.trains(slot::emb_ln_w)> ln_w;
  Param<T, S.trains(slot::emb_ln_b)> ln_b;

  void allocate(const BertConfig& cfg) {
    pad_ = cfg.pad_token_id;
    eps_ = static_cast<T>(cfg.layer_norm_eps);
    p_drop_ = cfg.hidden_dropout_prob;
    for_each_param([&](int s, auto& p) {
      const auto sh = slot_shape(cfg, Component::embeddings, s);
      p.allocate(sh[0], sh[1]);
    });
  }

  /// f(slot, Param&) in HF's named_parameters() order.
  template <class F>
  void for_each_param(F&& f) {
    f(slot::word, word);
    f(slot::position, position);
    f(slot::token_type, token_type);
    f(slot::emb_ln_w, ln_w);
    f(slot::emb_ln_b, ln_b);
  }

  void forward(const int* ids, const int* types, Tensor<T>& y, RunState<T>& st, Workspace<T>& ws);

  /// dy [N, H] is consumed (dropout is undone in place).
  void backward(Tensor<T>& dy, Workspace<T>& ws);

 private:
  int pad_ = 0;
  T eps_ = T(1e-12);
  double p_drop_ = 0.0;
  bool dropped_ = false;
  std::vector<int> positions_;
  [[no_unique_address]] Maybe<need_de, std::vector<int>, 1> ids_;
  [[no_unique_address]] Maybe<need_de, std::vector<int>, 2> types_;
  [[no_unique_address]] Maybe<need_ln_cache, ops::LayerNormCache<T>, 3> ln_cache_;
  [[no_unique_address]] Maybe<S.in_backward(), RandomStream, 4> drop_rng_;  ///< backward redraws the mask
};

template <class T, ComponentSpec S>
void EmbeddingLayer<T, S>::forward(const int* ids, const int* types, Tensor<T>& y, RunState<T>& st, Workspace<T>& ws) {
  const Eigen::Index n = st.batch * st.seq;
  if constexpr (need_de) ids_.assign(ids, ids + n), types_.assign(types, types + n);
  Tensor<T>& e = ws.tmp;
  ops::embedding_forward(word.value, ids, n, e, false, "word_embeddings");
  ops::embedding_forward(token_type.value, types, n, e, true, "token_type_embeddings");
  positions_.resize(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) positions_[static_cast<std::size_t>(i)] = static_cast<int>(i % st.seq);
  ops::embedding_forward(position.value, positions_.data(), n, e, true, "position_embeddings");
  ops::layer_norm_forward(e, ln_w.value, ln_b.value, eps_, y, cache_ptr<ops::LayerNormCache<T>>(ln_cache_, st));
  dropped_ = dropout_active(st, S.trainable != 0) && p_drop_ > 0.0;
  if (dropped_) {
    const RandomStream rng = st.rng.fork(0);
    ops::dropout_forward(y, p_drop_, rng);
    if (RandomStream* r = cache_ptr<RandomStream>(drop_rng_, st)) *r = rng;  // backward redraws the mask
  }
}

template <class T, ComponentSpec S>
void EmbeddingLayer<T, S>::backward(Tensor<T>& dy, Workspace<T>& ws) {
  if constexpr (S.in_backward()) {
    if (dropped_) ops::dropout_backward_input(dy, drop_rng_, p_drop_);
    if constexpr (S.trains(slot::emb_ln_b)) ops::layer_norm_backward_beta(dy, ln_b.grad);
    if constexpr (S.trains(slot::emb_ln_w)) ops::layer_norm_backward_gamma(dy, ln_cache_, ln_w.grad);
    if constexpr (need_de) {
      Tensor<T>& de = ws.tmp;
      ops::layer_norm_backward_input(dy, ln_w.value, ln_cache_, de);
      const auto n = static_cast<Eigen::Index>(ids_.size());
      if constexpr (S.trains(slot::word)) ops::embedding_backward_weight(de, ids_.data(), n, word.grad, pad_);
      if constexpr (S.trains(slot::token_type))
        ops::embedding_backward_weight(de, types_.data(), n, token_type.grad, -1);
      if constexpr (S.trains(slot::position))
        ops::embedding_backward_weight(de, positions_.data(), n, position.grad, -1);
    }
  } else {
    (void)dy, (void)ws;
  }
}

}  // namespace frost
