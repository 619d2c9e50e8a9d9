// frost/core/backend/gemm_eigen.hpp: the default GEMM backend, Eigen 3 products.
//
// Row-major strided maps, noalias() products. Eigen parallelises one product over OpenMP threads
// itself (and runs single-threaded inside an enclosing parallel region).
#pragma once

#include <string>

#include "gemm_traits.hpp"

namespace frost::gemm {

struct EigenGemm {
  static constexpr const char* name = "eigen";
  static bool available() { return true; }
  static std::string description() {
    return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
           std::to_string(EIGEN_MINOR_VERSION);
  }

  template <class T>
  static void gemm(Trans ta, Trans tb, Index m, Index n, Index k, const T* A, Index lda, const T* B, Index ldb, T beta,
                   T* C, Index ldc) {
    using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using CMap = Eigen::Map<const Mat, 0, Eigen::OuterStride<>>;
    Eigen::Map<Mat, 0, Eigen::OuterStride<>> c(C, m, n, Eigen::OuterStride<>(ldc));
    // op(A) is [m,k]: stored [m,k] (no) or [k,m] (yes); likewise op(B) [k,n].
    const CMap a(A, ta == Trans::yes ? k : m, ta == Trans::yes ? m : k, Eigen::OuterStride<>(lda));
    const CMap b(B, tb == Trans::yes ? n : k, tb == Trans::yes ? k : n, Eigen::OuterStride<>(ldb));
    if (beta == T(0))
      c.setZero();
    else if (beta != T(1))
      c *= beta;
    if (ta == Trans::no && tb == Trans::no)
      c.noalias() += a * b;
    else if (ta == Trans::no)
      c.noalias() += a * b.transpose();
    else if (tb == Trans::no)
      c.noalias() += a.transpose() * b;
    else
      c.noalias() += a.transpose() * b.transpose();
  }
};

template <class T>
struct gemm_traits<EigenGemm, T> {
  static constexpr bool native = true;
};

}  // namespace frost::gemm
