// Explicit instantiations of frost::cli::run_training for policy group B.
#include "train_instances.hpp"

FROST_CLI_POLICIES_B(FROST_CLI_INSTANTIATE)
