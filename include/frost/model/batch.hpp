// frost/model/batch.hpp: one padded batch of token ids and its labels.
#pragma once

#include "../ops/loss.hpp"  // Labels (the loss's targets) live beside the loss

#include <cstdint>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../detail/macros.hpp"

namespace frost {

/// Row-major [batch, seq] int arrays, as `tokenizer(..., padding=True)` returns them.
struct Batch {
  int batch_size = 0;
  int seq_len = 0;
  std::vector<int> input_ids;
  std::vector<int> token_type_ids;  ///< empty: all zeros (HF default)
  std::vector<int> attention_mask;  ///< empty: all ones (HF default)

  [[nodiscard]] std::int64_t tokens() const { return static_cast<std::int64_t>(batch_size) * seq_len; }

  /// Fills the optional arrays and checks every entry against the config; throws frost::Error
  /// naming the array, position and expected range.
  void validate(const BertConfig& cfg) {
    FROST_CHECK(batch_size > 0 && seq_len > 0, "Batch: batch_size and seq_len must be positive");
    FROST_CHECK(seq_len <= cfg.max_position_embeddings, "Batch: seq_len " + std::to_string(seq_len) +
                                                            " exceeds max_position_embeddings " +
                                                            std::to_string(cfg.max_position_embeddings));
    const auto n = static_cast<std::size_t>(tokens());
    FROST_CHECK(input_ids.size() == n, "Batch: input_ids has " + std::to_string(input_ids.size()) +
                                           " entries, expected batch_size*seq_len = " + std::to_string(n));
    if (token_type_ids.empty()) token_type_ids.assign(n, 0);
    if (attention_mask.empty()) attention_mask.assign(n, 1);
    FROST_CHECK(token_type_ids.size() == n, "Batch: token_type_ids has " + std::to_string(token_type_ids.size()) +
                                                " entries, expected " + std::to_string(n));
    FROST_CHECK(attention_mask.size() == n, "Batch: attention_mask has " + std::to_string(attention_mask.size()) +
                                                " entries, expected " + std::to_string(n));
    for (std::size_t i = 0; i < n; ++i) {
      FROST_CHECK(input_ids[i] >= 0 && input_ids[i] < cfg.vocab_size,
                  "Batch: input_ids[" + std::to_string(i) + "] = " + std::to_string(input_ids[i]) +
                      " is outside [0, vocab_size=" + std::to_string(cfg.vocab_size) + ")");
      FROST_CHECK(token_type_ids[i] >= 0 && token_type_ids[i] < cfg.type_vocab_size,
                  "Batch: token_type_ids[" + std::to_string(i) + "] = " + std::to_string(token_type_ids[i]) +
                      " is outside [0, type_vocab_size=" + std::to_string(cfg.type_vocab_size) + ")");
      FROST_CHECK(attention_mask[i] == 0 || attention_mask[i] == 1,
                  "Batch: attention_mask[" + std::to_string(i) + "] must be 0 or 1");
    }
  }
};

}  // namespace frost
