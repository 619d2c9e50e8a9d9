// frost/core/flops.hpp: per-phase FLOP counters.
//
// frost counts matrix-multiply FLOPs (2*M*N*K per GEMM, attention's QK^T and PV included) in three
// phases: forward, backward-input (gradients w.r.t. activations) and backward-weight (gradients
// w.r.t. parameters). Elementwise work (LayerNorm, GELU, softmax, ...) is O(tokens*hidden) and not
// counted. The counters are incremented next to the GEMM calls in core/gemm.hpp, nowhere else, and
// tests compare them with the closed-form count in analytic_flops.hpp.
#pragma once

#include <array>
#include <cstdint>

namespace frost {

enum class Phase : int { forward = 0, backward_input = 1, backward_weight = 2 };

struct Profile;  // core/profile.hpp

struct FlopCounter {
  std::array<std::uint64_t, 3> count{0, 0, 0};
  Profile* profile = nullptr;  ///< when set, FROST_PROFILE scopes time the ops (core/profile.hpp)

  void add(Phase p, std::uint64_t flops) { count[static_cast<int>(p)] += flops; }
  [[nodiscard]] std::uint64_t operator[](Phase p) const { return count[static_cast<int>(p)]; }
  [[nodiscard]] std::uint64_t total() const { return count[0] + count[1] + count[2]; }
  void reset() { count = {0, 0, 0}; }
};

/// FLOPs of an [m,k] x [k,n] product.
constexpr std::uint64_t gemm_flops(std::int64_t m, std::int64_t n, std::int64_t k) {
  return 2ull * static_cast<std::uint64_t>(m) * static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(k);
}

}  // namespace frost
