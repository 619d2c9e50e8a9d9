// frost/core/reduce.hpp: column sums over the token axis (bias and LayerNorm weight gradients).
//
//   add_column_sums        : dst[1, F] += sum_r a[r, :]              (db of a Linear, dbeta)
//   add_column_sums_product: dst[1, F] += sum_r a[r, :] * b[r, :]    (dgamma = colsum(dy * xhat))
// Threads split the F columns into 64-wide stripes (core/parallel.hpp's for_each_column_stripe)
// and walk all rows of their stripe (contiguous runs of a row-major tensor), so no reduction
// across threads is needed and the result does not depend on the thread count.
#pragma once

#include <algorithm>
#include <type_traits>

#include "../detail/macros.hpp"
#include "isa_dispatch.hpp"
#include "parallel.hpp"
#include "tensor.hpp"

namespace frost {

namespace kernels {
/// dst[j] += sum_r a[r, j] (* b[r, j] when b is not null), j < len <= 64, rows of stride ld.
FROST_ALWAYS_INLINE void column_sums_stripe_body(const float* __restrict a, const float* __restrict b, long ld,
                                                 long rows, long len, float* __restrict dst) {
  float acc[64] = {};
  if (b) {
    for (long r = 0; r < rows; ++r) {
      FROST_OMP(simd)
      for (long j = 0; j < len; ++j) acc[j] += a[r * ld + j] * b[r * ld + j];
    }
  } else {
    for (long r = 0; r < rows; ++r) {
      FROST_OMP(simd)
      for (long j = 0; j < len; ++j) acc[j] += a[r * ld + j];
    }
  }
  for (long j = 0; j < len; ++j) dst[j] += acc[j];
}
FROST_ISA_VARIANTS(column_sums_stripe, (const float* a, const float* b, long ld, long rows, long len, float* dst),
                   (a, b, ld, rows, len, dst))
}  // namespace kernels

namespace detail {
/// Float: each stripe runs through the ISA kernel.
inline void column_sums_float(const Tensor<float>& a, const Tensor<float>* b, Tensor<float>& dst) {
  const Eigen::Index cols = a.cols();
  const auto kernel = kernels::column_sums_stripe_for(cpu::kernel_isa());
  for_each_column_stripe(a.rows(), cols, [&](Eigen::Index c0, Eigen::Index len) {
    kernel(a.data() + c0, b ? b->data() + c0 : nullptr, cols, a.rows(), len, dst.data() + c0);
  });
}

/// Other scalars (double for gradient checks): Eigen arrays over row segments.
template <class T, class Row>
void column_sums_eigen(Tensor<T>& dst, Eigen::Index rows, Eigen::Index cols, Row&& row_segment) {
  for_each_column_stripe(rows, cols, [&](Eigen::Index c0, Eigen::Index len) {
    Eigen::Array<T, 1, Eigen::Dynamic> acc = Eigen::Array<T, 1, Eigen::Dynamic>::Zero(len);
    for (Eigen::Index r = 0; r < rows; ++r) acc += row_segment(r, c0, len);
    dst.row(0).segment(c0, len).array() += acc;
  });
}
}  // namespace detail

template <class T>
void add_column_sums(const Tensor<T>& a, Tensor<T>& dst) {
  if constexpr (std::is_same_v<T, float>) return detail::column_sums_float(a, nullptr, dst);
  detail::column_sums_eigen(dst, a.rows(), a.cols(), [&](Eigen::Index r, Eigen::Index c0, Eigen::Index len) {
    return a.row(r).segment(c0, len).array();
  });
}

template <class T>
void add_column_sums_product(const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& dst) {
  if constexpr (std::is_same_v<T, float>) return detail::column_sums_float(a, &b, dst);
  detail::column_sums_eigen(dst, a.rows(), a.cols(), [&](Eigen::Index r, Eigen::Index c0, Eigen::Index len) {
    return a.row(r).segment(c0, len).array() * b.row(r).segment(c0, len).array();
  });
}

}  // namespace frost
