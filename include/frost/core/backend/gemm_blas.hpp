// frost/core/backend/gemm_blas.hpp: GEMMs through a CBLAS (FROST_USE_BLAS; CMake: FROST_BLAS=ON).
//
// cblas_sgemm / cblas_dgemm with CblasRowMajor. Built against Debian's OpenBLAS *OpenMP* variant
// (libopenblas-openmp-dev), so BLAS threads and frost's OpenMP loops share one libgomp pool:
// no second pool spinning against the first on the same cores (the "thread fight" trap), and a
// GEMM called inside a parallel region runs on one thread.
#pragma once

#include <cblas.h>

#include <string>
#include <type_traits>

#include "../cpu.hpp"
#include "gemm_traits.hpp"

namespace frost::gemm {

struct BlasGemm {
  static constexpr const char* name = "blas";
  static bool available() { return true; }

  /// Which BLAS and kernel this process runs (OpenBLAS: e.g. "OpenBLAS 0.3.21 Cooperlake").
  static std::string description() {
#if defined(OPENBLAS_VERSION)
    std::string v = OPENBLAS_VERSION;
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    while (!v.empty() && v.back() == ' ') v.pop_back();
    return v + ", core " + openblas_get_corename() + ", " + std::to_string(openblas_get_num_threads()) + " threads";
#else
    return "CBLAS";
#endif
  }

  /// The SIMD level of the kernels OpenBLAS chose (from its core name; baseline when unknown).
  static cpu::Isa kernel_isa() {
#if defined(OPENBLAS_VERSION)
    return core_isa(openblas_get_corename());
#else
    return cpu::detected();  // another CBLAS: assume it uses the CPU fully
#endif
  }
  static cpu::Isa core_isa(std::string core) {
    for (char& c : core) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    for (const char* k : {"skylakex", "cooperlake", "sapphirerapids"})
      if (core.find(k) != std::string::npos) return cpu::Isa::avx512;
    for (const char* k : {"haswell", "zen"})
      if (core.find(k) != std::string::npos) return cpu::Isa::avx2;
    if (core.find("sandybridge") != std::string::npos) return cpu::Isa::avx;
    return cpu::Isa::baseline;
  }
  /// Empty when OpenBLAS's kernels use what the CPU offers; else one line saying what it runs,
  /// what the CPU supports and the fix. (Debian's OpenBLAS 0.3.21 takes some Xeons for a 2004
  /// "Prescott"; some machines set OPENBLAS_CORETYPE=Haswell on AVX-512 CPUs.)
  static std::string kernel_warning() {
    const cpu::Isa have = cpu::detected(), used = kernel_isa();
    if (static_cast<int>(used) >= static_cast<int>(have)) return {};
#if defined(OPENBLAS_VERSION)
    const std::string core = openblas_get_corename();
#else
    const std::string core = "?";
#endif
    return std::string("warning: OpenBLAS runs its ") + core + " (" + cpu::name(used) +
           ") kernels but this CPU supports " + cpu::name(have) +
           ": GEMMs run at a fraction of the CPU's speed. Fix: set OPENBLAS_CORETYPE=" +
           (have == cpu::Isa::avx512 ? "SkylakeX"
            : have == cpu::Isa::avx2 ? "Haswell"
                                     : "Sandybridge") +
           " (and unset it elsewhere), or build frost with -DFROST_DNNL=ON (oneDNN picks its kernels from the CPU)";
  }

  static void gemm(Trans ta, Trans tb, Index m, Index n, Index k, const float* A, Index lda, const float* B, Index ldb,
                   float beta, float* C, Index ldc) {
    cblas_sgemm(CblasRowMajor, op(ta), op(tb), blas_int(m), blas_int(n), blas_int(k), 1.0f, A, blas_int(lda), B,
                blas_int(ldb), beta, C, blas_int(ldc));
  }
  static void gemm(Trans ta, Trans tb, Index m, Index n, Index k, const double* A, Index lda, const double* B,
                   Index ldb, double beta, double* C, Index ldc) {
    cblas_dgemm(CblasRowMajor, op(ta), op(tb), blas_int(m), blas_int(n), blas_int(k), 1.0, A, blas_int(lda), B,
                blas_int(ldb), beta, C, blas_int(ldc));
  }

 private:
  static CBLAS_TRANSPOSE op(Trans t) { return t == Trans::yes ? CblasTrans : CblasNoTrans; }
#if defined(OPENBLAS_VERSION)
  using blas_int_t = blasint;
#else
  using blas_int_t = int;
#endif
  static blas_int_t blas_int(Index i) { return static_cast<blas_int_t>(i); }
};

template <class T>
struct gemm_traits<BlasGemm, T> {
  static constexpr bool native = std::is_same_v<T, float> || std::is_same_v<T, double>;
};

}  // namespace frost::gemm
