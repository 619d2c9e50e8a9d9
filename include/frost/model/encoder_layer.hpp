// frost/model/encoder_layer.hpp: one post-LN BertLayer, generated from its ComponentSpec.
//
//   forward (x [N, H] -> y [N, H]; N = batch * seq):
//     q, k, v = x Wq^T + bq, x Wk^T + bk, x Wv^T + bv          [N, H]
//     ctx     = attention(q, k, v, mask)                         [N, H]
//     a       = dropout(ctx Wo^T + bo)                           [N, H]
//     h1      = LN1(a + x)                                       (attention.output.LayerNorm)
//     i       = h1 Wi^T + bi;  g = gelu(i)                       [N, I]   (bias + GELU fused; in
//                                                                 place when nothing records i)
//     o       = dropout(g Wout^T + bout)                         [N, H]
//     y       = LN2(o + h1)                                      (output.LayerNorm)
//   (dense bias + residual + LayerNorm run as one pass when dropout is off: eval mode, frozen
//   layers, p = 0)
//
//   backward runs top-down and stops as early as the spec allows. The stages, and the flag that
//   enables each (constexpr, from the spec):
//     dz2 = LN2'(dy)            need_dz2 : anything below LN2 trains, or input_grad
//     dg  = do Wout             need_dg  : Wi/bi or anything below trains, or input_grad
//     dh1 = dz2 + di Wi         need_dh1 : LN1/attention-out/QKV train, or input_grad
//     dz1 = LN1'(dh1)           need_dz1 : attention-out/QKV train, or input_grad
//     dctx = da Wo; dq,dk,dv    need_dctx: QKV train, or input_grad
//     dx = dz1 + dq Wq + dk Wk + dv Wv    input_grad
//   Each weight-gradient GEMM exists only for a trainable weight, and each recorded activation
//   only when a stage or a weight gradient reads it:
//     x (QKV weight grads), ctx (Wo grad), h1 (Wi grad): GEMM inputs, kept only when that weight
//     trains (h1 recomputed from LN1's x̂ when that is kept); g (Wout grad) is recomputed from i; q, k, v, probs (attention backward), LN
//     caches, i (GELU input; also when Wout trains), dropout streams (16 bytes; backward redraws
//     the masks from them, ops/dropout.hpp): kept
//     when the stage that reads them is enabled.
#pragma once

#include <type_traits>

#include "../adapters/ia3.hpp"
#include "../adapters/lora.hpp"
#include "../config.hpp"
#include "../core/pages.hpp"
#include "../core/profile.hpp"
#include "../freeze/layer_stages.hpp"
#include "../ops/attention.hpp"
#include "../ops/dropout.hpp"
#include "../ops/gelu.hpp"
#include "../ops/layer_norm.hpp"
#include "../ops/linear.hpp"
#include "param.hpp"
#include "run_state.hpp"
#include "shapes.hpp"

namespace frost {

/// Compile-time facts about a layer with spec S (Eigen-style traits, kept apart from the class).
template <ComponentSpec S>
struct LayerTraits {
  static constexpr LayerStages stages = layer_stages(S);
  static constexpr bool need_dctx = stages.dctx;
  static constexpr bool need_dz1 = stages.dz1;
  static constexpr bool need_dh1 = stages.dh1;
  static constexpr bool need_dg = stages.dg;
  static constexpr bool need_dz2 = stages.dz2;
  static constexpr bool in_backward = S.in_backward();
  static constexpr bool lora = S.adapter == Adapter::lora;
  static constexpr bool ia3 = S.adapter == Adapter::ia3;
  static_assert(!S.has_adapter() || S.trainable == 0, "an adapter kind has a frozen base");

  // The inputs of weight gradients: of a trainable base weight, or of a LoRA target, or of an
  // input-scaled IA3 target (kept at run time only for the targets present, see
  // EncoderLayer::keeps()).
  static constexpr bool keep_ln1 = need_dz1 || S.trains(slot::attn_ln_w);
  static constexpr bool keep_ln2 = need_dz2 || S.trains(slot::out_ln_w);
  static constexpr bool keep_x = S.trains_any(bit(slot::q_w) | bit(slot::k_w) | bit(slot::v_w)) || lora;
  static constexpr bool keep_ctx = S.trains(slot::attn_out_w) || lora || ia3;
  // h1 = LN1's output, the input of the Wi gradient (and of a LoRA intermediate target): recomputed
  // from LN1's x̂ where that is kept anyway (one pass, bit-identical, 4 N H bytes less per layer),
  // kept otherwise.
  static constexpr bool need_h1 = S.trains(slot::inter_w) || lora;
  static constexpr bool recompute_h1 = need_h1 && keep_ln1;
  static constexpr bool keep_h1 = need_h1 && !keep_ln1;
  // g = gelu(i), the input of the Wout weight gradient, is never kept: backward recomputes it
  // from i (one vectorised GELU pass), 4 N I bytes less per trainable layer.
  static constexpr bool keep_i = need_dg || S.trains(slot::out_w);
};

template <class T>
struct QKVCache {
  Tensor<T> q, k, v;
  ops::AttentionCache<T> attn;
};

template <class T, ComponentSpec S>
class EncoderLayer {
 public:
  static constexpr ComponentSpec spec = S;
  using traits = LayerTraits<S>;

  Param<T, S.trains(slot::q_w)> q_w;
  Param<T, S.trains(slot::q_b)> q_b;
  Param<T, S.trains(slot::k_w)> k_w;
  Param<T, S.trains(slot::k_b)> k_b;
  Param<T, S.trains(slot::v_w)> v_w;
  Param<T, S.trains(slot::v_b)> v_b;
  Param<T, S.trains(slot::attn_out_w)> attn_out_w;
  Param<T, S.trains(slot::attn_out_b)> attn_out_b;
  Param<T, S.trains(slot::attn_ln_w)> attn_ln_w;
  Param<T, S.trains(slot::attn_ln_b)> attn_ln_b;
  Param<T, S.trains(slot::inter_w)> inter_w;
  Param<T, S.trains(slot::inter_b)> inter_b;
  Param<T, S.trains(slot::out_w)> out_w;
  Param<T, S.trains(slot::out_b)> out_b;
  Param<T, S.trains(slot::out_ln_w)> out_ln_w;
  Param<T, S.trains(slot::out_ln_b)> out_ln_b;
  /// The LoRA adapters of this layer (the LoRA kind only; zero bytes otherwise).
  [[no_unique_address]] Maybe<traits::lora, LoraLayer<T>, 20> lora;
  /// The IA3 vectors of this layer (the IA3 kind only; zero bytes otherwise).
  [[no_unique_address]] Maybe<traits::ia3, Ia3Layer<T>, 21> ia3;

  /// What this layer keeps between forward and backward (empty below the backward stop).
  struct Saved {
    [[no_unique_address]] Maybe<traits::keep_x, Tensor<T>, 10> x;
    [[no_unique_address]] Maybe<traits::need_dctx, QKVCache<T>, 11> qkv;
    [[no_unique_address]] Maybe<traits::keep_ctx, Tensor<T>, 12> ctx;
    [[no_unique_address]] Maybe<traits::need_dz1, RandomStream, 13> drop1;  ///< its stream: backward redraws the mask
    [[no_unique_address]] Maybe<traits::keep_ln1, ops::LayerNormCache<T>, 14> ln1;
    [[no_unique_address]] Maybe<traits::keep_h1, Tensor<T>, 15> h1;
    [[no_unique_address]] Maybe<traits::keep_i, Tensor<T>, 16> i;
    [[no_unique_address]] Maybe<traits::need_dz2, RandomStream, 18> drop2;
    [[no_unique_address]] Maybe<traits::keep_ln2, ops::LayerNormCache<T>, 19> ln2;
  };

  void allocate(const BertConfig& cfg, int index) {
    index_ = index;
    heads_ = cfg.num_attention_heads;
    eps_ = static_cast<T>(cfg.layer_norm_eps);
    p_hidden_ = cfg.hidden_dropout_prob;
    p_attn_ = cfg.attention_probs_dropout_prob;
    for_each_param([&](int s, auto& p) {
      const auto sh = slot_shape(cfg, Component::layer, s);
      p.allocate(sh[0], sh[1]);
    });
  }

  template <class F>
  void for_each_param(F&& f) {
    f(slot::q_w, q_w), f(slot::q_b, q_b), f(slot::k_w, k_w), f(slot::k_b, k_b);
    f(slot::v_w, v_w), f(slot::v_b, v_b), f(slot::attn_out_w, attn_out_w);
    f(slot::attn_out_b, attn_out_b), f(slot::attn_ln_w, attn_ln_w), f(slot::attn_ln_b, attn_ln_b);
    f(slot::inter_w, inter_w), f(slot::inter_b, inter_b), f(slot::out_w, out_w);
    f(slot::out_b, out_b), f(slot::out_ln_w, out_ln_w), f(slot::out_ln_b, out_ln_b);
  }

  /// f(slot, Param<T, true>&) over the adapter parameters (LoRA kind: A and B of each target;
  /// slots slot::kLoraSlotBase + 2 t and + 1; IA3 kind: l of each target, slot::kIa3SlotBase + t).
  template <class F>
  void for_each_adapter_param(F&& f) {
    if constexpr (traits::lora)
      lora.for_each_pair([&](int t, auto& a, auto& b) {
        f(slot::kLoraSlotBase + 2 * t, a);
        f(slot::kLoraSlotBase + 2 * t + 1, b);
      });
    if constexpr (traits::ia3) ia3.for_each_vector([&](int t, auto& l) { f(slot::kIa3SlotBase + t, l); });
    (void)f;
  }

  /// x [N, H] -> y [N, H]. `x` and `y` must not alias.
  void forward(const Tensor<T>& x, Tensor<T>& y, RunState<T>& st, Workspace<T>& ws);

  /// dy [N, H] -> dx [N, H] (dx == nullptr: stop here; only weight gradients are accumulated).
  /// dy is used as scratch.
  void backward(Tensor<T>& dy, Tensor<T>* dx, RunState<T>& st, Workspace<T>& ws);

  [[nodiscard]] const Saved& saved() const { return saved_; }

  /// f(buffer) over every recorded activation buffer of this layer.
  template <class F>
  void for_each_saved_buffer(F&& f) {
    auto visit = [&](auto& t) {
      if constexpr (!std::is_empty_v<std::remove_reference_t<decltype(t)>>) f(t);
    };
    visit(saved_.x), visit(saved_.ctx), visit(saved_.h1), visit(saved_.i);
    if constexpr (traits::need_dctx) {
      visit(saved_.qkv.q), visit(saved_.qkv.k), visit(saved_.qkv.v);
      visit(saved_.qkv.attn.probs);
    }
    if constexpr (traits::keep_ln1) visit(saved_.ln1.xhat);
    if constexpr (traits::keep_ln2) visit(saved_.ln2.xhat);
  }

  /// Gives the pages of the recorded activations back to the kernel (core/pages.hpp) once backward
  /// has read them; the buffers stay allocated and the next recording forward populates them
  /// again. Returns the bytes released.
  std::size_t release_saved_pages() {
    std::size_t n = 0;
    for_each_saved_buffer([&](auto& t) { n += pages::release(t); });
    saved_released_ = saved_released_ || n > 0;
    return n;
  }

  /// Releases recorded activations (after backward, or when switching to inference).
  void clear_saved() {
    saved_ = Saved{};
    saved_released_ = false;
    if constexpr (traits::lora) lora.clear_saved();
    if constexpr (traits::ia3) ia3.clear_saved();
  }

 private:
  /// out = LN(dropout(in W^T + b) + residual): the output block of both sublayers. Without
  /// dropout the bias is fused into the LayerNorm pass; with it, the bias goes into the GEMM first,
  /// because dropout applies to dense + bias (as in HF). `tmp` holds the dense output.
  void dense_dropout_add_norm(LoraTarget target, const Tensor<T>& in, const Tensor<T>& w, const Tensor<T>& b,
                              const Tensor<T>& residual, const Tensor<T>& ln_w, const Tensor<T>& ln_b, Tensor<T>& tmp,
                              RandomStream rng, RandomStream* record, ops::LayerNormCache<T>* ln_cache, Tensor<T>& out,
                              RunState<T>& st, Workspace<T>& ws) {
    FlopCounter& fc = *st.flops;
    {
      const ProfileScope prof(fc, Pass::forward,
                              target == LoraTarget::attn_out ? OpFamily::gemm_attn_out : OpFamily::gemm_ffn_out);
      const Tensor<T>& x = adapt_input(target, in, ws);  // IA3 input scaling (else `in` itself)
      if (hidden_dropped_)
        ops::linear_forward(x, w, b, tmp, fc);
      else
        ops::linear_forward_nobias(x, w, tmp, fc);
      adapt(target, in, tmp, st, ws, rng.fork(7));
    }
    if (hidden_dropped_) {
      FROST_PROFILE(fc, forward, dropout);
      ops::dropout_forward(tmp, p_hidden_, rng);
      if (record) *record = rng;  // backward redraws the mask from it
    }
    FROST_PROFILE(fc, forward, layer_norm);
    ops::bias_residual_layer_norm_forward(tmp, hidden_dropped_ ? nullptr : &b, residual, ln_w, ln_b, eps_, out,
                                          ln_cache);
  }

  /// After `target`'s base output y = x W^T + b: y += the LoRA update (LoRA kind), or y *= l
  /// (IA3 kind, output-scaled target); else nothing.
  void adapt(LoraTarget target, const Tensor<T>& x, Tensor<T>& y, const RunState<T>& st, Workspace<T>& ws,
             RandomStream rng) {
    if constexpr (traits::lora) lora.forward(target, x, y, st, st.training, rng, ws.adapter);
    if constexpr (traits::ia3) ia3.scale_output(target, y, st.record);
    (void)target, (void)x, (void)y, (void)st, (void)ws, (void)rng;
  }
  /// The input `target`'s base GEMM reads: x * l for an input-scaled IA3 target, else x.
  const Tensor<T>& adapt_input(LoraTarget target, const Tensor<T>& x, Workspace<T>& ws) {
    if constexpr (traits::ia3) return ia3.scale_input(target, x, ws.adapter);
    (void)target, (void)ws;
    return x;
  }
  /// Whether an adapter layer needs the input of a weight gradient at run time (`base`: the base
  /// weight trains, a compile-time fact; `targets`: the LoRA targets, or input-scaled IA3
  /// targets, reading it).
  bool keeps(bool base, std::uint32_t targets) const {
    if constexpr (traits::lora) return base || lora.any_of(targets);
    if constexpr (traits::ia3) return base || ia3.any_of(targets & ia3.feedforward());
    (void)targets;
    return base;
  }
  /// LoRA weight half for `t` (dy: the target's output gradient, x: its input).
  void adapter_weights(LoraTarget t, const Tensor<T>& dy, const Tensor<T>& x, Workspace<T>& ws, FlopCounter& fc) {
    if constexpr (traits::lora) lora.backward_weights(t, dy, x, ws.adapter, fc);
    (void)t, (void)dy, (void)x, (void)ws, (void)fc;
  }
  /// LoRA input half for `t`: dx += its contribution.
  void adapter_input(LoraTarget t, Tensor<T>& dx, Workspace<T>& ws, FlopCounter& fc) {
    if constexpr (traits::lora) lora.backward_input(t, dx, ws.adapter, fc);
    (void)t, (void)dx, (void)ws, (void)fc;
  }

  // Backward stages (see backward()); each is empty unless the spec enables it.
  void backward_ln2(Tensor<T>& dy, Workspace<T>& ws, FlopCounter& fc);
  void backward_ffn_out(const Tensor<T>& d_o, Workspace<T>& ws, FlopCounter& fc);
  void backward_ffn_in(Workspace<T>& ws, FlopCounter& fc);
  void backward_ln1(Workspace<T>& ws, FlopCounter& fc);
  void backward_attn_out(Workspace<T>& ws, FlopCounter& fc);
  void backward_attention(RunState<T>& st, Workspace<T>& ws, FlopCounter& fc);
  void backward_input(Tensor<T>* dx, Workspace<T>& ws, FlopCounter& fc);

  int index_ = 0;
  Eigen::Index heads_ = 1;
  T eps_ = T(1e-12);
  double p_hidden_ = 0.0, p_attn_ = 0.0;
  bool hidden_dropped_ = false, attn_dropped_ = false;
  bool saved_released_ = false;  ///< release_saved_pages() gave pages back since the last recording forward
  Saved saved_;
};

template <class T, ComponentSpec S>
void EncoderLayer<T, S>::forward(const Tensor<T>& x, Tensor<T>& y, RunState<T>& st, Workspace<T>& ws) {
  FlopCounter& fc = *st.flops;
  const std::uint64_t site = 1000u * static_cast<std::uint64_t>(index_ + 1);
  constexpr std::uint32_t kQKV = lora_bit(LoraTarget::query) | lora_bit(LoraTarget::key) | lora_bit(LoraTarget::value);
  if (st.record && saved_released_) {  // the pages the last backward released, back in
    FROST_PROFILE(fc, forward, pages);
    pages::Populator pop;
    for_each_saved_buffer([&](auto& t) { pop.add(t); });
    pop.run();
    saved_released_ = false;
  }
  if constexpr (traits::keep_x)
    if (st.record && keeps(S.trains_any(bit(slot::q_w) | bit(slot::k_w) | bit(slot::v_w)), kQKV)) saved_.x = x;
  // Self-attention.
  auto* qkv = cache_ptr<QKVCache<T>>(saved_.qkv, st);
  Tensor<T>& q = qkv ? qkv->q : ws.q;
  Tensor<T>& k = qkv ? qkv->k : ws.k;
  Tensor<T>& v = qkv ? qkv->v : ws.v;
  {
    FROST_PROFILE(fc, forward, gemm_qkv);
    ops::linear_forward(x, q_w.value, q_b.value, q, fc);
    adapt(LoraTarget::query, x, q, st, ws, st.rng.fork(site + 11));
    ops::linear_forward(x, k_w.value, k_b.value, k, fc);
    adapt(LoraTarget::key, x, k, st, ws, st.rng.fork(site + 12));
    ops::linear_forward(x, v_w.value, v_b.value, v, fc);
    adapt(LoraTarget::value, x, v, st, ws, st.rng.fork(site + 13));
  }
  const ops::AttentionShape sh{st.batch, st.seq, heads_, x.cols() / heads_};
  const bool drop = dropout_active(st, S.trains_something());
  const double p_attn = drop ? p_attn_ : 0.0;
  attn_dropped_ = p_attn > 0.0;
  Tensor<T>& ctx = cached_or(saved_.ctx, ws.ctx, st, keeps(S.trains(slot::attn_out_w), lora_bit(LoraTarget::attn_out)));
  {
    FROST_PROFILE(fc, forward, attention);
    ops::attention_forward(q, k, v, st.mask_add, sh, p_attn, st.rng.fork(site + 1), ctx, qkv ? &qkv->attn : nullptr,
                           fc);
  }
  // Attention output: dense, dropout, residual, LayerNorm.
  hidden_dropped_ = drop && p_hidden_ > 0.0;
  Tensor<T>& h1 = cached_or(saved_.h1, ws.h1, st, keeps(S.trains(slot::inter_w), lora_bit(LoraTarget::inter)));
  dense_dropout_add_norm(LoraTarget::attn_out, ctx, attn_out_w.value, attn_out_b.value, x, attn_ln_w.value,
                         attn_ln_b.value, ws.a, st.rng.fork(site + 2), cache_ptr<RandomStream>(saved_.drop1, st),
                         cache_ptr<ops::LayerNormCache<T>>(saved_.ln1, st), h1, st, ws);
  // Feed-forward: dense + bias + GELU (fused), dense, dropout, residual, LayerNorm.
  Tensor<T>& i = cached_or(saved_.i, ws.i, st);
  {
    FROST_PROFILE(fc, forward, gemm_ffn_in);
    ops::linear_forward_nobias(h1, inter_w.value, i, fc);
    adapt(LoraTarget::inter, h1, i, st, ws, st.rng.fork(site + 14));
  }
  // A pass that records nothing here (a layer below the backward stop, eval, the first pass of a
  // checkpointed layer) needs no pre-activation: GELU in place, so the [N, I] buffer ws.g is
  // never allocated for it (the same values: ops/gelu.hpp).
  const bool gelu_in_place = !traits::in_backward || !st.record;
  Tensor<T>& g = gelu_in_place ? i : ws.g;
  {
    FROST_PROFILE(fc, forward, gelu);
    if (gelu_in_place)
      ops::bias_gelu_forward_inplace(i, inter_b.value);
    else
      ops::bias_gelu_forward(i, inter_b.value, g);
  }
  dense_dropout_add_norm(LoraTarget::out, g, out_w.value, out_b.value, h1, out_ln_w.value, out_ln_b.value, ws.o,
                         st.rng.fork(site + 3), cache_ptr<RandomStream>(saved_.drop2, st),
                         cache_ptr<ops::LayerNormCache<T>>(saved_.ln2, st), y, st, ws);
}

// Backward is a flat sequence of stages, top-down. Each stage is compiled only when the spec
// enables it (LayerTraits); the stages are nested (need_dctx implies need_dz1 implies ... implies
// need_dz2), so a stage that is compiled always finds the buffers of the stage above it filled.
// Buffers during backward (ws.* are free once forward is over):
//   dy   [N, H]  dy, then d_o = dropout'(dz2)
//   ws.o [N, H]  dz2 = LN2'(dy), then dh1 = dz2 + di Wi
//   ws.g [N, I]  g (recomputed) for the Wout gradient, then dg
//   ws.i [N, I]  di = gelu'(dg)
//   ws.h1[N, H]  dz1 = LN1'(dh1);  ws.a [N, H]  da = dropout'(dz1);  ws.ctx [N, H]  dctx
//   ws.q, ws.k, ws.v [N, H]  dq, dk, dv
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward(Tensor<T>& dy, Tensor<T>* dx, RunState<T>& st, Workspace<T>& ws) {
  if constexpr (traits::in_backward) {
    FlopCounter& fc = *st.flops;
    backward_ln2(dy, ws, fc);
    backward_ffn_out(dy, ws, fc);
    backward_ffn_in(ws, fc);
    backward_ln1(ws, fc);
    backward_attn_out(ws, fc);
    backward_attention(st, ws, fc);
    backward_input(dx, ws, fc);
  } else {
    (void)dy, (void)dx, (void)st, (void)ws;
  }
}

// LN2 parameter gradients; dz2 = LN2'(dy) [N, H] -> ws.o; d_o = dropout'(dz2) -> dy.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_ln2(Tensor<T>& dy, Workspace<T>& ws, FlopCounter& fc) {
  {
    FROST_PROFILE(fc, backward, layer_norm);
    if constexpr (S.trains(slot::out_ln_b)) ops::layer_norm_backward_beta(dy, out_ln_b.grad);
    if constexpr (S.trains(slot::out_ln_w)) ops::layer_norm_backward_gamma(dy, saved_.ln2, out_ln_w.grad);
    if constexpr (traits::need_dz2) {
      ops::layer_norm_backward_input(dy, out_ln_w.value, saved_.ln2, ws.o);
      dy = ws.o;
    }
  }
  if constexpr (traits::need_dz2) {
    FROST_PROFILE(fc, backward, dropout);
    if (hidden_dropped_) ops::dropout_backward_input(dy, saved_.drop2, p_hidden_);
  }
  (void)fc;
}

// FFN output dense: dbout, dWout = d_o^T g (g recomputed from i); dg = d_o Wout [N, I] -> ws.g.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_ffn_out(const Tensor<T>& d_o, Workspace<T>& ws, FlopCounter& fc) {
  if constexpr (S.trains(slot::out_b)) {
    FROST_PROFILE(fc, backward, bias);
    ops::linear_backward_bias(d_o, out_b.grad);
  }
  if constexpr (S.trains(slot::out_w) || traits::lora) {
    if (keeps(S.trains(slot::out_w), lora_bit(LoraTarget::out))) {
      FROST_PROFILE(fc, backward, gelu);
      ops::gelu_forward(saved_.i, ws.g);
    }
    FROST_PROFILE(fc, backward, gemm_ffn_out);
    if constexpr (S.trains(slot::out_w)) ops::linear_backward_weight(d_o, ws.g, out_w.grad, fc);
    adapter_weights(LoraTarget::out, d_o, ws.g, ws, fc);
  }
  if constexpr (traits::need_dg) {
    FROST_PROFILE(fc, backward, gemm_ffn_out);
    ops::linear_backward_input(d_o, out_w.value, ws.g, fc);
    adapter_input(LoraTarget::out, ws.g, ws, fc);
    if constexpr (traits::ia3)
      if (ia3.has(LoraTarget::out)) {  // dl from the unscaled input g, recomputed from i
        ops::gelu_forward(saved_.i, ws.adapter);
        ia3.backward_input(LoraTarget::out, ws.g, ws.adapter);
      }
  }
  (void)d_o, (void)ws, (void)fc;
}

// FFN input dense: di = gelu'(dg) [N, I] -> ws.i; dbi, dWi = di^T h1; dh1 = dz2 + di Wi -> ws.o.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_ffn_in(Workspace<T>& ws, FlopCounter& fc) {
  if constexpr (traits::need_dg) {
    {
      FROST_PROFILE(fc, backward, gelu);
      ops::gelu_backward_input(ws.g, saved_.i, ws.i);
    }
    if constexpr (S.trains(slot::inter_b)) {
      FROST_PROFILE(fc, backward, bias);
      ops::linear_backward_bias(ws.i, inter_b.grad);
    }
    if constexpr (traits::need_h1) {
      const Tensor<T>* h1 = nullptr;
      if constexpr (traits::recompute_h1) {
        FROST_PROFILE(fc, backward, layer_norm);
        ops::layer_norm_output(saved_.ln1, attn_ln_w.value, attn_ln_b.value, ws.h1);  // ws.h1 is free until LN1'
        h1 = &ws.h1;
      } else {
        h1 = &saved_.h1;
      }
      FROST_PROFILE(fc, backward, gemm_ffn_in);
      if constexpr (S.trains(slot::inter_w)) ops::linear_backward_weight(ws.i, *h1, inter_w.grad, fc);
      if constexpr (traits::lora) adapter_weights(LoraTarget::inter, ws.i, *h1, ws, fc);
    }
    FROST_PROFILE(fc, backward, gemm_ffn_in);
    if constexpr (traits::need_dh1) {
      ops::linear_backward_input(ws.i, inter_w.value, ws.o, fc, Accumulate::yes);
      adapter_input(LoraTarget::inter, ws.o, ws, fc);
    }
  }
  (void)ws, (void)fc;
}

// LN1 parameter gradients from dh1 (ws.o); dz1 = LN1'(dh1) -> ws.h1; da = dropout'(dz1) -> ws.a.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_ln1(Workspace<T>& ws, FlopCounter& fc) {
  if constexpr (traits::need_dh1) {
    FROST_PROFILE(fc, backward, layer_norm);
    if constexpr (S.trains(slot::attn_ln_b)) ops::layer_norm_backward_beta(ws.o, attn_ln_b.grad);
    if constexpr (S.trains(slot::attn_ln_w)) ops::layer_norm_backward_gamma(ws.o, saved_.ln1, attn_ln_w.grad);
  }
  if constexpr (traits::need_dz1) {
    {
      FROST_PROFILE(fc, backward, layer_norm);
      ops::layer_norm_backward_input(ws.o, attn_ln_w.value, saved_.ln1, ws.h1);
    }
    FROST_PROFILE(fc, backward, dropout);
    ws.a = ws.h1;
    if (hidden_dropped_) ops::dropout_backward_input(ws.a, saved_.drop1, p_hidden_);
  }
  (void)ws, (void)fc;
}

// Attention output dense: dbo, dWo = da^T ctx; dctx = da Wo -> ws.ctx.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_attn_out(Workspace<T>& ws, FlopCounter& fc) {
  if constexpr (traits::need_dz1) {
    if constexpr (S.trains(slot::attn_out_b)) {
      FROST_PROFILE(fc, backward, bias);
      ops::linear_backward_bias(ws.a, attn_out_b.grad);
    }
    FROST_PROFILE(fc, backward, gemm_attn_out);
    if constexpr (S.trains(slot::attn_out_w)) ops::linear_backward_weight(ws.a, saved_.ctx, attn_out_w.grad, fc);
    if constexpr (traits::lora) adapter_weights(LoraTarget::attn_out, ws.a, saved_.ctx, ws, fc);
  }
  if constexpr (traits::need_dctx) {
    FROST_PROFILE(fc, backward, gemm_attn_out);
    ops::linear_backward_input(ws.a, attn_out_w.value, ws.ctx, fc);
    adapter_input(LoraTarget::attn_out, ws.ctx, ws, fc);
    if constexpr (traits::ia3) ia3.backward_input(LoraTarget::attn_out, ws.ctx, saved_.ctx);
  }
  (void)ws, (void)fc;
}

// Attention core: dctx -> dq, dk, dv [N, H] (ws.q, ws.k, ws.v); QKV bias and weight gradients.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_attention(RunState<T>& st, Workspace<T>& ws, FlopCounter& fc) {
  if constexpr (traits::need_dctx) {
    const auto& c = saved_.qkv;
    const ops::AttentionShape sh{st.batch, st.seq, heads_, ws.ctx.cols() / heads_};
    {
      FROST_PROFILE(fc, backward, attention);
      ops::attention_backward_input(ws.ctx, c.q, c.k, c.v, c.attn, sh, attn_dropped_ ? p_attn_ : 0.0, ws.q, ws.k, ws.v,
                                    fc);
    }
    if constexpr (traits::ia3) {  // dl of output-scaled targets; dq, dk, dv become the base outputs' gradients
      ia3.backward_output(LoraTarget::query, ws.q);
      ia3.backward_output(LoraTarget::key, ws.k);
      ia3.backward_output(LoraTarget::value, ws.v);
    }
    {
      FROST_PROFILE(fc, backward, bias);
      if constexpr (S.trains(slot::q_b)) ops::linear_backward_bias(ws.q, q_b.grad);
      if constexpr (S.trains(slot::k_b)) ops::linear_backward_bias(ws.k, k_b.grad);
      if constexpr (S.trains(slot::v_b)) ops::linear_backward_bias(ws.v, v_b.grad);
    }
    FROST_PROFILE(fc, backward, gemm_qkv);
    if constexpr (S.trains(slot::q_w)) ops::linear_backward_weight(ws.q, saved_.x, q_w.grad, fc);
    if constexpr (S.trains(slot::k_w)) ops::linear_backward_weight(ws.k, saved_.x, k_w.grad, fc);
    if constexpr (S.trains(slot::v_w)) ops::linear_backward_weight(ws.v, saved_.x, v_w.grad, fc);
    if constexpr (traits::lora) {
      adapter_weights(LoraTarget::query, ws.q, saved_.x, ws, fc);
      adapter_weights(LoraTarget::key, ws.k, saved_.x, ws, fc);
      adapter_weights(LoraTarget::value, ws.v, saved_.x, ws, fc);
    }
  }
  (void)st, (void)ws, (void)fc;
}

// Input gradient (only for a layer whose spec passes it down): dx = dz1 + dq Wq + dk Wk + dv Wv.
template <class T, ComponentSpec S>
void EncoderLayer<T, S>::backward_input(Tensor<T>* dx, Workspace<T>& ws, FlopCounter& fc) {
  if constexpr (S.input_grad) {
    if (!dx) return;
    FROST_PROFILE(fc, backward, gemm_qkv);
    *dx = ws.h1;
    ops::linear_backward_input(ws.q, q_w.value, *dx, fc, Accumulate::yes);
    ops::linear_backward_input(ws.k, k_w.value, *dx, fc, Accumulate::yes);
    ops::linear_backward_input(ws.v, v_w.value, *dx, fc, Accumulate::yes);
    adapter_input(LoraTarget::query, *dx, ws, fc);
    adapter_input(LoraTarget::key, *dx, ws, fc);
    adapter_input(LoraTarget::value, *dx, ws, fc);
  }
  (void)dx, (void)ws, (void)fc;
}

}  // namespace frost
