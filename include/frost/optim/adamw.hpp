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
// State exists only for trainable parameters: it is built by visiting model.for_each_trainable(),
// which never reaches a frozen parameter (and whose frozen branch is not even instantiated).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "param_groups.hpp"
#include "optimizer_state.hpp"

namespace frost {

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
      const T beta1 = static_cast<T>(opt_.beta1), beta2 = static_cast<T>(opt_.beta2);
      const T step_size = static_cast<T>(lr / bc1);
      const T bc2s = static_cast<T>(bc2_sqrt), eps = static_cast<T>(opt_.eps);
      const T decay = static_cast<T>(1.0 - lr * wd);
      const bool decayed = wd != 0.0, ams = opt_.amsgrad;
      const Eigen::Index n = numel(p.value);
      // Elementwise and memory-bound: split across threads (the 30522 x H embedding table is the
      // largest tensor of a BERT step); one branch-free, vectorisable loop per (decay, amsgrad).
      auto update = [&]<bool Decayed, bool Ams>() {
        T* __restrict P = p.value.data();
        const T* __restrict G = p.grad.data();
        T* __restrict M = s.buf[kExpAvg].data();
        T* __restrict V = s.buf[kExpAvgSq].data();
        T* __restrict VM = Ams ? s.buf[kMaxExpAvgSq].data() : nullptr;
        FROST_OMP(parallel for simd schedule(static) if(n >= kParallelMinWork))
        for (Eigen::Index i = 0; i < n; ++i) {
          T pi = P[i];
          if constexpr (Decayed) pi *= decay;
          const T g = G[i];
          const T m = M[i] * beta1 + g * (T(1) - beta1);
          T v = V[i] * beta2 + g * g * (T(1) - beta2);
          M[i] = m;
          V[i] = v;
          if constexpr (Ams) {
            v = std::max(VM[i], v);
            VM[i] = v;
          }
          P[i] = pi - step_size * (m / (std::sqrt(v) / bc2s + eps));
        }
      };
      if (decayed) {
        if (ams)
          update.template operator()<true, true>();
        else
          update.template operator()<true, false>();
      } else {
        if (ams)
          update.template operator()<false, true>();
        else
          update.template operator()<false, false>();
      }
    });
  }

  [[nodiscard]] const State& state() const { return state_; }
  State& state() { return state_; }
  [[nodiscard]] const AdamWOptions& options() const { return opt_; }
  [[nodiscard]] const ParamGroups& groups() const { return groups_; }
  /// Bytes of optimizer state (two moments per trainable parameter; three with amsgrad).
  [[nodiscard]] std::int64_t state_bytes() const { return state_.bytes(); }

 private:
  AdamWOptions opt_;
  ParamGroups groups_;
  State state_;
};

/// `AdamW opt(model, {.lr = 2e-5})`: the scalar type is the model's.
template <class Model>
AdamW(Model&, AdamWOptions = {}, ParamGroups = {}) -> AdamW<typename Model::scalar_type>;

}  // namespace frost
