// frost/core/backend/gemm_dnnl.hpp: GEMMs through oneDNN (FROST_USE_DNNL; CMake: FROST_DNNL=ON).
//
// dnnl_sgemm is row-major (the same contract as frost's backends) and picks its kernels from CPUID
// at run time: AVX2 on an AVX2 machine, AVX-512 where the CPU has it, with no environment variable
// and no -march. Debian's libdnnl (2.6) is built with the OpenMP runtime (libgomp): its threads are
// frost's OpenMP threads, one pool, and a call made inside a parallel region (attention's per-head
// products) runs on the calling thread. float only: double (the gradient checks) goes to Eigen.
//
// Under MatmulPrecision::bf16 (core/bf16.hpp) on a CPU with AVX512_BF16 or AMX, a float GEMM
// rounds its two inputs to bf16 (into per-thread buffers) and runs a oneDNN matmul primitive with
// bf16 source and weights and a float destination (beta = 1: a sum post-op). Primitives are cached
// per thread and shape (a BERT step uses a dozen shapes; creating one costs far more than a
// 128 x 128 x 64 product). batched_gemm_bf16 runs many such small products (attention's heads) as
// one primitive over strided 4-D views (ops/attention_bf16.hpp).
//
// Float stays on dnnl_sgemm: a float matmul primitive (oneDNN 2.6 picks brg:avx512_core) is no
// faster on BERT's forward shapes and up to 2x slower on two backward ones, and a batched float
// matmul no faster than per-head sgemm calls (benchmarks/dnnl_products.cpp; docs/performance.md).
#pragma once

#include <oneapi/dnnl/dnnl.h>

#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "../../error.hpp"
#include "../bf16.hpp"
#include "gemm_traits.hpp"

namespace frost::gemm {

namespace detail {
/// One cached bf16 matmul: shape, transposes, C's leading dimension and beta.
struct DnnlBf16Key {
  Index m, n, k, ldc;
  bool ta, tb, accumulate;
  bool operator==(const DnnlBf16Key&) const = default;
};
struct DnnlBf16KeyHash {
  std::size_t operator()(const DnnlBf16Key& key) const {
    std::size_t h = static_cast<std::size_t>(key.m);
    for (Index v : {key.n, key.k, key.ldc}) h = h * 1000003U ^ static_cast<std::size_t>(v);
    return h * 8U + (key.ta ? 4U : 0U) + (key.tb ? 2U : 0U) + (key.accumulate ? 1U : 0U);
  }
};
struct DnnlBf16Matmul {
  dnnl::memory::desc a, b, c;
  dnnl::matmul primitive;
};
/// One cached batched bf16 matmul (attention's per-head products): every dimension and stride.
struct DnnlBatchedKey {
  Index dims[5];      // batch, heads, m, n, k
  Index strides[12];  // A, B, C: (batch, head, row, column) each
  bool operator==(const DnnlBatchedKey&) const = default;
};
struct DnnlBatchedKeyHash {
  std::size_t operator()(const DnnlBatchedKey& key) const {
    std::size_t h = 0;
    for (Index v : key.dims) h = h * 1000003U ^ static_cast<std::size_t>(v);
    for (Index v : key.strides) h = h * 1000003U ^ static_cast<std::size_t>(v);
    return h;
  }
};
inline dnnl::engine& dnnl_cpu_engine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}
}  // namespace detail

struct DnnlGemm {
  static constexpr const char* name = "dnnl";
  static bool available() { return true; }

  /// The library version and the instruction set its kernels use on this CPU, e.g.
  /// "oneDNN 2.6.3, ISA avx512_core".
  static std::string description() {
    const dnnl_version_t* v = dnnl_version();
    return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch) +
           ", ISA " + isa_name(dnnl_get_effective_cpu_isa());
  }

  static void gemm(Trans ta, Trans tb, Index m, Index n, Index k, const float* A, Index lda, const float* B, Index ldb,
                   float beta, float* C, Index ldc) {
    if (matmul_precision() == MatmulPrecision::bf16 && bf16_unsupported_reason().empty()) {
      gemm_bf16(ta, tb, m, n, k, A, lda, B, ldb, beta, C, ldc);
      return;
    }
    const dnnl_status_t s = dnnl_sgemm(op(ta), op(tb), m, n, k, 1.0f, A, lda, B, ldb, beta, C, ldc);
    if (s != dnnl_success)
      throw Error("oneDNN GEMM backend: dnnl_sgemm(" + std::to_string(m) + "x" + std::to_string(n) + "x" +
                  std::to_string(k) + ") failed with status " + std::to_string(static_cast<int>(s)));
  }

  /// "" when bf16 GEMMs run on this CPU (oneDNN's effective ISA includes AVX512_BF16: an
  /// AVX512_BF16 or AMX machine, unless DNNL_MAX_CPU_ISA caps it), else why not.
  static const std::string& bf16_unsupported_reason() {
    static const std::string reason = [] {
      const auto isa = static_cast<unsigned>(dnnl_get_effective_cpu_isa());
      const auto bf16 = static_cast<unsigned>(dnnl_cpu_isa_avx512_core_bf16);
      if ((isa & bf16) == bf16) return std::string();
      return std::string("oneDNN runs ") + isa_name(dnnl_get_effective_cpu_isa()) +
             " kernels here, without bf16 dot products (the CPU has neither AVX512_BF16 nor AMX, or "
             "DNNL_MAX_CPU_ISA caps it)";
    }();
    return reason;
  }

  /// C = bf16(op(A)) bf16(op(B)) + beta C, accumulated in float (see the top of this file).
  static void gemm_bf16(Trans ta, Trans tb, Index m, Index n, Index k, const float* A, Index lda, const float* B,
                        Index ldb, float beta, float* C, Index ldc) {
    thread_local std::vector<bf16_bits> a16, b16;
    // A is stored [m, k] (or [k, m] when transposed), B [k, n] (or [n, k]): packed densely as stored.
    const Index a_rows = ta == Trans::yes ? k : m, a_cols = ta == Trans::yes ? m : k;
    const Index b_rows = tb == Trans::yes ? n : k, b_cols = tb == Trans::yes ? k : n;
    a16.resize(static_cast<std::size_t>(m * k));
    b16.resize(static_cast<std::size_t>(k * n));
    to_bf16_matrix(A, a_rows, a_cols, lda, a16.data());
    to_bf16_matrix(B, b_rows, b_cols, ldb, b16.data());
    try {
      const detail::DnnlBf16Matmul& mm = bf16_matmul({m, n, k, ldc, ta == Trans::yes, tb == Trans::yes, beta != 0.0f});
      thread_local dnnl::stream stream(detail::dnnl_cpu_engine());
      const dnnl::engine& engine = detail::dnnl_cpu_engine();
      dnnl::memory a_mem(mm.a, engine, a16.data()), b_mem(mm.b, engine, b16.data()), c_mem(mm.c, engine, C);
      mm.primitive.execute(stream, {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}});
      stream.wait();
    } catch (const dnnl::error& e) {
      throw Error("oneDNN GEMM backend: bf16 matmul " + std::to_string(m) + "x" + std::to_string(n) + "x" +
                  std::to_string(k) + " failed: " + e.what());
    }
  }

  /// A [batch, heads, rows, cols] view of a buffer: element (b, h, r, c) at
  /// b * batch + h * head + r * row + c * col (a transpose is a swap of row and col).
  struct Strides {
    Index batch, head, row, col;
  };

  /// C[b, h] = A[b, h] B[b, h] for every (b, h) at once: A [m, k] and B [k, n] bf16, C [m, n]
  /// float (overwritten), each a strided view (Strides). One oneDNN matmul primitive (cached per
  /// shape and strides on the calling thread) runs all batch x heads products on the OpenMP
  /// threads: attention's 128 x 128 x 64 products one by one spend more in oneDNN's per-call
  /// set-up than in the product (ops/attention.hpp, bf16 path). Call it outside parallel regions.
  static void batched_gemm_bf16(Index batch, Index heads, Index m, Index n, Index k, const bf16_bits* A, Strides sa,
                                const bf16_bits* B, Strides sb, float* C, Strides sc) {
    const detail::DnnlBatchedKey key{
        {batch, heads, m, n, k},
        {sa.batch, sa.head, sa.row, sa.col, sb.batch, sb.head, sb.row, sb.col, sc.batch, sc.head, sc.row, sc.col}};
    try {
      const detail::DnnlBf16Matmul& mm = batched_matmul(key);
      thread_local dnnl::stream stream(detail::dnnl_cpu_engine());
      const dnnl::engine& engine = detail::dnnl_cpu_engine();
      // oneDNN takes non-const handles; the primitive only reads SRC and WEIGHTS.
      dnnl::memory a_mem(mm.a, engine, const_cast<bf16_bits*>(A)), b_mem(mm.b, engine, const_cast<bf16_bits*>(B)),
          c_mem(mm.c, engine, C);
      mm.primitive.execute(stream, {{DNNL_ARG_SRC, a_mem}, {DNNL_ARG_WEIGHTS, b_mem}, {DNNL_ARG_DST, c_mem}});
      stream.wait();
    } catch (const dnnl::error& e) {
      throw Error("oneDNN GEMM backend: batched bf16 matmul " + std::to_string(batch) + "x" + std::to_string(heads) +
                  " of " + std::to_string(m) + "x" + std::to_string(n) + "x" + std::to_string(k) +
                  " failed: " + e.what());
    }
  }

  static const char* isa_name(dnnl_cpu_isa_t isa) {
    switch (isa) {
      case dnnl_cpu_isa_sse41:
        return "sse41";
      case dnnl_cpu_isa_avx:
        return "avx";
      case dnnl_cpu_isa_avx2:
        return "avx2";
      case dnnl_cpu_isa_avx2_vnni:
        return "avx2_vnni";
      case dnnl_cpu_isa_avx512_core:
        return "avx512_core";
      case dnnl_cpu_isa_avx512_core_vnni:
        return "avx512_core_vnni";
      case dnnl_cpu_isa_avx512_core_bf16:
        return "avx512_core_bf16";
      case dnnl_cpu_isa_avx512_core_amx:
        return "avx512_core_amx";
      default:
        return "other";
    }
  }

 private:
  static char op(Trans t) { return t == Trans::yes ? 'T' : 'N'; }

  /// This thread's primitive for `key`, made by `make(key)` on first use (one cache per key type).
  template <class Key, class Hash, class Make>
  static const detail::DnnlBf16Matmul& cached_matmul(const Key& key, Make make) {
    thread_local std::unordered_map<Key, detail::DnnlBf16Matmul, Hash> cache;
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    return cache.emplace(key, make(key)).first->second;
  }

  /// This thread's matmul primitive for a shape, created on first use.
  static const detail::DnnlBf16Matmul& bf16_matmul(const detail::DnnlBf16Key& key) {
    return cached_matmul<detail::DnnlBf16Key, detail::DnnlBf16KeyHash>(key, make_bf16_matmul);
  }
  static detail::DnnlBf16Matmul make_bf16_matmul(const detail::DnnlBf16Key& key) {
    using md = dnnl::memory::desc;
    using dt = dnnl::memory::data_type;
    const md a({key.m, key.k}, dt::bf16, key.ta ? dnnl::memory::dims{1, key.m} : dnnl::memory::dims{key.k, 1});
    const md b({key.k, key.n}, dt::bf16, key.tb ? dnnl::memory::dims{1, key.k} : dnnl::memory::dims{key.n, 1});
    const md c({key.m, key.n}, dt::f32, dnnl::memory::dims{key.ldc, 1});
    dnnl::primitive_attr attr;
    if (key.accumulate) {
      dnnl::post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), attr, detail::dnnl_cpu_engine());
    return {a, b, c, dnnl::matmul(pd)};
  }

  /// This thread's batched matmul primitive for a shape and strides, created on first use.
  static const detail::DnnlBf16Matmul& batched_matmul(const detail::DnnlBatchedKey& key) {
    return cached_matmul<detail::DnnlBatchedKey, detail::DnnlBatchedKeyHash>(key, make_batched_matmul);
  }
  static detail::DnnlBf16Matmul make_batched_matmul(const detail::DnnlBatchedKey& key) {
    using md = dnnl::memory::desc;
    using dt = dnnl::memory::data_type;
    const Index* d = key.dims;
    const Index* s = key.strides;
    const md a({d[0], d[1], d[2], d[4]}, dt::bf16, dnnl::memory::dims{s[0], s[1], s[2], s[3]});
    const md b({d[0], d[1], d[4], d[3]}, dt::bf16, dnnl::memory::dims{s[4], s[5], s[6], s[7]});
    const md c({d[0], d[1], d[2], d[3]}, dt::f32, dnnl::memory::dims{s[8], s[9], s[10], s[11]});
    const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a, b, c), detail::dnnl_cpu_engine());
    return {a, b, c, dnnl::matmul(pd)};
  }
};

template <class T>
struct gemm_traits<DnnlGemm, T> {
  static constexpr bool native = std::is_same_v<T, float>;
};

}  // namespace frost::gemm
