// frost/ops/dropout.hpp: inverted dropout (torch.nn.Dropout in train mode).
//
//   x [N, F] in place; keep with probability 1 - p, scale kept values by 1 / (1 - p).
//   The mask (0 or 1/(1-p) per element) is kept for backward: dx = dy * mask.
//   p == 0 or eval mode: identity, no mask stored.
#pragma once

#include "../core/random.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
void dropout_forward(Tensor<T>& x, double p, RandomStream rng, Tensor<T>* mask) {
  const T scale = static_cast<T>(1.0 / (1.0 - p));
  const Eigen::Index n = numel(x);
  if (mask) mask->resize(x.rows(), x.cols());
  T* xs = x.data();
  T* ms = mask ? mask->data() : nullptr;
  FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
  for (Eigen::Index i = 0; i < n; ++i) {
    const T m = rng.uniform(static_cast<std::uint64_t>(i)) < p ? T(0) : scale;
    xs[i] *= m;
    if (ms) ms[i] = m;
  }
}

template <class T>
void dropout_backward_input(Tensor<T>& dy_inplace, const Tensor<T>& mask) {
  dy_inplace.array() *= mask.array();
}

}  // namespace frost::ops
