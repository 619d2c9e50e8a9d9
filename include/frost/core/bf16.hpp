// frost/core/bf16.hpp: bfloat16 storage for GEMM inputs, and the process-wide matmul precision.
//
// bf16 mixed precision (HF Trainer's --bf16, torch.autocast("cpu", torch.bfloat16)) keeps every
// parameter, gradient, optimizer moment and activation in float; only the *inputs* of the GEMMs
// are rounded to bfloat16 (8 significant bits), and each product accumulates in float:
//
//   C[m,n] (+)= sum_k bf16(A[m,k]) * bf16(B[k,n])       accumulated and stored in float
//
// so that the machine's bf16 dot-product instructions (AVX512_BF16's vdpbf16ps, AMX) run the
// GEMMs at twice the float rate. Per product the rounding adds at most 2u + u^2 (u = 2^-8, bf16's
// unit roundoff) relative to sum |A||B|: |C_bf16 - C_exact| <= (2u + u^2 + k eps_f32) (|A||B|)[m,n]
// (tests/test_bf16.cpp checks exactly that, and that the result equals a double-precision product
// of the rounded inputs to float accumulation error).
//
// Unlike torch.autocast, a GEMM's *output* stays float (autocast returns bf16 tensors, so each
// later elementwise op also sees bf16-rounded inputs): frost's bf16 is strictly closer to fp32.
//
// The precision is a process-wide setting, like torch.set_float32_matmul_precision: it is read by
// the GEMM backend on every call, including attention's per-head products on worker threads.
//
//   set_matmul_precision(MatmulPrecision::bf16)  bf16 inputs where the backend and CPU support them
//   ScopedMatmulPrecision guard(p)               the same for a scope (the Trainer uses this)
//   gemm::bf16_unsupported_reason()              "" when bf16 GEMMs run here, else why not (the
//                                                backend is not oneDNN; the CPU has neither
//                                                AVX512_BF16 nor AMX): then GEMMs stay in float
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>

#include "../detail/macros.hpp"
#include "isa_dispatch.hpp"

namespace frost {

/// bfloat16 bits: the upper half of a float, rounded to nearest even.
using bf16_bits = std::uint16_t;

/// The float rounded to the nearest bfloat16 (ties to even), as torch's c10::BFloat16 rounds; a NaN
/// stays a (quiet) NaN, infinities stay infinite, a float above bf16's largest finite value
/// becomes infinity.
FROST_ALWAYS_INLINE bf16_bits to_bf16(float x) {
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t rounded = (u + 0x7fffU + ((u >> 16) & 1U)) >> 16;
  const bool nan = (u & 0x7fffffffU) > 0x7f800000U;
  return static_cast<bf16_bits>(nan ? ((u >> 16) | 0x40U) : rounded);
}

/// The float a bfloat16 stands for (exact).
FROST_ALWAYS_INLINE float from_bf16(bf16_bits b) { return std::bit_cast<float>(static_cast<std::uint32_t>(b) << 16); }

namespace kernels {
/// y[j] = to_bf16(x[j]); j < n (branch-free, vectorised at each ISA level).
FROST_ALWAYS_INLINE void to_bf16_row_body(const float* __restrict x, bf16_bits* __restrict y, long n) {
  FROST_OMP(simd)
  for (long j = 0; j < n; ++j) y[j] = to_bf16(x[j]);
}
FROST_ISA_VARIANTS(to_bf16_row, (const float* x, bf16_bits* y, long n), (x, y, n))
}  // namespace kernels

/// Packs the [rows, cols] float matrix at src (leading dimension ld >= cols) into dst as a dense
/// [rows, cols] bf16 matrix (leading dimension cols). Threads split the rows above
/// kParallelMinWork elements (a call inside a parallel region stays on its thread).
inline void to_bf16_matrix(const float* src, long rows, long cols, long ld, bf16_bits* dst) {
  const auto row = kernels::to_bf16_row_for(cpu::kernel_isa());
  FROST_OMP(parallel for schedule(static) if(rows * cols >= kParallelMinWork))
  for (long r = 0; r < rows; ++r) row(src + r * ld, dst + r * cols, cols);
}

/// Which precision float GEMMs use (see the top of this file).
enum class MatmulPrecision : int { fp32 = 0, bf16 = 1 };

namespace detail {
inline std::atomic<MatmulPrecision>& matmul_precision_setting() {
  static std::atomic<MatmulPrecision> p{MatmulPrecision::fp32};
  return p;
}
}  // namespace detail

/// The precision float GEMMs use now (requested: the backend still computes in float where it
/// cannot do bf16; see gemm::bf16_unsupported_reason()).
inline MatmulPrecision matmul_precision() { return detail::matmul_precision_setting().load(std::memory_order_relaxed); }
inline void set_matmul_precision(MatmulPrecision p) {
  detail::matmul_precision_setting().store(p, std::memory_order_relaxed);
}

/// Sets the matmul precision for a scope and restores the previous one after.
class ScopedMatmulPrecision {
 public:
  explicit ScopedMatmulPrecision(MatmulPrecision p) : previous_(matmul_precision()) { set_matmul_precision(p); }
  ~ScopedMatmulPrecision() { set_matmul_precision(previous_); }
  ScopedMatmulPrecision(const ScopedMatmulPrecision&) = delete;
  ScopedMatmulPrecision& operator=(const ScopedMatmulPrecision&) = delete;

 private:
  MatmulPrecision previous_;
};

inline const char* name(MatmulPrecision p) { return p == MatmulPrecision::bf16 ? "bf16" : "fp32"; }

}  // namespace frost
