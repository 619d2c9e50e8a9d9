// frost/optim/sgd.hpp: SGD exactly as torch.optim.SGD (PyTorch 1.13, single-tensor path).
//
// For a trainable parameter p with gradient g (group lr, weight decay wd):
//   d   <- g + wd * p                                    (coupled weight decay)
//   buf <- d on the first update, else momentum * buf + (1 - dampening) * d
//   d   <- d + momentum * buf (nesterov)  or  buf  (momentum != 0)
//   p   <- p - lr * d
// Defaults as torch: momentum 0, dampening 0, weight_decay 0, nesterov false (lr has no default
// in torch; frost uses 1e-3). A momentum buffer exists only for trainable parameters and only
// with momentum != 0.
#pragma once

#include <cstdint>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "optimizer_state.hpp"
#include "param_groups.hpp"

namespace frost {

struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

template <class T>
class SGD {
 public:
  static constexpr int kMomentum = 0;
  using State = OptimizerState<T, 1>;

  template <class Model>
  explicit SGD(Model& model, SGDOptions opt = {}, ParamGroups groups = {}) : opt_(opt), groups_(groups) {
    FROST_CHECK(!opt_.nesterov || (opt_.momentum > 0 && opt_.dampening == 0),
                "SGD: nesterov momentum requires a momentum and zero dampening");
    if (groups_.num_layers == 0) groups_.num_layers = model.depth();
    rebind(model);
  }

  template <class Model>
  void rebind(Model& model) {
    state_.bind(model);
  }

  template <class Model>
  void step(Model& model, double lr_factor = 1.0) {
    std::size_t k = 0;
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      auto& s = state_.at(k++, id);
      const double lr = opt_.lr * lr_factor * groups_.lr_multiplier(id);
      const double wd = groups_.decays(id) ? opt_.weight_decay : 0.0;
      ++s.step;
      Tensor<T> d = p.grad;
      if (wd != 0.0) d += static_cast<T>(wd) * p.value;
      if (opt_.momentum != 0.0) {
        Tensor<T>& buf = s.buf[kMomentum];
        if (buf.size() == 0) {
          buf = d;
        } else {
          buf *= static_cast<T>(opt_.momentum);
          buf += static_cast<T>(1.0 - opt_.dampening) * d;
        }
        if (opt_.nesterov)
          d += static_cast<T>(opt_.momentum) * buf;
        else
          d = buf;
      }
      p.value -= static_cast<T>(lr) * d;
    });
  }

  [[nodiscard]] const State& state() const { return state_; }
  State& state() { return state_; }
  [[nodiscard]] const SGDOptions& options() const { return opt_; }
  [[nodiscard]] std::int64_t state_bytes() const { return state_.bytes(); }

 private:
  SGDOptions opt_;
  ParamGroups groups_;
  State state_;
};

}  // namespace frost
