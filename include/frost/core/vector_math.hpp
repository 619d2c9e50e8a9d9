// frost/core/vector_math.hpp: exp and erf for float written to vectorise inside frost's ISA
// kernels (isa_dispatch.hpp): straight-line arithmetic, bit casts and integer min/max, no calls and
// no float compares (with -ftrapping-math, GCC will not if-convert a float compare, so a clamp
// written as `x < lo ? lo : x` keeps a loop scalar).
//
//   exp(x, r): Cody-Waite reduction x = k ln2 + f, |f| <= ln2/2, 2^k built in the exponent bits,
//              e^f by a degree-7 polynomial (Cephes' coefficients); x is clamped to [-87.3, 88.3]
//              on its bit pattern first (below: a result near 1e-38 instead of 0; callers that need
//              an exact 0, the masked softmax, set it). Relative error < 2 ulp on the clamp range.
//   erf(x, r): erf(z) = z P(z^2) / Q(z^2), z = |x| capped at 4 (erf(4) rounds to 1 in float),
//              sign restored from x; P of degree 6 and Q of degree 5, fitted for this project by
//              weighted least squares on [0, 4] against mpmath's erf (tools/fit_erf.py): 3e-9 in
//              exact arithmetic, < 4e-7 evaluated in float (tests/test_isa_kernels.cpp measures every
//              level against std::erf in double), like Eigen's rational erf. Eleven FMAs and one
//              division, no exp.
//   Both pass NaN through (a NaN weight must reach the loss, where the numerical guard names it).
//   sqrt_inplace_{baseline,avx2,avx512}(x, n): x[i] = sqrt(x[i]), IEEE-exact (the hardware square
//              root), the only intrinsics in frost. Under the default -fmath-errno neither GCC nor
//              Clang vectorises std::sqrt (it may set errno for x < 0) and a header-only library
//              cannot change its consumer's flags, so a kernel that needs square roots (AdamW)
//              computes its radicands into a small buffer and hands it to the variant for its
//              level (sqrt_inplace_for(cpu::kernel_isa())): one call per few hundred elements.
//
// The clamp bounds travel in an ExpRange *argument* rather than as literals: with constant bounds
// GCC proves the clamped branch constant, splits the loop on it and then cannot vectorise it.
// Kernels take an ExpRange parameter and the op passes kExpRange.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>

#include <cmath>

#include "../detail/macros.hpp"
#include "cpu.hpp"

#if FROST_HAVE_ISA_TARGETS
#include <immintrin.h>
#endif

namespace frost::vmath {

struct ExpRange {
  std::uint32_t neg_limit_bits;  // bit pattern of -87.3f: larger unsigned patterns are more negative
  std::int32_t pos_limit_bits;   // bit pattern of +88.3f: larger signed patterns are larger
  std::uint32_t erf_limit_bits;  // bit pattern of 4.0f: erf(|x| >= 4) = 1 in float
};
inline constexpr ExpRange kExpRange{0xC2AE999Au, 0x42B0999A, 0x40800000u};

/// `result`, or x itself when x is NaN (bit blend: no float compare).
FROST_ALWAYS_INLINE float nan_passes(float x, float result) {
  const std::uint32_t xb = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t is_nan = 0u - static_cast<std::uint32_t>((xb & 0x7FFFFFFFu) > 0x7F800000u);
  return std::bit_cast<float>((xb & is_nan) | (std::bit_cast<std::uint32_t>(result) & ~is_nan));
}

FROST_ALWAYS_INLINE float exp(float x, ExpRange r) {
  const float x_in = x;
  // Clamp on the bit pattern: unsigned min caps negative values (sign bit set), signed min caps
  // positive ones; a NaN input is passed through at the end.
  const std::uint32_t u = std::min(std::bit_cast<std::uint32_t>(x), r.neg_limit_bits);
  x = std::bit_cast<float>(std::min(std::bit_cast<std::int32_t>(u), r.pos_limit_bits));
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const float kr = x * kLog2e + kRound;
  const std::int32_t k = std::bit_cast<std::int32_t>(kr) - std::bit_cast<std::int32_t>(kRound);
  const float kf = kr - kRound;
  float f = x - kf * 0.693359375f;  // ln2 split in two (the high part exact in float)
  f = f + kf * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * f + 1.3981999507e-3f;
  p = p * f + 8.3334519073e-3f;
  p = p * f + 4.1665795894e-2f;
  p = p * f + 1.6666665459e-1f;
  p = p * f + 5.0000001201e-1f;
  const float ef = p * f * f + f + 1.0f;
  return nan_passes(x_in, ef * std::bit_cast<float>((k + 127) << 23));
}

FROST_ALWAYS_INLINE float erf(float x, ExpRange r) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(x);
  const float z = std::bit_cast<float>(std::min(bits & 0x7FFFFFFFu, r.erf_limit_bits));  // |x| capped at 4
  const float t = z * z;
  float p = -1.3695023337589873e-08f;
  p = p * t + 4.787317652913542e-06f;
  p = p * t + 3.828986325566854e-04f;
  p = p * t + 3.837558269367448e-03f;
  p = p * t + 5.432957883171637e-02f;
  p = p * t + 1.8464218086244535e-01f;
  p = p * t + 1.1283791828581569f;
  float q = 6.407477198241626e-05f;
  q = q * t + 1.3094628385853584e-03f;
  q = q * t + 1.54502547384105e-02f;
  q = q * t + 1.138034654838209e-01f;
  q = q * t + 4.969684267026301e-01f;
  q = q * t + 1.0f;
  const float e = z * p / q;  // erf(|x|)
  return nan_passes(x, std::bit_cast<float>(std::bit_cast<std::uint32_t>(e) | (bits & 0x80000000u)));
}

inline void sqrt_inplace_scalar(float* x, long n) {
  for (long i = 0; i < n; ++i) x[i] = std::sqrt(x[i]);
}

#if FROST_HAVE_ISA_TARGETS
inline void sqrt_inplace_baseline(float* x, long n) {  // SSE2: part of every x86-64
  long i = 0;
  for (; i + 4 <= n; i += 4) _mm_storeu_ps(x + i, _mm_sqrt_ps(_mm_loadu_ps(x + i)));
  sqrt_inplace_scalar(x + i, n - i);
}
FROST_TARGET_AVX2 inline void sqrt_inplace_avx2(float* x, long n) {
  long i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_sqrt_ps(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}
FROST_TARGET_AVX512 inline void sqrt_inplace_avx512(float* x, long n) {
  long i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, _mm512_sqrt_ps(_mm512_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = std::sqrt(x[i]);
}
#else
inline void sqrt_inplace_baseline(float* x, long n) { sqrt_inplace_scalar(x, n); }
inline void sqrt_inplace_avx2(float* x, long n) { sqrt_inplace_scalar(x, n); }
inline void sqrt_inplace_avx512(float* x, long n) { sqrt_inplace_scalar(x, n); }
#endif
FROST_ISA_SELECT(sqrt_inplace)

}  // namespace frost::vmath
