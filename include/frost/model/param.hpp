// frost/model/param.hpp: a parameter slot whose gradient exists only when it trains (ParamId,
// where it sits, is in freeze/slots.hpp).
#pragma once

#include <type_traits>

#include "../core/tensor.hpp"
#include "../freeze/slots.hpp"

namespace frost {

/// `Param<T, false>` is just its value: the gradient member is an empty type folded away by
/// [[no_unique_address]], so `sizeof(Param<T, false>) == sizeof(Tensor<T>)`.
template <class T, bool Trainable>
struct Param {
  static constexpr bool trainable = Trainable;
  Tensor<T> value;
  [[no_unique_address]] Maybe<Trainable, Tensor<T>, 1> grad;

  void allocate(Eigen::Index rows, Eigen::Index cols) {
    value.setZero(rows, cols);
    if constexpr (Trainable) grad.setZero(rows, cols);
  }
  void zero_grad() {
    if constexpr (Trainable) grad.setZero();
  }
};

template <class P>
inline constexpr bool is_trainable_v = std::remove_cvref_t<P>::trainable;

}  // namespace frost
