// benchmarks/fma_peak.cpp: the machine's FP32 FMA peak, the denominator of every "% of peak" in
// docs/performance.md. Each OpenMP thread runs 16 independent chains of 512-bit FMAs (256-bit when
// AVX-512 is absent) for about half a second; prints {"threads", "gflops", "vector_bits"} as JSON.
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>

namespace {

#if defined(__AVX512F__)
using V = __m512;
constexpr int kLanes = 16;
inline V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
inline V splat(float x) { return _mm512_set1_ps(x); }
inline float first(V v) { return _mm512_cvtss_f32(v); }
#else
using V = __m256;
constexpr int kLanes = 8;
inline V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
inline V splat(float x) { return _mm256_set1_ps(x); }
inline float first(V v) { return _mm256_cvtss_f32(v); }
#endif

constexpr int kChains = 16;

// 2 * kLanes * kChains * iters FLOPs.
float run(long iters) {
  V acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = splat(1.0f + 1e-3f * static_cast<float>(c));
  const V a = splat(0.999999f), b = splat(1e-7f);
  for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = fma(acc[c], a, b);  // kept in registers
  }
  float s = 0;
  for (int c = 0; c < kChains; ++c) s += first(acc[c]);
  return s;
}

}  // namespace

int main() {
  const long iters = 20'000'000;
  double best = 0;
  int threads = 1;
  float sink = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel reduction(+ : sink)
    {
#pragma omp single
      threads = omp_get_num_threads();
      sink += run(iters);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double gflops = 2.0 * kLanes * kChains * static_cast<double>(iters) * threads / s / 1e9;
    if (gflops > best) best = gflops;
  }
  std::printf("{\"threads\": %d, \"gflops\": %.1f, \"vector_bits\": %d, \"sink\": %g}\n", threads, best, kLanes * 32,
              static_cast<double>(sink));
}
