// frost/ops/gelu.hpp: exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (HF "gelu", torch default).
//
//   x [N, F] -> y [N, F];  backward_input: dx = dy * (Phi(x) + x * phi(x)) ; needs x
//   bias_gelu_forward: i += b; g = gelu(i) in one pass (the bias of the intermediate Linear fused
//   into the activation: one read and two writes of [N, F] instead of two reads and three).
//
// Vectorised: erf and exp run as Eigen packet functions (AVX-512: 16 lanes) row by row, rows
// split over OpenMP threads. Eigen's float erf is a rational approximation with an
// absolute error below 4e-7 (std::erf: 5e-8), i.e. < 2e-7 |x| in GELU, well inside the 1e-5 parity
// tolerance; double uses the scalar std::erf (the gradient checks run in double).
#pragma once

#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

namespace detail {
template <class T>
inline constexpr T kInvSqrt2 = T(0.70710678118654752440);
template <class T>
inline constexpr T kInvSqrt2Pi = T(0.39894228040143267794);

/// GELU and the normal CDF of an Eigen array expression, as packet arithmetic.
template <class X>
auto gelu_of(const X& x) {
  using T = typename X::Scalar;
  return T(0.5) * x * (T(1) + (x * kInvSqrt2<T>).erf());
}
template <class X>
auto normal_cdf_of(const X& x) {
  using T = typename X::Scalar;
  return T(0.5) * (T(1) + (x * kInvSqrt2<T>).erf());
}
}  // namespace detail

template <class T>
T gelu(T x) {
  return T(0.5) * x * (T(1) + std::erf(x * detail::kInvSqrt2<T>));
}

template <class T>
T gelu_grad(T x) {
  const T cdf = T(0.5) * (T(1) + std::erf(x * detail::kInvSqrt2<T>));
  const T pdf = std::exp(T(-0.5) * x * x) * detail::kInvSqrt2Pi<T>;
  return cdf + x * pdf;
}

/// y = gelu(x), row by row (the same packet arithmetic as bias_gelu_forward, so a recomputed
/// activation is bit-identical to the forward's).
template <class T>
void gelu_forward(const Tensor<T>& x, Tensor<T>& y) {
  const Eigen::Index n = x.rows(), f = x.cols();
  y.resize(n, f);
  FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
  for (Eigen::Index r = 0; r < n; ++r) {
    y.row(r).array() = detail::gelu_of(x.row(r).array());
  }
}

/// i [N, F] += b [1, F]; g = gelu(i). i keeps the pre-activation (GELU backward reads it).
template <class T>
void bias_gelu_forward(Tensor<T>& i, const Tensor<T>& b, Tensor<T>& g) {
  const Eigen::Index n = i.rows(), f = i.cols();
  g.resize(n, f);
  FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
  for (Eigen::Index r = 0; r < n; ++r) {
    i.row(r) += b.row(0);
    g.row(r).array() = detail::gelu_of(i.row(r).array());
  }
}

template <class T>
void gelu_backward_input(const Tensor<T>& dy, const Tensor<T>& x, Tensor<T>& dx) {
  const Eigen::Index n = x.rows(), f = x.cols();
  dx.resize(n, f);
  FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto xs = x.row(r).array();
    dx.row(r).array() =
        dy.row(r).array() * (detail::normal_cdf_of(xs) + xs * (T(-0.5) * xs.square()).exp() * detail::kInvSqrt2Pi<T>);
  }
}

}  // namespace frost::ops
