// frost/core/parallel.hpp: the two ways frost's elementwise and reduction ops split work across
// OpenMP threads.
//
//   for_each_block(n, block, f)           : f(i0, len) over [0, n) in blocks of `block` elements
//   for_each_column_stripe(rows, cols, f) : f(c0, len) over the columns of a [rows, cols] tensor in
//                                           kColumnStripe-wide stripes (each thread owns whole
//                                           columns, so a column reduction needs no cross-thread sum
//                                           and its result does not depend on the thread count)
// Both stay on one thread below kParallelMinWork elements (detail/macros.hpp).
#pragma once

#include <algorithm>

#include "../detail/macros.hpp"

namespace frost {

inline constexpr long kColumnStripe = 64;

template <class Index, class F>
void for_each_block(Index n, Index block, F&& f) {
  const Index blocks = (n + block - 1) / block;
  FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
  for (Index b = 0; b < blocks; ++b) {
    const Index i0 = b * block;
    f(i0, std::min(block, n - i0));
  }
}

template <class Index, class F>
void for_each_column_stripe([[maybe_unused]] Index rows, Index cols, F&& f) {  // rows: only the OpenMP if-clause
  const Index stripe = static_cast<Index>(kColumnStripe);
  const Index stripes = (cols + stripe - 1) / stripe;
  FROST_OMP(parallel for schedule(static) if(rows * cols >= kParallelMinWork))
  for (Index s = 0; s < stripes; ++s) {
    const Index c0 = s * stripe;
    f(c0, std::min(stripe, cols - c0));
  }
}

}  // namespace frost
