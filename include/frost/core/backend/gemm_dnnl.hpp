// frost/core/backend/gemm_dnnl.hpp: GEMMs through oneDNN (FROST_USE_DNNL; CMake: FROST_DNNL=ON).
//
// dnnl_sgemm is row-major (the same contract as frost's backends) and picks its kernels from CPUID
// at run time: AVX2 on an AVX2 machine, AVX-512 where the CPU has it, with no environment variable
// and no -march. Debian's libdnnl (2.6) is built with the OpenMP runtime (libgomp): its threads are
// frost's OpenMP threads, one pool, and a call made inside a parallel region (attention's per-head
// products) runs on the calling thread. float only: double (the gradient checks) goes to Eigen.
#pragma once

#include <oneapi/dnnl/dnnl.h>

#include <string>
#include <type_traits>

#include "../../error.hpp"
#include "gemm_traits.hpp"

namespace frost::gemm {

struct DnnlGemm {
  static constexpr const char* name = "dnnl";
  static bool available() { return true; }

  /// The library version and the instruction set its kernels use on this CPU, e.g.
  /// "oneDNN 2.6.3, ISA avx512_core".
  static std::string description() {
    const dnnl_version_t* v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
           ", ISA " + isa_name(dnnl_get_effective_cpu_isa());
  }

  static void gemm(Trans ta, Trans tb, Index m, Index n, Index k, const float* A, Index lda, const float* B, Index ldb,
                   float beta, float* C, Index ldc) {
    const dnnl_status_t s = dnnl_sgemm(op(ta), op(tb), m, n, k, 1.0f, A, lda, B, ldb, beta, C, ldc);
    if (s != dnnl_success)
      throw Error("oneDNN GEMM backend: dnnl_sgemm(" + std::to_string(m) + "x" + std::to_string(n) + "x" +
                  std::to_string(k) + ") failed with status " + std::to_string(static_cast<int>(s)));
  }

  static const char* isa_name(dnnl_cpu_isa_t isa) {
    switch (isa) {
      case dnnl_cpu_isa_sse41:
        return "sse41";
      case dnnl_cpu_isa_avx:
        return "avx";
      case dnnl_cpu_isa_avx2:
        return "avx2";
      case dnnl_cpu_isa_avx2_vnni:
        return "avx2_vnni";
      case dnnl_cpu_isa_avx512_core:
        return "avx512_core";
      case dnnl_cpu_isa_avx512_core_vnni:
        return "avx512_core_vnni";
      case dnnl_cpu_isa_avx512_core_bf16:
        return "avx512_core_bf16";
      case dnnl_cpu_isa_avx512_core_amx:
        return "avx512_core_amx";
      default:
        return "other";
    }
  }

 private:
  static char op(Trans t) { return t == Trans::yes ? 'T' : 'N'; }
};

template <class T>
struct gemm_traits<DnnlGemm, T> {
  static constexpr bool native = std::is_same_v<T, float>;
};

}  // namespace frost::gemm
