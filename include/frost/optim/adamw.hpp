// frost/optim/adamw.hpp: AdamW exactly as torch.optim.AdamW (PyTorch 1.13, single-tensor path).
//
// For a trainable parameter p with gradient g, at its t-th update (t counted per parameter, as
// torch's state['step']), with lr and weight decay wd of the parameter's group:
//   p      <- p * (1 - lr * wd)                              (decoupled decay, applied first)
//   m      <- beta1 * m + (1 - beta1) * g
//   v      <- beta2 * v + (1 - beta2) * g * g
//   vmax   <- max(vmax, v)                                   (amsgrad only)
//   denom  <- sqrt(v or vmax) / sqrt(1 - beta2^t) + eps
//   p      <- p - (lr / (1 - beta1^t)) * m / denom
// Defaults as torch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, amsgrad false.
// HF Trainer's defaults differ (lr 5e-5, weight_decay 0): see TrainingArguments and
// docs/optimizers.md.
//
// The float update is one vectorised pass per 16 Ki-element block (kernels::adamw_body, compiled
// per ISA level like the ops' kernels; square roots through vmath::sqrt_inplace), with the scalars
// 1 - beta1, 1 - beta2, 1 - lr * wd rounded from double as torch's are.
//
// State exists only for trainable parameters: it is built by visiting model.for_each_trainable(),
// which never reaches a frozen parameter (and whose frozen branch is not even instantiated).
#pragma once

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "../core/isa_dispatch.hpp"
#include "../core/parallel.hpp"
#include "../core/tensor.hpp"
#include "../core/vector_math.hpp"
#include "../detail/macros.hpp"
#include "param_groups.hpp"
#include "optimizer_state.hpp"

namespace frost {

namespace kernels {
/// Per-tensor constants of one AdamW update, each computed in double and rounded once to T, as
/// torch does with its Python-float arguments (1 - beta2 is 0.001f, not 1.0f - 0.999f, which is
/// 1.3e-5 smaller). Without weight decay `decay` is exactly 1 (p * 1 == p, NaN included).
template <class T>
struct AdamWCoefficients {
  T beta1, beta2, one_minus_beta1, one_minus_beta2, decay, step_size, bc2s, eps;
};

/// The scalar rule for any T (double for gradient checks; the float kernel below is its
/// vectorised form): n elements, amsgrad when vmax is not null.
template <class T>
void adamw_reference(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, T* __restrict vmax,
                     long n, const AdamWCoefficients<T>& c) {
  FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
  for (long i = 0; i < n; ++i) {
    const T gi = g[i];
    m[i] = m[i] * c.beta1 + gi * c.one_minus_beta1;
    T vi = v[i] * c.beta2 + gi * gi * c.one_minus_beta2;
    v[i] = vi;
    if (vmax) vmax[i] = vi = std::max(vmax[i], vi);
    p[i] = p[i] * c.decay - c.step_size * (m[i] / (std::sqrt(vi) / c.bc2s + c.eps));
  }
}

/// One AdamW update of n elements (amsgrad when vmax is not null), in chunks of 256: the moments
/// first, with each radicand (v, then its running max under amsgrad) kept in a stack buffer, then
/// the buffer's square roots by `sqrt_fn` (vmath::sqrt_inplace_for(level): std::sqrt would keep
/// the loop scalar, see vector_math.hpp), then the parameters. The arithmetic is the scalar rule's, in its order.
FROST_ALWAYS_INLINE void adamw_body(float* __restrict p, const float* __restrict g, float* __restrict m,
                                    float* __restrict v, float* __restrict vmax, long n, AdamWCoefficients<float> c,
                                    void (*sqrt_fn)(float*, long)) {
  constexpr long kChunk = 256;
  alignas(64) float root[kChunk];
  const float one_minus_beta1 = c.one_minus_beta1, one_minus_beta2 = c.one_minus_beta2;
  for (long c0 = 0; c0 < n; c0 += kChunk) {
    const long len = std::min(kChunk, n - c0);
    float* __restrict P = p + c0;
    const float* __restrict G = g + c0;
    float* __restrict M = m + c0;
    float* __restrict V = v + c0;
    FROST_OMP(simd)
    for (long j = 0; j < len; ++j) {
      const float gj = G[j];
      const float vj = V[j] * c.beta2 + gj * gj * one_minus_beta2;
      M[j] = M[j] * c.beta1 + gj * one_minus_beta1;
      V[j] = vj;
      root[j] = vj;
    }
    if (vmax) {  // amsgrad: the radicand is the running max, a second pass over the chunk (in L1)
      float* __restrict VM = vmax + c0;
      FROST_OMP(simd)
      for (long j = 0; j < len; ++j) {
        // max of two non-negative floats as the max of their bit patterns (no float compare, and a
        // NaN, whose pattern is above every finite one's, propagates as torch.maximum's does)
        const float mx =
            std::bit_cast<float>(std::max(std::bit_cast<std::uint32_t>(VM[j]), std::bit_cast<std::uint32_t>(root[j])));
        VM[j] = mx;
        root[j] = mx;
      }
    }
    sqrt_fn(root, len);
    FROST_OMP(simd)
    for (long j = 0; j < len; ++j) P[j] = P[j] * c.decay - c.step_size * (M[j] / (root[j] / c.bc2s + c.eps));
  }
}
FROST_ISA_VARIANTS(adamw,
                   (float* p, const float* g, float* m, float* v, float* vmax, long n, AdamWCoefficients<float> c,
                    void (*sqrt_fn)(float*, long)),
                   (p, g, m, v, vmax, n, c, sqrt_fn))
}  // namespace kernels

struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
};

template <class T>
class AdamW {
 public:
  static constexpr int kExpAvg = 0, kExpAvgSq = 1, kMaxExpAvgSq = 2;
  /// Elements per kernel call (and per thread's turn) of the float update.
  static constexpr Eigen::Index kAdamWBlock = Eigen::Index{1} << 14;
  using State = OptimizerState<T, 3>;

  template <class Model>
  explicit AdamW(Model& model, AdamWOptions opt = {}, ParamGroups groups = {}) : opt_(opt), groups_(groups) {
    if (groups_.num_layers == 0) groups_.num_layers = model.depth();
    rebind(model);
  }

  /// Re-attaches to `model` (e.g. after gradual unfreezing): see OptimizerState::bind.
  template <class Model>
  void rebind(Model& model) {
    state_.bind(model);
    // Moments are allocated eagerly so that state_bytes() is the real footprint.
    std::size_t k = 0;
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      auto& s = state_.at(k++, id);
      const int n = opt_.amsgrad ? 3 : 2;
      for (int b = 0; b < n; ++b)
        if (s.buf[static_cast<std::size_t>(b)].size() == 0)
          s.buf[static_cast<std::size_t>(b)].setZero(p.value.rows(), p.value.cols());
    });
  }

  /// One update of every trainable parameter with lr = options().lr * lr_factor * group multiplier.
  template <class Model>
  void step(Model& model, double lr_factor = 1.0) {
    std::size_t k = 0;
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      auto& s = state_.at(k++, id);
      const double lr = opt_.lr * lr_factor * groups_.lr_multiplier(id);
      const double wd = groups_.decays(id) ? opt_.weight_decay : 0.0;
      const std::int64_t t = ++s.step;
      const double bc1 = 1.0 - std::pow(opt_.beta1, static_cast<double>(t));
      const double bc2_sqrt = std::sqrt(1.0 - std::pow(opt_.beta2, static_cast<double>(t)));
      const kernels::AdamWCoefficients<T> c{static_cast<T>(opt_.beta1),       static_cast<T>(opt_.beta2),
                                            static_cast<T>(1.0 - opt_.beta1), static_cast<T>(1.0 - opt_.beta2),
                                            static_cast<T>(1.0 - lr * wd),    static_cast<T>(lr / bc1),
                                            static_cast<T>(bc2_sqrt),         static_cast<T>(opt_.eps)};
      T* vmax = opt_.amsgrad ? s.buf[kMaxExpAvgSq].data() : nullptr;
      update(p.value.data(), p.grad.data(), s.buf[kExpAvg].data(), s.buf[kExpAvgSq].data(), vmax, numel(p.value), c);
    });
  }

  [[nodiscard]] const State& state() const { return state_; }
  State& state() { return state_; }
  [[nodiscard]] const AdamWOptions& options() const { return opt_; }
  [[nodiscard]] const ParamGroups& groups() const { return groups_; }
  /// Bytes of optimizer state (two moments per trainable parameter; three with amsgrad).
  [[nodiscard]] std::int64_t state_bytes() const { return state_.bytes(); }

 private:
  /// Elementwise and memory-bound: split across threads in blocks (the 30522 x H embedding table
  /// is the largest tensor of a BERT step); float through the ISA kernel.
  static void update(T* p, const T* g, T* m, T* v, T* vmax, Eigen::Index n, const kernels::AdamWCoefficients<T>& c) {
    if constexpr (std::is_same_v<T, float>) {
      const auto kernel = kernels::adamw_for(cpu::kernel_isa());
      const auto sqrt_fn = vmath::sqrt_inplace_for(cpu::kernel_isa());
      for_each_block(n, kAdamWBlock, [&](Eigen::Index i0, Eigen::Index len) {
        kernel(p + i0, g + i0, m + i0, v + i0, vmax ? vmax + i0 : nullptr, len, c, sqrt_fn);
      });
    } else {
      kernels::adamw_reference(p, g, m, v, vmax, n, c);
    }
  }

  AdamWOptions opt_;
  ParamGroups groups_;
  State state_;
};

/// `AdamW opt(model, {.lr = 2e-5})`: the scalar type is the model's.
template <class Model>
AdamW(Model&, AdamWOptions = {}, ParamGroups = {}) -> AdamW<typename Model::scalar_type>;

}  // namespace frost
