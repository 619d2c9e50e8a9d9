// frost/dist/mpi_communicator.hpp: dist::Communicator over MPI_COMM_WORLD (needs <mpi.h>: link
// MPI::MPI_CXX; frost's CMake option FROST_MPI does). Launch with `mpirun -np N program ...`.
#pragma once

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "../error.hpp"
#include "communicator.hpp"

namespace frost::dist {

class MpiCommunicator final : public Communicator {
 public:
  /// Initialises MPI unless the program already has (then the program finalises it too).
  MpiCommunicator() {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) {
      int provided = 0;
      check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
      owns_ = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    // Errors come back as return codes, so that a failed collective is a frost::Error.
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  }
  ~MpiCommunicator() override {
    int done = 0;
    MPI_Finalized(&done);
    if (owns_ && !done) MPI_Finalize();
  }
  MpiCommunicator(const MpiCommunicator&) = delete;
  MpiCommunicator& operator=(const MpiCommunicator&) = delete;

  /// Whether this process was started by an MPI launcher (mpirun, srun): then a program uses MPI;
  /// otherwise it runs as a single process without initialising MPI at all.
  static bool launched() {
    for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
      if (std::getenv(v)) return true;
    return false;
  }

  [[nodiscard]] int rank() const override { return rank_; }
  [[nodiscard]] int size() const override { return size_; }
  void allreduce_sum(float* data, std::size_t n) override { allreduce(data, n, MPI_FLOAT, MPI_SUM); }
  void allreduce_sum(double* data, std::size_t n) override { allreduce(data, n, MPI_DOUBLE, MPI_SUM); }
  void allreduce_min(std::uint64_t* data, std::size_t n) override { allreduce(data, n, MPI_UINT64_T, MPI_MIN); }
  void start_allreduce_sum(float* data, std::size_t n) override {
    for (std::size_t done = 0; done < n;) {
      const int c = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX / 2));
      MPI_Request r = MPI_REQUEST_NULL;
      check(MPI_Iallreduce(MPI_IN_PLACE, data + done, c, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &r), "MPI_Iallreduce");
      pending_.push_back(r);
      done += static_cast<std::size_t>(c);
    }
  }
  void progress() override {
    if (pending_.empty()) return;
    int flag = 0;
    check(MPI_Testall(static_cast<int>(pending_.size()), pending_.data(), &flag, MPI_STATUSES_IGNORE), "MPI_Testall");
  }
  void wait_all() override {
    if (pending_.empty()) return;
    check(MPI_Waitall(static_cast<int>(pending_.size()), pending_.data(), MPI_STATUSES_IGNORE), "MPI_Waitall");
    pending_.clear();
  }
  void broadcast(void* data, std::size_t bytes, int root) override {
    auto* p = static_cast<char*>(data);
    for (std::size_t done = 0; done < bytes;) {
      const int c = static_cast<int>(std::min<std::size_t>(bytes - done, INT_MAX));
      check(MPI_Bcast(p + done, c, MPI_BYTE, root, MPI_COMM_WORLD), "MPI_Bcast");
      done += static_cast<std::size_t>(c);
    }
  }
  void barrier() override { check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }
  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::exit(code);
  }

 private:
  template <class V>
  void allreduce(V* data, std::size_t n, MPI_Datatype type, MPI_Op op) {
    for (std::size_t done = 0; done < n;) {  // MPI counts are int
      const int c = static_cast<int>(std::min<std::size_t>(n - done, INT_MAX / 2));
      check(MPI_Allreduce(MPI_IN_PLACE, data + done, c, type, op, MPI_COMM_WORLD), "MPI_Allreduce");
      done += static_cast<std::size_t>(c);
    }
  }
  static void check(int rc, const char* what) {
    if (rc == MPI_SUCCESS) return;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw Error(std::string(what) + " failed: " + std::string(msg, static_cast<std::size_t>(len)));
  }

  int rank_ = 0, size_ = 1;
  bool owns_ = false;
  std::vector<MPI_Request> pending_;
};

}  // namespace frost::dist
