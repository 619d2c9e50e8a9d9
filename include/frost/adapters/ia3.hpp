// frost/adapters/ia3.hpp: the IA3 vectors of one encoder layer, forward and backward
// (adapters/ia3_config.hpp says what they scale).
//
//   output-scaled target (query, key, value), z = x W^T + b the base output:
//     forward           : y = z * l                              [N, out]  (z kept for backward)
//     backward_output   : dl += sum_n dy * z                     [out, 1]
//                         dy := dy * l  (what the base backward reads)
//   input-scaled target (attention.output.dense, output.dense), x the base input:
//     scale_input       : xs = x * l                             [N, in]   (the GEMM's input)
//     backward_input    : dx holds d(xs) = dy W on entry
//                         dl += sum_n x * dx                     [1, in]
//                         dx := dx * l
// The base weight never gets a gradient. What IA3 keeps: z per output-scaled target ([N, out]);
// an input-scaled target reads the input the layer keeps anyway (ctx, or g recomputed from i).
#pragma once

#include <algorithm>
#include <array>

#include "../config.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "../model/param.hpp"
#include "../model/shapes.hpp"
#include "ia3_config.hpp"

namespace frost {

namespace detail {
/// y[n, c] *= v[c] for a row vector v (OpenMP over rows).
template <class T>
void scale_columns(Tensor<T>& y, const T* v) {
  const Eigen::Index rows = y.rows(), cols = y.cols();
  FROST_OMP(parallel for schedule(static) if(rows * cols >= kParallelMinWork))
  for (Eigen::Index r = 0; r < rows; ++r) {
    T* row = y.data() + r * cols;
    for (Eigen::Index c = 0; c < cols; ++c) row[c] *= v[c];
  }
}
/// out[c] += sum_n a[n, c] b[n, c] (OpenMP over blocks of columns: each sum in row order, so the
/// result does not depend on the thread count).
template <class T>
void add_column_dots(const Tensor<T>& a, const Tensor<T>& b, T* out) {
  const Eigen::Index rows = a.rows(), cols = a.cols(), block = 64;
  FROST_OMP(parallel for schedule(static) if(rows * cols >= kParallelMinWork))
  for (Eigen::Index c0 = 0; c0 < cols; c0 += block) {
    const Eigen::Index c1 = std::min(cols, c0 + block);
    T acc[64] = {};
    for (Eigen::Index r = 0; r < rows; ++r) {
      const T* pa = a.data() + r * cols;
      const T* pb = b.data() + r * cols;
      for (Eigen::Index c = c0; c < c1; ++c) acc[c - c0] += pa[c] * pb[c];
    }
    for (Eigen::Index c = c0; c < c1; ++c) out[c] += acc[c - c0];
  }
}
}  // namespace detail

template <class T>
class Ia3Layer {
 public:
  /// Sets the targets and allocates l (ones) for each: [out, 1] or, input-scaled, [1, in].
  void configure(const Ia3Config& c, const BertConfig& cfg) {
    targets_ = c.targets;
    feedforward_ = c.feedforward;
    for (int t = 0; t < kLoraTargets; ++t) {
      if (!has(t)) continue;
      Param<T, true>& l = vectors_[static_cast<std::size_t>(t)];
      if (feedforward_ & (1u << t))
        l.allocate(1, dim_size(cfg, kLoraTargetTable[t].in));
      else
        l.allocate(dim_size(cfg, kLoraTargetTable[t].out), 1);
      l.value.setOnes();
    }
  }

  [[nodiscard]] bool has(int t) const { return (targets_ & (1u << t)) != 0; }
  [[nodiscard]] bool has(LoraTarget t) const { return has(static_cast<int>(t)); }
  [[nodiscard]] bool scales_input(LoraTarget t) const { return (feedforward_ & lora_bit(t)) != 0; }
  [[nodiscard]] bool any_of(std::uint32_t bits) const { return (targets_ & bits) != 0; }
  [[nodiscard]] std::uint32_t targets() const { return targets_; }
  [[nodiscard]] std::uint32_t feedforward() const { return feedforward_; }
  Param<T, true>& vector(LoraTarget t) { return vectors_[static_cast<std::size_t>(t)]; }

  /// f(target, l) over the present targets, in layer order.
  template <class F>
  void for_each_vector(F&& f) {
    for (int t = 0; t < kLoraTargets; ++t)
      if (has(t)) f(t, vectors_[static_cast<std::size_t>(t)]);
  }

  /// y [N, out] := y * l for an output-scaled target t (nothing otherwise); keeps y's old value
  /// when `record`.
  void scale_output(LoraTarget t, Tensor<T>& y, bool record) {
    if (!has(t) || scales_input(t)) return;
    if (record) z_[static_cast<std::size_t>(t)] = y;
    detail::scale_columns(y, vector(t).value.data());
  }

  /// The GEMM input of target t: x * l in `scratch` for an input-scaled target, else x.
  const Tensor<T>& scale_input(LoraTarget t, const Tensor<T>& x, Tensor<T>& scratch) {
    if (!has(t) || !scales_input(t)) return x;
    scratch = x;
    detail::scale_columns(scratch, vector(t).value.data());
    return scratch;
  }

  /// Output-scaled target t: dl += column sums of dy * z; dy := dy * l.
  void backward_output(LoraTarget t, Tensor<T>& dy) {
    if (!has(t) || scales_input(t)) return;
    Param<T, true>& l = vector(t);
    detail::add_column_dots(dy, z_[static_cast<std::size_t>(t)], l.grad.data());
    detail::scale_columns(dy, l.value.data());
  }

  /// Input-scaled target t, dx = d(x * l) on entry: dl += column sums of x * dx; dx := dx * l.
  void backward_input(LoraTarget t, Tensor<T>& dx, const Tensor<T>& x) {
    if (!has(t) || !scales_input(t)) return;
    Param<T, true>& l = vector(t);
    detail::add_column_dots(dx, x, l.grad.data());
    detail::scale_columns(dx, l.value.data());
  }

  /// Releases what the last recorded forward kept.
  void clear_saved() {
    for (auto& z : z_) z = Tensor<T>{};
  }

 private:
  std::uint32_t targets_ = 0, feedforward_ = 0;
  std::array<Param<T, true>, kLoraTargets> vectors_;
  std::array<Tensor<T>, kLoraTargets> z_;  ///< base outputs of output-scaled targets (recorded forward)
};

}  // namespace frost
