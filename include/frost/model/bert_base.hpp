// frost/model/bert_base.hpp: what the static and the run-time-composed BertForSequenceClassification
// share: the forward/backward sequence over components, the run state, activations between
// components, parameter visiting and initialisation.
//
//   detail::BertBase<Derived, T>    CRTP base; Derived owns the components and says how to reach
//                                   them:
//     visit_embeddings(f), visit_pooler(f), visit_classifier(f)     f(component&)
//     for_each_layer(f)                                              f(index, layer&), bottom-up
//     for_each_layer_reverse(f)                                      f(index, layer&) -> bool
//                                                                    (false: stop), top-down
//   The static model reaches each component directly (zero dispatch); the run-time model visits a
//   std::variant per component, once per pass. Both run this one sequence, so they compute the
//   same operations in the same order: bit-identical results (tests/test_runtime_model.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../freeze/plan.hpp"
#include "../io/hf_names.hpp"
#include "../ops/attention.hpp"
#include "../ops/loss.hpp"
#include "batch.hpp"
#include "param.hpp"
#include "run_state.hpp"

namespace frost {

/// One entry of named_parameters(): PyTorch's name and shape, and whether it trains.
struct NamedParameter {
  std::string name;
  std::vector<std::int64_t> shape;
  bool trainable = false;
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
};

namespace detail {

template <class Derived, class T>
class BertBase {
 public:
  using scalar_type = T;

  [[nodiscard]] const BertConfig& config() const { return cfg_; }
  [[nodiscard]] int depth() const { return cfg_.num_hidden_layers; }
  /// The freeze plan of this model (mask + depth).
  [[nodiscard]] const BackwardPlan& backward_plan() const { return plan_; }
  /// The frozen-slot mask (the policy's normal form).
  [[nodiscard]] const FreezeMask& frozen_mask() const { return plan_.frozen; }
  /// Component index of the lowest trainable parameter (see BackwardPlan::backward_stop).
  [[nodiscard]] int backward_stop() const { return stop_; }

  /// f(ParamId, Param&) for every parameter, in HF's named_parameters() order.
  template <class F>
  void for_each_param(F&& f) {
    self().visit_embeddings([&](auto& e) {
      e.for_each_param([&](int s, auto& p) { f(ParamId{Component::embeddings, 0, s}, p); });
    });
    self().for_each_layer([&](int i, auto& l) {
      l.for_each_param([&](int s, auto& p) { f(ParamId{Component::layer, i, s}, p); });
    });
    self().visit_pooler([&](auto& h) {
      h.for_each_param([&](int s, auto& p) { f(ParamId{Component::pooler, 0, s}, p); });
    });
    self().visit_classifier([&](auto& h) {
      h.for_each_param([&](int s, auto& p) { f(ParamId{Component::classifier, 0, s}, p); });
    });
  }
  /// f(ParamId, Param<T, true>&) over the adapter parameters (LoRA A and B of each adapted layer,
  /// bottom-up); none in a model without adapters. They are not base parameters: for_each_param()
  /// (the Hugging Face checkpoint) does not visit them.
  template <class F>
  void for_each_adapter_param(F&& f) {
    self().for_each_layer([&](int i, auto& l) {
      l.for_each_adapter_param([&](int s, auto& p) { f(ParamId{Component::layer, i, s}, p); });
    });
  }
  /// f(ParamId, Param<T, true>&) for trainable parameters only: frozen ones are not visited, and
  /// the code that would visit them is not instantiated. Base parameters first, then adapters.
  template <class F>
  void for_each_trainable(F&& f) {
    for_each_param([&](const ParamId& id, auto& p) {
      if constexpr (is_trainable_v<decltype(p)>) f(id, p);
    });
    for_each_adapter_param(f);
  }

  /// model.named_parameters() with requires_grad: HF names and shapes (biases and LayerNorm
  /// parameters 1-D), in HF's order.
  [[nodiscard]] std::vector<NamedParameter> named_parameters() {
    std::vector<NamedParameter> out;
    for_each_param([&](const ParamId& id, auto& p) {
      const SlotKind k = slot_kind(id.component, id.slot);
      const bool one_d = k == SlotKind::bias || k == SlotKind::ln_weight || k == SlotKind::ln_bias;
      std::vector<std::int64_t> shape{static_cast<std::int64_t>(p.value.rows()),
                                      static_cast<std::int64_t>(p.value.cols())};
      if (one_d) shape = {static_cast<std::int64_t>(p.value.cols())};
      out.push_back({io::hf_name(id), std::move(shape), is_trainable_v<decltype(p)>});
    });
    for_each_adapter_param([&](const ParamId& id, auto& p) {
      out.push_back({io::hf_name(id),
                     {static_cast<std::int64_t>(p.value.rows()), static_cast<std::int64_t>(p.value.cols())},
                     true});
    });
    return out;
  }

  void zero_grad() {
    for_each_trainable([](const ParamId&, auto& p) { p.zero_grad(); });
  }

  /// HF-style initialisation (normal(0, initializer_range) weights and embeddings, zero biases,
  /// LayerNorm 1/0, zero padding row). Uses its own generator, not torch's.
  void init_weights(std::uint64_t seed);

  // ---- forward / backward -----------------------------------------------------------------
  /// Runs the model; returns logits [B, num_labels]. Mode::train records what backward needs
  /// (and only that) and applies dropout; Mode::eval records nothing.
  const Tensor<T>& forward(Batch& batch, Mode mode = Mode::eval);
  /// The same for a temporary batch (`model.forward(tok.encode_batch(texts))`).
  const Tensor<T>& forward(Batch&& batch, Mode mode = Mode::eval) { return forward(batch, mode); }

  /// Backward from d(loss)/d(logits) [B, num_labels]; accumulates into the trainable gradients
  /// (call zero_grad() between steps, as with PyTorch). Needs a Mode::train forward first.
  void backward(const Tensor<T>& dlogits);

  /// forward(train) + loss + backward; returns the (unscaled) loss. `loss_scale` multiplies the
  /// gradient (1 / gradient_accumulation_steps, as HF divides the loss).
  T forward_backward(Batch& batch, const Labels& labels, T loss_scale = T(1));

  /// Called by backward() as soon as a component's gradients are final (component, layer index for
  /// encoder layers), top-down: classifier, pooler, layers, embeddings, each only if backward
  /// reaches it. Data parallel (dist/data_parallel.hpp) starts that component's allreduce here, so
  /// communication overlaps the rest of backward. Empty: nothing is called.
  std::function<void(Component, int)> on_grads_ready;

  /// Copies every parameter value from a model of the same config under any other policy (the
  /// first half of gradual unfreezing; the optimizer's rebind() is the second).
  template <class Other>
  void copy_weights_from(Other& other) {
    FROST_CHECK(other.depth() == depth(), "copy_weights_from: models differ in depth");
    std::vector<const Tensor<T>*> src;
    other.for_each_param([&](const ParamId&, auto& p) { src.push_back(&p.value); });
    std::size_t k = 0;
    for_each_param([&](const ParamId&, auto& p) {
      FROST_CHECK(p.value.rows() == src[k]->rows() && p.value.cols() == src[k]->cols(),
                  "copy_weights_from: parameter shapes differ (different configs)");
      p.value = *src[k++];
    });
    dropout_seed = other.dropout_seed;
    set_dropout_step(other.dropout_step());
  }

  /// The encoder output of the last forward, [B*S, H] (row b*S + s): HF's last_hidden_state.
  [[nodiscard]] const Tensor<T>& last_hidden_state() const {
    FROST_CHECK(last_hidden_idx_ >= 0, "last_hidden_state(): no forward pass yet");
    return h_[last_hidden_idx_];
  }
  /// The pooler output of the last forward, [B, H]: HF's pooler_output.
  [[nodiscard]] const Tensor<T>& pooled_output() const { return pooled_; }
  /// The logits of the last forward, [B, num_labels].
  [[nodiscard]] const Tensor<T>& logits() const { return logits_; }

  /// Number of forward passes so far: with dropout_seed, it determines the next dropout masks
  /// (saved in checkpoints).
  [[nodiscard]] std::uint64_t dropout_step() const { return step_; }
  void set_dropout_step(std::uint64_t s) { step_ = s; }

  FlopCounter flops;
  std::uint64_t dropout_seed = 0;
  /// HF applies dropout in frozen layers too (they are still in train mode); set false to run
  /// components without trainable parameters dropout-free while training.
  bool dropout_in_frozen = true;

 protected:
  BertBase(const BertConfig& cfg, const FreezeMask& frozen, std::uint64_t adapted_layers = 0,
           Adapter adapter = Adapter::none)
      : cfg_(cfg) {
    cfg_.validate();
    plan_ = BackwardPlan{frozen, cfg_.num_hidden_layers, adapted_layers, adapter};
    plan_.check();
    stop_ = plan_.backward_stop();
  }

  BertConfig cfg_;

 private:
  Derived& self() { return static_cast<Derived&>(*this); }

  BackwardPlan plan_;
  int stop_ = 0;
  RunState<T> st_;
  Workspace<T> ws_;
  Tensor<T> h_[2], dh_[2], pooled_, logits_;
  int last_hidden_idx_ = -1;
  std::uint64_t step_ = 0;
  bool recorded_ = false;
};

template <class Derived, class T>
const Tensor<T>& BertBase<Derived, T>::forward(Batch& batch, Mode mode) {
  batch.validate(cfg_);
  st_.training = (mode == Mode::train);
  st_.frozen_dropout = dropout_in_frozen;
  st_.record = st_.training && stop_ < plan_.component_count();
  st_.batch = batch.batch_size;
  st_.seq = batch.seq_len;
  st_.flops = &flops;
  st_.mask_add = ops::additive_mask<T>(batch.attention_mask.data(), st_.batch, st_.seq);
  st_.rng = RandomStream{dropout_seed}.fork(step_++);
  recorded_ = st_.record;
  Tensor<T>* cur = &h_[0];
  Tensor<T>* nxt = &h_[1];
  self().visit_embeddings(
      [&](auto& e) { e.forward(batch.input_ids.data(), batch.token_type_ids.data(), *cur, st_, ws_); });
  self().for_each_layer([&](int, auto& l) {
    l.forward(*cur, *nxt, st_, ws_);
    std::swap(cur, nxt);
  });
  last_hidden_idx_ = cur == &h_[0] ? 0 : 1;
  self().visit_pooler([&](auto& p) { p.forward(*cur, pooled_, st_, ws_); });
  self().visit_classifier([&](auto& c) { c.forward(pooled_, logits_, st_, ws_); });
  return logits_;
}

template <class Derived, class T>
void BertBase<Derived, T>::backward(const Tensor<T>& dlogits) {
  FROST_CHECK(recorded_ || stop_ == plan_.component_count(),
              "BertForSequenceClassification::backward: the last forward was not Mode::train");
  FROST_CHECK(dlogits.rows() == logits_.rows() && dlogits.cols() == logits_.cols(),
              "BertForSequenceClassification::backward: dlogits must be [" + std::to_string(logits_.rows()) + ", " +
                  std::to_string(logits_.cols()) + "]");
  const int D = depth();
  auto needs_dx = [&](int component) { return component > stop_; };
  Tensor<T>& dpooled = ws_.tmp;
  auto ready = [&](Component c, int layer) {
    if (on_grads_ready) on_grads_ready(c, layer);
  };
  self().visit_classifier([&](auto& c) { c.backward(dlogits, needs_dx(D + 2) ? &dpooled : nullptr, st_); });
  ready(Component::classifier, 0);
  if (!needs_dx(D + 2)) return;
  Tensor<T>* dcur = &dh_[0];
  Tensor<T>* dnxt = &dh_[1];
  self().visit_pooler([&](auto& p) { p.backward(dpooled, needs_dx(D + 1) ? dcur : nullptr, st_); });
  ready(Component::pooler, 0);
  if (!needs_dx(D + 1)) return;
  // Encoder layers top-down; a layer at or below the stop gets dx == nullptr and the loop ends.
  bool done = false;
  self().for_each_layer_reverse([&](int i, auto& l) {
    const bool dx = needs_dx(1 + i);
    l.backward(*dcur, dx ? dnxt : nullptr, st_, ws_);
    ready(Component::layer, i);
    std::swap(dcur, dnxt);
    done = !dx;
    return dx;
  });
  if (done) return;
  self().visit_embeddings([&](auto& e) { e.backward(*dcur, ws_); });
  ready(Component::embeddings, 0);
}

template <class Derived, class T>
T BertBase<Derived, T>::forward_backward(Batch& batch, const Labels& labels, T loss_scale) {
  const auto& logits = forward(batch, Mode::train);
  auto r = compute_loss(cfg_, logits, labels);
  if (loss_scale != T(1)) r.dlogits *= loss_scale;
  backward(r.dlogits);
  return r.loss;
}

template <class Derived, class T>
void BertBase<Derived, T>::init_weights(std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal(0.0, cfg_.initializer_range);
  for_each_param([&](const ParamId& id, auto& p) {
    switch (slot_kind(id.component, id.slot)) {
      case SlotKind::ln_weight:
        p.value.setOnes();
        break;
      case SlotKind::bias:
      case SlotKind::ln_bias:
        p.value.setZero();
        break;
      default:
        for (Eigen::Index i = 0; i < numel(p.value); ++i) p.value.data()[i] = static_cast<T>(normal(gen));
    }
    if (id.component == Component::embeddings && id.slot == slot::word) p.value.row(cfg_.pad_token_id).setZero();
  });
}

}  // namespace detail
}  // namespace frost
