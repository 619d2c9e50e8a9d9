// frost/model/param.hpp: a parameter slot whose gradient exists only when it trains (ParamId,
// where it sits, is in freeze/slots.hpp).
#pragma once

#include <algorithm>
#include <type_traits>

#include "../core/pages.hpp"
#include "../core/parallel.hpp"
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
  /// Zeroes the gradient. A large one gives its pages back to the kernel instead (they read as
  /// zero and cost no memory until backward populates them: core/pages.hpp); a small one, or
  /// where pages are not released, is filled, split across threads.
  void zero_grad() {
    if constexpr (Trainable) {
      T* d = grad.data();
      if (pages::release_zeroed(d, static_cast<std::size_t>(grad.size()) * sizeof(T))) return;
      for_each_block(grad.size(), Eigen::Index{1} << 16,
                     [d](Eigen::Index i0, Eigen::Index len) { std::fill(d + i0, d + i0 + len, T(0)); });
    }
  }
};

template <class P>
inline constexpr bool is_trainable_v = std::remove_cvref_t<P>::trainable;

}  // namespace frost
