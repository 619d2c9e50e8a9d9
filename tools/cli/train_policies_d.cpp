// Explicit instantiations of frost::cli::run_training for policy group D.
#include "train_instances.hpp"

FROST_CLI_POLICIES_D(FROST_CLI_INSTANTIATE)
