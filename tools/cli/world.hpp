// tools/cli/world.hpp: the ranks a `frost` process trains with. Under an MPI launcher (`mpirun -np
// N frost train ...`) in a build with FROST_MPI: MPI's world, data parallel (dist/); otherwise one
// process, and MPI is never initialised.
#pragma once

#include <frost/dist/communicator.hpp>
#if defined(FROST_WITH_MPI)
#include <frost/dist/mpi_communicator.hpp>
#endif

namespace frost::cli {

inline dist::Communicator& world() {
#if defined(FROST_WITH_MPI)
  if (dist::MpiCommunicator::launched()) {
    static dist::MpiCommunicator mpi;
    return mpi;
  }
#endif
  return dist::single_process();
}

}  // namespace frost::cli
