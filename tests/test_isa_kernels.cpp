// frost's own elementwise kernels at every instruction-set level this CPU runs (baseline x86-64,
// AVX2+FMA, AVX-512), each against an independent double-precision reference: std::exp / std::erf,
// std::sqrt, the ops' double (Eigen) paths, the AdamW rule in double, and the scalar dropout rule. The level of a run is otherwise fixed
// per process (FROST_KERNEL_ISA caps it), so these tests call each variant directly.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include <frost/core/isa_dispatch.hpp>
#include <frost/core/reduce.hpp>
#include <frost/core/vector_math.hpp>
#include <frost/ops/attention.hpp>
#include <frost/ops/dropout.hpp>
#include <frost/ops/gelu.hpp>
#include <frost/ops/layer_norm.hpp>
#include <frost/ops/softmax.hpp>
#include <frost/optim/adamw.hpp>

using namespace frost;

namespace {

/// Every level this CPU (and build) can run, baseline first.
std::vector<cpu::Isa> levels() {
  std::vector<cpu::Isa> out{cpu::Isa::baseline};
  const cpu::Isa top = cpu::kernel_isa_supported();
  if (static_cast<int>(top) >= static_cast<int>(cpu::Isa::avx2)) out.push_back(cpu::Isa::avx2);
  if (top == cpu::Isa::avx512) out.push_back(cpu::Isa::avx512);
  return out;
}

Tensor<double> to_double(const Tensor<float>& t) { return t.cast<double>(); }

double max_abs_diff(const Tensor<float>& a, const Tensor<double>& b) {
  return (a.cast<double>() - b).cwiseAbs().maxCoeff();
}

// Exp and erf kernels over a dense grid, through a vectorised loop of the level.
FROST_ALWAYS_INLINE void exp_erf_body(const float* x, float* e, float* f, long n, vmath::ExpRange r) {
  FROST_OMP(simd)
  for (long i = 0; i < n; ++i) {
    e[i] = vmath::exp(x[i], r);
    f[i] = vmath::erf(x[i], r);
  }
}
FROST_ISA_VARIANTS(exp_erf, (const float* x, float* e, float* f, long n, vmath::ExpRange r), (x, e, f, n, r))

}  // namespace

TEST(IsaKernels, KernelIsaNeverExceedsTheCpu) {
  EXPECT_LE(static_cast<int>(cpu::kernel_isa()), static_cast<int>(cpu::kernel_isa_supported()));
  cpu::Isa l{};
  EXPECT_TRUE(cpu::parse_isa("avx2", l));
  EXPECT_EQ(l, cpu::Isa::avx2);
  EXPECT_TRUE(cpu::parse_isa("baseline", l));
  EXPECT_EQ(l, cpu::Isa::baseline);
  EXPECT_FALSE(cpu::parse_isa("avx3", l));
}

TEST(IsaKernels, ExpAndErfAgainstLibm) {
  std::vector<float> x;
  for (double v = -87.0; v <= 88.0; v += 1.0 / 512) x.push_back(static_cast<float>(v));
  const long n = static_cast<long>(x.size());
  for (cpu::Isa isa : levels()) {
    std::vector<float> e(x.size()), f(x.size());
    exp_erf_for(isa)(x.data(), e.data(), f.data(), n, vmath::kExpRange);
    double exp_rel = 0, erf_abs = 0;
    for (long i = 0; i < n; ++i) {
      const double xd = x[static_cast<std::size_t>(i)];
      const double want = std::exp(xd);
      if (want > 1e-37) exp_rel = std::max(exp_rel, std::abs(e[static_cast<std::size_t>(i)] - want) / want);
      erf_abs = std::max(erf_abs, std::abs(f[static_cast<std::size_t>(i)] - std::erf(xd)));
    }
    EXPECT_LT(exp_rel, 3e-7) << cpu::name(isa);  // 2.5 float ulp
    EXPECT_LT(erf_abs, 4e-7) << cpu::name(isa);
    // Beyond the clamp: no inf, no NaN; far below: (next to) zero.
    const float big[4] = {-1e30f, -std::numeric_limits<float>::max(), 1e3f, -std::numeric_limits<float>::infinity()};
    float eb[4], fb[4];
    exp_erf_for(isa)(big, eb, fb, 4, vmath::kExpRange);
    EXPECT_LT(eb[0], 1e-37f);
    EXPECT_LT(eb[1], 1e-37f);
    EXPECT_LT(eb[3], 1e-37f);
    EXPECT_TRUE(std::isfinite(eb[2]));
    EXPECT_EQ(fb[0], -1.0f);
    EXPECT_EQ(fb[2], 1.0f);
    // NaN passes through both (the numerical guard must see it in the loss).
    const float nan_in[2] = {std::nanf(""), -std::nanf("")};
    float en[2], fn[2];
    exp_erf_for(isa)(nan_in, en, fn, 2, vmath::kExpRange);
    for (int k = 0; k < 2; ++k) {
      EXPECT_TRUE(std::isnan(en[k])) << cpu::name(isa);
      EXPECT_TRUE(std::isnan(fn[k])) << cpu::name(isa);
    }
  }
}

TEST(IsaKernels, GeluForwardAndBackwardMatchDouble) {
  Tensor<float> x = Tensor<float>::Random(7, 301) * 6.0f, dy = Tensor<float>::Random(7, 301),
                b = Tensor<float>::Random(1, 301);
  Tensor<double> yd, dxd, id = to_double(x), gd;
  ops::gelu_forward(to_double(x), yd);
  ops::gelu_backward_input(to_double(dy), to_double(x), dxd);
  Tensor<double> bd = to_double(b);
  ops::bias_gelu_forward(id, bd, gd);
  for (cpu::Isa isa : levels()) {
    Tensor<float> y(7, 301), dx(7, 301), i = x, g(7, 301);
    for (long r = 0; r < 7; ++r) {
      ops::kernels::gelu_row_for(isa)(x.data() + r * 301, y.data() + r * 301, 301, vmath::kExpRange);
      ops::kernels::gelu_backward_row_for(isa)(dy.data() + r * 301, x.data() + r * 301, dx.data() + r * 301, 301,
                                               vmath::kExpRange);
      ops::kernels::bias_gelu_row_for(isa)(i.data() + r * 301, b.data(), g.data() + r * 301, 301, vmath::kExpRange);
    }
    EXPECT_LT(max_abs_diff(y, yd), 3e-6) << cpu::name(isa);  // |x| <= 6: 1.5e-7 |x| + rounding
    EXPECT_LT(max_abs_diff(dx, dxd), 3e-6) << cpu::name(isa);
    EXPECT_LT(max_abs_diff(g, gd), 3e-6) << cpu::name(isa);
    EXPECT_LT(max_abs_diff(i, id), 1e-6) << cpu::name(isa);
    // The in-place kernel (passes that keep no pre-activation) gives g's values bit for bit:
    // recomputation (checkpointing, the feature cache) relies on it.
    Tensor<float> inplace = x;
    for (long r = 0; r < 7; ++r)
      ops::kernels::bias_gelu_inplace_row_for(isa)(inplace.data() + r * 301, b.data(), 301, vmath::kExpRange);
    EXPECT_EQ(std::memcmp(inplace.data(), g.data(), sizeof(float) * 7 * 301), 0) << cpu::name(isa);
  }
  Tensor<double> inplace_d = to_double(x);
  ops::bias_gelu_forward_inplace(inplace_d, bd);
  EXPECT_EQ((inplace_d - gd).cwiseAbs().maxCoeff(), 0.0);
}

TEST(IsaKernels, MaskedSoftmaxMatchesDoubleWithExactZeros) {
  constexpr long S = 37;
  Tensor<float> scores = Tensor<float>::Random(S, S) * 20.0f;
  Tensor<float> mask = Tensor<float>::Zero(3, S);
  const float lowest = std::numeric_limits<float>::lowest();
  for (long j = 30; j < S; ++j) mask(1, j) = lowest;  // batch 1: padding at the end
  mask.row(2).setConstant(lowest);                    // batch 2: every key masked
  const Tensor<double> maskd = to_double(mask);
  for (long b = 0; b < 3; ++b) {
    Tensor<double> want = to_double(scores);
    ops::masked_softmax_rows(want, 8.0, maskd, b);
    for (cpu::Isa isa : levels()) {
      Tensor<float> got = scores;
      for (long r = 0; r < S; ++r)
        ops::kernels::masked_softmax_row_for(isa)(got.data() + r * S, mask.data() + b * S, S, 8.0f, b == 1,
                                                  std::bit_cast<std::uint32_t>(lowest), vmath::kExpRange);
      EXPECT_LT(max_abs_diff(got, want), 1e-6) << "batch " << b << " " << cpu::name(isa);
      if (b == 1) {
        for (long r = 0; r < S; ++r)
          for (long j = 30; j < S; ++j) ASSERT_EQ(got(r, j), 0.0f);  // PyTorch: exactly 0
      }
      if (b == 2) {
        EXPECT_NEAR(got(0, 0), 1.0 / S, 1e-7);  // fully masked: uniform
      }
    }
  }
}

TEST(IsaKernels, SoftmaxBackwardAndAttentionDropoutBackward) {
  constexpr long S = 29;
  Tensor<float> p = Tensor<float>::Random(S, S).cwiseAbs(), dp = Tensor<float>::Random(S, S);
  Tensor<double> want = to_double(dp);
  const Tensor<double> pd = to_double(p);
  for (long r = 0; r < S; ++r) {
    const double dot = want.row(r).cwiseProduct(pd.row(r)).sum();
    want.row(r) = pd.row(r).cwiseProduct((want.row(r).array() - dot).matrix()) / 8.0;
  }
  const RandomStream stream = RandomStream{99}.fork(3);
  const std::uint32_t thr = ops::dropout_threshold(0.2);
  for (cpu::Isa isa : levels()) {
    Tensor<float> got = dp;
    for (long r = 0; r < S; ++r)
      ops::kernels::softmax_backward_row_for(isa)(got.data() + r * S, p.data() + r * S, S, 8.0f);
    EXPECT_LT(max_abs_diff(got, want), 1e-6) << cpu::name(isa);
    Tensor<float> pdrop(S, S), d = dp;
    ops::kernels::attention_dropout_backward_for(isa)(p.data(), pdrop.data(), d.data(), S * S, stream.k0(), stream.k1(),
                                                      thr, 1.25f);
    for (long i = 0; i < S * S; ++i) {
      const float m = ops::dropout_keeps(stream, static_cast<std::uint32_t>(i), thr) ? 1.25f : 0.0f;
      ASSERT_EQ(pdrop.data()[i], p.data()[i] * m);
      ASSERT_EQ(d.data()[i], dp.data()[i] * m);
    }
  }
}

TEST(IsaKernels, LayerNormForwardAndBackwardMatchDouble) {
  constexpr long N = 9, H = 131;
  Tensor<float> a = Tensor<float>::Random(N, H) * 3.0f, res = Tensor<float>::Random(N, H),
                bias = Tensor<float>::Random(1, H);
  Tensor<float> gamma = Tensor<float>::Random(1, H), beta = Tensor<float>::Random(1, H),
                dy = Tensor<float>::Random(N, H);
  Tensor<double> yd, dxd;
  ops::LayerNormCache<double> cd;
  const Tensor<double> bd = to_double(bias);
  ops::bias_residual_layer_norm_forward(to_double(a), &bd, to_double(res), to_double(gamma), to_double(beta), 1e-12, yd,
                                        &cd);
  ops::layer_norm_backward_input(to_double(dy), to_double(gamma), cd, dxd);
  for (cpu::Isa isa : levels()) {
    Tensor<float> y(N, H), xhat(N, H), rstd(N, 1), dx(N, H);
    std::vector<float> s(H);
    for (long r = 0; r < N; ++r)
      ops::kernels::layer_norm_row_for(isa)(a.data() + r * H, bias.data(), res.data() + r * H, gamma.data(),
                                            beta.data(), 1e-12f, s.data(), y.data() + r * H, xhat.data() + r * H,
                                            rstd.data() + r, H);
    EXPECT_LT(max_abs_diff(y, yd), 2e-6) << cpu::name(isa);
    EXPECT_LT(max_abs_diff(xhat, cd.xhat), 2e-6) << cpu::name(isa);
    EXPECT_LT((rstd.cast<double>() - cd.rstd).cwiseQuotient(cd.rstd).cwiseAbs().maxCoeff(), 1e-6) << cpu::name(isa);
    // The output recomputed from x̂ (an encoder layer's h1 in backward) is the forward's, bit for bit.
    Tensor<float> y_again(N, H);
    for (long r = 0; r < N; ++r)
      ops::kernels::layer_norm_output_row_for(isa)(xhat.data() + r * H, gamma.data(), beta.data(),
                                                   y_again.data() + r * H, H);
    EXPECT_EQ(y_again, y) << cpu::name(isa);
    for (long r = 0; r < N; ++r)
      ops::kernels::layer_norm_backward_row_for(isa)(dy.data() + r * H, gamma.data(), xhat.data() + r * H, rstd(r, 0),
                                                     dx.data() + r * H, H);
    EXPECT_LT(max_abs_diff(dx, dxd), 1e-5 * dxd.cwiseAbs().maxCoeff()) << cpu::name(isa);
  }
}

TEST(IsaKernels, ColumnSumsMatchDouble) {
  constexpr long N = 67, F = 150;  // a partial last stripe
  Tensor<float> a = Tensor<float>::Random(N, F), b = Tensor<float>::Random(N, F);
  const Tensor<double> want = a.cast<double>().colwise().sum(),
                       want_ab = a.cast<double>().cwiseProduct(b.cast<double>()).colwise().sum();
  for (cpu::Isa isa : levels()) {
    Tensor<float> got = Tensor<float>::Zero(1, F), got_ab = Tensor<float>::Zero(1, F);
    for (long c0 = 0; c0 < F; c0 += 64) {
      kernels::column_sums_stripe_for(isa)(a.data() + c0, nullptr, F, N, std::min(64L, F - c0), got.data() + c0);
      kernels::column_sums_stripe_for(isa)(a.data() + c0, b.data() + c0, F, N, std::min(64L, F - c0),
                                           got_ab.data() + c0);
    }
    EXPECT_LT(max_abs_diff(got, want), 1e-5) << cpu::name(isa);
    EXPECT_LT(max_abs_diff(got_ab, want_ab), 1e-5) << cpu::name(isa);
  }
}

TEST(IsaKernels, DropoutFollowsTheScalarRuleAtEveryLevel) {
  constexpr long n = 100003;
  const double p = 0.1;
  const RandomStream rng = RandomStream{12345}.fork(7);
  const std::uint32_t thr = ops::dropout_threshold(p);
  Tensor<float> x = Tensor<float>::Random(1, n);
  long kept_count = 0;
  std::vector<std::uint8_t> want(n);
  for (long i = 0; i < n; ++i) {
    want[static_cast<std::size_t>(i)] = ops::dropout_keeps(rng, static_cast<std::uint32_t>(i), thr);
    kept_count += want[static_cast<std::size_t>(i)];
  }
  // Keep fraction within 5 standard deviations of 1 - p.
  EXPECT_NEAR(static_cast<double>(kept_count) / n, 1 - p, 5 * std::sqrt(p * (1 - p) / n));
  const float scale = ops::dropout_scale<float>(p);
  for (cpu::Isa isa : levels()) {
    Tensor<float> y(1, n);
    std::vector<std::uint8_t> kept(n);
    ops::kernels::dropout_for(isa)(x.data(), y.data(), kept.data(), n, 0, rng.k0(), rng.k1(), thr, scale);
    for (long i = 0; i < n; ++i) {
      ASSERT_EQ(kept[static_cast<std::size_t>(i)], want[static_cast<std::size_t>(i)]) << i << " " << cpu::name(isa);
      ASSERT_EQ(y(0, i), want[static_cast<std::size_t>(i)] ? x(0, i) * scale : 0.0f) << i;
    }
    // An offset block draws the same bits as the same elements of the whole tensor.
    Tensor<float> y2(1, 1000);
    ops::kernels::dropout_for(isa)(x.data() + 5000, y2.data(), nullptr, 1000, 5000, rng.k0(), rng.k1(), thr, scale);
    for (long i = 0; i < 1000; ++i) ASSERT_EQ(y2(0, i), y(0, 5000 + i));
    // Backward redraws the same mask from the stream: bit for bit what the recorded mask gives.
    Tensor<float> d_redraw = x, d_mask = x;
    ops::kernels::dropout_backward_redraw_for(isa)(d_redraw.data() + 3, n - 3, 3, rng.k0(), rng.k1(), thr, scale);
    ops::kernels::dropout_backward_for(isa)(d_mask.data() + 3, kept.data() + 3, n - 3, scale);
    ASSERT_EQ(d_redraw, d_mask) << cpu::name(isa);
  }
  // Different streams give different masks.
  const RandomStream other = RandomStream{12345}.fork(8);
  long same = 0;
  for (long i = 0; i < n; ++i)
    same += ops::dropout_keeps(other, static_cast<std::uint32_t>(i), thr) == want[static_cast<std::size_t>(i)];
  EXPECT_LT(same, n - 1000);
}

TEST(IsaKernels, SqrtInplaceIsTheCorrectlyRoundedRoot) {
  // Lengths around every vector width, so that each tail path runs; values from 0 to 1e30.
  std::vector<float> x;
  for (int i = 0; i < 1000; ++i) x.push_back(std::ldexp(static_cast<float>(i % 97 + 1) / 97.0f, i % 200 - 100));
  x[3] = 0.0f;
  x[5] = std::numeric_limits<float>::infinity();
  x[7] = std::numeric_limits<float>::quiet_NaN();
  for (cpu::Isa isa : levels())
    for (long n : {1L, 3L, 4L, 7L, 8L, 15L, 16L, 17L, 33L, 1000L}) {
      std::vector<float> y(x.begin(), x.begin() + n);
      vmath::sqrt_inplace_for(isa)(y.data(), n);
      for (long i = 0; i < n; ++i) {
        const float want = std::sqrt(x[static_cast<std::size_t>(i)]);
        if (std::isnan(want))
          ASSERT_TRUE(std::isnan(y[static_cast<std::size_t>(i)]));
        else
          ASSERT_EQ(y[static_cast<std::size_t>(i)], want) << cpu::name(isa) << " n=" << n << " i=" << i;
      }
    }
}

TEST(IsaKernels, AdamWKernelMatchesTheRuleInDouble) {
  constexpr long n = 1000 + 37;  // several 256-element chunks and a partial one
  const double beta1 = 0.9, beta2 = 0.999, lr = 1e-3, wd = 0.01, eps = 1e-8;
  const int t = 3;
  const double step_size = lr / (1 - std::pow(beta1, t)), bc2s = std::sqrt(1 - std::pow(beta2, t));
  Tensor<float> p0 = Tensor<float>::Random(1, n), g = Tensor<float>::Random(1, n);
  Tensor<float> m0 = Tensor<float>::Random(1, n) * 0.1f, v0 = Tensor<float>::Random(1, n).cwiseAbs() * 0.01f;
  Tensor<float> vm0 = v0 * 1.5f;
  for (long i = 0; i < n; i += 7) vm0(0, i) = 0.0f;  // v wins the max there
  g(0, 11) = 0.0f;
  m0(0, 11) = 0.0f;
  v0(0, 11) = 0.0f;  // an untouched row: no update but the decay
  const kernels::AdamWCoefficients<float> c{static_cast<float>(beta1),       static_cast<float>(beta2),
                                            static_cast<float>(1 - beta1),   static_cast<float>(1 - beta2),
                                            static_cast<float>(1 - lr * wd), static_cast<float>(step_size),
                                            static_cast<float>(bc2s),        static_cast<float>(eps)};
  for (bool ams : {false, true}) {
    // The rule in double, from the same float inputs and the float-rounded betas (as torch's).
    const double b1 = static_cast<float>(beta1), b2 = static_cast<float>(beta2);
    Tensor<double> pw(1, n), mw(1, n), vw(1, n), vmw(1, n);
    for (long i = 0; i < n; ++i) {
      const double gi = g(0, i);
      mw(0, i) = b1 * m0(0, i) + (1 - beta1) * gi;
      vw(0, i) = b2 * v0(0, i) + (1 - beta2) * gi * gi;
      vmw(0, i) = std::max<double>(vm0(0, i), vw(0, i));
      const double r = std::sqrt(ams ? vmw(0, i) : vw(0, i));
      pw(0, i) = p0(0, i) * (1 - lr * wd) - step_size * mw(0, i) / (r / bc2s + eps);
    }
    for (cpu::Isa isa : levels()) {
      Tensor<float> p = p0, m = m0, v = v0, vm = vm0;
      kernels::adamw_for(isa)(p.data(), g.data(), m.data(), v.data(), ams ? vm.data() : nullptr, n, c,
                              vmath::sqrt_inplace_for(isa));
      EXPECT_LT(max_abs_diff(m, mw), 1e-7) << cpu::name(isa);
      EXPECT_LT(max_abs_diff(v, vw), 1e-9) << cpu::name(isa);
      if (ams) {
        EXPECT_LT(max_abs_diff(vm, vmw), 1e-9) << cpu::name(isa);
      }
      // The update is about lr = 1e-3 per element: a float rounding of p (6e-8) plus ~1e-6 of it.
      EXPECT_LT(max_abs_diff(p, pw), 2e-7) << cpu::name(isa) << (ams ? " amsgrad" : "");
      EXPECT_EQ(p(0, 11), static_cast<float>(p0(0, 11) * c.decay)) << "a zero gradient only decays";
    }
  }
  // A NaN gradient reaches the parameter (and amsgrad's running max) at every level.
  for (cpu::Isa isa : levels()) {
    Tensor<float> p = p0, m = m0, v = v0, vm = vm0, gn = g;
    gn(0, 300) = std::numeric_limits<float>::quiet_NaN();
    kernels::adamw_for(isa)(p.data(), gn.data(), m.data(), v.data(), vm.data(), n, c, vmath::sqrt_inplace_for(isa));
    EXPECT_TRUE(std::isnan(p(0, 300))) << cpu::name(isa);
    EXPECT_TRUE(std::isnan(vm(0, 300))) << cpu::name(isa);
    EXPECT_FALSE(std::isnan(p(0, 301))) << cpu::name(isa);
  }
}
