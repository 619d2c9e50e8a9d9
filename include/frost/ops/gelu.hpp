// frost/ops/gelu.hpp: exact GELU, 0.5 x (1 + erf(x / sqrt 2)) (HF "gelu", torch default).
//
//   x [N, F] -> y [N, F];  backward_input: dx = dy * (Phi(x) + x * phi(x)) ; needs x
//   bias_gelu_forward: i += b; g = gelu(i) in one pass (the bias of the intermediate Linear fused
//   into the activation: one read and two writes of [N, F] instead of two reads and three);
//   bias_gelu_forward_inplace: i = gelu(i + b) where nothing keeps i (no second [N, F] buffer).
//
// Vectorised: float rows run through kernels compiled for the CPU's level at run time
// (core/isa_dispatch.hpp) with vmath::erf / vmath::exp (erf's absolute error < 4e-7, i.e. < 2e-7 |x|
// in GELU, well inside the 1e-5 parity tolerance); rows split over OpenMP threads. double uses
// Eigen's packet functions with the scalar std::erf (the gradient checks run in double).
#pragma once

#include <unsupported/Eigen/SpecialFunctions>

#include <cmath>
#include <type_traits>

#include "../core/isa_dispatch.hpp"
#include "../core/tensor.hpp"
#include "../core/vector_math.hpp"
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

/// Float row kernels, one variant per instruction-set level (FROST_ISA_VARIANTS).
namespace kernels {
/// gelu(x): the one float formula every kernel below uses, so that all of them agree bit for bit.
FROST_ALWAYS_INLINE float gelu_value(float x, vmath::ExpRange r) {
  return 0.5f * x * (1.0f + vmath::erf(x * detail::kInvSqrt2<float>, r));
}

/// y[j] = gelu(x[j]); j < f.
FROST_ALWAYS_INLINE void gelu_row_body(const float* __restrict x, float* __restrict y, long f, vmath::ExpRange r) {
  FROST_OMP(simd)
  for (long j = 0; j < f; ++j) y[j] = gelu_value(x[j], r);
}
FROST_ISA_VARIANTS(gelu_row, (const float* x, float* y, long f, vmath::ExpRange r), (x, y, f, r))

/// i[j] += b[j]; g[j] = gelu(i[j]) (the same arithmetic as gelu_row, so a recomputed activation
/// is bit-identical).
FROST_ALWAYS_INLINE void bias_gelu_row_body(float* __restrict i, const float* __restrict b, float* __restrict g, long f,
                                            vmath::ExpRange r) {
  FROST_OMP(simd)
  for (long j = 0; j < f; ++j) i[j] += b[j];
  gelu_row_body(i, g, f, r);
}
FROST_ISA_VARIANTS(bias_gelu_row, (float* i, const float* b, float* g, long f, vmath::ExpRange r), (i, b, g, f, r))

/// i[j] = gelu(i[j] + b[j]) in place: the same values as bias_gelu_row's g.
FROST_ALWAYS_INLINE void bias_gelu_inplace_row_body(float* __restrict i, const float* __restrict b, long f,
                                                    vmath::ExpRange r) {
  FROST_OMP(simd)
  for (long j = 0; j < f; ++j) i[j] = gelu_value(i[j] + b[j], r);
}
FROST_ISA_VARIANTS(bias_gelu_inplace_row, (float* i, const float* b, long f, vmath::ExpRange r), (i, b, f, r))

/// dx[j] = dy[j] * (Phi(x[j]) + x[j] phi(x[j])).
FROST_ALWAYS_INLINE void gelu_backward_row_body(const float* __restrict dy, const float* __restrict x,
                                                float* __restrict dx, long f, vmath::ExpRange r) {
  constexpr float kH = detail::kInvSqrt2<float>, kP = detail::kInvSqrt2Pi<float>;
  FROST_OMP(simd)
  for (long j = 0; j < f; ++j) {
    const float xs = x[j];
    const float cdf = 0.5f * (1.0f + vmath::erf(xs * kH, r));
    dx[j] = dy[j] * (cdf + xs * vmath::exp(-0.5f * xs * xs, r) * kP);
  }
}
FROST_ISA_VARIANTS(gelu_backward_row, (const float* dy, const float* x, float* dx, long f, vmath::ExpRange r),
                   (dy, x, dx, f, r))
}  // namespace kernels

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
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::gelu_row_for(cpu::kernel_isa());
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) kernel(x.data() + r * f, y.data() + r * f, f, vmath::kExpRange);
  } else {
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) {
      y.row(r).array() = detail::gelu_of(x.row(r).array());
    }
  }
}

/// i [N, F] += b [1, F]; g = gelu(i). i keeps the pre-activation (GELU backward reads it).
template <class T>
void bias_gelu_forward(Tensor<T>& i, const Tensor<T>& b, Tensor<T>& g) {
  const Eigen::Index n = i.rows(), f = i.cols();
  g.resize(n, f);
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::bias_gelu_row_for(cpu::kernel_isa());
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) kernel(i.data() + r * f, b.data(), g.data() + r * f, f, vmath::kExpRange);
  } else {
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) {
      i.row(r) += b.row(0);
      g.row(r).array() = detail::gelu_of(i.row(r).array());
    }
  }
}

/// i [N, F] = gelu(i + b [1, F]) in place, for a pass that needs no pre-activation (nothing
/// records it for backward): the [N, F] buffer of g is never touched. Same values as
/// bias_gelu_forward's g.
template <class T>
void bias_gelu_forward_inplace(Tensor<T>& i, const Tensor<T>& b) {
  const Eigen::Index n = i.rows(), f = i.cols();
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::bias_gelu_inplace_row_for(cpu::kernel_isa());
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) kernel(i.data() + r * f, b.data(), f, vmath::kExpRange);
  } else {
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) {
      i.row(r) += b.row(0);
      i.row(r).array() = detail::gelu_of(i.row(r).array()).eval();
    }
  }
}

template <class T>
void gelu_backward_input(const Tensor<T>& dy, const Tensor<T>& x, Tensor<T>& dx) {
  const Eigen::Index n = x.rows(), f = x.cols();
  dx.resize(n, f);
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::gelu_backward_row_for(cpu::kernel_isa());
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r)
      kernel(dy.data() + r * f, x.data() + r * f, dx.data() + r * f, f, vmath::kExpRange);
  } else {
    FROST_OMP(parallel for schedule(static) if(n * f >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r) {
      const auto xs = x.row(r).array();
      dx.row(r).array() =
          dy.row(r).array() * (detail::normal_cdf_of(xs) + xs * (T(-0.5) * xs.square()).exp() * detail::kInvSqrt2Pi<T>);
    }
  }
}

}  // namespace frost::ops
