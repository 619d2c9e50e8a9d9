// frost/optim/adamw.hpp: AdamW exactly as torch.optim.AdamW (PyTorch 1.13, foreach=False).
//
// Per trainable parameter p with gradient g, at step t (1-based), for each element:
//   p      <- p * (1 - lr * weight_decay)                    (decoupled decay, first)
//   m      <- beta1 * m + (1 - beta1) * g
//   v      <- beta2 * v + (1 - beta2) * g * g
//   vmax   <- max(vmax, v)                                    (amsgrad only)
//   denom  <- sqrt(v or vmax) / sqrt(1 - beta2^t) + eps
//   p      <- p - (lr / (1 - beta1^t)) * m / denom
// Defaults as torch: lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2, amsgrad false.
// (HF Trainer's defaults differ: lr 5e-5, weight_decay 0; see docs/optimizers.md.)
//
// State exists only for trainable parameters: the optimizer is built by visiting
// model.for_each_trainable(), which never reaches a frozen parameter.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "../model/param.hpp"

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
  struct State {
    ParamId id;
    Tensor<T> exp_avg, exp_avg_sq, max_exp_avg_sq;
  };

  template <class Model>
  AdamW(Model& model, AdamWOptions opt = {}) : opt_(opt) {
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      State s{id, Tensor<T>::Zero(p.value.rows(), p.value.cols()),
              Tensor<T>::Zero(p.value.rows(), p.value.cols()), {}};
      if (opt_.amsgrad) s.max_exp_avg_sq.setZero(p.value.rows(), p.value.cols());
      state_.push_back(std::move(s));
    });
  }

  /// One update of every trainable parameter. `lr_scale(id)` multiplies the learning rate and
  /// `decay(id)` says whether weight decay applies (parameter groups); defaults: 1 and true.
  template <class Model, class LrOf, class DecayOf>
  void step(Model& model, LrOf&& lr_of, DecayOf&& decay_of) {
    ++t_;
    const double bc1 = 1.0 - std::pow(opt_.beta1, static_cast<double>(t_));
    const double bc2_sqrt = std::sqrt(1.0 - std::pow(opt_.beta2, static_cast<double>(t_)));
    std::size_t k = 0;
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      State& s = state_[k++];
      FROST_CHECK(s.id == id, "AdamW::step: the model's trainable parameters changed");
      const double lr = lr_of(id);
      const double wd = decay_of(id) ? opt_.weight_decay : 0.0;
      const T beta1 = static_cast<T>(opt_.beta1), beta2 = static_cast<T>(opt_.beta2);
      const T step_size = static_cast<T>(lr / bc1);
      const T bc2s = static_cast<T>(bc2_sqrt), eps = static_cast<T>(opt_.eps);
      const T decay = static_cast<T>(1.0 - lr * wd);
      auto P = p.value.array();
      auto G = p.grad.array();
      auto M = s.exp_avg.array();
      auto V = s.exp_avg_sq.array();
      if (wd != 0.0) P *= decay;
      M = M * beta1 + G * (T(1) - beta1);
      V = V * beta2 + G * G * (T(1) - beta2);
      if (opt_.amsgrad) {
        auto VM = s.max_exp_avg_sq.array();
        VM = VM.max(V);
        P -= step_size * M / (VM.sqrt() / bc2s + eps);
      } else {
        P -= step_size * M / (V.sqrt() / bc2s + eps);
      }
    });
  }
  template <class Model>
  void step(Model& model) {
    step(model, [&](const ParamId&) { return opt_.lr; }, [](const ParamId&) { return true; });
  }

  [[nodiscard]] const std::vector<State>& state() const { return state_; }
  [[nodiscard]] std::int64_t step_count() const { return t_; }
  [[nodiscard]] AdamWOptions& options() { return opt_; }
  /// Bytes of optimizer state (moments; plus the max moments with amsgrad).
  [[nodiscard]] std::int64_t state_bytes() const {
    std::int64_t b = 0;
    for (const auto& s : state_)
      b += (numel(s.exp_avg) + numel(s.exp_avg_sq) + numel(s.max_exp_avg_sq)) *
           static_cast<std::int64_t>(sizeof(T));
    return b;
  }

 private:
  AdamWOptions opt_;
  std::vector<State> state_;
  std::int64_t t_ = 0;
};

}  // namespace frost
