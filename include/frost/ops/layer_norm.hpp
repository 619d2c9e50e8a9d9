// frost/ops/layer_norm.hpp: torch.nn.LayerNorm over the last dimension (biased variance).
//
//   x [N, H]  gamma, beta [1, H]  y [N, H]
//   forward        : xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps),  y = xhat*gamma + beta
//                    caches xhat [N, H] and rstd [N, 1] when a backward half needs them
//   backward_input : dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * gamma
//   backward_weight: dgamma += colsum(dy * xhat);  dbeta += colsum(dy)
//   bias_residual_layer_norm_forward: y = LN(a + bias + residual) in one pass over the rows,
//                    without writing the sum (BERT's "dense bias + residual + LayerNorm"; the
//                    backward needs only xhat and rstd)
#pragma once

#include <cmath>
#include <type_traits>

#include "../core/isa_dispatch.hpp"
#include "../core/reduce.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
struct LayerNormCache {
  Tensor<T> xhat;  // [N, H]
  Tensor<T> rstd;  // [N, 1]
};

namespace kernels {
/// One row of h: sum = a (+ bias) (+ residual) into `s`; y = LN(sum) * gamma + beta; xhat and
/// *rstd_out written when not null.
FROST_ALWAYS_INLINE void layer_norm_row_body(const float* __restrict a, const float* __restrict bias,
                                             const float* __restrict residual, const float* __restrict gamma,
                                             const float* __restrict beta, float eps, float* __restrict s,
                                             float* __restrict y, float* __restrict xhat, float* rstd_out, long h) {
  FROST_OMP(simd)
  for (long j = 0; j < h; ++j) s[j] = a[j];
  if (bias) {
    FROST_OMP(simd)
    for (long j = 0; j < h; ++j) s[j] += bias[j];
  }
  if (residual) {
    FROST_OMP(simd)
    for (long j = 0; j < h; ++j) s[j] += residual[j];
  }
  float sum = 0.0f;
  FROST_OMP(simd reduction(+ : sum))
  for (long j = 0; j < h; ++j) sum += s[j];
  const float mean = sum / static_cast<float>(h);
  float sq = 0.0f;
  FROST_OMP(simd reduction(+ : sq))
  for (long j = 0; j < h; ++j) {
    s[j] -= mean;
    sq += s[j] * s[j];
  }
  const float rstd = 1.0f / std::sqrt(sq / static_cast<float>(h) + eps);
  if (xhat) {
    FROST_OMP(simd)
    for (long j = 0; j < h; ++j) xhat[j] = s[j] * rstd;
    *rstd_out = rstd;
  }
  FROST_OMP(simd)
  for (long j = 0; j < h; ++j) y[j] = (s[j] * rstd) * gamma[j] + beta[j];
}
FROST_ISA_VARIANTS(layer_norm_row,
                   (const float* a, const float* bias, const float* residual, const float* gamma, const float* beta,
                    float eps, float* s, float* y, float* xhat, float* rstd_out, long h),
                   (a, bias, residual, gamma, beta, eps, s, y, xhat, rstd_out, h))

/// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma, for one row of h.
FROST_ALWAYS_INLINE void layer_norm_backward_row_body(const float* __restrict dy, const float* __restrict gamma,
                                                      const float* __restrict xhat, float rstd, float* __restrict dx,
                                                      long h) {
  float sum_g = 0.0f, sum_gx = 0.0f;
  FROST_OMP(simd reduction(+ : sum_g, sum_gx))
  for (long j = 0; j < h; ++j) {
    const float g = dy[j] * gamma[j];
    sum_g += g;
    sum_gx += g * xhat[j];
  }
  const float mean_g = sum_g / static_cast<float>(h), mean_gx = sum_gx / static_cast<float>(h);
  FROST_OMP(simd)
  for (long j = 0; j < h; ++j) dx[j] = rstd * (dy[j] * gamma[j] - mean_g - xhat[j] * mean_gx);
}
FROST_ISA_VARIANTS(layer_norm_backward_row,
                   (const float* dy, const float* gamma, const float* xhat, float rstd, float* dx, long h),
                   (dy, gamma, xhat, rstd, dx, h))
/// y = xhat * gamma + beta for one row: the last pass of layer_norm_row_body, the same expression on
/// the same xhat, so the result is the forward's output bit for bit.
FROST_ALWAYS_INLINE void layer_norm_output_row_body(const float* __restrict xhat, const float* __restrict gamma,
                                                    const float* __restrict beta, float* __restrict y, long h) {
  FROST_OMP(simd)
  for (long j = 0; j < h; ++j) y[j] = (xhat[j]) * gamma[j] + beta[j];
}
FROST_ISA_VARIANTS(layer_norm_output_row, (const float* xhat, const float* gamma, const float* beta, float* y, long h),
                   (xhat, gamma, beta, y, h))
}  // namespace kernels

namespace detail {
/// y = LN(a (+ bias) (+ residual)) row by row; the sum is formed in a per-thread row buffer and
/// never written. bias and residual may be nullptr; `cache` may be nullptr (inference mode).
template <class T>
void layer_norm_rows(const Tensor<T>& a, const Tensor<T>* bias, const Tensor<T>* residual, const Tensor<T>& gamma,
                     const Tensor<T>& beta, T eps, Tensor<T>& y, LayerNormCache<T>* cache) {
  const Eigen::Index n = a.rows(), h = a.cols();
  FROST_CHECK(!residual || (residual->rows() == n && residual->cols() == h),
              "LayerNorm: residual shape differs from its input");
  y.resize(n, h);
  if (cache) {
    cache->xhat.resize(n, h);
    cache->rstd.resize(n, 1);
  }
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::layer_norm_row_for(cpu::kernel_isa());
    const float* bp = bias ? bias->data() : nullptr;
    const float* rp = residual ? residual->data() : nullptr;
    FROST_OMP(parallel if (n * h >= kParallelMinWork)) {
      Eigen::Array<float, 1, Eigen::Dynamic> s(h);  // one row of the input sum, per thread
      FROST_OMP(for schedule(static))
      for (Eigen::Index r = 0; r < n; ++r)
        kernel(a.data() + r * h, bp, rp ? rp + r * h : nullptr, gamma.data(), beta.data(), eps, s.data(),
               y.data() + r * h, cache ? cache->xhat.data() + r * h : nullptr, cache ? cache->rstd.data() + r : nullptr,
               h);
    }
    return;
  }
  FROST_OMP(parallel if (n * h >= kParallelMinWork)) {
    Eigen::Array<T, 1, Eigen::Dynamic> s(h);  // one row of the input sum, per thread
    FROST_OMP(for schedule(static))
    for (Eigen::Index r = 0; r < n; ++r) {
      if (bias)
        s = a.row(r).array() + bias->row(0).array();
      else
        s = a.row(r).array();
      if (residual) s += residual->row(r).array();
      const T mean = s.sum() / static_cast<T>(h);
      s -= mean;
      const T var = s.square().sum() / static_cast<T>(h);
      const T rstd = T(1) / std::sqrt(var + eps);
      s *= rstd;
      if (cache) {
        cache->xhat.row(r) = s.matrix();
        cache->rstd(r, 0) = rstd;
      }
      y.row(r).array() = s * gamma.row(0).array() + beta.row(0).array();
    }
  }
}
}  // namespace detail

/// y = LN(x). `cache` may be nullptr (inference mode: nothing is stored).
template <class T>
void layer_norm_forward(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& beta, T eps, Tensor<T>& y,
                        LayerNormCache<T>* cache) {
  detail::layer_norm_rows(x, static_cast<const Tensor<T>*>(nullptr), static_cast<const Tensor<T>*>(nullptr), gamma,
                          beta, eps, y, cache);
}

/// y = LN((a + bias) + residual); bias may be nullptr (already added, e.g. before dropout).
/// a, residual [N, H]; y must not alias a or residual.
template <class T>
void bias_residual_layer_norm_forward(const Tensor<T>& a, const Tensor<T>* bias, const Tensor<T>& residual,
                                      const Tensor<T>& gamma, const Tensor<T>& beta, T eps, Tensor<T>& y,
                                      LayerNormCache<T>* cache) {
  detail::layer_norm_rows(a, bias, &residual, gamma, beta, eps, y, cache);
}

/// y = xhat * gamma + beta [N, H] from a forward's cache: that forward's output again (bit for bit),
/// for a backward that reads the output but kept only xhat.
template <class T>
void layer_norm_output(const LayerNormCache<T>& cache, const Tensor<T>& gamma, const Tensor<T>& beta, Tensor<T>& y) {
  const Eigen::Index n = cache.xhat.rows(), h = cache.xhat.cols();
  y.resize(n, h);
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::layer_norm_output_row_for(cpu::kernel_isa());
    FROST_OMP(parallel for schedule(static) if (n * h >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r)
      kernel(cache.xhat.data() + r * h, gamma.data(), beta.data(), y.data() + r * h, h);
  } else {
    FROST_OMP(parallel for schedule(static) if (n * h >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r)
      y.row(r).array() = cache.xhat.row(r).array() * gamma.row(0).array() + beta.row(0).array();
  }
}

template <class T>
void layer_norm_backward_input(const Tensor<T>& dy, const Tensor<T>& gamma, const LayerNormCache<T>& cache,
                               Tensor<T>& dx) {
  const Eigen::Index n = dy.rows(), h = dy.cols();
  dx.resize(n, h);
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::layer_norm_backward_row_for(cpu::kernel_isa());
    FROST_OMP(parallel for schedule(static) if(n * h >= kParallelMinWork))
    for (Eigen::Index r = 0; r < n; ++r)
      kernel(dy.data() + r * h, gamma.data(), cache.xhat.data() + r * h, cache.rstd(r, 0), dx.data() + r * h, h);
    return;
  }
  FROST_OMP(parallel for schedule(static) if(n * h >= kParallelMinWork))
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto g = dy.row(r).cwiseProduct(gamma.row(0));
    const auto xh = cache.xhat.row(r);
    const T mean_g = g.sum() / static_cast<T>(h);
    const T mean_gx = g.cwiseProduct(xh).sum() / static_cast<T>(h);
    dx.row(r) = cache.rstd(r, 0) * (g.array() - mean_g - xh.array() * mean_gx);
  }
}

template <class T>
void layer_norm_backward_gamma(const Tensor<T>& dy, const LayerNormCache<T>& cache, Tensor<T>& dgamma) {
  add_column_sums_product(dy, cache.xhat, dgamma);
}

template <class T>
void layer_norm_backward_beta(const Tensor<T>& dy, Tensor<T>& dbeta) {
  add_column_sums(dy, dbeta);
}

}  // namespace frost::ops
