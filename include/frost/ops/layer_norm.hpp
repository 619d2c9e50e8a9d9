// frost/ops/layer_norm.hpp: torch.nn.LayerNorm over the last dimension (biased variance).
//
//   x [N, H]  gamma, beta [1, H]  y [N, H]
//   forward        : xhat = (x - mean) * rstd,  rstd = 1 / sqrt(var + eps),  y = xhat*gamma + beta
//                    caches xhat [N, H] and rstd [N, 1] when a backward half needs them
//   backward_input : dx = rstd * (g - mean(g) - xhat * mean(g * xhat)),  g = dy * gamma
//   backward_weight: dgamma += colsum(dy * xhat);  dbeta += colsum(dy)
#pragma once

#include <cmath>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
struct LayerNormCache {
  Tensor<T> xhat;  // [N, H]
  Tensor<T> rstd;  // [N, 1]
};

/// `cache` may be nullptr (inference mode: nothing is stored).
template <class T>
void layer_norm_forward(const Tensor<T>& x, const Tensor<T>& gamma, const Tensor<T>& beta, T eps,
                        Tensor<T>& y, LayerNormCache<T>* cache) {
  const Eigen::Index n = x.rows(), h = x.cols();
  y.resize(n, h);
  if (cache) {
    cache->xhat.resize(n, h);
    cache->rstd.resize(n, 1);
  }
  FROST_OMP(parallel for schedule(static) if(n * h >= kParallelMinWork))
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto row = x.row(r);
    const T mean = row.sum() / static_cast<T>(h);
    const T var = (row.array() - mean).square().sum() / static_cast<T>(h);
    const T rstd = T(1) / std::sqrt(var + eps);
    if (cache) {
      cache->xhat.row(r) = (row.array() - mean) * rstd;
      cache->rstd(r, 0) = rstd;
      y.row(r) = cache->xhat.row(r).cwiseProduct(gamma.row(0)) + beta.row(0);
    } else {
      y.row(r) = ((row.array() - mean) * rstd).matrix().cwiseProduct(gamma.row(0)) + beta.row(0);
    }
  }
}

template <class T>
void layer_norm_backward_input(const Tensor<T>& dy, const Tensor<T>& gamma,
                               const LayerNormCache<T>& cache, Tensor<T>& dx) {
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
void layer_norm_backward_gamma(const Tensor<T>& dy, const LayerNormCache<T>& cache,
                               Tensor<T>& dgamma) {
  dgamma.row(0) += dy.cwiseProduct(cache.xhat).colwise().sum();
}

template <class T>
void layer_norm_backward_beta(const Tensor<T>& dy, Tensor<T>& dbeta) {
  dbeta.row(0) += dy.colwise().sum();
}

}  // namespace frost::ops
