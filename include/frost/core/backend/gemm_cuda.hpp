// frost/core/backend/gemm_cuda.hpp: cuBLAS offload for matmuls (FROST_USE_CUDA; CMake:
// FROST_CUDA=ON, links CUDA::cublas and CUDA::cudart; compiles with the host C++ compiler, no nvcc).
//
// Each GEMM copies its operands to the device, runs cublasSgemm/Dgemm and copies C back: the rest
// of frost stays on the CPU, so this is offload, not a GPU-resident model. Device buffers grow and
// are reused; one cuBLAS handle per process; calls are serialised by a mutex (frost calls GEMMs
// from one thread). FP32 runs in CUBLAS_DEFAULT_MATH (no TF32), so results match the CPU path to
// float rounding. Without a usable device, available() is false and gemm() throws frost::Error.
//
// Row-major on a column-major library: a row-major X[r,c] is the column-major X^T, so
//   C = op(A) op(B)  (row-major)   <=>   C^T = op(B)^T op(A)^T  (column-major)
// i.e. the same transpose flags with A<->B and m<->n swapped.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <mutex>
#include <type_traits>
#include <string>

#include "../../detail/macros.hpp"
#include "gemm_traits.hpp"

namespace frost::gemm {

namespace detail {

inline void cuda_check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw Error(std::string("CUDA GEMM backend: ") + what + " failed: " + cudaGetErrorString(e));
}
inline void cublas_check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw Error(std::string("CUDA GEMM backend: ") + what + " failed with cuBLAS status " +
                std::to_string(static_cast<int>(s)));
}

/// A device allocation that only grows.
struct DeviceBuffer {
  void* ptr = nullptr;
  std::size_t bytes = 0;
  void* reserve(std::size_t n) {
    if (n > bytes) {
      if (ptr) cudaFree(ptr);
      ptr = nullptr;
      bytes = 0;
      cuda_check(cudaMalloc(&ptr, n), "cudaMalloc");
      bytes = n;
    }
    return ptr;
  }
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() {
    if (ptr) cudaFree(ptr);
  }
};

/// The process's cuBLAS handle and operand buffers (created on first use).
struct CudaContext {
  std::mutex mutex;
  cublasHandle_t handle = nullptr;
  DeviceBuffer a, b, c;

  static CudaContext& get() {
    static CudaContext ctx;
    return ctx;
  }
  cublasHandle_t ensure_handle() {
    if (!handle) {
      cublas_check(cublasCreate(&handle), "cublasCreate");
      cublas_check(cublasSetMathMode(handle, CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }
    return handle;
  }
  ~CudaContext() {
    if (handle) cublasDestroy(handle);
  }
};

}  // namespace detail

struct CudaGemm {
  static constexpr const char* name = "cuda";

  /// True when a CUDA device can be used (driver present, at least one device).
  static bool available() {
    int n = 0;
    return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
  }
  static std::string description() {
    cudaDeviceProp prop{};
    if (!available() || cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return "cuBLAS (no CUDA device)";
    return std::string("cuBLAS on ") + prop.name;
  }

  template <class T>
  static void gemm(Trans ta, Trans tb, Index m, Index n, Index k, const T* A, Index lda, const T* B, Index ldb, T beta,
                   T* C, Index ldc) {
    static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
    auto& ctx = detail::CudaContext::get();
    const std::lock_guard lock(ctx.mutex);
    if (!available()) throw Error("CUDA GEMM backend: no CUDA device is available (built with FROST_CUDA=ON)");
    const cublasHandle_t h = ctx.ensure_handle();
    // Stored extents (row-major): A is [m,k] or [k,m], B is [k,n] or [n,k], C is [m,n].
    const std::size_t a_rows = static_cast<std::size_t>(ta == Trans::yes ? k : m);
    const std::size_t b_rows = static_cast<std::size_t>(tb == Trans::yes ? n : k);
    const std::size_t a_bytes = a_rows * static_cast<std::size_t>(lda) * sizeof(T);
    const std::size_t b_bytes = b_rows * static_cast<std::size_t>(ldb) * sizeof(T);
    const std::size_t c_bytes = static_cast<std::size_t>(m) * static_cast<std::size_t>(ldc) * sizeof(T);
    T* da = static_cast<T*>(ctx.a.reserve(a_bytes));
    T* db = static_cast<T*>(ctx.b.reserve(b_bytes));
    T* dc = static_cast<T*>(ctx.c.reserve(c_bytes));
    detail::cuda_check(cudaMemcpy(da, A, a_bytes, cudaMemcpyHostToDevice), "cudaMemcpy A");
    detail::cuda_check(cudaMemcpy(db, B, b_bytes, cudaMemcpyHostToDevice), "cudaMemcpy B");
    if (beta != T(0)) detail::cuda_check(cudaMemcpy(dc, C, c_bytes, cudaMemcpyHostToDevice), "cudaMemcpy C");
    const T alpha = T(1);
    const cublasOperation_t opa = ta == Trans::yes ? CUBLAS_OP_T : CUBLAS_OP_N;
    const cublasOperation_t opb = tb == Trans::yes ? CUBLAS_OP_T : CUBLAS_OP_N;
    const int im = static_cast<int>(m), in = static_cast<int>(n), ik = static_cast<int>(k);
    if constexpr (std::is_same_v<T, float>)
      detail::cublas_check(cublasSgemm(h, opb, opa, in, im, ik, &alpha, db, static_cast<int>(ldb), da,
                                       static_cast<int>(lda), &beta, dc, static_cast<int>(ldc)),
                           "cublasSgemm");
    else
      detail::cublas_check(cublasDgemm(h, opb, opa, in, im, ik, &alpha, db, static_cast<int>(ldb), da,
                                       static_cast<int>(lda), &beta, dc, static_cast<int>(ldc)),
                           "cublasDgemm");
    detail::cuda_check(cudaMemcpy(C, dc, c_bytes, cudaMemcpyDeviceToHost), "cudaMemcpy C back");
  }
};

template <class T>
struct gemm_traits<CudaGemm, T> {
  static constexpr bool native = std::is_same_v<T, float> || std::is_same_v<T, double>;
};

}  // namespace frost::gemm
