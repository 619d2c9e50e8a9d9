// Explicit instantiations of frost::cli::run_training for policy group A.
#include "train_instances.hpp"

FROST_CLI_POLICIES_A(FROST_CLI_INSTANTIATE)
