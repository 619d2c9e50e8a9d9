// frost/dist/communicator.hpp: what data-parallel training needs from a process group (PyTorch's
// ProcessGroup, reduced to five collectives), and the single-process group.
//
// The training loop (train/trainer.hpp) has one code path: it talks to a Communicator, which is
// SingleProcess (world size 1: every collective is a no-op) unless the program passes another.
// dist/mpi_communicator.hpp implements it over MPI; it is the only frost header that includes
// <mpi.h>, and only programs built with FROST_MPI include it, so the header-only core has no MPI
// dependency.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace frost::dist {

class Communicator {
 public:
  virtual ~Communicator() = default;
  [[nodiscard]] virtual int rank() const = 0;
  [[nodiscard]] virtual int size() const = 0;
  /// data[0, n) := the sum over ranks of every rank's data[0, n) (in place, blocking).
  virtual void allreduce_sum(float* data, std::size_t n) = 0;
  virtual void allreduce_sum(double* data, std::size_t n) = 0;
  /// Starts allreduce_sum of data[0, n) without waiting (the buffer must stay untouched until
  /// wait_all()); the default runs it at once.
  virtual void start_allreduce_sum(float* data, std::size_t n) { allreduce_sum(data, n); }
  /// Lets started collectives advance (MPI progresses them inside its calls); no-op by default.
  virtual void progress() {}
  /// Waits until every started collective has finished.
  virtual void wait_all() {}
  /// data[0, n) := the minimum over ranks (in place).
  virtual void allreduce_min(std::uint64_t* data, std::size_t n) = 0;
  /// `bytes` bytes of `root`'s `data` into every rank's `data`.
  virtual void broadcast(void* data, std::size_t bytes, int root) = 0;
  virtual void barrier() = 0;
  /// Ends every rank with `code` (a rank that fails must not leave the others waiting).
  [[noreturn]] virtual void abort(int code) = 0;

  [[nodiscard]] bool is_main() const { return rank() == 0; }
};

/// World size 1.
class SingleProcess final : public Communicator {
 public:
  [[nodiscard]] int rank() const override { return 0; }
  [[nodiscard]] int size() const override { return 1; }
  void allreduce_sum(float*, std::size_t) override {}
  void allreduce_sum(double*, std::size_t) override {}
  void allreduce_min(std::uint64_t*, std::size_t) override {}
  void broadcast(void*, std::size_t, int) override {}
  void barrier() override {}
  [[noreturn]] void abort(int code) override { std::exit(code); }
};

/// The process-wide single-process group (the Trainer's default).
inline SingleProcess& single_process() {
  static SingleProcess s;
  return s;
}

}  // namespace frost::dist
