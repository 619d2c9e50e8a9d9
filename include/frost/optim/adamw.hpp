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

#include <cmath>
#include <cstdint>

#include "../core/tensor.hpp"
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
  explicit AdamW(Model& model, AdamWOptions opt = {}, ParamGroups groups = {})
      : opt_(opt), groups_(groups) {
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
      auto P = p.value.array();
      auto G = p.grad.array();
      auto M = s.buf[kExpAvg].array();
      auto V = s.buf[kExpAvgSq].array();
      if (wd != 0.0) P *= static_cast<T>(1.0 - lr * wd);
      M = M * beta1 + G * (T(1) - beta1);
      V = V * beta2 + G * G * (T(1) - beta2);
      if (opt_.amsgrad) {
        auto VM = s.buf[kMaxExpAvgSq].array();
        VM = VM.max(V);
        P -= step_size * (M / (VM.sqrt() / bc2s + eps));
      } else {
        P -= step_size * (M / (V.sqrt() / bc2s + eps));
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

}  // namespace frost
