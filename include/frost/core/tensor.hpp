// frost/core/tensor.hpp: the runtime's only tensor type and the compile-time "maybe" storage.
//
// A Tensor<T> is a row-major dynamic Eigen matrix. Activations are [tokens, features]
// (tokens = batch * seq), Linear weights are [out, in] exactly as PyTorch stores them, biases and
// LayerNorm parameters are [1, features]. One type everywhere keeps the visitors trivial.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <type_traits>

namespace frost {

template <class T>
using Tensor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// An empty placeholder. `Tag` keeps two placeholders in one class distinct, so that
/// `[[no_unique_address]]` can fold all of them into zero bytes.
template <int Tag>
struct Absent {};

/// `Maybe<Cond, V, Tag>` is V when Cond holds and an empty type otherwise: storage that exists
/// only when the freeze plan says it is needed (gradient buffers, activation caches).
template <bool Cond, class V, int Tag = 0>
using Maybe = std::conditional_t<Cond, V, Absent<Tag>>;

/// Number of scalars in a tensor as a 64-bit count.
template <class T>
inline std::int64_t numel(const Tensor<T>& t) {
  return static_cast<std::int64_t>(t.rows()) * t.cols();
}

}  // namespace frost
