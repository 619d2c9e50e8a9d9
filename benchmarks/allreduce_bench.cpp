// benchmarks/allreduce_bench.cpp: latency and bandwidth of frost's gradient allreduce
// (dist::MpiCommunicator::allreduce_sum on float buffers) between the ranks of `mpirun -np P`.
// Prints one JSON object per size on rank 0 (bytes, the slowest rank's median seconds), then alpha
// (the 4-byte message's time) and the bandwidth (slope between the two largest messages), which
// benchmarks/scaling.py uses.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <frost/dist/mpi_communicator.hpp>

int main() {
  frost::dist::MpiCommunicator comm;
  std::vector<double> sizes, times;
  for (std::size_t n = 1; n <= (std::size_t{1} << 24); n *= 4) {  // 4 B .. 64 MiB
    std::vector<float> buf(n, 1.0f);
    const int reps = n <= 4096 ? 200 : n <= (1u << 20) ? 20 : 5;
    std::vector<double> t;
    for (int r = 0; r <= reps; ++r) {
      comm.barrier();
      const auto t0 = std::chrono::steady_clock::now();
      comm.allreduce_sum(buf.data(), buf.size());
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r > 0) t.push_back(s);  // the first call warms up
    }
    std::sort(t.begin(), t.end());
    // Every rank measured its own median; the collective's is the slowest rank's (max = ~min(~x)).
    std::uint64_t neg = ~static_cast<std::uint64_t>(t[t.size() / 2] * 1e12);
    comm.allreduce_min(&neg, 1);
    const double worst = static_cast<double>(~neg) / 1e12;
    sizes.push_back(static_cast<double>(n * sizeof(float)));
    times.push_back(worst);
    if (comm.is_main())
      std::printf("{\"ranks\": %d, \"bytes\": %zu, \"seconds\": %.9g}\n", comm.size(), n * sizeof(float), worst);
  }
  // alpha: the smallest message's time; bandwidth: the slope between the two largest messages.
  const std::size_t last = sizes.size() - 1;
  const double bw = (sizes[last] - sizes[last - 1]) / (times[last] - times[last - 1]);
  if (comm.is_main())
    std::printf("{\"ranks\": %d, \"alpha_seconds\": %.6g, \"bandwidth_bytes_per_second\": %.6g}\n", comm.size(),
                times.front(), bw);
  return 0;
}
