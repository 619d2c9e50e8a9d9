// frost/core/gemm.hpp: the GEMM entry points every op uses, and the only place FLOPs are counted.
//
// Backend: Eigen (noalias products on row-major maps). The three shapes BERT needs:
//   gemm_nt: C[m,n] (+)= A[m,k] * B[n,k]^T    (Linear forward: x W^T; attention QK^T)
//   gemm_nn: C[m,n] (+)= A[m,k] * B[k,n]      (Linear backward-input: dy W; attention PV)
//   gemm_tn: C[m,n] (+)= A[k,m]^T * B[k,n]    (Linear backward-weight: dy^T x)
#pragma once

#include "flops.hpp"
#include "tensor.hpp"

namespace frost {

enum class Accumulate : bool { no = false, yes = true };

template <class Dst, class A, class B>
inline void gemm_nt(Dst&& c, const A& a, const B& b, FlopCounter& fc, Phase phase,
                    Accumulate acc = Accumulate::no) {
  fc.add(phase, gemm_flops(a.rows(), b.rows(), a.cols()));
  if (acc == Accumulate::yes) c.noalias() += a * b.transpose();
  else c.noalias() = a * b.transpose();
}

template <class Dst, class A, class B>
inline void gemm_nn(Dst&& c, const A& a, const B& b, FlopCounter& fc, Phase phase,
                    Accumulate acc = Accumulate::no) {
  fc.add(phase, gemm_flops(a.rows(), b.cols(), a.cols()));
  if (acc == Accumulate::yes) c.noalias() += a * b;
  else c.noalias() = a * b;
}

template <class Dst, class A, class B>
inline void gemm_tn(Dst&& c, const A& a, const B& b, FlopCounter& fc, Phase phase,
                    Accumulate acc = Accumulate::no) {
  fc.add(phase, gemm_flops(a.cols(), b.cols(), a.rows()));
  if (acc == Accumulate::yes) c.noalias() += a.transpose() * b;
  else c.noalias() = a.transpose() * b;
}

}  // namespace frost
