// frost/ops/dropout.hpp: inverted dropout (torch.nn.Dropout in train mode).
//
//   x [N, F] in place; keep with probability 1 - p, scale kept values by 1 / (1 - p).
//   The kept positions are recorded for backward as one byte per element (1 = kept; a float mask
//   would take four): dx = kept ? dy / (1 - p) : 0.
//   p == 0 or eval mode: identity, no mask stored.
#pragma once

#include <cstdint>

#include "../core/random.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

/// Kept positions of one dropout application, 1 byte per element.
using DropoutMask = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class T>
T dropout_scale(double p) {
  return static_cast<T>(1.0 / (1.0 - p));
}

/// Whether element i of the stream's tensor is kept (probability 1 - p); attention's dropout on
/// the probabilities uses the same rule.
inline bool dropout_keeps(const RandomStream& rng, std::uint64_t i, double p) { return !(rng.uniform(i) < p); }

template <class T>
void dropout_forward(Tensor<T>& x, double p, RandomStream rng, DropoutMask* mask) {
  const T scale = dropout_scale<T>(p);
  const Eigen::Index n = numel(x);
  if (mask) mask->resize(x.rows(), x.cols());
  T* xs = x.data();
  std::uint8_t* ms = mask ? mask->data() : nullptr;
  FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool keep = dropout_keeps(rng, static_cast<std::uint64_t>(i), p);
    xs[i] *= keep ? scale : T(0);
    if (ms) ms[i] = keep ? 1 : 0;
  }
}

template <class T>
void dropout_backward_input(Tensor<T>& dy_inplace, const DropoutMask& mask, double p) {
  const T scale = dropout_scale<T>(p);
  const Eigen::Index n = numel(dy_inplace);
  T* d = dy_inplace.data();
  const std::uint8_t* ms = mask.data();
  FROST_OMP(parallel for simd schedule(static) if(n >= kParallelMinWork))
  for (Eigen::Index i = 0; i < n; ++i) d[i] *= ms[i] ? scale : T(0);
}

}  // namespace frost::ops
