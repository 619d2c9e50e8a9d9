// GEMM backends (core/backend/): every backend compiled into this build against a double-precision
// reference, for the three products BERT uses, with and without accumulation, odd shapes and the
// degenerate k = 0. The CUDA backend's tests skip when no device is present; with one, they are the
// parity check of the GPU path against the CPU path.
#include <gtest/gtest.h>

#include <frost/core/gemm.hpp>
#include <frost/ops/attention.hpp>
#if defined(FROST_TEST_BLAS) && !defined(FROST_USE_BLAS)
#include <frost/core/backend/gemm_blas.hpp>  // tested beside the build's own backend
#endif
#include <algorithm>
#include <cmath>
#include <random>

namespace {

using namespace frost;
using gemm::Trans;

Tensor<float> random_tensor(Eigen::Index r, Eigen::Index c, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Tensor<float> t(r, c);
  for (Eigen::Index i = 0; i < t.size(); ++i) t.data()[i] = u(g);
  return t;
}

// C = op(A) op(B) (+ C0) in double, element by element.
Tensor<double> reference(Trans ta, Trans tb, const Tensor<float>& a, const Tensor<float>& b, const Tensor<float>* c0) {
  const Eigen::Index m = ta == Trans::yes ? a.cols() : a.rows(), k = ta == Trans::yes ? a.rows() : a.cols();
  const Eigen::Index n = tb == Trans::yes ? b.rows() : b.cols();
  Tensor<double> c(m, n);
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = 0; j < n; ++j) {
      double s = c0 ? (*c0)(i, j) : 0.0;
      for (Eigen::Index l = 0; l < k; ++l)
        s += double(ta == Trans::yes ? a(l, i) : a(i, l)) * double(tb == Trans::yes ? b(j, l) : b(l, j));
      c(i, j) = s;
    }
  return c;
}

template <class Backend>
void check_all_products() {
  if (!Backend::available()) GTEST_SKIP() << Backend::name << " backend: no device here";
  const Eigen::Index m = 37, n = 53, k = 29;
  FlopCounter fc;
  for (const bool acc : {false, true}) {
    const Accumulate mode = acc ? Accumulate::yes : Accumulate::no;
    const Tensor<float> c0 = random_tensor(m, n, 7);
    {  // nt: A[m,k] B[n,k]^T
      const Tensor<float> a = random_tensor(m, k, 1), b = random_tensor(n, k, 2);
      Tensor<float> c = c0;
      gemm_nt<Backend>(c, a, b, fc, Phase::forward, mode);
      const Tensor<double> r = reference(Trans::no, Trans::yes, a, b, acc ? &c0 : nullptr);
      EXPECT_LT((c.cast<double>() - r).cwiseAbs().maxCoeff(), 1e-5) << Backend::name << " nt acc=" << acc;
    }
    {  // nn: A[m,k] B[k,n]
      const Tensor<float> a = random_tensor(m, k, 3), b = random_tensor(k, n, 4);
      Tensor<float> c = c0;
      gemm_nn<Backend>(c, a, b, fc, Phase::backward_input, mode);
      const Tensor<double> r = reference(Trans::no, Trans::no, a, b, acc ? &c0 : nullptr);
      EXPECT_LT((c.cast<double>() - r).cwiseAbs().maxCoeff(), 1e-5) << Backend::name << " nn acc=" << acc;
    }
    {  // tn: A[k,m]^T B[k,n]
      const Tensor<float> a = random_tensor(k, m, 5), b = random_tensor(k, n, 6);
      Tensor<float> c = c0;
      gemm_tn<Backend>(c, a, b, fc, Phase::backward_weight, mode);
      const Tensor<double> r = reference(Trans::yes, Trans::no, a, b, acc ? &c0 : nullptr);
      EXPECT_LT((c.cast<double>() - r).cwiseAbs().maxCoeff(), 1e-5) << Backend::name << " tn acc=" << acc;
    }
  }
  // FLOPs are counted per call, whatever the backend: 2 modes x 3 products x 2mnk.
  EXPECT_EQ(fc.total(), 6u * gemm_flops(m, n, k));
}

template <class Backend>
void check_double_and_degenerate() {
  if (!Backend::available()) GTEST_SKIP() << Backend::name << " backend: no device here";
  FlopCounter fc;
  // double: the gradient checks run the model in double through the same entry points.
  Tensor<double> a = Tensor<double>::Random(9, 4), b = Tensor<double>::Random(6, 4), c(9, 6);
  gemm_nt<Backend>(c, a, b, fc, Phase::forward);
  EXPECT_LT((c - a * b.transpose()).cwiseAbs().maxCoeff(), 1e-12);
  // k = 0: an empty sum (zero, or C unchanged when accumulating).
  Tensor<float> e(3, 0), f(5, 0), g = Tensor<float>::Constant(3, 5, 2.0f);
  gemm_nt<Backend>(g, e, f, fc, Phase::forward, Accumulate::yes);
  EXPECT_EQ(g.minCoeff(), 2.0f);
  gemm_nt<Backend>(g, e, f, fc, Phase::forward);
  EXPECT_EQ(g.cwiseAbs().maxCoeff(), 0.0f);
  // A shape mismatch is an error, not memory corruption.
  Tensor<float> x(4, 3), w(5, 2), y(4, 5);
  EXPECT_THROW(gemm_nt<Backend>(y, x, w, fc, Phase::forward), Error);
}

TEST(GemmEigen, AllProducts) { check_all_products<gemm::EigenGemm>(); }
TEST(GemmEigen, DoubleAndDegenerate) { check_double_and_degenerate<gemm::EigenGemm>(); }

// The OpenBLAS backend: in its own build (FROST_USE_BLAS, the default backend there) and, where
// OpenBLAS is installed, in a build with another default (FROST_TEST_BLAS, tests/CMakeLists.txt).
#if defined(FROST_USE_BLAS)
TEST(GemmBlas, IsTheDefault) { EXPECT_STREQ(gemm::DefaultBackend::name, "blas"); }
#endif
#if defined(FROST_USE_BLAS) || defined(FROST_TEST_BLAS)
TEST(GemmBlas, AllProducts) {
  std::printf("[ BLAS     ] %s\n", gemm::BlasGemm::description().c_str());
  const std::string w = gemm::BlasGemm::kernel_warning();
  if (!w.empty()) std::printf("[ BLAS     ] %s\n", w.c_str());
  check_all_products<gemm::BlasGemm>();
}
TEST(GemmBlas, DoubleAndDegenerate) { check_double_and_degenerate<gemm::BlasGemm>(); }
// OpenBLAS core names -> the SIMD level of their kernels (what kernel_warning compares with CPUID).
TEST(GemmBlas, CoreNamesMapToTheirInstructionSet) {
  using cpu::Isa;
  EXPECT_EQ(gemm::BlasGemm::core_isa("Prescott"), Isa::baseline);
  EXPECT_EQ(gemm::BlasGemm::core_isa("Sandybridge"), Isa::avx);
  EXPECT_EQ(gemm::BlasGemm::core_isa("Haswell"), Isa::avx2);
  EXPECT_EQ(gemm::BlasGemm::core_isa("Zen"), Isa::avx2);
  EXPECT_EQ(gemm::BlasGemm::core_isa("SKYLAKEX"), Isa::avx512);
  EXPECT_EQ(gemm::BlasGemm::core_isa("Cooperlake"), Isa::avx512);
  // The warning is given exactly when the kernels are below the CPU, and names the fix.
  const std::string w = gemm::BlasGemm::kernel_warning();
  EXPECT_EQ(w.empty(), int(gemm::BlasGemm::kernel_isa()) >= int(cpu::detected())) << w;
  if (!w.empty()) {
    EXPECT_NE(w.find("OPENBLAS_CORETYPE="), std::string::npos) << w;
  }
}
#endif

#if defined(FROST_USE_DNNL)
TEST(GemmDnnl, AllProducts) { check_all_products<gemm::DnnlGemm>(); }
TEST(GemmDnnl, DoubleAndDegenerate) { check_double_and_degenerate<gemm::DnnlGemm>(); }
TEST(GemmDnnl, IsTheDefault) {
  EXPECT_STREQ(gemm::DefaultBackend::name, "dnnl");
  EXPECT_STREQ(ops::detail::HeadGemm::name, "dnnl");  // attention's per-head products too
  std::printf("[ DNNL     ] %s\n", gemm::DnnlGemm::description().c_str());
}
// BERT's largest product (the FFN's 768 -> 3072 at 8 x 128 tokens) in every orientation, against
// the double-precision reference on a sample of entries (the full reference is 2.4 G multiply-adds).
TEST(GemmDnnl, MatchesTheReferenceAtBertShape) {
  const Eigen::Index m = 1024, n = 3072, k = 768;
  const Tensor<float> x = random_tensor(m, k, 11), w = random_tensor(n, k, 12), wt = w.transpose(), xt = x.transpose();
  FlopCounter fc;
  Tensor<float> nt(m, n), nn(m, n), tn(m, n);
  gemm_nt<gemm::DnnlGemm>(nt, x, w, fc, Phase::forward);
  gemm_nn<gemm::DnnlGemm>(nn, x, wt, fc, Phase::forward);
  gemm_tn<gemm::DnnlGemm>(tn, xt, wt, fc, Phase::forward);
  double worst = 0;
  for (Eigen::Index i = 0; i < m; i += 37)
    for (Eigen::Index j = 0; j < n; j += 41) {
      double r = 0;
      for (Eigen::Index l = 0; l < k; ++l) r += double(x(i, l)) * double(w(j, l));
      for (const Tensor<float>* c : {&nt, &nn, &tn}) worst = std::max(worst, std::abs(double((*c)(i, j)) - r));
    }
  EXPECT_LT(worst, 1e-4);  // sums of 768 products of magnitude <= 1: float rounding ~ 768 * 2^-24 * |terms|
}
#endif

#if defined(FROST_USE_CUDA)
TEST(GemmCuda, AllProducts) { check_all_products<gemm::CudaGemm>(); }
TEST(GemmCuda, DoubleAndDegenerate) { check_double_and_degenerate<gemm::CudaGemm>(); }
TEST(GemmCuda, IsTheDefault) {
  EXPECT_STREQ(gemm::DefaultBackend::name, "cuda");
  std::printf("[ CUDA     ] %s\n", gemm::CudaGemm::description().c_str());
}
// A large product, where the GPU path and the CPU path must agree to float rounding.
TEST(GemmCuda, MatchesCpuAtBertShape) {
  if (!gemm::CudaGemm::available()) GTEST_SKIP() << "cuda backend: no device here";
  const Tensor<float> x = random_tensor(1024, 768, 11), w = random_tensor(3072, 768, 12);
  Tensor<float> gpu(1024, 3072), cpu(1024, 3072);
  FlopCounter fc;
  gemm_nt<gemm::CudaGemm>(gpu, x, w, fc, Phase::forward);
  gemm_nt<gemm::EigenGemm>(cpu, x, w, fc, Phase::forward);
  EXPECT_LT((gpu - cpu).cwiseAbs().maxCoeff() / cpu.cwiseAbs().maxCoeff(), 1e-5);
}
#endif

#if !defined(FROST_USE_BLAS) && !defined(FROST_USE_CUDA) && !defined(FROST_USE_DNNL)
TEST(GemmEigen, IsTheDefault) { EXPECT_STREQ(gemm::DefaultBackend::name, "eigen"); }
#endif

}  // namespace
