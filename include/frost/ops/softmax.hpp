// frost/ops/softmax.hpp: the attention softmax, row by row, with HF's additive padding mask.
//
//   scores [S, S] in place -> P = softmax(scores / divisor + mask_add[b]) over each row (divisor = sqrt(d))
//   mask_add [B, S]: 0 for attended keys, numeric_limits<T>::lowest() for padding (HF finfo.min)
//   backward lives in attention_backward_input: dS = P * (dP - rowsum(dP * P)).
// Masked keys get exactly 0, as in PyTorch (whose exp underflows to 0 there); a fully masked row
// keeps its uniform distribution. float rows run through the ISA kernels (core/isa_dispatch.hpp).
#pragma once

#include <bit>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../core/isa_dispatch.hpp"
#include "../core/tensor.hpp"
#include "../core/vector_math.hpp"

namespace frost::ops {

namespace kernels {
/// Maps a float's bit pattern to an int whose order is the float's (for a vectorisable max).
FROST_ALWAYS_INLINE std::int32_t ordered_bits(float x) {
  const std::int32_t b = std::bit_cast<std::int32_t>(x);
  return b ^ ((b >> 31) & 0x7FFFFFFF);
}
FROST_ALWAYS_INLINE float from_ordered_bits(std::int32_t o) {
  return std::bit_cast<float>(o ^ ((o >> 31) & 0x7FFFFFFF));
}

/// One row of S scores: row = softmax(row / divisor + m); keys whose m has the bit pattern
/// `masked_bits` (lowest()) get 0 when `zero_masked` (the row has an attended key). The pattern is
/// an argument for the reason ExpRange is (vector_math.hpp): a literal makes GCC branch on it.
FROST_ALWAYS_INLINE void masked_softmax_row_body(float* __restrict row, const float* __restrict m, long s,
                                                 float divisor, bool zero_masked, std::uint32_t masked_bits,
                                                 vmath::ExpRange r) {
  std::int32_t mx = std::numeric_limits<std::int32_t>::min();
  FROST_OMP(simd reduction(max : mx))
  for (long j = 0; j < s; ++j) {
    row[j] = row[j] / divisor + m[j];  // torch: scores / sqrt(d) + mask
    const std::int32_t o = ordered_bits(row[j]);
    mx = o > mx ? o : mx;
  }
  const float mxf = from_ordered_bits(mx);
  float sum = 0.0f;
  if (zero_masked) {
    FROST_OMP(simd reduction(+ : sum))
    for (long j = 0; j < s; ++j) {
      const float e = vmath::exp(row[j] - mxf, r);
      // 0 for a masked key by clearing the bits (integer ops: no float select for GCC to branch on)
      const std::uint32_t keep = 0u - static_cast<std::uint32_t>(std::bit_cast<std::uint32_t>(m[j]) != masked_bits);
      row[j] = std::bit_cast<float>(std::bit_cast<std::uint32_t>(e) & keep);
      sum += row[j];
    }
  } else {
    FROST_OMP(simd reduction(+ : sum))
    for (long j = 0; j < s; ++j) {
      row[j] = vmath::exp(row[j] - mxf, r);
      sum += row[j];
    }
  }
  FROST_OMP(simd)
  for (long j = 0; j < s; ++j) row[j] /= sum;
}
FROST_ISA_VARIANTS(masked_softmax_row,
                   (float* row, const float* m, long s, float divisor, bool zero_masked, std::uint32_t masked_bits,
                    vmath::ExpRange r),
                   (row, m, s, divisor, zero_masked, masked_bits, r))
}  // namespace kernels

/// `scores`: a row-major [rows, S] Tensor or Map.
template <class Scores, class T>
void masked_softmax_rows(Scores& scores, T divisor, const Tensor<T>& mask_add, Eigen::Index b) {
  const Eigen::Index S = scores.cols();
  const T lowest = std::numeric_limits<T>::lowest();
  const auto m = mask_add.row(b);
  const Eigen::Index n_masked = (m.array() == lowest).count();
  const bool padded = n_masked > 0;
  if constexpr (std::is_same_v<T, float>) {
    // A fully masked row (every key padding) keeps its uniform distribution, as in PyTorch.
    const bool zero_masked = padded && n_masked < S;
    const auto kernel = kernels::masked_softmax_row_for(cpu::kernel_isa());
    for (Eigen::Index i = 0; i < scores.rows(); ++i)
      kernel(scores.data() + i * S, mask_add.data() + b * S, S, divisor, zero_masked,
             std::bit_cast<std::uint32_t>(lowest), vmath::kExpRange);
  } else {
    for (Eigen::Index i = 0; i < scores.rows(); ++i) {
      auto row = scores.row(i);
      row = row / divisor + m;  // torch: scores / sqrt(d) + mask
      const T mx = row.maxCoeff();
      row = (row.array() - mx).exp();
      // Eigen's non-AVX-512 exp clamps its argument, giving a denormal instead of 0 for masked
      // keys; PyTorch gives exactly 0.
      if (padded && mx > lowest / 2)
        for (Eigen::Index j = 0; j < S; ++j)
          if (m(j) == lowest) row(j) = T(0);
      row /= row.sum();
    }
  }
}

}  // namespace frost::ops
