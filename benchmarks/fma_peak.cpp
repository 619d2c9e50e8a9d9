// benchmarks/fma_peak.cpp: the machine's FP32 FMA peak, the denominator of every "% of peak" in
// docs/performance.md. Each OpenMP thread runs independent chains of FMAs for about half a second;
// prints {"threads", "gflops", "vector_bits"} as JSON. The instruction set is chosen at run time
// (CPUID), not at build time, so a portable build measures the real peak: 512-bit FMAs in 16
// chains where AVX-512 is present (32 zmm registers), else 256-bit FMAs in 12 chains (16 ymm
// registers: 12 accumulators + 2 operands stay in registers; 16 chains would spill).
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdio>

namespace {

// 2 * 16 lanes * 16 chains * iters FLOPs.
__attribute__((target("avx512f"))) float run_avx512(long iters) {
  constexpr int kChains = 16;
  __m512 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(1.0f + 1e-3f * static_cast<float>(c));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);  // kept in registers
  }
  float s = 0;
  for (int c = 0; c < kChains; ++c) s += _mm512_cvtss_f32(acc[c]);
  return s;
}

// 2 * 8 lanes * 12 chains * iters FLOPs.
__attribute__((target("avx2,fma"))) float run_avx2(long iters) {
  constexpr int kChains = 12;
  __m256 acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = _mm256_set1_ps(1.0f + 1e-3f * static_cast<float>(c));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int c = 0; c < kChains; ++c) acc[c] = _mm256_fmadd_ps(acc[c], a, b);
  }
  float s = 0;
  for (int c = 0; c < kChains; ++c) s += _mm256_cvtss_f32(acc[c]);
  return s;
}

}  // namespace

int main() {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const double flops_per_iter = avx512 ? 2.0 * 16 * 16 : 2.0 * 8 * 12;
  const long iters = avx512 ? 20'000'000 : 30'000'000;
  double best = 0;
  int threads = 1;
  float sink = 0;
  for (int rep = 0; rep < 3; ++rep) {
    const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel reduction(+ : sink)
    {
#pragma omp single
      threads = omp_get_num_threads();
      sink += avx512 ? run_avx512(iters) : run_avx2(iters);
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double gflops = flops_per_iter * static_cast<double>(iters) * threads / s / 1e9;
    if (gflops > best) best = gflops;
  }
  std::printf("{\"threads\": %d, \"gflops\": %.1f, \"vector_bits\": %d, \"sink\": %g}\n", threads, best,
              avx512 ? 512 : 256, static_cast<double>(sink));
}
