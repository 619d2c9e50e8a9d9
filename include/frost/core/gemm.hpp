// frost/core/gemm.hpp: the GEMM entry points every op uses, and the only place FLOPs are counted.
//
// The three shapes BERT needs, on row-major tensors:
//   gemm_nt: C[m,n] (+)= A[m,k] * B[n,k]^T    (Linear forward: x W^T)
//   gemm_nn: C[m,n] (+)= A[m,k] * B[k,n]      (Linear backward-input: dy W)
//   gemm_tn: C[m,n] (+)= A[k,m]^T * B[k,n]    (Linear backward-weight: dy^T x)
// C must already have its shape. Each is a template of the backend (a tag from core/backend/),
// defaulting to gemm::DefaultBackend, which the build picks:
//   (default)        EigenGemm   Eigen 3 products
//   FROST_USE_BLAS   BlasGemm    CBLAS (OpenBLAS, OpenMP variant)        CMake: -DFROST_BLAS=ON
//   FROST_USE_DNNL   DnnlGemm    oneDNN dnnl_sgemm (run-time CPU dispatch) CMake: -DFROST_DNNL=ON
//   FROST_USE_CUDA   CudaGemm    cuBLAS offload                           CMake: -DFROST_CUDA=ON
// A scalar type the backend does not compute natively falls back to EigenGemm.
// (Attention's per-head 128x64 products call a backend directly, on one thread each inside the
// per-(batch, head) loop: ops/attention.hpp's HeadGemm, never the GPU.)
#pragma once

#include <string>

#include "../detail/macros.hpp"
#include "backend/gemm_eigen.hpp"
#include "bf16.hpp"
#include "flops.hpp"
#include "tensor.hpp"
#if defined(FROST_USE_BLAS)
#include "backend/gemm_blas.hpp"
#endif
#if defined(FROST_USE_DNNL)
#include "backend/gemm_dnnl.hpp"
#endif
#if defined(FROST_USE_CUDA)
#include "backend/gemm_cuda.hpp"
#endif

namespace frost {

namespace gemm {
#if (defined(FROST_USE_CUDA) + defined(FROST_USE_BLAS) + defined(FROST_USE_DNNL)) > 1
#error "frost: define at most one of FROST_USE_BLAS, FROST_USE_DNNL and FROST_USE_CUDA"
#elif defined(FROST_USE_CUDA)
using DefaultBackend = CudaGemm;
#elif defined(FROST_USE_BLAS)
using DefaultBackend = BlasGemm;
#elif defined(FROST_USE_DNNL)
using DefaultBackend = DnnlGemm;
#else
using DefaultBackend = EigenGemm;
#endif

/// "" when float GEMMs of the default backend honour MatmulPrecision::bf16 on this CPU, else why
/// they stay in float (core/bf16.hpp).
inline std::string bf16_unsupported_reason() {
#if defined(FROST_USE_DNNL)
  return DnnlGemm::bf16_unsupported_reason();
#else
  return std::string("the ") + DefaultBackend::name +
         " GEMM backend computes in float only (bf16 GEMMs need the oneDNN build: -DFROST_DNNL=ON)";
#endif
}

/// C = op(A) op(B) (+ C) on whole row-major tensors, via Backend (or EigenGemm for a scalar type
/// the backend does not compute).
template <class Backend, class T>
void run(Trans ta, Trans tb, const Tensor<T>& a, const Tensor<T>& b, Tensor<T>& c, bool accumulate) {
  const Index m = c.rows(), n = c.cols(), k = ta == Trans::yes ? a.rows() : a.cols();
  FROST_CHECK((ta == Trans::yes ? a.cols() : a.rows()) == m && (tb == Trans::yes ? b.rows() : b.cols()) == n &&
                  (tb == Trans::yes ? b.cols() : b.rows()) == k,
              "gemm: operand shapes do not match the product");
  if (m == 0 || n == 0) return;
  if (k == 0) {
    if (!accumulate) c.setZero();
    return;
  }
  using B = std::conditional_t<gemm_traits<Backend, T>::native, Backend, EigenGemm>;
  B::gemm(ta, tb, m, n, k, a.data(), a.cols(), b.data(), b.cols(), accumulate ? T(1) : T(0), c.data(), c.cols());
}
}  // namespace gemm

enum class Accumulate : bool { no = false, yes = true };

template <class Backend = gemm::DefaultBackend, class T>
inline void gemm_nt(Tensor<T>& c, const Tensor<T>& a, const Tensor<T>& b, FlopCounter& fc, Phase phase,
                    Accumulate acc = Accumulate::no) {
  fc.add(phase, gemm_flops(a.rows(), b.rows(), a.cols()));
  gemm::run<Backend>(gemm::Trans::no, gemm::Trans::yes, a, b, c, acc == Accumulate::yes);
}

template <class Backend = gemm::DefaultBackend, class T>
inline void gemm_nn(Tensor<T>& c, const Tensor<T>& a, const Tensor<T>& b, FlopCounter& fc, Phase phase,
                    Accumulate acc = Accumulate::no) {
  fc.add(phase, gemm_flops(a.rows(), b.cols(), a.cols()));
  gemm::run<Backend>(gemm::Trans::no, gemm::Trans::no, a, b, c, acc == Accumulate::yes);
}

template <class Backend = gemm::DefaultBackend, class T>
inline void gemm_tn(Tensor<T>& c, const Tensor<T>& a, const Tensor<T>& b, FlopCounter& fc, Phase phase,
                    Accumulate acc = Accumulate::no) {
  fc.add(phase, gemm_flops(a.cols(), b.cols(), a.rows()));
  gemm::run<Backend>(gemm::Trans::yes, gemm::Trans::no, a, b, c, acc == Accumulate::yes);
}

}  // namespace frost
