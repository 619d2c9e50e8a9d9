// frost/core/random.hpp: counter-based random numbers for dropout.
//
// Each dropout site draws u = hash(key(seed, site), index): no state is carried between elements,
// so masks are reproducible given (seed, step) and can be drawn in parallel and in vector lanes.
// Streams are forked with splitmix64 on 64-bit keys; the per-element draw is two rounds of a 32-bit
// integer hash (Wellons' "lowbias32" finaliser: multiplies, shifts and xors that vectorise on every
// x86 level), keyed by the two halves of the stream key. An element index is 32 bits: a stream
// covers at most 2^32 elements (one tensor; dropout checks it).
#pragma once

#include <cstdint>

#include "../detail/macros.hpp"

namespace frost {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// A bijective 32-bit mixer with low bias (C. Wellons, "Prospecting for hash functions", 2018).
FROST_ALWAYS_INLINE constexpr std::uint32_t hash32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7FEB352Du;
  x ^= x >> 15;
  x *= 0x846CA68Bu;
  x ^= x >> 16;
  return x;
}

/// 24 uniformly distributed bits for element i of the stream keyed (k0, k1).
FROST_ALWAYS_INLINE constexpr std::uint32_t random_bits24(std::uint32_t k0, std::uint32_t k1, std::uint32_t i) {
  return hash32(hash32(i ^ k0) + k1) >> 8;
}

/// A stream of uniforms identified by a 64-bit key.
struct RandomStream {
  std::uint64_t key = 0;
  [[nodiscard]] constexpr RandomStream fork(std::uint64_t site) const {
    return {splitmix64(key ^ splitmix64(site + 0x632BE59BD9B4E019ull))};
  }
  [[nodiscard]] constexpr std::uint32_t k0() const { return static_cast<std::uint32_t>(key); }
  [[nodiscard]] constexpr std::uint32_t k1() const { return static_cast<std::uint32_t>(key >> 32); }
  /// 24 random bits for element `index` (< 2^32) of this stream.
  [[nodiscard]] constexpr std::uint32_t bits24(std::uint32_t index) const { return random_bits24(k0(), k1(), index); }
  /// Uniform in [0, 1) with 24 random bits (exact in float and double).
  [[nodiscard]] constexpr double uniform(std::uint32_t index) const {
    return static_cast<double>(bits24(index)) * (1.0 / 16777216.0);
  }
};

}  // namespace frost
