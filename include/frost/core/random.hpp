// frost/core/random.hpp: counter-based random numbers for dropout.
//
// Each dropout site draws u = hash(seed, site, index) in [0, 1): no state is carried between
// elements, so masks are reproducible given (seed, step) and can be drawn in parallel.
#pragma once

#include <cstdint>

namespace frost {

constexpr std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// A stream of uniforms identified by a 64-bit key.
struct RandomStream {
  std::uint64_t key = 0;
  [[nodiscard]] constexpr RandomStream fork(std::uint64_t site) const {
    return {splitmix64(key ^ splitmix64(site + 0x632BE59BD9B4E019ull))};
  }
  /// Uniform in [0, 1) with 24 random bits (exact in float and double).
  [[nodiscard]] constexpr double uniform(std::uint64_t index) const {
    return static_cast<double>(splitmix64(key + index * 0xD1B54A32D192ED03ull) >> 40) * (1.0 / 16777216.0);
  }
};

}  // namespace frost
