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

#include <frost/text/wordpiece.hpp>

#include "cli.hpp"
#include "model_dir.hpp"
#include "model_instances.hpp"
#include "tsv.hpp"

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

/// Tokenizes a TSV file into examples; errors name the file and line.
inline Dataset tokenize_file(const TsvFile& f, const text::WordPieceTokenizer& tok, int max_len,
                             bool regression, const std::string& path) {
  Dataset d;
  d.reserve(f.rows.size());
  for (const auto& r : f.rows) {
    text::Encoding enc;
    try {
      enc = f.pairs ? tok.encode(r.text_a, r.text_b, max_len) : tok.encode(r.text_a, std::nullopt, max_len);
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(r.line) + ": " + e.what());
    }
    Example ex;
    ex.input_ids = std::move(enc.input_ids);
    ex.token_type_ids = std::move(enc.token_type_ids);
    if (regression) ex.targets = {r.label};
    else ex.label = static_cast<std::int64_t>(r.label);
    d.push_back(std::move(ex));
  }
  return d;
}


}  // namespace frost::cli
