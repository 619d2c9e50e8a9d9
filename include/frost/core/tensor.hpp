// frost/core/tensor.hpp: the runtime's only tensor type (core/maybe.hpp has the compile-time "maybe" storage).
//
// A Tensor<T> is a row-major dynamic Eigen matrix. Activations are [tokens, features]
// (tokens = batch * seq), Linear weights are [out, in] exactly as PyTorch stores them, biases and
// LayerNorm parameters are [1, features]. One type everywhere keeps the visitors trivial.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <type_traits>

#include "maybe.hpp"

namespace frost {

template <class T>
using Tensor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Number of scalars in a tensor as a 64-bit count.
template <class T>
inline std::int64_t numel(const Tensor<T>& t) {
  return static_cast<std::int64_t>(t.rows()) * t.cols();
}

}  // namespace frost
