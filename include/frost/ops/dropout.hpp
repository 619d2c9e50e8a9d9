// frost/ops/dropout.hpp: inverted dropout (torch.nn.Dropout in train mode).
//
//   x [N, F] in place; keep with probability 1 - p, scale kept values by 1 / (1 - p).
//   dx = kept ? dy / (1 - p) : 0. Backward learns the kept positions one of two ways:
//     * redrawn from the stream (the encoder layers' and attention's dropouts): whether element i
//       is kept is a pure function of (stream, i), so backward recomputes it and nothing but the
//       16-byte stream is kept (one byte per element less: 3 MiB per bert-base layer and step);
//     * a recorded mask, one byte per element (1 = kept), where a caller wants one (LoRA's input
//       dropout, the embeddings', the pooler's: small tensors).
//   p == 0 or eval mode: identity, nothing stored.
// Element i is kept when its 24 random bits (core/random.hpp) are >= ceil(p * 2^24), i.e. when
// u = bits / 2^24 is not below p. float runs through the ISA kernels (core/isa_dispatch.hpp).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "../core/isa_dispatch.hpp"
#include "../core/parallel.hpp"
#include "../core/random.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

/// Kept positions of one dropout application, 1 byte per element.
using DropoutMask = Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class T>
T dropout_scale(double p) {
  return static_cast<T>(1.0 / (1.0 - p));
}

/// Elements whose 24 random bits are below this are dropped (probability p, to 2^-24).
inline std::uint32_t dropout_threshold(double p) { return static_cast<std::uint32_t>(std::ceil(p * 16777216.0)); }

/// Whether element i of the stream's tensor is kept (probability 1 - p); attention's dropout on
/// the probabilities uses the same rule.
inline bool dropout_keeps(const RandomStream& rng, std::uint32_t i, std::uint32_t threshold) {
  return rng.bits24(i) >= threshold;
}

/// Elements per kernel call (and per thread's turn): 16 Ki floats, a 64 KiB block.
inline constexpr Eigen::Index kDropoutBlock = Eigen::Index{1} << 14;

namespace kernels {
/// y[i] = keep(i0 + i) ? x[i] * scale : 0, kept[i] = keep (kept may be null); y may equal x.
FROST_ALWAYS_INLINE void dropout_body(const float* x, float* y, std::uint8_t* kept, long n, std::uint32_t i0,
                                      std::uint32_t k0, std::uint32_t k1, std::uint32_t threshold, float scale) {
  if (kept) {
    FROST_OMP(simd)
    for (long i = 0; i < n; ++i) {
      // keep as 0/1 arithmetic, not a select (with -ftrapping-math a select of float products
      // makes GCC branch instead of vectorise), and signed (int -> float converts in a vector
      // instruction before AVX-512, unsigned does not).
      const std::int32_t keep = random_bits24(k0, k1, i0 + static_cast<std::uint32_t>(i)) >= threshold;
      y[i] = x[i] * (static_cast<float>(keep) * scale);
      kept[i] = static_cast<std::uint8_t>(keep);
    }
  } else {
    FROST_OMP(simd)
    for (long i = 0; i < n; ++i) {
      const std::int32_t keep = random_bits24(k0, k1, i0 + static_cast<std::uint32_t>(i)) >= threshold;
      y[i] = x[i] * (static_cast<float>(keep) * scale);
    }
  }
}
FROST_ISA_VARIANTS(dropout,
                   (const float* x, float* y, std::uint8_t* kept, long n, std::uint32_t i0, std::uint32_t k0,
                    std::uint32_t k1, std::uint32_t threshold, float scale),
                   (x, y, kept, n, i0, k0, k1, threshold, scale))

/// d[i] *= kept[i] ? scale : 0.
FROST_ALWAYS_INLINE void dropout_backward_body(float* __restrict d, const std::uint8_t* __restrict kept, long n,
                                               float scale) {
  FROST_OMP(simd)
  for (long i = 0; i < n; ++i) d[i] *= static_cast<float>(static_cast<std::int32_t>(kept[i])) * scale;  // 0 or 1
}
FROST_ISA_VARIANTS(dropout_backward, (float* d, const std::uint8_t* kept, long n, float scale), (d, kept, n, scale))

/// d[i] *= keep(i0 + i) ? scale : 0, keep redrawn from the stream (k0, k1) exactly as dropout_body draws it.
FROST_ALWAYS_INLINE void dropout_backward_redraw_body(float* __restrict d, long n, std::uint32_t i0, std::uint32_t k0,
                                                      std::uint32_t k1, std::uint32_t threshold, float scale) {
  FROST_OMP(simd)
  for (long i = 0; i < n; ++i) {
    const std::int32_t keep = random_bits24(k0, k1, i0 + static_cast<std::uint32_t>(i)) >= threshold;
    d[i] *= static_cast<float>(keep) * scale;
  }
}
FROST_ISA_VARIANTS(dropout_backward_redraw,
                   (float* d, long n, std::uint32_t i0, std::uint32_t k0, std::uint32_t k1, std::uint32_t threshold,
                    float scale),
                   (d, n, i0, k0, k1, threshold, scale))
}  // namespace kernels

/// x = dropout(x) in place: element i kept (and scaled by 1 / (1 - p)) where the draw of index i
/// from `rng` clears the threshold. `mask`, when given, records the kept positions; without one,
/// backward redraws them from the same stream (dropout_backward_input(dy, rng, p)).
template <class T>
void dropout_forward(Tensor<T>& x, double p, RandomStream rng, DropoutMask* mask = nullptr) {
  const T scale = dropout_scale<T>(p);
  const std::uint32_t thr = dropout_threshold(p);
  const Eigen::Index n = numel(x);
  FROST_CHECK(static_cast<std::uint64_t>(n) <= (std::uint64_t{1} << 32),
              "dropout: a tensor of " + std::to_string(n) + " elements exceeds one random stream (2^32)");
  if (mask) mask->resize(x.rows(), x.cols());
  T* xs = x.data();
  std::uint8_t* ms = mask ? mask->data() : nullptr;
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::dropout_for(cpu::kernel_isa());
    for_each_block(n, kDropoutBlock, [&](Eigen::Index i0, Eigen::Index len) {
      kernel(xs + i0, xs + i0, ms ? ms + i0 : nullptr, len, static_cast<std::uint32_t>(i0), rng.k0(), rng.k1(), thr,
             scale);
    });
  } else {
    FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
    for (Eigen::Index i = 0; i < n; ++i) {
      const bool keep = dropout_keeps(rng, static_cast<std::uint32_t>(i), thr);
      xs[i] *= keep ? scale : T(0);
      if (ms) ms[i] = keep ? 1 : 0;
    }
  }
}

template <class T>
void dropout_backward_input(Tensor<T>& dy_inplace, const DropoutMask& mask, double p) {
  const T scale = dropout_scale<T>(p);
  const Eigen::Index n = numel(dy_inplace);
  T* d = dy_inplace.data();
  const std::uint8_t* ms = mask.data();
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::dropout_backward_for(cpu::kernel_isa());
    for_each_block(n, kDropoutBlock, [&](Eigen::Index i0, Eigen::Index len) { kernel(d + i0, ms + i0, len, scale); });
  } else {
    FROST_OMP(parallel for simd schedule(static) if(n >= kParallelMinWork))
    for (Eigen::Index i = 0; i < n; ++i) d[i] *= ms[i] ? scale : T(0);
  }
}

/// The same with the kept positions redrawn from `rng`, the stream dropout_forward() drew them from.
template <class T>
void dropout_backward_input(Tensor<T>& dy_inplace, const RandomStream& rng, double p) {
  const T scale = dropout_scale<T>(p);
  const std::uint32_t thr = dropout_threshold(p);
  const Eigen::Index n = numel(dy_inplace);
  T* d = dy_inplace.data();
  if constexpr (std::is_same_v<T, float>) {
    const auto kernel = kernels::dropout_backward_redraw_for(cpu::kernel_isa());
    for_each_block(n, kDropoutBlock, [&](Eigen::Index i0, Eigen::Index len) {
      kernel(d + i0, len, static_cast<std::uint32_t>(i0), rng.k0(), rng.k1(), thr, scale);
    });
  } else {
    FROST_OMP(parallel for schedule(static) if(n >= kParallelMinWork))
    for (Eigen::Index i = 0; i < n; ++i) d[i] *= dropout_keeps(rng, static_cast<std::uint32_t>(i), thr) ? scale : T(0);
  }
}

}  // namespace frost::ops
