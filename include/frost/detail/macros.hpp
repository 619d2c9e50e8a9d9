// frost/detail/macros.hpp: frost's general macros, all prefixed FROST_ (the CLI's kind-list
// macros are the application's, in tools/cli/model_instances.hpp).
#pragma once

#include <string>

#include "../error.hpp"

#if defined(__GNUC__) || defined(__clang__)
#define FROST_LIKELY(x) __builtin_expect(!!(x), 1)
#define FROST_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define FROST_LIKELY(x) (x)
#define FROST_UNLIKELY(x) (x)
#endif

// FROST_CHECK(cond, msg): runtime validation of *user input* (config, shapes, labels).
// Throws frost::Error with a message that names what was expected. Never compiled out.
#define FROST_CHECK(cond, msg)                                           \
  do {                                                                   \
    if (FROST_UNLIKELY(!(cond))) throw ::frost::Error(std::string(msg)); \
  } while (0)

// FROST_OMP(parallel for): an OpenMP pragma that vanishes (without -Wunknown-pragmas noise)
// when OpenMP is off.
#define FROST_STRINGIFY_(x) #x
#if defined(_OPENMP)
#include <omp.h>
#define FROST_OMP(directive) _Pragma(FROST_STRINGIFY_(omp directive))
#else
#define FROST_OMP(directive)
#endif

// FROST_PROFILE(fc, forward|backward|optimizer, family): times the rest of the enclosing block
// as op family `family` (core/profile.hpp's OpFamily) when a Profile is attached to FlopCounter fc.
#define FROST_PROFILE_CAT2_(a, b) a##b
#define FROST_PROFILE_CAT_(a, b) FROST_PROFILE_CAT2_(a, b)
#define FROST_PROFILE(fc, pass, family)                                                                     \
  const ::frost::ProfileScope FROST_PROFILE_CAT_(frost_profile_scope_, __LINE__)((fc), ::frost::Pass::pass, \
                                                                                 ::frost::OpFamily::family)

// FROST_DECL: how the non-template file I/O (io/, text/ and train/impl/*.ipp) is defined. Header-only
// (the default): each header includes its .ipp and FROST_DECL is `inline`, as everywhere else in
// frost. With FROST_SEPARATE_COMPILATION defined for the whole program, the headers declare those
// functions only and one .cpp of the program defines them:
//   #include <frost/impl/src.hpp>   // FROST_DECL is then empty
// so the other units neither parse their bodies nor instantiate what the bodies use (nlohmann's
// JSON, the file system). frost's own build does this in tools/instances (docs/design.md).
#if defined(FROST_SEPARATE_COMPILATION)
#define FROST_DECL
#else
#define FROST_DECL inline
#endif

namespace frost {
/// Elementwise loops smaller than this run on one thread: a parallel region costs more than it
/// saves on tiny tensors, and idle spinning threads fight other processes for the cores.
inline constexpr long kParallelMinWork = 1 << 15;
}  // namespace frost

// Run-time instruction-set dispatch of frost's own elementwise kernels (core/isa_dispatch.hpp).
// FROST_TARGET_AVX2 / FROST_TARGET_AVX512 compile one function for that level whatever the build's
// -march; FROST_ALWAYS_INLINE bodies take the instruction set of the function they are inlined into.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define FROST_HAVE_ISA_TARGETS 1
#define FROST_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define FROST_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
#else
#define FROST_HAVE_ISA_TARGETS 0
#define FROST_TARGET_AVX2
#define FROST_TARGET_AVX512
#endif
#if defined(__GNUC__) || defined(__clang__)
#define FROST_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define FROST_ALWAYS_INLINE inline
#endif

// FROST_ISA_SELECT(name): `name##_for(cpu::Isa)`, the one of name##_baseline, name##_avx2 and
// name##_avx512 for a level (the three written by hand, as vmath::sqrt_inplace, or by
// FROST_ISA_VARIANTS).
#define FROST_ISA_SELECT(name)                     \
  inline auto name##_for(::frost::cpu::Isa isa_) { \
    switch (isa_) {                                \
      case ::frost::cpu::Isa::avx512:              \
        return &name##_avx512;                     \
      case ::frost::cpu::Isa::avx2:                \
        return &name##_avx2;                       \
      default:                                     \
        return &name##_baseline;                   \
    }                                              \
  }

// FROST_ISA_VARIANTS(name, (params), (args)): from an always-inline `void name##_body(params)`,
// defines name##_baseline, name##_avx2 and name##_avx512 (the same body compiled three times) and
// `name##_for(cpu::Isa)`, the variant for a level. Callers pick once per call of an op (or per
// row block), never per element: see isa_dispatch.hpp.
#define FROST_ISA_VARIANTS(name, params, args)                               \
  FROST_TARGET_AVX512 inline void name##_avx512 params { name##_body args; } \
  FROST_TARGET_AVX2 inline void name##_avx2 params { name##_body args; }     \
  inline void name##_baseline params { name##_body args; }                   \
  FROST_ISA_SELECT(name)
