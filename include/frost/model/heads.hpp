// frost/model/heads.hpp: BertPooler and the classification head.
//
//   Pooler     : h0 [B, H] = hidden[b * S] (first token);  p = tanh(h0 W^T + b)
//                backward: dt = dp * (1 - p^2);  dW += dt^T h0 (h0 kept only if W trains);
//                db += colsum(dt);  dh0 = dt W (only when something below trains)
//   Classifier : pd = dropout(p);  logits [B, C] = pd Wc^T + bc
//                backward: dWc += dlogits^T pd;  dbc += colsum;  dp = (dlogits Wc) * mask
#pragma once

#include "../config.hpp"
#include "../freeze/plan.hpp"
#include "../ops/dropout.hpp"
#include "../ops/linear.hpp"
#include "param.hpp"
#include "run_state.hpp"
#include "shapes.hpp"

namespace frost {

template <class T, ComponentSpec S>
class PoolerHead {
 public:
  static constexpr ComponentSpec spec = S;
  Param<T, S.trains(slot::dense_w)> w;
  Param<T, S.trains(slot::dense_b)> b;

  void allocate(const BertConfig& cfg) {
    for_each_param([&](int s, auto& p) {
      const auto sh = slot_shape(cfg, Component::pooler, s);
      p.allocate(sh[0], sh[1]);
    });
  }
  template <class F>
  void for_each_param(F&& f) {
    f(slot::dense_w, w);
    f(slot::dense_b, b);
  }

  /// hidden [B*S, H] -> pooled [B, H]
  void forward(const Tensor<T>& hidden, Tensor<T>& pooled, RunState<T>& st, Workspace<T>& ws);

  /// dpooled [B, H] (consumed) -> dhidden [B*S, H] when dhidden != nullptr.
  void backward(Tensor<T>& dp, Tensor<T>* dhidden, RunState<T>& st);

 private:
  [[no_unique_address]] Maybe<S.trains(slot::dense_w), Tensor<T>, 1> h0_;
  [[no_unique_address]] Maybe<S.in_backward(), Tensor<T>, 2> out_;
};

template <class T, ComponentSpec S>
void PoolerHead<T, S>::forward(const Tensor<T>& hidden, Tensor<T>& pooled, RunState<T>& st, Workspace<T>& ws) {
  Tensor<T>& h0 = cached_or(h0_, ws.tmp, st);
  h0.resize(st.batch, hidden.cols());
  for (Eigen::Index bi = 0; bi < st.batch; ++bi) h0.row(bi) = hidden.row(bi * st.seq);
  ops::linear_forward(h0, w.value, b.value, pooled, *st.flops);
  pooled = pooled.array().tanh().matrix();
  if constexpr (S.in_backward())
    if (st.record) out_ = pooled;
}

template <class T, ComponentSpec S>
void PoolerHead<T, S>::backward(Tensor<T>& dp, Tensor<T>* dhidden, RunState<T>& st) {
  if constexpr (S.in_backward()) {
    Tensor<T>& dt = dp;
    dt.array() *= (T(1) - out_.array().square());
    if constexpr (S.trains(slot::dense_b)) ops::linear_backward_bias(dt, b.grad);
    if constexpr (S.trains(slot::dense_w)) ops::linear_backward_weight(dt, h0_, w.grad, *st.flops);
    if constexpr (S.input_grad) {
      if (dhidden) {
        Tensor<T> dh0;
        ops::linear_backward_input(dt, w.value, dh0, *st.flops);
        dhidden->setZero(st.batch * st.seq, w.value.cols());
        for (Eigen::Index bi = 0; bi < st.batch; ++bi) dhidden->row(bi * st.seq) = dh0.row(bi);
      }
    }
  }
  (void)dp, (void)dhidden, (void)st;
}

template <class T, ComponentSpec S>
class ClassifierHead {
 public:
  static constexpr ComponentSpec spec = S;
  Param<T, S.trains(slot::dense_w)> w;
  Param<T, S.trains(slot::dense_b)> b;

  void allocate(const BertConfig& cfg) {
    p_drop_ = cfg.classifier_dropout_prob();
    for_each_param([&](int s, auto& p) {
      const auto sh = slot_shape(cfg, Component::classifier, s);
      p.allocate(sh[0], sh[1]);
    });
  }
  template <class F>
  void for_each_param(F&& f) {
    f(slot::dense_w, w);
    f(slot::dense_b, b);
  }

  /// pooled [B, H] -> logits [B, C]
  void forward(const Tensor<T>& pooled, Tensor<T>& logits, RunState<T>& st, Workspace<T>& ws);

  void backward(const Tensor<T>& dlogits, Tensor<T>* dpooled, RunState<T>& st);

 private:
  double p_drop_ = 0.0;
  bool dropped_ = false;
  [[no_unique_address]] Maybe<S.trains(slot::dense_w), Tensor<T>, 1> pd_;
  [[no_unique_address]] Maybe<S.input_grad, ops::DropoutMask, 2> mask_;
};

template <class T, ComponentSpec S>
void ClassifierHead<T, S>::forward(const Tensor<T>& pooled, Tensor<T>& logits, RunState<T>& st, Workspace<T>& ws) {
  Tensor<T>& pd = cached_or(pd_, ws.tmp, st);
  pd = pooled;
  dropped_ = dropout_active(st, S.trainable != 0) && p_drop_ > 0.0;
  if (dropped_) ops::dropout_forward(pd, p_drop_, st.rng.fork(999999), cache_ptr<ops::DropoutMask>(mask_, st));
  ops::linear_forward(pd, w.value, b.value, logits, *st.flops);
}

template <class T, ComponentSpec S>
void ClassifierHead<T, S>::backward(const Tensor<T>& dlogits, Tensor<T>* dpooled, RunState<T>& st) {
  if constexpr (S.trains(slot::dense_b)) ops::linear_backward_bias(dlogits, b.grad);
  if constexpr (S.trains(slot::dense_w)) ops::linear_backward_weight(dlogits, pd_, w.grad, *st.flops);
  if constexpr (S.input_grad) {
    if (dpooled) {
      ops::linear_backward_input(dlogits, w.value, *dpooled, *st.flops);
      if (dropped_) ops::dropout_backward_input(*dpooled, mask_, p_drop_);
    }
  }
  (void)dlogits, (void)dpooled, (void)st;
}

}  // namespace frost
