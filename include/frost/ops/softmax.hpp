// frost/ops/softmax.hpp: the attention softmax, row by row, with HF's additive padding mask.
//
//   scores [S, S] in place -> P = softmax(scores / divisor + mask_add[b]) over each row (divisor = sqrt(d))
//   mask_add [B, S]: 0 for attended keys, numeric_limits<T>::lowest() for padding (HF finfo.min)
//   backward lives in attention_backward_input: dS = P * (dP - rowsum(dP * P)).
#pragma once

#include <limits>

#include "../core/tensor.hpp"

namespace frost::ops {

/// `scores`: a row-major [rows, S] Tensor or Map.
template <class Scores, class T>
void masked_softmax_rows(Scores& scores, T divisor, const Tensor<T>& mask_add, Eigen::Index b) {
  const Eigen::Index S = scores.cols();
  const T lowest = std::numeric_limits<T>::lowest();
  const auto m = mask_add.row(b);
  const bool padded = (m.array() == lowest).any();
  for (Eigen::Index i = 0; i < scores.rows(); ++i) {
    auto row = scores.row(i);
    row = row / divisor + m;  // torch: scores / sqrt(d) + mask
    const T mx = row.maxCoeff();
    row = (row.array() - mx).exp();
    // Eigen's non-AVX-512 exp clamps its argument, giving a denormal instead of 0 for masked
    // keys; PyTorch gives exactly 0. (A fully masked row keeps its uniform distribution.)
    if (padded && mx > lowest / 2)
      for (Eigen::Index j = 0; j < S; ++j)
        if (m(j) == lowest) row(j) = T(0);
    row /= row.sum();
  }
}

}  // namespace frost::ops
