// frost/ops/gelu.hpp: exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (HF "gelu", torch default).
//
//   x [N, F] -> y [N, F];  backward_input: dx = dy * (Phi(x) + x * phi(x)) ; needs x
#pragma once

#include <cmath>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
T gelu(T x) {
  return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
}

template <class T>
T gelu_grad(T x) {
  const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
  const T pdf = std::exp(T(-0.5) * x * x) * T(0.39894228040143267794);
  return cdf + x * pdf;
}

template <class T>
void gelu_forward(const Tensor<T>& x, Tensor<T>& y) {
  y.resize(x.rows(), x.cols());
  const Eigen::Index n = numel(x);
  const T* xs = x.data();
  T* ys = y.data();
  FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
  for (Eigen::Index i = 0; i < n; ++i) ys[i] = gelu(xs[i]);
}

template <class T>
void gelu_backward_input(const Tensor<T>& dy, const Tensor<T>& x, Tensor<T>& dx) {
  dx.resize(x.rows(), x.cols());
  const Eigen::Index n = numel(x);
  const T* xs = x.data();
  const T* dys = dy.data();
  T* dxs = dx.data();
  FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
  for (Eigen::Index i = 0; i < n; ++i) dxs[i] = dys[i] * gelu_grad(xs[i]);
}

}  // namespace frost::ops
