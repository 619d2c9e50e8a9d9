// frost/core/backend/gemm_traits.hpp: the GEMM backend contract, and the compile-time choice of
// the default backend.
//
// A backend is a tag type with one static member template
//
//   template <class T> static void gemm(Trans ta, Trans tb, Index m, Index n, Index k,
//                                       const T* A, Index lda, const T* B, Index ldb,
//                                       T beta, T* C, Index ldc);
//
// computing C[m,n] = op(A) op(B) + beta * C on ROW-MAJOR buffers (cblas_?gemm(CblasRowMajor, ...)
// semantics; beta is 0 or 1 in frost), plus `name`, `available()` and `description()` (library,
// version and the kernels it runs here). Backends live one per file,
// substituted like Eigen's *_BLAS.h:
//
//   gemm_eigen.hpp  EigenGemm  always there; Eigen 3 products on strided maps
//   gemm_blas.hpp   BlasGemm   FROST_USE_BLAS: cblas_sgemm/dgemm (OpenBLAS, OpenMP build)
//   gemm_dnnl.hpp   DnnlGemm   FROST_USE_DNNL: dnnl_sgemm (oneDNN; kernels chosen from CPUID at run time)
//   gemm_cuda.hpp   CudaGemm   FROST_USE_CUDA: cuBLAS offload (copies in, gemm, copy out)
//
// gemm_traits<Backend, T>::native says whether the backend computes T itself; other scalar types
// (e.g. long double in a test) fall back to EigenGemm. The default backend of every op is
// frost::gemm::DefaultBackend; CMake's FROST_BLAS / FROST_DNNL / FROST_CUDA options define the macros on the
// frost target. Every translation unit of a program must see the same choice (like
// EIGEN_USE_BLAS), which the CMake target guarantees.
#pragma once

#include <Eigen/Core>

namespace frost::gemm {

using Index = Eigen::Index;
enum class Trans : bool { no = false, yes = true };

struct EigenGemm;
struct BlasGemm;
struct DnnlGemm;
struct CudaGemm;

/// Compile-time properties of a backend, kept apart from the backend classes (Eigen's
/// internal::traits style). Specialised in each backend's header.
template <class Backend, class T>
struct gemm_traits {
  static constexpr bool native = false;  ///< computes T itself (else: EigenGemm fallback)
};

}  // namespace frost::gemm
