// frost/adapters/lora.hpp: the LoRA adapters of one encoder layer, forward and backward split in
// halves (weight gradients, input gradient), as ops/linear.hpp does for a Linear.
//
//   forward          : xd = dropout(x)                         [N, in]   (x itself when p = 0)
//                      us = scaling * xd A^T                   [N, r]    (kept for backward)
//                      y += us B^T                             [N, out]
//   backward_weights : dB += dy^T us                           [out, r]
//                      du  = scaling * dy B                    [N, r]
//                      dA += du^T xd                           [r, in]   (xd recomputed from x + mask)
//   backward_input   : dx += dropout'(du A)                    [N, in]
// A layer keeps x (its input) for the weight half, which the base layer keeps anyway when the
// target sits on a trainable path; what LoRA adds is us and du ([N, r] each) and a 1-byte dropout
// mask per target when lora_dropout > 0.
#pragma once

#include <array>
#include <cmath>
#include <random>

#include "../config.hpp"
#include "../core/gemm.hpp"
#include "../model/param.hpp"
#include "../model/run_state.hpp"
#include "../model/shapes.hpp"
#include "../ops/dropout.hpp"
#include "lora_config.hpp"

namespace frost {

/// One target's adapter: trainable A and B, and what backward reads.
template <class T>
struct LoraPair {
  Param<T, true> A;  ///< [r, in]
  Param<T, true> B;  ///< [out, r]
  Tensor<T> us;      ///< scaling * dropout(x) A^T of the last recorded forward [N, r]
  Tensor<T> du;      ///< scaling * dy B, between the two backward halves [N, r]
  ops::DropoutMask mask;
  bool dropped = false;
};

template <class T>
class LoraLayer {
 public:
  /// Sets the targets, rank and scaling for layer `index` and allocates A (Kaiming-uniform) and
  /// B (zeros) for each target.
  void configure(const LoraConfig& lc, const BertConfig& cfg, int index) {
    targets_ = lc.targets;
    scaling_ = static_cast<T>(lc.scaling());
    p_ = lc.dropout;
    std::mt19937_64 gen(lc.seed * 1000003u + static_cast<std::uint64_t>(index) + 1u);
    for (int t = 0; t < kLoraTargets; ++t) {
      if (!has(t)) continue;
      const auto in = dim_size(cfg, kLoraTargetTable[t].in), out = dim_size(cfg, kLoraTargetTable[t].out);
      LoraPair<T>& lp = pairs_[static_cast<std::size_t>(t)];
      lp.A.allocate(lc.r, in);
      lp.B.allocate(out, lc.r);
      // kaiming_uniform_(a = sqrt(5)) on [r, in]: bound = sqrt(6 / ((1 + a^2) in)) = 1 / sqrt(in).
      std::uniform_real_distribution<double> u(-1.0 / std::sqrt(static_cast<double>(in)),
                                               1.0 / std::sqrt(static_cast<double>(in)));
      for (Eigen::Index i = 0; i < numel(lp.A.value); ++i) lp.A.value.data()[i] = static_cast<T>(u(gen));
    }
  }

  [[nodiscard]] bool has(int t) const { return (targets_ & (1u << t)) != 0; }
  [[nodiscard]] bool has(LoraTarget t) const { return has(static_cast<int>(t)); }
  [[nodiscard]] bool any_of(std::uint32_t bits) const { return (targets_ & bits) != 0; }
  [[nodiscard]] std::uint32_t targets() const { return targets_; }
  [[nodiscard]] T scaling() const { return scaling_; }
  LoraPair<T>& pair(LoraTarget t) { return pairs_[static_cast<std::size_t>(t)]; }

  /// f(target, A, B) over the present targets, in PEFT's order (A before B).
  template <class F>
  void for_each_pair(F&& f) {
    for (int t = 0; t < kLoraTargets; ++t)
      if (has(t)) f(t, pairs_[static_cast<std::size_t>(t)].A, pairs_[static_cast<std::size_t>(t)].B);
  }

  /// y [N, out] += scaling * dropout(x) A^T B^T for target t (nothing if t is not a target).
  void forward(LoraTarget t, const Tensor<T>& x, Tensor<T>& y, const RunState<T>& st, bool drop, RandomStream rng,
               Tensor<T>& scratch) {
    if (!has(t)) return;
    LoraPair<T>& lp = pair(t);
    FlopCounter& fc = *st.flops;
    lp.dropped = drop && p_ > 0.0;
    const Tensor<T>* xd = &x;
    if (lp.dropped) {
      scratch = x;
      ops::dropout_forward(scratch, p_, rng, st.record ? &lp.mask : nullptr);
      xd = &scratch;
    }
    Tensor<T> local;
    Tensor<T>& us = st.record ? lp.us : local;
    us.resize(x.rows(), lp.A.value.rows());
    gemm_nt(us, *xd, lp.A.value, fc, Phase::forward);
    us *= scaling_;
    gemm_nt(y, us, lp.B.value, fc, Phase::forward, Accumulate::yes);
  }

  /// dB, dA from dy [N, out] and the target's input x [N, in]; keeps du for backward_input.
  void backward_weights(LoraTarget t, const Tensor<T>& dy, const Tensor<T>& x, Tensor<T>& scratch, FlopCounter& fc) {
    if (!has(t)) return;
    LoraPair<T>& lp = pair(t);
    gemm_tn(lp.B.grad, dy, lp.us, fc, Phase::backward_weight, Accumulate::yes);
    lp.du.resize(dy.rows(), lp.B.value.cols());
    gemm_nn(lp.du, dy, lp.B.value, fc, Phase::backward_input);
    lp.du *= scaling_;
    const Tensor<T>* xd = &x;
    if (lp.dropped) {  // recompute dropout(x) from the kept mask
      scratch = x;
      ops::dropout_backward_input(scratch, lp.mask, p_);
      xd = &scratch;
    }
    gemm_tn(lp.A.grad, lp.du, *xd, fc, Phase::backward_weight, Accumulate::yes);
  }

  /// dx [N, in] += dropout'(du A) for target t (after backward_weights).
  void backward_input(LoraTarget t, Tensor<T>& dx, Tensor<T>& scratch, FlopCounter& fc) {
    if (!has(t)) return;
    LoraPair<T>& lp = pair(t);
    if (!lp.dropped) {
      gemm_nn(dx, lp.du, lp.A.value, fc, Phase::backward_input, Accumulate::yes);
      return;
    }
    scratch.resize(lp.du.rows(), lp.A.value.cols());
    gemm_nn(scratch, lp.du, lp.A.value, fc, Phase::backward_input);
    ops::dropout_backward_input(scratch, lp.mask, p_);
    dx += scratch;
  }

  /// Releases what the last recorded forward kept.
  void clear_saved() {
    for (auto& lp : pairs_) lp.us = Tensor<T>{}, lp.du = Tensor<T>{}, lp.mask = ops::DropoutMask{};
  }

 private:
  std::uint32_t targets_ = 0;
  T scaling_ = T(1);
  double p_ = 0.0;
  std::array<LoraPair<T>, kLoraTargets> pairs_;
};

}  // namespace frost
