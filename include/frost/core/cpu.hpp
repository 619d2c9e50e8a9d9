// frost/core/cpu.hpp: what the CPU this process runs on can execute, asked at run time (CPUID via
// the compiler's __builtin_cpu_supports), never assumed from the build: the binary is portable and
// the machines it meets change (AVX2-only, AVX-512, AVX-512 with BF16).
#pragma once

namespace frost::cpu {

/// The x86 SIMD levels that matter for float GEMM kernels, in order.
enum class Isa : int { baseline = 0, avx = 1, avx2 = 2, avx512 = 3 };

inline const char* name(Isa isa) {
  switch (isa) {
    case Isa::avx:
      return "AVX";
    case Isa::avx2:
      return "AVX2+FMA";
    case Isa::avx512:
      return "AVX-512";
    default:
      return "SSE";
  }
}

/// The widest level this CPU (and OS) supports.
inline Isa detected() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
    return Isa::avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return Isa::avx2;
  if (__builtin_cpu_supports("avx")) return Isa::avx;
#endif
  return Isa::baseline;
}

}  // namespace frost::cpu
