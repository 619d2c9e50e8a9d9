// frost/optim/clip.hpp: global-norm gradient clipping, as torch.nn.utils.clip_grad_norm_.
//
//   norm = || (||g_1||, ..., ||g_n||) ||_2   over trainable parameters
//   coef = min(1, max_norm / (norm + 1e-6));  every g_i *= coef   (PyTorch 1.13 always multiplies)
// Returns the norm before clipping. max_norm <= 0 disables clipping (the norm is still returned).
#pragma once

#include <cmath>

#include "../model/param.hpp"

namespace frost {

template <class Model>
double global_grad_norm(Model& model) {
  using T = typename Model::scalar_type;
  T total = 0;
  model.for_each_trainable([&](const ParamId&, auto& p) {
    const T n = p.grad.norm();
    total += n * n;
  });
  return static_cast<double>(std::sqrt(total));
}

template <class Model>
double clip_grad_norm(Model& model, double max_norm) {
  using T = typename Model::scalar_type;
  const double norm = global_grad_norm(model);
  if (max_norm > 0.0) {
    // In T, like PyTorch's tensor arithmetic: clamp(max_norm / (norm + 1e-6), max=1).
    const T coef = std::min(T(1), static_cast<T>(max_norm) / (static_cast<T>(norm) + static_cast<T>(1e-6)));
    model.for_each_trainable([&](const ParamId&, auto& p) { p.grad *= coef; });
  }
  return norm;
}

}  // namespace frost
