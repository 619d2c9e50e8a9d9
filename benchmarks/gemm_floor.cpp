// benchmarks/gemm_floor.cpp: the fastest a BERT training step could be on this machine with frost's
// GEMM backend, if everything but the matrix products cost nothing. Times each product a step
// makes, alone and warm, in the shapes and transposes frost calls it with (medians of 9 after a
// warm-up, on the OpenMP threads), and adds them up per step:
//   none        forward, input gradients (down to the embeddings) and weight gradients of every
//               linear layer, attention's 2 forward and 4 backward products per head;
//   embeddings,layers:0-F  (F = 2/3 of the layers) forward everywhere, backward above layer F;
//   bert        the forward only (the classifier's products are negligible);
//   bitfit      forward and input gradients everywhere, no weight gradients;
//   lora-r8     LoRA on query + value, base frozen (benchmarks/compare_peft.sh): forward, input
//               gradients through every layer but the lowest one's q/k/v, attention's products;
//               the rank-8 adapter products are left out (under 0.3% of the FLOPs).
// Step time / floor is what the rest of the step (and the products' slowdown inside it) costs;
// a PyTorch step time divided by the floor is the largest speed-up any implementation with these
// GEMMs could reach. Prints one JSON object.
// usage: OMP_NUM_THREADS=2 ./build-bench-dnnl/benchmarks/gemm_floor [bert-base|minilm]
#include <omp.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <frost/core/gemm.hpp>
#include <frost/ops/attention.hpp>
#include <vector>

#include "median_seconds.hpp"

namespace {

using frost::gemm::Trans;

using frost_bench::median_seconds;

/// Seconds of one C[m, n] = op(A) op(B) through the default backend, as frost's linear layers call it.
double time_linear(long m, long n, long k, Trans ta, Trans tb) {
  std::vector<float> a(static_cast<std::size_t>(m * k), 0.01f), b(static_cast<std::size_t>(k * n), 0.02f),
      c(static_cast<std::size_t>(m * n));
  const long lda = ta == Trans::yes ? m : k, ldb = tb == Trans::yes ? k : n;
  return median_seconds(
      [&] { frost::gemm::DefaultBackend::gemm(ta, tb, m, n, k, a.data(), lda, b.data(), ldb, 0.0f, c.data(), n); });
}

/// Whether operand A of a per-head product is the head's [S, S] probabilities (else, like B, a
/// head's [S, d] column block of a [B*S, H] activation, leading dimension H).
enum class Probs { none, a };

/// Seconds of one of attention's per-head products for every (batch, head), as ops/attention.hpp
/// runs them on its float path (frost::ops::detail::head_gemm, heads in a parallel loop).
double time_heads(long batch, long heads, long S, long d, long m, long n, long k, Trans ta, Trans tb, Probs probs) {
  const long H = heads * d;
  std::vector<float> act(static_cast<std::size_t>(batch * S * H), 0.1f),
      p(static_cast<std::size_t>(batch * heads * S * S), 0.1f), out(static_cast<std::size_t>(batch * heads * m * n));
  return median_seconds([&] {
#pragma omp parallel for schedule(static)
    for (long bh = 0; bh < batch * heads; ++bh) {
      const float* head = act.data() + (bh / heads) * S * H + (bh % heads) * d;
      const float* P = p.data() + bh * S * S;
      const float* A = probs == Probs::a ? P : head;
      const float* B = head;
      frost::ops::detail::head_gemm(ta, tb, m, n, k, A, probs == Probs::a ? S : H, B, H, out.data() + bh * m * n, n);
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  const bool minilm = argc > 1 && std::strcmp(argv[1], "minilm") == 0;
  const long L = minilm ? 6 : 12, H = minilm ? 384 : 768, I = 4 * H, heads = 12, d = H / heads, B = 8, S = 128;
  const long T = B * S;
  // One layer's linear products: forward y = x W^T; input gradient dx = dy W; weight gradient dW = dy^T x.
  const double qkv_fwd = time_linear(T, H, H, Trans::no, Trans::yes);  // q, k, v, attention out
  const double ffn_in_fwd = time_linear(T, I, H, Trans::no, Trans::yes);
  const double ffn_out_fwd = time_linear(T, H, I, Trans::no, Trans::yes);
  const double qkv_dx = time_linear(T, H, H, Trans::no, Trans::no);
  const double ffn_in_dx = time_linear(T, H, I, Trans::no, Trans::no);   // dh1 = di W_in
  const double ffn_out_dx = time_linear(T, I, H, Trans::no, Trans::no);  // dg = dy W_out
  const double qkv_dw = time_linear(H, H, T, Trans::yes, Trans::no);
  const double ffn_in_dw = time_linear(I, H, T, Trans::yes, Trans::no);
  const double ffn_out_dw = time_linear(H, I, T, Trans::yes, Trans::no);
  // Attention, per head: forward scores = Q K^T, ctx = P V; backward dP = dctx V^T, dV = P^T dctx,
  // dQ = dS K, dK = dS^T Q.
  // Q K^T and dctx V^T: [S, d] x [S, d]^T; P V and dS K: [S, S] x [S, d]; P^T dctx and dS^T Q.
  const double scores = time_heads(B, heads, S, d, S, S, d, Trans::no, Trans::yes, Probs::none);
  const double pv = time_heads(B, heads, S, d, S, d, S, Trans::no, Trans::no, Probs::a);
  const double ptd = time_heads(B, heads, S, d, S, d, S, Trans::yes, Trans::no, Probs::a);
  const double attn_fwd = scores + pv, attn_bwd = scores + pv + 2 * ptd;

  // Per layer: forward; input gradients above q/k/v (attention out, FFN, attention's products);
  // the input gradient through q/k/v (skipped in the lowest layer backward reaches when nothing
  // below it trains); weight gradients.
  const double fwd = 4 * qkv_fwd + ffn_in_fwd + ffn_out_fwd + attn_fwd;
  const double dx_above_qkv = qkv_dx + ffn_in_dx + ffn_out_dx + attn_bwd;
  const double dx_qkv = 3 * qkv_dx;
  const double dw = 4 * qkv_dw + ffn_in_dw + ffn_out_dw;
  const long F = 2 * L / 3;  // embeddings,layers:0-F (benchmarks/compare_pytorch.sh: 8 of 12, 4 of 6)
  struct Floor {
    std::string policy;
    double seconds;
  };
  const Floor floors[] = {
      {"none", L * (fwd + dx_above_qkv + dx_qkv + dw)},
      {"embeddings,layers:0-" + std::to_string(F),
       F * fwd + (L - F) * (fwd + dx_above_qkv + dw) + (L - F - 1) * dx_qkv},
      {"bert", L * fwd},                              // the classifier's products are negligible
      {"bitfit", L * (fwd + dx_above_qkv + dx_qkv)},  // the embeddings' LayerNorm bias trains
      {"lora-r8", L * (fwd + dx_above_qkv) + (L - 1) * dx_qkv},
  };
  const double gflop_fwd = 2.0 * T * (4.0 * H * H + 2.0 * H * I) * L / 1e9;
  std::printf(
      "{\"geometry\": \"%s\", \"backend\": \"%s\", \"threads\": %d, \"linear_forward_gflops\": %.0f, \"floor_ms\": {",
      minilm ? "minilm" : "bert-base", frost::gemm::DefaultBackend::name, omp_get_max_threads(),
      gflop_fwd / (L * (4 * qkv_fwd + ffn_in_fwd + ffn_out_fwd)));
  for (const Floor& f : floors)
    std::printf("%s\"%s\": %.1f", &f == floors ? "" : ", ", f.policy.c_str(), 1e3 * f.seconds);
  // Per step and family, as `frost bench --profile` groups them (nothing frozen).
  std::printf(
      "}, \"none_by_family_ms\": {\"forward q/k/v\": %.1f, \"forward attention out\": %.1f, "
      "\"forward FFN in\": %.1f, \"forward FFN out\": %.1f, \"forward attention\": %.1f, "
      "\"backward q/k/v\": %.1f, \"backward attention out\": %.1f, \"backward FFN in\": %.1f, "
      "\"backward FFN out\": %.1f, \"backward attention\": %.1f}}\n",
      1e3 * L * 3 * qkv_fwd, 1e3 * L * qkv_fwd, 1e3 * L * ffn_in_fwd, 1e3 * L * ffn_out_fwd, 1e3 * L * attn_fwd,
      1e3 * L * (dx_qkv + 3 * qkv_dw), 1e3 * L * (qkv_dx + qkv_dw), 1e3 * L * (ffn_in_dx + ffn_in_dw),
      1e3 * L * (ffn_out_dx + ffn_out_dw), 1e3 * L * attn_bwd);
  return 0;
}
