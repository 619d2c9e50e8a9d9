// tools/cli/common.hpp: what the commands that run the model (train, eval, predict, bench) share:
// the model (frost/frost.hpp, compiled once in frost_instances), model directories and data files
// (model_dir.hpp), flags (flags.hpp), peak RSS. Each command validates every input before it
// writes anything, and `train` writes its output into a staging directory that is moved into
// place only when everything succeeded, so a failure leaves no partial output.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include <frost/text/bert_tokenizer.hpp>

#include "cli.hpp"
#include "model_dir.hpp"
#include <frost/frost.hpp>  // with FROST_EXTERN_INSTANCES: the float model is compiled once (frost_instances)

namespace frost::cli {

namespace fs = std::filesystem;

/// Peak resident set size of this process, bytes.
inline long long peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<long long>(ru.ru_maxrss) * 1024;
}

}  // namespace frost::cli
