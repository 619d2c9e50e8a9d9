// frost/core/reduce.hpp: column sums over the token axis (bias and LayerNorm weight gradients).
//
//   add_column_sums        : dst[1, F] += sum_r a[r, :]              (db of a Linear, dbeta)
//   add_column_sums_product: dst[1, F] += sum_r a[r, :] * b[r, :]    (dgamma = colsum(dy * xhat))
// Threads split the F columns into 64-wide stripes and walk all rows of their stripe (contiguous
// runs of a row-major tensor), so no reduction across threads is needed and the result does not
// depend on the thread count.
#pragma once

#include <algorithm>

#include "../detail/macros.hpp"
#include "tensor.hpp"

namespace frost {

namespace detail {
template <class T, class Row>
void column_stripes(Tensor<T>& dst, Eigen::Index rows, Eigen::Index cols, Row&& row_segment) {
  constexpr Eigen::Index kStripe = 64;
  const Eigen::Index stripes = (cols + kStripe - 1) / kStripe;
  FROST_OMP(parallel for schedule(static) if(rows * cols >= kParallelMinWork))
  for (Eigen::Index s = 0; s < stripes; ++s) {
    const Eigen::Index c0 = s * kStripe, len = std::min(kStripe, cols - c0);
    Eigen::Array<T, 1, Eigen::Dynamic> acc = Eigen::Array<T, 1, Eigen::Dynamic>::Zero(len);
    for (Eigen::Index r = 0; r < rows; ++r) acc += row_segment(r, c0, len);
    dst.row(0).segment(c0, len).array() += acc;
  }
}
}  // namespace detail

template <class T>
void add_column_sums(const Tensor<T>& a, Tensor<T>& dst) {
  detail::column_stripes(dst, a.rows(), a.cols(), [&](Eigen::Index r, Eigen::Index c0, Eigen::Index len) {
    return a.row(r).segment(c0, len).array();
  });
}

template <class T>
void add_column_sums_product(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& dst) {
  detail::column_stripes(dst, a.rows(), a.cols(), [&](Eigen::Index r, Eigen::Index c0, Eigen::Index len) {
    return a.row(r).segment(c0, len).array() * b.row(r).segment(c0, len).array();
  });
}

}  // namespace frost
