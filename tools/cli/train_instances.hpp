// tools/cli/train_instances.hpp: run_training<Policy> and run_bench<Policy> are instantiated in
// train_policies_*.cpp, a few policies per translation unit, so the CLI builds in parallel and
// main.cpp stays light.
#pragma once

#include <frost/cli/bench.hpp>
#include <frost/cli/commands.hpp>

#define FROST_CLI_EXTERN(P)                                                                  \
  extern template nlohmann::json frost::cli::run_training<P>(frost::cli::PreparedTraining&); \
  extern template nlohmann::json frost::cli::run_bench<P>(const frost::cli::BenchOptions&, const frost::BertConfig&);
FROST_CLI_POLICIES(FROST_CLI_EXTERN)
#undef FROST_CLI_EXTERN
#define FROST_CLI_INSTANTIATE(P)                                                      \
  template nlohmann::json frost::cli::run_training<P>(frost::cli::PreparedTraining&); \
  template nlohmann::json frost::cli::run_bench<P>(const frost::cli::BenchOptions&, const frost::BertConfig&);
