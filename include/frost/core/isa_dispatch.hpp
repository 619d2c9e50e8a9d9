// frost/core/isa_dispatch.hpp: which compiled variant of frost's own elementwise kernels runs.
//
// The library is header-only and the installed binary portable (no -march=native), yet the
// non-GEMM kernels (GELU, softmax, LayerNorm, dropout, bias gradients) should use the machine's
// widest vectors. Each such kernel is written once as a plain loop over floats (an always-inline
// `*_body`, vectorisable: no calls, no data-dependent branches, integer clamps instead of float
// compares) and FROST_ISA_VARIANTS (detail/macros.hpp) compiles it three times, for the baseline
// x86-64, AVX2+FMA and AVX-512, inside the same translation unit; `kernel_isa()` picks one per
// process from CPUID. An op asks for its variant once per call (or per row block) and hands it to
// its OpenMP loop: no dispatch inside a kernel.
//
//   FROST_KERNEL_ISA=baseline|avx2|avx512   caps the level (tests run every level the CPU has;
//                                            benchmarks compare them); never raises it past CPUID.
//
// Results may differ in the last bits between levels (FMA contraction, vector reduction order),
// as between oneDNN's kernels on different CPUs; within one process every pass uses one level, so
// recomputation (gradient checkpointing, cached features) stays bit-identical.
#pragma once

#include <cstdlib>
#include <string_view>

#include "../detail/macros.hpp"
#include "cpu.hpp"

namespace frost::cpu {

/// Reads "baseline" (or "sse"), "avx2" or "avx512" (FROST_KERNEL_ISA's spelling); false for others.
inline bool parse_isa(std::string_view s, Isa& out) {
  if (s == "baseline" || s == "sse") {
    out = Isa::baseline;
  } else if (s == "avx2") {
    out = Isa::avx2;
  } else if (s == "avx512") {
    out = Isa::avx512;
  } else {
    return false;
  }
  return true;
}

/// The level frost's own kernels are compiled for that this CPU can run (AVX without AVX2 counts
/// as baseline: the variants need FMA).
inline Isa kernel_isa_supported() {
  if (!FROST_HAVE_ISA_TARGETS) return Isa::baseline;
  const Isa d = detected();
  return d == Isa::avx ? Isa::baseline : d;
}

/// The level the kernels run at in this process: the CPU's, capped by FROST_KERNEL_ISA when set.
/// An unknown FROST_KERNEL_ISA value is an error (a typo must not silently benchmark the wrong
/// kernels).
inline Isa kernel_isa() {
  static const Isa level = [] {
    Isa l = kernel_isa_supported();
    if (const char* env = std::getenv("FROST_KERNEL_ISA"); env && *env) {
      Isa cap{};
      FROST_CHECK(parse_isa(env, cap), std::string("FROST_KERNEL_ISA=") + env + ": expected baseline, avx2 or avx512");
      if (static_cast<int>(cap) < static_cast<int>(l)) l = cap;
    }
    return l;
  }();
  return level;
}

}  // namespace frost::cpu
