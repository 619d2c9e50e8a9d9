// frost/core/profile.hpp: where a step's time goes, per op family and pass (`frost bench
// --profile`). Off unless a Profile is attached to the model's FlopCounter (model.flops.profile):
// then every FROST_PROFILE scope in the model adds its wall time and the GEMM FLOPs counted inside
// it to (pass, family). Scopes are placed around whole ops outside parallel regions (each op
// parallelises inside), so the times add up to the step: what no scope covers is reported as
// "other". Disabled cost: one null-pointer test per op.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "../detail/macros.hpp"  // FROST_PROFILE
#include "flops.hpp"

namespace frost {

enum class OpFamily : int {
  gemm_qkv,       ///< Q, K, V projections (+ their LoRA/IA3 work)
  gemm_attn_out,  ///< attention output dense
  gemm_ffn_in,    ///< FFN intermediate dense (H -> I)
  gemm_ffn_out,   ///< FFN output dense (I -> H)
  gemm_head,      ///< pooler + classifier
  attention,      ///< per-head QK^T, softmax, attention dropout, PV (and their backward)
  layer_norm,     ///< bias + residual + LayerNorm (fused), LayerNorm backward
  gelu,           ///< bias + GELU (fused), its backward and recomputation
  dropout,        ///< hidden dropout and its backward
  bias,           ///< bias gradients (column sums)
  embeddings,     ///< lookups + LayerNorm, their backward
  loss,           ///< cross-entropy / BCE / MSE and dlogits
  optimizer,      ///< AdamW / SGD step
  pages,          ///< zero_grad, and handing pages back and forth (core/pages.hpp)
  count
};
enum class Pass : int { forward = 0, backward = 1, optimizer = 2, count };

inline const char* name(Pass p) {
  static constexpr std::array<const char*, static_cast<int>(Pass::count)> kNames = {"forward", "backward", "optimizer"};
  return kNames[static_cast<std::size_t>(p)];
}

inline const char* name(OpFamily f) {
  static constexpr std::array<const char*, static_cast<int>(OpFamily::count)> kNames = {"GEMM q/k/v",
                                                                                        "GEMM attention out",
                                                                                        "GEMM FFN in",
                                                                                        "GEMM FFN out",
                                                                                        "GEMM pooler+classifier",
                                                                                        "attention (QK^T, softmax, PV)",
                                                                                        "bias+residual+LayerNorm",
                                                                                        "bias+GELU",
                                                                                        "dropout",
                                                                                        "bias gradients",
                                                                                        "embeddings",
                                                                                        "loss",
                                                                                        "optimizer",
                                                                                        "zero_grad + pages"};
  return kNames[static_cast<std::size_t>(f)];
}
inline bool is_gemm(OpFamily f) { return static_cast<int>(f) <= static_cast<int>(OpFamily::gemm_head); }

struct Profile {
  static constexpr int kFamilies = static_cast<int>(OpFamily::count);
  static constexpr int kPasses = static_cast<int>(Pass::count);
  std::array<std::array<double, kFamilies>, kPasses> seconds{};
  std::array<std::array<std::uint64_t, kFamilies>, kPasses> flops{};
  void reset() { *this = Profile{}; }
};

/// Adds the scope's wall time and the FLOPs counted meanwhile to fc.profile (if any).
class ProfileScope {
 public:
  ProfileScope(FlopCounter& fc, Pass pass, OpFamily op) : fc_(fc.profile ? &fc : nullptr), pass_(pass), op_(op) {
    if (fc_) {
      flops0_ = fc_->total();
      t0_ = std::chrono::steady_clock::now();
    }
  }
  ~ProfileScope() {
    if (!fc_) return;
    const auto p = static_cast<std::size_t>(pass_), o = static_cast<std::size_t>(op_);
    fc_->profile->seconds[p][o] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
    fc_->profile->flops[p][o] += fc_->total() - flops0_;
  }
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  FlopCounter* fc_;
  Pass pass_;
  OpFamily op_;
  std::uint64_t flops0_ = 0;
  std::chrono::steady_clock::time_point t0_{};
};

}  // namespace frost
