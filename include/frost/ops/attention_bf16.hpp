// frost/ops/attention_bf16.hpp: attention's per-head products as batched bf16 matmuls (oneDNN
// builds, float, matmul precision bf16 on a CPU that runs it; included by ops/attention.hpp).
//
// The same computation as ops/attention.hpp, rounded at the same points as its per-head path under
// bf16 (each product's two inputs to bf16, float accumulation, float outputs; softmax, dropout
// and their backward in float), but in phases over all B x heads heads at once:
//
//   forward:   q16, k16, v16 = bf16(q, k, v)                         [B*S, H] each
//              scores = q16 k16^T             one batched matmul     [B*heads*S, S] float
//              per head: P = softmax(scores / sqrt(d) + mask); Pd = dropout(P); pd16 = bf16(Pd)
//              ctx = pd16 v16                 one batched matmul     -> ctx [B*S, H]
//   backward:  dc16 = bf16(dctx); q16, k16, v16 again (cheaper than keeping them)
//              dPd = dc16 v16^T               batched                 [B*heads*S, S] float
//              per head: dP = dropout'(dPd); dS = softmax'(dP); pd16, ds16 = bf16(Pd, dS)
//              dV = pd16^T dc16; dQ = ds16 k16; dK = ds16^T q16        batched, into [B*S, H]
//
// Why: one head's 128 x 128 x 64 product is too small for oneDNN's per-call set-up (primitive
// lookup, memory objects, AMX tile configuration); one batched primitive runs them on the
// OpenMP threads at several times the rate (docs/performance.md). In float the per-head sgemm
// calls are as fast as a batched matmul, so the float path stays per head.
//
// Scratch (float scores and the bf16 copies, about 5 bytes per score plus 6 per activation) lives
// in buffers of the calling thread, reused from call to call.
#pragma once

#include <cstdint>
#include <vector>

namespace frost::ops::detail {

/// Whether attention's products run batched in bf16 now (see the top of this file).
inline bool bf16_batched_heads() {
  return matmul_precision() == MatmulPrecision::bf16 && gemm::DnnlGemm::bf16_unsupported_reason().empty();
}

/// The calling thread's reusable scratch for the bf16 path.
struct Bf16AttentionScratch {
  std::vector<bf16_bits> q, k, v, c, p, s;  // bf16 copies: q, k, v, dctx [B*S, H]; Pd, dS [BH*S, S]
  Tensor<float> scores;                     // [BH*S, S] float scores, then dPd
};
inline Bf16AttentionScratch& bf16_attention_scratch() {
  thread_local Bf16AttentionScratch s;
  return s;
}

inline void to_bf16_into(const Tensor<float>& x, std::vector<bf16_bits>& out) {
  out.resize(static_cast<std::size_t>(x.size()));
  to_bf16_matrix(x.data(), x.rows(), x.cols(), x.cols(), out.data());
}

/// Views of the [B*S, H] activations as [B, heads, S, d] (head h: columns [h d, (h + 1) d)) and
/// of the [BH*S, S] per-head score matrices as [B, heads, S, S], plain or transposed.
inline gemm::DnnlGemm::Strides head_view(const AttentionShape& sh, bool transposed) {
  const Eigen::Index H = sh.heads * sh.head_dim;
  return transposed ? gemm::DnnlGemm::Strides{sh.seq * H, sh.head_dim, 1, H}
                    : gemm::DnnlGemm::Strides{sh.seq * H, sh.head_dim, H, 1};
}
inline gemm::DnnlGemm::Strides score_view(const AttentionShape& sh, bool transposed) {
  const Eigen::Index S = sh.seq;
  return transposed ? gemm::DnnlGemm::Strides{sh.heads * S * S, S * S, 1, S}
                    : gemm::DnnlGemm::Strides{sh.heads * S * S, S * S, S, 1};
}

inline void attention_forward_bf16(const Tensor<float>& q, const Tensor<float>& k, const Tensor<float>& v,
                                   const Tensor<float>& mask_add, const AttentionShape& sh, double p_drop,
                                   RandomStream rng, Tensor<float>& ctx, AttentionCache<float>* cache) {
  const Eigen::Index S = sh.seq, d = sh.head_dim, BH = sh.batch * sh.heads;
  const float scale_div = std::sqrt(static_cast<float>(d));
  const AttentionDropout<float> drop(p_drop);
  const cpu::Isa isa = cpu::kernel_isa();
  Bf16AttentionScratch& w = bf16_attention_scratch();
  to_bf16_into(q, w.q);
  to_bf16_into(k, w.k);
  to_bf16_into(v, w.v);
  w.scores.resize(BH * S, S);
  w.p.resize(static_cast<std::size_t>(BH * S * S));
  gemm::DnnlGemm::batched_gemm_bf16(sh.batch, sh.heads, S, S, d, w.q.data(), head_view(sh, false), w.k.data(),
                                    head_view(sh, true), w.scores.data(), score_view(sh, false));
  FROST_OMP(parallel if (BH * S * S * d >= kParallelMinWork)) {
    Tensor<float> dropped(drop.on ? S : 0, drop.on ? S : 0);  // per thread
    const auto to_bf16_row = frost::kernels::to_bf16_row_for(isa);
    FROST_OMP(for schedule(static))
    for (Eigen::Index bh = 0; bh < BH; ++bh) {
      float* P = w.scores.data() + bh * S * S;
      Eigen::Map<Tensor<float>> head(P, S, S);
      masked_softmax_rows(head, scale_div, mask_add, bh / sh.heads);
      if (cache) std::copy(P, P + S * S, cache->probs.data() + bh * S * S);
      const float* PV = P;
      if (drop.on) {
        const RandomStream r = rng.fork(static_cast<std::uint64_t>(bh));
        kernels::dropout_for(isa)(P, dropped.data(), nullptr, S * S, 0, r.k0(), r.k1(), drop.threshold,
                                  drop.keep_scale);
        PV = dropped.data();
      }
      to_bf16_row(PV, w.p.data() + bh * S * S, S * S);
    }
  }
  gemm::DnnlGemm::batched_gemm_bf16(sh.batch, sh.heads, S, d, S, w.p.data(), score_view(sh, false), w.v.data(),
                                    head_view(sh, false), ctx.data(), head_view(sh, false));
}

inline void attention_backward_input_bf16(const Tensor<float>& dctx, const Tensor<float>& q, const Tensor<float>& k,
                                          const Tensor<float>& v, const AttentionCache<float>& cache,
                                          const AttentionShape& sh, double p_drop, Tensor<float>& dq, Tensor<float>& dk,
                                          Tensor<float>& dv) {
  const Eigen::Index S = sh.seq, d = sh.head_dim, BH = sh.batch * sh.heads;
  const float scale_div = std::sqrt(static_cast<float>(d));
  const AttentionDropout<float> drop(p_drop);
  const cpu::Isa isa = cpu::kernel_isa();
  Bf16AttentionScratch& w = bf16_attention_scratch();
  to_bf16_into(dctx, w.c);
  to_bf16_into(q, w.q);
  to_bf16_into(k, w.k);
  to_bf16_into(v, w.v);
  w.scores.resize(BH * S, S);
  w.p.resize(static_cast<std::size_t>(BH * S * S));
  w.s.resize(static_cast<std::size_t>(BH * S * S));
  gemm::DnnlGemm::batched_gemm_bf16(sh.batch, sh.heads, S, S, d, w.c.data(), head_view(sh, false), w.v.data(),
                                    head_view(sh, true), w.scores.data(), score_view(sh, false));  // dPd
  FROST_OMP(parallel if (BH * S * S * d >= kParallelMinWork)) {
    Tensor<float> pd(drop.on ? S : 0, drop.on ? S : 0);  // per thread
    const auto to_bf16_row = frost::kernels::to_bf16_row_for(isa);
    const auto softmax_backward = kernels::softmax_backward_row_for(isa);
    FROST_OMP(for schedule(static))
    for (Eigen::Index bh = 0; bh < BH; ++bh) {
      const float* P = cache.probs.data() + bh * S * S;
      float* dp = w.scores.data() + bh * S * S;
      const float* Pd = P;
      if (drop.on) {
        const RandomStream r = cache.drop_rng.fork(static_cast<std::uint64_t>(bh));
        kernels::attention_dropout_backward_for(isa)(P, pd.data(), dp, S * S, r.k0(), r.k1(), drop.threshold,
                                                     drop.keep_scale);
        Pd = pd.data();
      }
      to_bf16_row(Pd, w.p.data() + bh * S * S, S * S);
      for (Eigen::Index i = 0; i < S; ++i) softmax_backward(dp + i * S, P + i * S, S, scale_div);
      to_bf16_row(dp, w.s.data() + bh * S * S, S * S);
    }
  }
  gemm::DnnlGemm::batched_gemm_bf16(sh.batch, sh.heads, S, d, S, w.p.data(), score_view(sh, true), w.c.data(),
                                    head_view(sh, false), dv.data(), head_view(sh, false));  // dV = Pd^T dctx
  gemm::DnnlGemm::batched_gemm_bf16(sh.batch, sh.heads, S, d, S, w.s.data(), score_view(sh, false), w.k.data(),
                                    head_view(sh, false), dq.data(), head_view(sh, false));  // dQ = dS K
  gemm::DnnlGemm::batched_gemm_bf16(sh.batch, sh.heads, S, d, S, w.s.data(), score_view(sh, true), w.q.data(),
                                    head_view(sh, false), dk.data(), head_view(sh, false));  // dK = dS^T Q
}

}  // namespace frost::ops::detail
