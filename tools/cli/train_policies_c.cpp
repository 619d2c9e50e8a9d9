// Explicit instantiations of frost::cli::run_training for policy group C.
#include "train_instances.hpp"

FROST_CLI_POLICIES_C(FROST_CLI_INSTANTIATE)
