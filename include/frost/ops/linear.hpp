// frost/ops/linear.hpp: y = x W^T + b (torch.nn.Linear), backward split in halves.
//
//   forward        : y = b (broadcast), then y += x W^T (one GEMM with beta = 1)
//   x  [N, in]   W [out, in]   b [1, out]   y [N, out]
//   backward_input : dx [N, in]  (=|+=) dy W          needs W only
//   backward_weight: dW [out,in] +=     dy^T x        needs the input x (cache it only if W trains)
//   backward_bias  : db [1, out] +=     colsum(dy)    needs nothing
#pragma once

#include "../core/gemm.hpp"
#include "../core/reduce.hpp"

namespace frost::ops {

template <class T>
void linear_forward(const Tensor<T>& x, const Tensor<T>& w, const Tensor<T>& b, Tensor<T>& y, FlopCounter& fc) {
  y.resize(x.rows(), w.rows());
  // The bias goes in first and the GEMM accumulates onto it (torch.addmm's beta = 1): one write
  // pass instead of the GEMM's zeroing pass plus a read-modify-write bias pass.
  const Eigen::Index n = y.rows();
  FROST_OMP(parallel for schedule(static) if(numel(y) >= kParallelMinWork))
  for (Eigen::Index r = 0; r < n; ++r) y.row(r) = b.row(0);
  gemm_nt(y, x, w, fc, Phase::forward, Accumulate::yes);
}

/// y = x W^T without the bias: the caller adds it in its next elementwise pass (bias + GELU,
/// bias + residual + LayerNorm).
template <class T>
void linear_forward_nobias(const Tensor<T>& x, const Tensor<T>& w, Tensor<T>& y, FlopCounter& fc) {
  y.resize(x.rows(), w.rows());
  gemm_nt(y, x, w, fc, Phase::forward);
}

template <class T>
void linear_backward_input(const Tensor<T>& dy, const Tensor<T>& w, Tensor<T>& dx, FlopCounter& fc,
                           Accumulate acc = Accumulate::no) {
  if (acc == Accumulate::no) dx.resize(dy.rows(), w.cols());
  gemm_nn(dx, dy, w, fc, Phase::backward_input, acc);
}

template <class T>
void linear_backward_weight(const Tensor<T>& dy, const Tensor<T>& x, Tensor<T>& dw, FlopCounter& fc) {
  gemm_tn(dw, dy, x, fc, Phase::backward_weight, Accumulate::yes);
}

template <class T>
void linear_backward_bias(const Tensor<T>& dy, Tensor<T>& db) {
  add_column_sums(dy, db);
}

}  // namespace frost::ops
