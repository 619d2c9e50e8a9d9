// benchmarks/median_seconds.hpp: the timing rule of the product benchmarks (dnnl_products,
// gemm_floor): one untimed warm-up call (first touch, primitive creation), then the median of 9.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace frost_bench {

template <class F>
double median_seconds(F&& f) {
  f();
  std::vector<double> t;
  for (int r = 0; r < 9; ++r) {
    const auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[4];
}

}  // namespace frost_bench
