// tools/cli/common.hpp: what the `frost` commands share: model directories, tokenizing data files,
// explain); `compare` lives in compare.hpp. Each command validates every input before it writes
// anything, and `train` writes its output into a staging directory that is moved into place only
// when everything succeeded, so a failure leaves no partial output.
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
#include "model_instances.hpp"

namespace frost::cli {

namespace fs = std::filesystem;

/// Peak resident set size of this process, bytes.
inline long long peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<long long>(ru.ru_maxrss) * 1024;
}

/// --max-seq-len: 0 means 128 capped at the model's max_position_embeddings; an explicit value
/// larger than the model allows is an error.
inline int resolve_max_len(int requested, const BertConfig& cfg) {
  if (requested == 0) return std::min(128, cfg.max_position_embeddings);
  FROST_CHECK(requested <= cfg.max_position_embeddings,
              "--max-seq-len " + std::to_string(requested) + " exceeds the model's max_position_embeddings " +
                  std::to_string(cfg.max_position_embeddings));
  return requested;
}



}  // namespace frost::cli
