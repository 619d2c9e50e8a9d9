// frost/ops/embedding.hpp: torch.nn.Embedding gather and its scatter-add gradient.
//
//   table [V, H], ids [N] -> out [N, H] (+)= table[ids]
//   backward_weight: dtable[ids[i]] += dout[i] for every i with ids[i] != padding_idx
//                    (padding_idx < 0: none; HF sets padding_idx = pad_token_id for words)
#pragma once

#include <string>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
void embedding_forward(const Tensor<T>& table, const int* ids, Eigen::Index n, Tensor<T>& out, bool accumulate,
                       const char* what) {
  if (!accumulate) out.resize(n, table.cols());
  for (Eigen::Index i = 0; i < n; ++i) {
    FROST_CHECK(ids[i] >= 0 && ids[i] < table.rows(), std::string(what) + ": id " + std::to_string(ids[i]) +
                                                          " at position " + std::to_string(i) + " is outside [0, " +
                                                          std::to_string(table.rows()) + ")");
    if (accumulate)
      out.row(i) += table.row(ids[i]);
    else
      out.row(i) = table.row(ids[i]);
  }
}

template <class T>
void embedding_backward_weight(const Tensor<T>& dout, const int* ids, Eigen::Index n, Tensor<T>& dtable,
                               int padding_idx) {
  // Serial on purpose: ids repeat, and a fixed order keeps the sum deterministic.
  for (Eigen::Index i = 0; i < n; ++i)
    if (ids[i] != padding_idx) dtable.row(ids[i]) += dout.row(i);
}

}  // namespace frost::ops
