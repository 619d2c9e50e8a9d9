// bf16 mixed precision (core/bf16.hpp): the float -> bfloat16 rounding against an independent rule
// (the nearer of the two neighbouring bf16 values, ties to the even one, found in double), every
// ISA variant of the packing kernel, and the oneDNN bf16 GEMM against a double-precision product of
// the rounded inputs (to float accumulation error) and of the unrounded ones (to the stated bound
// 2u + u^2 + k eps, u = 2^-8). The GEMM tests skip, saying why, where bf16 GEMMs do not run (a CPU
// without AVX512_BF16 / AMX, or a build whose backend is not oneDNN); the rounding tests run
// everywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include <frost/core/bf16.hpp>
#include <frost/core/gemm.hpp>
#include <frost/ops/attention.hpp>

using namespace frost;

namespace {

/// The nearest bf16 to x by comparing distances in double (no bit tricks): the two bf16 values
/// around x are its float with the low 16 bits cleared and the next one up in magnitude.
double reference_bf16(float x) {
  if (std::isnan(x)) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(x)) return x;
  const std::uint32_t u = std::bit_cast<std::uint32_t>(x);
  const std::uint32_t lo_bits = u & 0xffff0000U;
  const std::uint32_t hi_bits = lo_bits + 0x10000U;
  const double lo = std::bit_cast<float>(lo_bits);
  // The step past bf16's largest finite magnitude is infinity (bits 0x7f80 0000).
  const double hi = (hi_bits & 0x7fffffffU) == 0x7f800000U ? std::copysign(std::numeric_limits<double>::infinity(), x)
                                                           : static_cast<double>(std::bit_cast<float>(hi_bits));
  const double d_lo = std::abs(static_cast<double>(x) - lo);
  // Against infinity, "distance" is the distance to the value one step past the largest finite.
  const double hi_finite = std::isinf(hi) ? std::copysign(std::ldexp(1.0, 128), x) : hi;
  const double d_hi = std::abs(hi_finite - static_cast<double>(x));
  if (d_lo < d_hi) return lo;
  if (d_hi < d_lo) return hi;
  return ((lo_bits >> 16) & 1U) == 0 ? lo : hi;  // a tie: the even one
}

std::vector<float> interesting_floats() {
  std::vector<float> v{0.0f,
                       -0.0f,
                       1.0f,
                       -1.0f,
                       std::numeric_limits<float>::infinity(),
                       -std::numeric_limits<float>::infinity(),
                       std::numeric_limits<float>::max(),
                       -std::numeric_limits<float>::max(),
                       std::numeric_limits<float>::min(),
                       std::numeric_limits<float>::denorm_min(),
                       std::bit_cast<float>(0x3f808000U),   // 1 + 2^-8: a tie, rounds down to even 1
                       std::bit_cast<float>(0x3f818000U),   // a tie that rounds up to even
                       std::bit_cast<float>(0x3f808001U),   // just above a tie: up
                       std::bit_cast<float>(0x3f807fffU),   // just below: down
                       std::bit_cast<float>(0x7f7f8000U),   // a tie at the top of bf16's range: to inf
                       std::bit_cast<float>(0x7f7f7fffU)};  // just below it: bf16's largest finite
  std::mt19937 gen(7);
  std::uniform_int_distribution<std::uint32_t> bits;
  for (int i = 0; i < 20000; ++i) {
    const float f = std::bit_cast<float>(bits(gen));
    if (!std::isnan(f)) v.push_back(f);
  }
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int i = 0; i < 5000; ++i) v.push_back(normal(gen));
  return v;
}

TEST(Bf16, RoundsToTheNearestBf16TiesToEven) {
  for (float x : interesting_floats()) {
    const double got = from_bf16(to_bf16(x));
    const double want = reference_bf16(x);
    ASSERT_EQ(got, want) << "x = " << x << " (bits 0x" << std::hex << std::bit_cast<std::uint32_t>(x) << ")";
    ASSERT_EQ(std::signbit(got), std::signbit(want)) << "x = " << x;
  }
}

TEST(Bf16, NanStaysNan) {
  for (std::uint32_t bits : {0x7fc00000U, 0x7f800001U, 0xffffffffU, 0x7fffffffU, 0xff800001U}) {
    EXPECT_TRUE(std::isnan(from_bf16(to_bf16(std::bit_cast<float>(bits))))) << std::hex << bits;
  }
}

TEST(Bf16, EveryIsaVariantRoundsLikeTheScalarRule) {
  const std::vector<float> x = interesting_floats();
  std::vector<cpu::Isa> isas{cpu::Isa::baseline};
  if (static_cast<int>(cpu::kernel_isa_supported()) >= static_cast<int>(cpu::Isa::avx2)) isas.push_back(cpu::Isa::avx2);
  if (cpu::kernel_isa_supported() == cpu::Isa::avx512) isas.push_back(cpu::Isa::avx512);
  for (cpu::Isa isa : isas) {
    for (long n : {0L, 1L, 7L, 15L, 16L, 33L, static_cast<long>(x.size())}) {
      std::vector<bf16_bits> y(static_cast<std::size_t>(n) + 1, 0xabcdU);
      kernels::to_bf16_row_for(isa)(x.data(), y.data(), n);
      for (long j = 0; j < n; ++j) ASSERT_EQ(y[static_cast<std::size_t>(j)], to_bf16(x[static_cast<std::size_t>(j)]));
      ASSERT_EQ(y[static_cast<std::size_t>(n)], 0xabcdU) << "wrote past the end (" << cpu::name(isa) << ")";
    }
  }
}

TEST(Bf16, MatrixPackingHonoursTheLeadingDimension) {
  const long rows = 300, cols = 150, ld = 170;  // 45,000 elements: above kParallelMinWork, threaded
  std::vector<float> src(static_cast<std::size_t>(rows * ld));
  std::mt19937 gen(3);
  std::normal_distribution<float> normal;
  for (float& f : src) f = normal(gen);
  std::vector<bf16_bits> dst(static_cast<std::size_t>(rows * cols));
  to_bf16_matrix(src.data(), rows, cols, ld, dst.data());
  for (long r = 0; r < rows; ++r)
    for (long c = 0; c < cols; ++c)
      ASSERT_EQ(dst[static_cast<std::size_t>(r * cols + c)], to_bf16(src[static_cast<std::size_t>(r * ld + c)]));
}

TEST(Bf16, ScopedPrecisionRestoresThePreviousOne) {
  ASSERT_EQ(matmul_precision(), MatmulPrecision::fp32);
  {
    const ScopedMatmulPrecision bf16(MatmulPrecision::bf16);
    EXPECT_EQ(matmul_precision(), MatmulPrecision::bf16);
  }
  EXPECT_EQ(matmul_precision(), MatmulPrecision::fp32);
}

// ---- GEMMs -----------------------------------------------------------------------------------

struct Product {
  gemm::Trans ta, tb;
  long m, n, k;
};

/// Runs C = op(A) op(B) (+ C0) through the default backend at the current matmul precision with
/// leading dimensions wider than the operands, and checks it against double references.
void check_product(const Product& p, bool accumulate, std::uint32_t seed) {
  const bool ta = p.ta == gemm::Trans::yes, tb = p.tb == gemm::Trans::yes;
  const long a_rows = ta ? p.k : p.m, a_cols = ta ? p.m : p.k, lda = a_cols + 3;
  const long b_rows = tb ? p.n : p.k, b_cols = tb ? p.k : p.n, ldb = b_cols + 5;
  const long ldc = p.n + 2;
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal;
  std::vector<float> a(static_cast<std::size_t>(a_rows * lda)), b(static_cast<std::size_t>(b_rows * ldb)),
      c(static_cast<std::size_t>(p.m * ldc));
  for (float& f : a) f = normal(gen);
  for (float& f : b) f = normal(gen);
  for (float& f : c) f = normal(gen);
  const std::vector<float> c0 = c;
  auto at = [&](long i, long l) { return a[static_cast<std::size_t>(ta ? l * lda + i : i * lda + l)]; };
  auto bt = [&](long l, long j) { return b[static_cast<std::size_t>(tb ? j * ldb + l : l * ldb + j)]; };

  gemm::DefaultBackend::gemm(p.ta, p.tb, p.m, p.n, p.k, a.data(), lda, b.data(), ldb, accumulate ? 1.0f : 0.0f,
                             c.data(), ldc);

  constexpr double u = 1.0 / 256.0;  // bf16's unit roundoff
  const double eps = std::numeric_limits<float>::epsilon();
  for (long i = 0; i < p.m; ++i) {
    for (long j = 0; j < p.n; ++j) {
      double rounded = 0, exact = 0, magnitude = 0;
      for (long l = 0; l < p.k; ++l) {
        rounded += static_cast<double>(from_bf16(to_bf16(at(i, l)))) * from_bf16(to_bf16(bt(l, j)));
        exact += static_cast<double>(at(i, l)) * bt(l, j);
        magnitude += std::abs(static_cast<double>(at(i, l)) * bt(l, j));
      }
      const double base = accumulate ? c0[static_cast<std::size_t>(i * ldc + j)] : 0.0;
      const double got = c[static_cast<std::size_t>(i * ldc + j)];
      const double accumulation = (static_cast<double>(p.k) + 2) * eps * (magnitude + std::abs(base));
      ASSERT_NEAR(got, base + rounded, accumulation * 1.05 + 1e-30)
          << "not the float-accumulated product of the bf16-rounded inputs at (" << i << ", " << j << ")";
      ASSERT_NEAR(got, base + exact, (2 * u + u * u) * magnitude * 1.01 + accumulation)
          << "outside the bf16 error bound at (" << i << ", " << j << ")";
    }
  }
  // Columns past n in C's rows are untouched.
  for (long i = 0; i < p.m; ++i)
    for (long j = p.n; j < ldc; ++j)
      ASSERT_EQ(c[static_cast<std::size_t>(i * ldc + j)], c0[static_cast<std::size_t>(i * ldc + j)]);
}

std::vector<Product> products() {
  using gemm::Trans;
  std::vector<Product> out;
  for (Trans ta : {Trans::no, Trans::yes})
    for (Trans tb : {Trans::no, Trans::yes}) {
      out.push_back({ta, tb, 37, 29, 53});
      out.push_back({ta, tb, 128, 64, 96});
    }
  return out;
}

#define FROST_SKIP_UNLESS_BF16()                                                                    \
  do {                                                                                              \
    if (const std::string why = gemm::bf16_unsupported_reason(); !why.empty()) GTEST_SKIP() << why; \
  } while (0)

TEST(Bf16Gemm, IsTheFloatAccumulatedProductOfRoundedInputs) {
  FROST_SKIP_UNLESS_BF16();
  const ScopedMatmulPrecision bf16(MatmulPrecision::bf16);
  std::uint32_t seed = 1;
  for (const Product& p : products())
    for (bool acc : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "ta " << (p.ta == gemm::Trans::yes) << " tb " << (p.tb == gemm::Trans::yes)
                                        << " " << p.m << "x" << p.n << "x" << p.k << (acc ? " accumulate" : ""));
      check_product(p, acc, seed++);
    }
}

TEST(Bf16Gemm, RunsConcurrentlyOnWorkerThreads) {
  // Attention's per-head products call the backend inside a parallel region: each thread has its
  // own buffers and primitives.
  FROST_SKIP_UNLESS_BF16();
  const ScopedMatmulPrecision bf16(MatmulPrecision::bf16);
  int failures = 0;
  FROST_OMP(parallel for reduction(+ : failures))
  for (int t = 0; t < 8; ++t) {
    const Product p{gemm::Trans::no, t % 2 ? gemm::Trans::yes : gemm::Trans::no, 64 + t, 48, 32 + 4 * t};
    try {
      check_product(p, t % 3 == 0, 100U + static_cast<std::uint32_t>(t));
    } catch (...) {
      ++failures;
    }
    if (::testing::Test::HasFatalFailure()) ++failures;
  }
  EXPECT_EQ(failures, 0);
}

TEST(Bf16Gemm, Fp32PrecisionIsNotRounded) {
  // The same product at fp32 is far closer to the exact one than bf16 allows: proof that the
  // precision switch is what selects the bf16 path (and that it is off by default).
  FROST_SKIP_UNLESS_BF16();
  const long m = 64, n = 64, k = 256;
  std::mt19937 gen(11);
  std::normal_distribution<float> normal;
  std::vector<float> a(static_cast<std::size_t>(m * k)), b(static_cast<std::size_t>(k * n));
  for (float& f : a) f = normal(gen);
  for (float& f : b) f = normal(gen);
  auto max_error = [&] {
    std::vector<float> c(static_cast<std::size_t>(m * n));
    gemm::DefaultBackend::gemm(gemm::Trans::no, gemm::Trans::no, m, n, k, a.data(), k, b.data(), n, 0.0f, c.data(), n);
    double worst = 0;
    for (long i = 0; i < m; ++i)
      for (long j = 0; j < n; ++j) {
        double exact = 0;
        for (long l = 0; l < k; ++l)
          exact += static_cast<double>(a[static_cast<std::size_t>(i * k + l)]) * b[static_cast<std::size_t>(l * n + j)];
        worst = std::max(worst, std::abs(exact - c[static_cast<std::size_t>(i * n + j)]));
      }
    return worst;
  };
  const double fp32 = max_error();
  double bf16 = 0;
  {
    const ScopedMatmulPrecision scope(MatmulPrecision::bf16);
    bf16 = max_error();
  }
  EXPECT_LT(fp32 * 20, bf16) << "fp32 " << fp32 << ", bf16 " << bf16;
  EXPECT_GT(bf16, 1e-3);  // sqrt(256) * 2^-8 * O(1) values: bf16 rounding is visible
}

// ---- attention's products under bf16 -------------------------------------------------------

/// bf16(x) as a double.
double r16(double x) { return from_bf16(to_bf16(static_cast<float>(x))); }

// Under bf16 the attention op rounds each per-head product's two inputs (q, k; Pd, v; dctx, v;
// Pd, dctx; dS, k; dS, q) and accumulates in float (oneDNN builds: one batched matmul per product,
// ops/attention_bf16.hpp). Reference: the same computation in double with the same roundings, on
// a padded batch with attention dropout (frost's own mask replayed). Tolerance per output: the
// float accumulation plus one bf16 rounding flip of a product input, 2u of sum |a b| (P, Pd and dS
// are float values in frost and double in the reference, so their roundings may differ by an ulp).
TEST(Bf16Attention, ProductsAreFloatAccumulatedProductsOfRoundedInputs) {
  FROST_SKIP_UNLESS_BF16();
  const ScopedMatmulPrecision bf16(MatmulPrecision::bf16);
  const long B = 2, NH = 3, S = 20, d = 8, H = NH * d, N = B * S;
  const ops::AttentionShape sh{B, S, NH, d};
  std::mt19937 gen(5);
  std::normal_distribution<float> normal;
  auto randn = [&](long r, long c) {
    Tensor<float> t(r, c);
    for (long i = 0; i < t.size(); ++i) t.data()[i] = normal(gen);
    return t;
  };
  const Tensor<float> q = randn(N, H), k = randn(N, H), v = randn(N, H), dctx = randn(N, H);
  std::vector<int> attention_mask(static_cast<std::size_t>(N), 1);
  for (long s = 15; s < S; ++s) attention_mask[static_cast<std::size_t>(S + s)] = 0;  // batch 1: 5 padding keys
  const Tensor<float> mask_add = ops::additive_mask<float>(attention_mask.data(), B, S);
  const double p = 0.25;
  FlopCounter fc;
  ops::AttentionCache<float> cache;
  Tensor<float> ctx, dq, dk, dv;
  ops::attention_forward(q, k, v, mask_add, sh, p, RandomStream{42}, ctx, &cache, fc);
  ops::attention_backward_input(dctx, q, k, v, cache, sh, p, dq, dk, dv, fc);

  const double u = 1.0 / 256.0, eps = std::numeric_limits<float>::epsilon();
  const double keep = 1.0 / (1.0 - p);
  long dropped = 0;
  double worst = 0;  // largest error relative to its tolerance
  auto expect = [&](const char* what, double got, double want, double magnitude, long terms) {
    const double tol = 2 * u * magnitude + static_cast<double>(terms + 2) * eps * magnitude + 1e-30;
    worst = std::max(worst, std::abs(got - want) / tol);
    ASSERT_NEAR(got, want, tol) << what;
  };
  for (long b = 0; b < B; ++b)
    for (long h = 0; h < NH; ++h) {
      const long bh = b * NH + h;
      auto Q = [&](long i, long c) { return static_cast<double>(q(b * S + i, h * d + c)); };
      auto K = [&](long i, long c) { return static_cast<double>(k(b * S + i, h * d + c)); };
      auto V = [&](long i, long c) { return static_cast<double>(v(b * S + i, h * d + c)); };
      auto DC = [&](long i, long c) { return static_cast<double>(dctx(b * S + i, h * d + c)); };
      std::vector<double> P(static_cast<std::size_t>(S * S)), Pd(P.size()), dS(P.size());
      auto at = [&](std::vector<double>& m, long i, long j) -> double& {
        return m[static_cast<std::size_t>(i * S + j)];
      };
      for (long i = 0; i < S; ++i) {
        double mx = -1e300;
        for (long j = 0; j < S; ++j) {
          double sc = 0;
          for (long c = 0; c < d; ++c) sc += r16(Q(i, c)) * r16(K(j, c));
          sc = attention_mask[static_cast<std::size_t>(b * S + j)] ? sc / std::sqrt(static_cast<double>(d)) : -1e300;
          at(P, i, j) = sc;
          mx = std::max(mx, sc);
        }
        double sum = 0;
        for (long j = 0; j < S; ++j) sum += at(P, i, j) = at(P, i, j) <= -1e299 ? 0.0 : std::exp(at(P, i, j) - mx);
        for (long j = 0; j < S; ++j) {
          at(P, i, j) /= sum;
          // Redrawn as attention's backward redraws it (no mask is stored): the test's own rule.
          const bool kept = ops::dropout_keeps(RandomStream{42}.fork(static_cast<std::uint64_t>(bh)),
                                               static_cast<std::uint32_t>(i * S + j), ops::dropout_threshold(p));
          dropped += kept ? 0 : 1;
          at(Pd, i, j) = kept ? at(P, i, j) * keep : 0.0;
          ASSERT_NEAR(cache.probs(bh * S + i, j), at(P, i, j), 2 * u * at(P, i, j) + 1e-6) << "probs";
        }
      }
      for (long i = 0; i < S; ++i) {
        for (long c = 0; c < d; ++c) {  // ctx = bf16(Pd) bf16(V)
          double want = 0, mag = 0;
          for (long j = 0; j < S; ++j)
            want += r16(at(Pd, i, j)) * r16(V(j, c)), mag += std::abs(at(Pd, i, j) * V(j, c));
          expect("ctx", ctx(b * S + i, h * d + c), want, mag, S);
        }
        double dot = 0;  // dPd = bf16(dC) bf16(V)^T; dP = dPd * mask; dS = P (dP - rowsum(dP P)) / sqrt(d)
        std::vector<double> dP(static_cast<std::size_t>(S));
        for (long j = 0; j < S; ++j) {
          double dpd = 0;
          for (long c = 0; c < d; ++c) dpd += r16(DC(i, c)) * r16(V(j, c));
          dP[static_cast<std::size_t>(j)] = at(Pd, i, j) != 0.0 ? dpd * keep : 0.0;
          dot += dP[static_cast<std::size_t>(j)] * at(P, i, j);
        }
        for (long j = 0; j < S; ++j)
          at(dS, i, j) = at(P, i, j) * (dP[static_cast<std::size_t>(j)] - dot) / std::sqrt(static_cast<double>(d));
      }
      for (long j = 0; j < S; ++j)
        for (long c = 0; c < d; ++c) {
          double want_dv = 0, mag_dv = 0, want_dq = 0, mag_dq = 0, want_dk = 0, mag_dk = 0;
          for (long i = 0; i < S; ++i) {
            want_dv += r16(at(Pd, i, j)) * r16(DC(i, c)), mag_dv += std::abs(at(Pd, i, j) * DC(i, c));
            want_dq += r16(at(dS, j, i)) * r16(K(i, c)), mag_dq += std::abs(at(dS, j, i) * K(i, c));
            want_dk += r16(at(dS, i, j)) * r16(Q(i, c)), mag_dk += std::abs(at(dS, i, j) * Q(i, c));
          }
          // dS carries the float error of dPd (d terms) into dQ and dK: a little more slack.
          expect("dv", dv(b * S + j, h * d + c), want_dv, mag_dv, S);
          expect("dq", dq(b * S + j, h * d + c), want_dq, mag_dq * 1.5, S + d);
          expect("dk", dk(b * S + j, h * d + c), want_dk, mag_dk * 1.5, S + d);
        }
    }
  EXPECT_GT(dropped, 0);  // dropout really ran
  std::printf("bf16 attention: worst error / tolerance %.2e\n", worst);

  // The same op in float differs by more than float rounding: the bf16 path ran.
  const ScopedMatmulPrecision fp32(MatmulPrecision::fp32);
  Tensor<float> ctx32;
  ops::attention_forward(q, k, v, mask_add, sh, p, RandomStream{42}, ctx32,
                         static_cast<ops::AttentionCache<float>*>(nullptr), fc);
  EXPECT_GT((ctx32 - ctx).cwiseAbs().maxCoeff(), 1e-4F);
}

}  // namespace
