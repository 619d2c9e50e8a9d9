// benchmarks/dnnl_products.cpp: which oneDNN interface pays for which of BERT's products (FROST_DNNL
// builds). Prints GFLOP/s, medians of 9 runs after a warm-up, on the OpenMP threads:
//   1. the linear layers' GEMMs (bert-base, batch 8 x 128: forward, input and weight gradients):
//      dnnl_sgemm (what frost's float path calls) against a float matmul primitive created once
//      (what bias/GELU post-ops would need), and the same primitive with B reordered once into its
//      preferred blocked layout (what a frozen weight could keep: the reorder is not timed);
//   2. attention's per-head products (8 x 12 heads of 128 x 128 x 64): dnnl_sgemm per head in a
//      parallel loop (frost's float path) against one batched float matmul, and frost's batched
//      bf16 matmul (gemm::DnnlGemm::batched_gemm_bf16, the bf16 path) where the CPU runs bf16.
// usage: OMP_NUM_THREADS=2 ./build-bench-dnnl/benchmarks/dnnl_products
#include <oneapi/dnnl/dnnl.h>

#include <cstdio>
#include <string>
#include <utility>
#include <frost/core/gemm.hpp>
#include <oneapi/dnnl/dnnl.hpp>
#include <vector>

#include "median_seconds.hpp"

namespace {

using dt = dnnl::memory::data_type;
using dims = dnnl::memory::dims;

using frost_bench::median_seconds;

/// Median seconds and oneDNN's implementation name of a float matmul primitive C = A B over
/// the given (possibly strided, possibly batched) views of a, b and c.
std::pair<double, std::string> time_matmul(const dnnl::engine& eng, dnnl::stream& st, const dnnl::memory::desc& a,
                                           const dnnl::memory::desc& b, const dnnl::memory::desc& c, float* A, float* B,
                                           float* C) {
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), eng);
  const dnnl::matmul mm(pd);
  dnnl::memory am(a, eng, A), bm(b, eng, B), cm(c, eng, C);
  const double t = median_seconds([&] {
    mm.execute(st, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
    st.wait();
  });
  return {t, pd.impl_info_str()};
}

/// The same with B reordered once into the layout the primitive prefers (format_tag::any): what a
/// frozen weight could keep. Times the execution only.
std::pair<double, std::string> time_matmul_packed(const dnnl::engine& eng, dnnl::stream& st,
                                                  const dnnl::memory::desc& a, const dnnl::memory::desc& b,
                                                  const dnnl::memory::desc& c, float* A, float* B, float* C) {
  const dnnl::memory::desc b_any(b.dims(), dt::f32, dnnl::memory::format_tag::any);
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b_any, c), eng);
  const dnnl::matmul mm(pd);
  dnnl::memory am(a, eng, A), bm(b, eng, B), cm(c, eng, C), packed(pd.weights_desc(), eng);
  dnnl::reorder(bm, packed).execute(st, bm, packed);
  st.wait();
  const double t = median_seconds([&] {
    mm.execute(st, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, packed}, {DNNL_ARG_DST, cm}});
    st.wait();
  });
  return {t, pd.impl_info_str()};
}

struct Shape {
  const char* name;
  long m, n, k;
  bool ta, tb;
};

}  // namespace

int main() {
  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream st(eng);
  std::printf(
      "%s\n\n| product | m x n x k | dnnl_sgemm GFLOP/s | float matmul primitive GFLOP/s (impl) "
      "| weights packed once GFLOP/s |\n|---|---|---:|---:|---:|\n",
      frost::gemm::DnnlGemm::description().c_str());
  const Shape shapes[] = {
      {"q/k/v forward", 1024, 768, 768, false, true},       {"FFN in forward", 1024, 3072, 768, false, true},
      {"FFN out forward", 1024, 768, 3072, false, true},    {"FFN out input grad", 1024, 3072, 768, false, false},
      {"FFN in input grad", 1024, 768, 3072, false, false}, {"FFN in weight grad", 3072, 768, 1024, true, false},
      {"FFN out weight grad", 768, 3072, 1024, true, false}};
  for (const Shape& s : shapes) {
    std::vector<float> A(static_cast<std::size_t>(s.m * s.k), 0.01f), B(static_cast<std::size_t>(s.k * s.n), 0.02f),
        C(static_cast<std::size_t>(s.m * s.n));
    const long lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n;
    const double t_sgemm = median_seconds([&] {
      dnnl_sgemm(s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k, 1.f, A.data(), lda, B.data(), ldb, 0.f, C.data(),
                 s.n);
    });
    const dnnl::memory::desc a({s.m, s.k}, dt::f32, s.ta ? dims{1, s.m} : dims{s.k, 1});
    const dnnl::memory::desc b({s.k, s.n}, dt::f32, s.tb ? dims{1, s.k} : dims{s.n, 1});
    const dnnl::memory::desc c({s.m, s.n}, dt::f32, dims{s.n, 1});
    const auto [t_mm, impl] = time_matmul(eng, st, a, b, c, A.data(), B.data(), C.data());
    const auto [t_packed, impl_packed] = time_matmul_packed(eng, st, a, b, c, A.data(), B.data(), C.data());
    const double flops = 2.0 * static_cast<double>(s.m * s.n * s.k);
    std::printf("| %s | %ld x %ld x %ld | %.0f | %.0f (%s) | %.0f (%s) |\n", s.name, s.m, s.n, s.k,
                flops / t_sgemm / 1e9, flops / t_mm / 1e9, impl.c_str(), flops / t_packed / 1e9, impl_packed.c_str());
  }

  // Attention: scores = Q K^T per head, Q and K [B*S, H] with head h in columns [h d, (h + 1) d).
  const long Bt = 8, NH = 12, S = 128, d = 64, H = NH * d;
  const double flops = 2.0 * static_cast<double>(Bt * NH * S * S * d);
  std::vector<float> Q(static_cast<std::size_t>(Bt * S * H), 0.1f), K(Q.size(), 0.1f),
      P(static_cast<std::size_t>(Bt * NH * S * S));
  const double t_heads = median_seconds([&] {
#pragma omp parallel for schedule(static)
    for (long bh = 0; bh < Bt * NH; ++bh) {
      const long off = (bh / NH) * S * H + (bh % NH) * d;
      dnnl_sgemm('N', 'T', S, S, d, 1.f, Q.data() + off, H, K.data() + off, H, 0.f, P.data() + bh * S * S, S);
    }
  });
  const dnnl::memory::desc q({Bt, NH, S, d}, dt::f32, dims{S * H, d, H, 1});
  const dnnl::memory::desc kt({Bt, NH, d, S}, dt::f32, dims{S * H, d, 1, H});
  const dnnl::memory::desc p({Bt, NH, S, S}, dt::f32, dims{NH * S * S, S * S, S, 1});
  const auto [t_batched, impl] = time_matmul(eng, st, q, kt, p, Q.data(), K.data(), P.data());
  std::printf(
      "\n| attention scores, 8 x 12 heads of 128 x 128 x 64 | GFLOP/s |\n|---|---:|\n"
      "| float, dnnl_sgemm per head in a parallel loop (frost's float path) | %.0f |\n"
      "| float, one batched matmul primitive (%s) | %.0f |\n",
      flops / t_heads / 1e9, impl.c_str(), flops / t_batched / 1e9);
  if (frost::gemm::DnnlGemm::bf16_unsupported_reason().empty()) {
    std::vector<frost::bf16_bits> Q16(Q.size(), 0x3c00), K16(Q.size(), 0x3c00);
    using Strides = frost::gemm::DnnlGemm::Strides;
    const double t_bf16 = median_seconds([&] {
      frost::gemm::DnnlGemm::batched_gemm_bf16(Bt, NH, S, S, d, Q16.data(), Strides{S * H, d, H, 1}, K16.data(),
                                               Strides{S * H, d, 1, H}, P.data(), Strides{NH * S * S, S * S, S, 1});
    });
    std::printf("| bf16, one batched matmul primitive (frost's bf16 path) | %.0f |\n", flops / t_bf16 / 1e9);
  } else {
    std::printf("| bf16 | %s |\n", frost::gemm::DnnlGemm::bf16_unsupported_reason().c_str());
  }
  return 0;
}
