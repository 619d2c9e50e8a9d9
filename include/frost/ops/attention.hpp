// frost/ops/attention.hpp: BERT eager self-attention core (no parameters).
//
//   q, k, v     [B*S, H]  (head h owns columns [h*d, (h+1)*d), d = H / heads)
//   mask_add    [B, S]    0 for real tokens, numeric_limits<T>::lowest() for padding (HF's
//                         extended attention mask with finfo.min)
//   forward, per (batch b, head h):
//     scores = Q K^T / sqrt(d) + mask_add[b]     [S, S]
//     P      = softmax(scores) (rows)            cached as probs [B*heads*S, S]
//     Pd     = dropout(P)                        mask cached when p > 0
//     ctx    = Pd V                              [S, d] -> ctx [B*S, H]
//   backward_input (the op has no weights, so this is all of its backward):
//     dV = Pd^T dctx;  dPd = dctx V^T;  dP = dPd * dropmask   (mask: 1 byte per kept position)
//     dS = P * (dP - rowsum(dP * P)) / sqrt(d);  dQ = dS K;  dK = dS^T Q
//   FLOPs (counted here): forward 4*B*S*S*H, backward_input 8*B*S*S*H.
#pragma once

#include <cmath>
#include <limits>

#include "../core/flops.hpp"
#include "../core/random.hpp"
#include "../core/tensor.hpp"
#include "dropout.hpp"
#include "softmax.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

template <class T>
struct AttentionCache {
  Tensor<T> probs;      // [B*heads*S, S] softmax output P
  DropoutMask drop_mask;  // [B*heads*S, S] kept positions, when attention dropout is active
};

struct AttentionShape {
  Eigen::Index batch, seq, heads, head_dim;
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

template <class T>
void attention_forward(const Tensor<T>& q, const Tensor<T>& k, const Tensor<T>& v,
                       const Tensor<T>& mask_add, AttentionShape sh, double p_drop,
                       RandomStream rng, Tensor<T>& ctx, AttentionCache<T>* cache,
                       FlopCounter& fc) {
  const Eigen::Index S = sh.seq, d = sh.head_dim, H = sh.heads * d;
  const T scale_div = std::sqrt(static_cast<T>(d));
  const bool dropout = p_drop > 0.0;
  const T keep_scale = static_cast<T>(1.0 / (1.0 - p_drop));
  ctx.resize(sh.batch * S, H);
  if (cache) {
    cache->probs.resize(sh.batch * sh.heads * S, S);
    if (dropout) cache->drop_mask.resize(sh.batch * sh.heads * S, S);
  }
  fc.add(Phase::forward, 2 * gemm_flops(sh.batch * sh.heads * S, S, d));  // QK^T and P V
  FROST_OMP(parallel for schedule(static) if(sh.batch * sh.heads * S * S * d >= kParallelMinWork))
  for (Eigen::Index bh = 0; bh < sh.batch * sh.heads; ++bh) {
    const Eigen::Index b = bh / sh.heads, h = bh % sh.heads;
    const auto Q = q.block(b * S, h * d, S, d);
    const auto K = k.block(b * S, h * d, S, d);
    const auto V = v.block(b * S, h * d, S, d);
    Tensor<T> p(S, S);
    p.noalias() = Q * K.transpose();
    masked_softmax_rows(p, scale_div, mask_add, b);
    if (cache) cache->probs.block(bh * S, 0, S, S) = p;
    if (dropout) {
      const RandomStream r = rng.fork(static_cast<std::uint64_t>(bh));
      for (Eigen::Index i = 0; i < S * S; ++i) {
        const bool keep = !(r.uniform(static_cast<std::uint64_t>(i)) < p_drop);
        p.data()[i] *= keep ? keep_scale : T(0);
        if (cache) cache->drop_mask.data()[bh * S * S + i] = keep ? 1 : 0;
      }
    }
    ctx.block(b * S, h * d, S, d).noalias() = p * V;
  }
}

template <class T>
void attention_backward_input(const Tensor<T>& dctx, const Tensor<T>& q, const Tensor<T>& k,
                              const Tensor<T>& v, const AttentionCache<T>& cache,
                              AttentionShape sh, double p_drop, Tensor<T>& dq, Tensor<T>& dk,
                              Tensor<T>& dv, FlopCounter& fc) {
  const Eigen::Index S = sh.seq, d = sh.head_dim, H = sh.heads * d;
  const T scale_div = std::sqrt(static_cast<T>(d));
  const bool dropout = p_drop > 0.0;
  const T keep_scale = dropout_scale<T>(p_drop);
  dq.resize(sh.batch * S, H);
  dk.resize(sh.batch * S, H);
  dv.resize(sh.batch * S, H);
  fc.add(Phase::backward_input, 4 * gemm_flops(sh.batch * sh.heads * S, S, d));
  FROST_OMP(parallel for schedule(static) if(sh.batch * sh.heads * S * S * d >= kParallelMinWork))
  for (Eigen::Index bh = 0; bh < sh.batch * sh.heads; ++bh) {
    const Eigen::Index b = bh / sh.heads, h = bh % sh.heads;
    const auto Q = q.block(b * S, h * d, S, d);
    const auto K = k.block(b * S, h * d, S, d);
    const auto V = v.block(b * S, h * d, S, d);
    const auto dC = dctx.block(b * S, h * d, S, d);
    const auto P = cache.probs.block(bh * S, 0, S, S);
    Tensor<T> dp(S, S);
    dp.noalias() = dC * V.transpose();  // dPd
    if (dropout) {
      const std::uint8_t* M = cache.drop_mask.data() + bh * S * S;
      Tensor<T> pd(S, S);  // Pd = P * mask / (1 - p)
      for (Eigen::Index i = 0; i < S * S; ++i) {
        const T m = M[i] ? keep_scale : T(0);
        pd.data()[i] = P.data()[i % S + (i / S) * P.outerStride()] * m;
        dp.data()[i] *= m;
      }
      dv.block(b * S, h * d, S, d).noalias() = pd.transpose() * dC;
    } else {
      dv.block(b * S, h * d, S, d).noalias() = P.transpose() * dC;
    }
    for (Eigen::Index i = 0; i < S; ++i) {
      const T dot = dp.row(i).cwiseProduct(P.row(i)).sum();
      dp.row(i) = P.row(i).cwiseProduct((dp.row(i).array() - dot).matrix()) / scale_div;
    }
    dq.block(b * S, h * d, S, d).noalias() = dp * K;
    dk.block(b * S, h * d, S, d).noalias() = dp.transpose() * Q;
  }
}

}  // namespace frost::ops
