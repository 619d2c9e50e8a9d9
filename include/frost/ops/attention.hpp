// frost/ops/attention.hpp: BERT eager self-attention core (no parameters).
//
//   q, k, v     [B*S, H]  (head h owns columns [h*d, (h+1)*d), d = H / heads)
//   mask_add    [B, S]    0 for real tokens, numeric_limits<T>::lowest() for padding (HF's
//                         extended attention mask with finfo.min)
//   forward, per (batch b, head h):
//     scores = Q K^T / sqrt(d) + mask_add[b]     [S, S]
//     P      = softmax(scores) (rows)            cached as probs [B*heads*S, S]
//     Pd     = dropout(P)                        its stream cached when p > 0 (per head: fork(b*heads+h))
//     ctx    = Pd V                              [S, d] -> ctx [B*S, H]
//   backward_input (the op has no weights, so this is all of its backward):
//     dV = Pd^T dctx;  dPd = dctx V^T;  dP = dPd * dropmask   (mask redrawn from the stream)
//     dS = P * (dP - rowsum(dP * P)) / sqrt(d);  dQ = dS K;  dK = dS^T Q
//   FLOPs (counted here): forward 4*B*S*S*H, backward_input 8*B*S*S*H.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "../core/flops.hpp"
#include "../core/gemm.hpp"
#include "../core/isa_dispatch.hpp"
#include "../core/random.hpp"
#include "../core/tensor.hpp"
#include "dropout.hpp"
#include "softmax.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
struct AttentionCache {
  Tensor<T> probs;  // [B*heads*S, S] softmax output P
  /// The dropout stream, when attention dropout is active: head bh keeps position i of its [S, S]
  /// block iff dropout_keeps(drop_rng.fork(bh), i, threshold), so no mask is stored.
  RandomStream drop_rng;
};

struct AttentionShape {
  Eigen::Index batch, seq, heads, head_dim;
};

/// Attention dropout's rule for one call (ops/dropout.hpp): whether it is on, the scale of kept
/// values and the 24-bit threshold below which a position is dropped; forward and backward, float
/// and bf16, all draw and redraw with it.
template <class T>
struct AttentionDropout {
  explicit AttentionDropout(double p) : on(p > 0.0), keep_scale(dropout_scale<T>(p)), threshold(dropout_threshold(p)) {}
  bool on;
  T keep_scale;
  std::uint32_t threshold;
};

/// Additive mask [B, S] from a 0/1 attention mask (row-major, B*S entries).
template <class T>
Tensor<T> additive_mask(const int* attention_mask, Eigen::Index batch, Eigen::Index seq) {
  Tensor<T> m(batch, seq);
  for (Eigen::Index b = 0; b < batch; ++b)
    for (Eigen::Index s = 0; s < seq; ++s)
      m(b, s) = attention_mask[b * seq + s] ? T(0) : std::numeric_limits<T>::lowest();
  return m;
}

namespace detail {
/// The per-head products run inside the per-(batch, head) parallel loop on one thread each:
/// through CBLAS or oneDNN in those builds (both run single-threaded inside a parallel region), else
/// through Eigen. (A GPU backend would pay a transfer per 128 x 64 product, so CUDA builds use the
/// CPU here.)
#if defined(FROST_USE_BLAS)
using HeadGemm = gemm::BlasGemm;
#elif defined(FROST_USE_DNNL)
using HeadGemm = gemm::DnnlGemm;
#else
using HeadGemm = gemm::EigenGemm;
#endif

/// C[m,n] = op(A) op(B) on row-major buffers with leading dimensions (a head is a column block of
/// the [B*S, H] activations: leading dimension H).
template <class T>
void head_gemm(gemm::Trans ta, gemm::Trans tb, Eigen::Index m, Eigen::Index n, Eigen::Index k, const T* a,
               Eigen::Index lda, const T* b, Eigen::Index ldb, T* c, Eigen::Index ldc) {
  using G = std::conditional_t<gemm::gemm_traits<HeadGemm, T>::native, HeadGemm, gemm::EigenGemm>;
  G::gemm(ta, tb, m, n, k, a, lda, b, ldb, T(0), c, ldc);
}
}  // namespace detail

namespace kernels {
/// Attention's dropout backward for one head: pd = P * m, dp *= m, with m = keep(i) ? scale : 0 and
/// keep(i) redrawn from the head's stream (k0, k1) exactly as dropout_body draws it.
FROST_ALWAYS_INLINE void attention_dropout_backward_body(const float* __restrict p, float* __restrict pd,
                                                         float* __restrict dp, long n, std::uint32_t k0,
                                                         std::uint32_t k1, std::uint32_t threshold, float scale) {
  FROST_OMP(simd)
  for (long i = 0; i < n; ++i) {
    const std::int32_t keep = random_bits24(k0, k1, static_cast<std::uint32_t>(i)) >= threshold;
    const float m = static_cast<float>(keep) * scale;
    pd[i] = p[i] * m;  // Pd = P * mask / (1 - p)
    dp[i] *= m;        // dP = dPd * mask / (1 - p)
  }
}
FROST_ISA_VARIANTS(attention_dropout_backward,
                   (const float* p, float* pd, float* dp, long n, std::uint32_t k0, std::uint32_t k1,
                    std::uint32_t threshold, float scale),
                   (p, pd, dp, n, k0, k1, threshold, scale))

/// Softmax backward of one row: dp = p * (dp - sum(dp * p)) / divisor.
FROST_ALWAYS_INLINE void softmax_backward_row_body(float* __restrict dp, const float* __restrict p, long s,
                                                   float divisor) {
  float dot = 0.0f;
  FROST_OMP(simd reduction(+ : dot))
  for (long j = 0; j < s; ++j) dot += dp[j] * p[j];
  FROST_OMP(simd)
  for (long j = 0; j < s; ++j) dp[j] = p[j] * (dp[j] - dot) / divisor;
}
FROST_ISA_VARIANTS(softmax_backward_row, (float* dp, const float* p, long s, float divisor), (dp, p, s, divisor))
}  // namespace kernels

}  // namespace frost::ops

#if defined(FROST_USE_DNNL)
#include "attention_bf16.hpp"  // the bf16 path: needs the kernels and types above
#endif

namespace frost::ops {

template <class T>
void attention_forward(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v, const Tensor<T>& mask_add,
                       AttentionShape sh, double p_drop, RandomStream rng, Tensor<T>& ctx, AttentionCache<T>* cache,
                       FlopCounter& fc) {
  using gemm::Trans;
  const Eigen::Index S = sh.seq, d = sh.head_dim, H = sh.heads * d;
  const T scale_div = std::sqrt(static_cast<T>(d));
  const AttentionDropout<T> drop(p_drop);
  const cpu::Isa isa = cpu::kernel_isa();
  ctx.resize(sh.batch * S, H);
  if (cache) {
    cache->probs.resize(sh.batch * sh.heads * S, S);
    cache->drop_rng = rng;
  }
  fc.add(Phase::forward, 2 * gemm_flops(sh.batch * sh.heads * S, S, d));  // QK^T and P V
#if defined(FROST_USE_DNNL)
  if constexpr (std::is_same_v<T, float>) {
    if (detail::bf16_batched_heads()) {
      detail::attention_forward_bf16(q, k, v, mask_add, sh, p_drop, rng, ctx, cache);
      return;
    }
  }
#endif
  FROST_OMP(parallel if (sh.batch * sh.heads * S * S * d >= kParallelMinWork)) {
    Tensor<T> scratch(S, S), dropped(drop.on ? S : 0, drop.on ? S : 0);  // per thread
    FROST_OMP(for schedule(static))
    for (Eigen::Index bh = 0; bh < sh.batch * sh.heads; ++bh) {
      const Eigen::Index b = bh / sh.heads, h = bh % sh.heads, off = b * S * H + h * d;
      // Scores, then probabilities, in place in the (aligned) per-thread buffer; copied into the
      // cache when backward needs them. (Computing them in the cache directly would make the
      // vectorised row reductions depend on each head's alignment, so a cached and an uncached
      // forward could differ in the last bit.)
      T* P = scratch.data();
      detail::head_gemm(Trans::no, Trans::yes, S, S, d, q.data() + off, H, k.data() + off, H, P, S);
      masked_softmax_rows(scratch, scale_div, mask_add, b);
      if (cache) std::copy(P, P + S * S, cache->probs.data() + bh * S * S);
      const T* PV = P;
      if (drop.on) {
        const RandomStream r = rng.fork(static_cast<std::uint64_t>(bh));
        if constexpr (std::is_same_v<T, float>) {
          kernels::dropout_for(isa)(P, dropped.data(), nullptr, S * S, 0, r.k0(), r.k1(), drop.threshold,
                                    drop.keep_scale);
        } else {
          for (Eigen::Index i = 0; i < S * S; ++i) {
            const bool keep = dropout_keeps(r, static_cast<std::uint32_t>(i), drop.threshold);
            dropped.data()[i] = keep ? P[i] * drop.keep_scale : T(0);
          }
        }
        PV = dropped.data();
      }
      detail::head_gemm(Trans::no, Trans::no, S, d, S, PV, S, v.data() + off, H, ctx.data() + off, H);
    }
  }
}

template <class T>
void attention_backward_input(const Tensor<T>& dctx, const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v,
                              const AttentionCache<T>& cache, AttentionShape sh, double p_drop, Tensor<T>& dq,
                              Tensor<T>& dk, Tensor<T>& dv, FlopCounter& fc) {
  using gemm::Trans;
  const Eigen::Index S = sh.seq, d = sh.head_dim, H = sh.heads * d;
  const T scale_div = std::sqrt(static_cast<T>(d));
  const AttentionDropout<T> drop(p_drop);
  const cpu::Isa isa = cpu::kernel_isa();
  dq.resize(sh.batch * S, H);
  dk.resize(sh.batch * S, H);
  dv.resize(sh.batch * S, H);
  fc.add(Phase::backward_input, 4 * gemm_flops(sh.batch * sh.heads * S, S, d));
#if defined(FROST_USE_DNNL)
  if constexpr (std::is_same_v<T, float>) {
    if (detail::bf16_batched_heads()) {
      detail::attention_backward_input_bf16(dctx, q, k, v, cache, sh, p_drop, dq, dk, dv);
      return;
    }
  }
#endif
  FROST_OMP(parallel if (sh.batch * sh.heads * S * S * d >= kParallelMinWork)) {
    Tensor<T> dp(S, S), pd(drop.on ? S : 0, drop.on ? S : 0);  // per thread
    FROST_OMP(for schedule(static))
    for (Eigen::Index bh = 0; bh < sh.batch * sh.heads; ++bh) {
      const Eigen::Index b = bh / sh.heads, h = bh % sh.heads, off = b * S * H + h * d;
      const T* P = cache.probs.data() + bh * S * S;
      const T* dC = dctx.data() + off;
      detail::head_gemm(Trans::no, Trans::yes, S, S, d, dC, H, v.data() + off, H, dp.data(), S);  // dPd
      const T* Pd = P;
      if (drop.on) {
        const RandomStream r = cache.drop_rng.fork(static_cast<std::uint64_t>(bh));
        if constexpr (std::is_same_v<T, float>) {
          kernels::attention_dropout_backward_for(isa)(P, pd.data(), dp.data(), S * S, r.k0(), r.k1(), drop.threshold,
                                                       drop.keep_scale);
        } else {
          for (Eigen::Index i = 0; i < S * S; ++i) {
            const T m = dropout_keeps(r, static_cast<std::uint32_t>(i), drop.threshold) ? drop.keep_scale : T(0);
            pd.data()[i] = P[i] * m;  // Pd = P * mask / (1 - p)
            dp.data()[i] *= m;        // dP = dPd * mask / (1 - p)
          }
        }
        Pd = pd.data();
      }
      detail::head_gemm(Trans::yes, Trans::no, S, d, S, Pd, S, dC, H, dv.data() + off, H);  // dV = Pd^T dC
      if constexpr (std::is_same_v<T, float>) {
        const auto softmax_backward = kernels::softmax_backward_row_for(isa);
        for (Eigen::Index i = 0; i < S; ++i) softmax_backward(dp.data() + i * S, P + i * S, S, scale_div);
      } else {
        const Eigen::Map<const Tensor<T>> pm(P, S, S);
        for (Eigen::Index i = 0; i < S; ++i) {
          const T dot = dp.row(i).cwiseProduct(pm.row(i)).sum();
          dp.row(i) = pm.row(i).cwiseProduct((dp.row(i).array() - dot).matrix()) / scale_div;
        }
      }
      detail::head_gemm(Trans::no, Trans::no, S, d, S, dp.data(), S, k.data() + off, H, dq.data() + off, H);
      detail::head_gemm(Trans::yes, Trans::no, S, d, S, dp.data(), S, q.data() + off, H, dk.data() + off, H);
    }
  }
}

}  // namespace frost::ops
