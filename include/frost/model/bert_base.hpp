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
#include "../core/profile.hpp"
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
  const Tensor<T>& forward(Batch& batch, Mode mode = Mode::eval) { return forward(batch, mode, {}); }
  /// The same for a temporary batch (`model.forward(tok.encode_batch(texts))`).
  const Tensor<T>& forward(Batch&& batch, Mode mode = Mode::eval) { return forward(batch, mode); }

  /// Backward from d(loss)/d(logits) [B, num_labels]; accumulates into the trainable gradients
  /// (call zero_grad() between steps, as with PyTorch). Needs a Mode::train forward first.
  void backward(const Tensor<T>& dlogits);

  /// forward(train) + loss + backward; returns the (unscaled) loss. `loss_scale` multiplies the
  /// gradient (1 / gradient_accumulation_steps, as HF divides the loss). `features`: see below.
  T forward_backward(Batch& batch, const Labels& labels, T loss_scale = T(1), FrozenFeatures<T> features = {});

  // ---- the frozen prefix's output (train/feature_cache.hpp, --cache-frozen-features) --------
  // Every component below backward_stop() is frozen. With dropout off there (dropout_in_frozen
  // false), what it hands the lowest trainable component is a function of each example alone,
  // so a trainer may keep it and skip the prefix next time. The boundary tensor is:
  //   lowest trainable = encoder layer l: its input, [B*S, H] (rows of padding included)
  //   lowest trainable = pooler:          the [CLS] rows of the last hidden state, [B, H]
  //   lowest trainable = classifier:      the pooler output, [B, H]
  /// Rows of the boundary tensor per example: 0 when there is no frozen prefix (the embeddings
  /// train, or nothing does), -1 for one row per token, 1 for one row.
  [[nodiscard]] int frozen_feature_rows() const {
    if (stop_ < 1 || stop_ >= plan_.component_count()) return 0;
    return stop_ <= depth() ? -1 : 1;
  }
  /// The same forward, run from a stored boundary tensor (`replay`: the prefix is skipped, its
  /// FLOPs are not counted, dropout streams are those of a full forward) and/or copying the
  /// boundary tensor out (`capture`). Needs frozen_feature_rows() != 0 and no frozen dropout.
  const Tensor<T>& forward(Batch& batch, Mode mode, FrozenFeatures<T> features);

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
  /// HF's gradient_checkpointing_enable(): a training forward keeps only the input of each encoder
  /// layer that backward reaches; backward re-runs that layer's forward (same dropout masks: they
  /// are drawn from the step's stream) just before its backward and frees its activations after.
  /// Peak activation memory: one layer's instead of all of them, for one more forward per layer.
  bool gradient_checkpointing = false;

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
  std::vector<Tensor<T>> ckpt_in_;  ///< gradient checkpointing: each layer's input
  Tensor<T> ckpt_out_;              ///< its recomputed output (not needed, but written)
  bool ckpt_active_ = false;
  int last_hidden_idx_ = -1;

  void check_features(const Batch& batch, Mode mode, FrozenFeatures<T> features) const;
  void capture_input_of(int component, const Tensor<T>& x, Tensor<T>* capture) const;
  Tensor<T>* forward_layers(int first, Tensor<T>* cur, Tensor<T>* capture);
  std::uint64_t step_ = 0;
  bool recorded_ = false;
};

template <class Derived, class T>
void BertBase<Derived, T>::check_features(const Batch& batch, Mode mode, FrozenFeatures<T> features) const {
  if (!features.replay && !features.capture) return;
  FROST_CHECK(frozen_feature_rows() != 0,
              "forward: frozen features need a frozen prefix (the lowest trainable parameter above the embeddings)");
  FROST_CHECK(!(mode == Mode::train && dropout_in_frozen),
              "forward: frozen features need dropout off in frozen components (dropout_in_frozen = false)");
  if (!features.replay) return;
  const Eigen::Index rows =
      frozen_feature_rows() < 0 ? Eigen::Index(batch.batch_size) * batch.seq_len : batch.batch_size;
  FROST_CHECK(features.replay->rows() == rows && features.replay->cols() == cfg_.hidden_size,
              "forward: the replayed frozen features must be [" + std::to_string(rows) + ", " +
                  std::to_string(cfg_.hidden_size) + "], got [" + std::to_string(features.replay->rows()) + ", " +
                  std::to_string(features.replay->cols()) + "]");
}

// The boundary tensor: the input of component stop_ (of the pooler: its [CLS] rows only).
template <class Derived, class T>
void BertBase<Derived, T>::capture_input_of(int component, const Tensor<T>& x, Tensor<T>* capture) const {
  if (!capture || component != stop_) return;
  if (component != depth() + 1) {  // a layer's input, or the pooler output: as it is
    *capture = x;
    return;
  }
  capture->resize(st_.batch, x.cols());
  for (Eigen::Index b = 0; b < st_.batch; ++b) capture->row(b) = x.row(b * st_.seq);
}

template <class Derived, class T>
const Tensor<T>& BertBase<Derived, T>::forward(Batch& batch, Mode mode, FrozenFeatures<T> features) {
  batch.validate(cfg_);
  check_features(batch, mode, features);
  const int D = depth();
  const int first = features.replay ? stop_ : 0;  // the first component run
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
  if (first == 0) {
    FROST_PROFILE(flops, forward, embeddings);
    self().visit_embeddings(
        [&](auto& e) { e.forward(batch.input_ids.data(), batch.token_type_ids.data(), *cur, st_, ws_); });
  } else if (first <= D + 1) {
    *cur = *features.replay;
  }
  capture_input_of(1, *cur, features.capture);
  cur = forward_layers(first, cur, features.capture);
  last_hidden_idx_ = first <= D ? (cur == &h_[0] ? 0 : 1) : -1;
  FROST_PROFILE(flops, forward, gemm_head);
  if (first <= D) {
    self().visit_pooler([&](auto& p) { p.forward(*cur, pooled_, st_, ws_); });
  } else if (first == D + 1) {  // replayed [CLS] rows: the pooler reads row b of a [B, H] tensor
    const Eigen::Index seq = st_.seq;
    st_.seq = 1;
    self().visit_pooler([&](auto& p) { p.forward(*cur, pooled_, st_, ws_); });
    st_.seq = seq;
  } else {
    pooled_ = *features.replay;
  }
  capture_input_of(D + 2, pooled_, features.capture);
  self().visit_classifier([&](auto& c) { c.forward(pooled_, logits_, st_, ws_); });
  return logits_;
}

// The encoder layers from component `first` on, ping-ponging between h_[0] and h_[1] from `cur`;
// returns the buffer holding the last output. With gradient checkpointing, a layer backward will
// reach runs without recording and keeps its input only.
template <class Derived, class T>
Tensor<T>* BertBase<Derived, T>::forward_layers(int first, Tensor<T>* cur, Tensor<T>* capture) {
  Tensor<T>* nxt = cur == &h_[0] ? &h_[1] : &h_[0];
  ckpt_active_ = gradient_checkpointing && st_.record;
  if (ckpt_active_) ckpt_in_.resize(static_cast<std::size_t>(depth()));
  self().for_each_layer([&](int i, auto& l) {
    if (1 + i < first) return;
    const bool ckpt = ckpt_active_ && 1 + i >= stop_;
    if (ckpt) ckpt_in_[static_cast<std::size_t>(i)] = *cur;
    st_.record = st_.record && !ckpt;
    l.forward(*cur, *nxt, st_, ws_);
    st_.record = st_.record || ckpt;
    std::swap(cur, nxt);
    capture_input_of(2 + i, *cur, capture);
  });
  return cur;
}

template <class Derived, class T>
void BertBase<Derived, T>::backward(const Tensor<T>& dlogits) {
  FROST_CHECK(recorded_ || stop_ == plan_.component_count(),
              "BertForSequenceClassification::backward: needs a Mode::train forward since the last backward (backward "
              "consumes what the forward recorded)");
  FROST_CHECK(dlogits.rows() == logits_.rows() && dlogits.cols() == logits_.cols(),
              "BertForSequenceClassification::backward: dlogits must be [" + std::to_string(logits_.rows()) + ", " +
                  std::to_string(logits_.cols()) + "]");
  const int D = depth();
  auto needs_dx = [&](int component) { return component > stop_; };
  Tensor<T>& dpooled = ws_.tmp;
  auto ready = [&](Component c, int layer) {
    if (on_grads_ready) on_grads_ready(c, layer);
  };
  // Pages (core/pages.hpp): zero_grad() released the gradients, and each component's are
  // populated right before its backward. A layer's recorded activations are dead once its backward
  // is done; they are released only as far as the gradients populated since make room for, so the
  // step's peak stays that of the end of forward (plus the top layer's gradients) and no more
  // activation pages than needed refault in the next forward. The recording is consumed either
  // way: a second backward needs a new forward (as PyTorch's graph without retain_graph).
  recorded_ = false;
  std::vector<std::function<std::size_t()>> dead;  // release_saved_pages of finished layers
  dead.reserve(static_cast<std::size_t>(D));
  std::size_t populated = 0, released = 0;
  pages::Populator pop;
  const auto populate = [&](auto& component) {
    FROST_PROFILE(flops, backward, pages);
    component.for_each_param([&](int, auto& p) {
      if constexpr (is_trainable_v<decltype(p)>) pop.add(p.grad);
    });
    populated += pop.bytes();
    while (populated > released && !dead.empty()) {
      released += dead.back()();
      dead.pop_back();
    }
    pop.run();
  };
  self().visit_classifier([&](auto& c) { populate(c); });
  {
    FROST_PROFILE(flops, backward, gemm_head);
    self().visit_classifier([&](auto& c) { c.backward(dlogits, needs_dx(D + 2) ? &dpooled : nullptr, st_); });
  }
  ready(Component::classifier, 0);
  if (!needs_dx(D + 2)) return;
  Tensor<T>* dcur = &dh_[0];
  Tensor<T>* dnxt = &dh_[1];
  self().visit_pooler([&](auto& p) { populate(p); });
  {
    FROST_PROFILE(flops, backward, gemm_head);
    self().visit_pooler([&](auto& p) { p.backward(dpooled, needs_dx(D + 1) ? dcur : nullptr, st_); });
  }
  ready(Component::pooler, 0);
  if (!needs_dx(D + 1)) return;
  // Encoder layers top-down; a layer at or below the stop gets dx == nullptr and the loop ends.
  bool done = false;
  self().for_each_layer_reverse([&](int i, auto& l) {
    const bool dx = needs_dx(1 + i);
    if (ckpt_active_) l.forward(ckpt_in_[static_cast<std::size_t>(i)], ckpt_out_, st_, ws_);  // recompute
    populate(l);
    l.backward(*dcur, dx ? dnxt : nullptr, st_, ws_);
    if (ckpt_active_) {
      l.clear_saved();
    } else if (pages::settings().enabled) {
      dead.emplace_back([&l] { return l.release_saved_pages(); });
    }
    ready(Component::layer, i);
    std::swap(dcur, dnxt);
    done = !dx;
    return dx;
  });
  if (done) return;
  self().visit_embeddings([&](auto& e) { populate(e); });
  {
    FROST_PROFILE(flops, backward, embeddings);
    self().visit_embeddings([&](auto& e) { e.backward(*dcur, ws_); });
  }
  ready(Component::embeddings, 0);
}

template <class Derived, class T>
T BertBase<Derived, T>::forward_backward(Batch& batch, const Labels& labels, T loss_scale, FrozenFeatures<T> features) {
  const auto& logits = forward(batch, Mode::train, features);
  LossResult<T> r{};
  {
    FROST_PROFILE(flops, forward, loss);
    r = compute_loss(cfg_, logits, labels);
    if (loss_scale != T(1)) r.dlogits *= loss_scale;
  }
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
