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

#include "../core/reduce.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
struct LayerNormCache {
  Tensor<T> xhat;  // [N, H]
  Tensor<T> rstd;  // [N, 1]
};

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

template <class T>
void layer_norm_backward_input(const Tensor<T>& dy, const Tensor<T>& gamma, const LayerNormCache<T>& cache,
                               Tensor<T>& dx) {
  const Eigen::Index n = dy.rows(), h = dy.cols();
  dx.resize(n, h);
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
