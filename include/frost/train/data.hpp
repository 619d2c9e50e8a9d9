// frost/train/data.hpp: tokenized examples, deterministic epoch order, dynamic-padding batches.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

#include "../core/random.hpp"
#include "../detail/macros.hpp"
#include "../model/batch.hpp"

namespace frost {

/// One tokenized example: ids including [CLS]/[SEP], token types (empty: zeros) and a target:
/// `label` (class index) for single-label, `targets` for multi-label (num_labels values) or
/// regression (one value).
struct Example {
  std::vector<int> input_ids;
  std::vector<int> token_type_ids;
  std::int64_t label = 0;
  std::vector<double> targets;
};

using Dataset = std::vector<Example>;

/// The order of examples in epoch `epoch`: identity without shuffling, else a Fisher-Yates
/// permutation drawn from frost's own generator (std::shuffle is implementation-defined, and a run
/// must be reproducible across standard libraries).
inline std::vector<std::int64_t> epoch_order(std::size_t n, std::uint64_t seed, std::int64_t epoch, bool shuffle) {
  std::vector<std::int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  if (!shuffle) return order;
  const RandomStream rng = RandomStream{splitmix64(seed)}.fork(static_cast<std::uint64_t>(epoch));
  for (std::size_t i = n; i > 1; --i) {
    const std::uint64_t r = splitmix64(rng.key + i);
    const std::size_t j = static_cast<std::size_t>(r % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

/// HF Trainer's --group_by_length (LengthGroupedSampler, get_length_grouped_indices) applied to an
/// epoch's shuffled `order`: cut it into megabatches of mult x batch_size examples (mult =
/// min(n / (4 batch_size), 50), at least 1), sort each megabatch by length, longest first, and
/// swap the longest example of all to the front (an out-of-memory shows in the first step, not
/// the last). Consecutive batches then hold similar lengths, so dynamic padding pads little; the
/// order stays random at the megabatch scale. `batch_size` is the global batch (per rank x ranks:
/// dist::shard_order deals consecutive examples to the ranks in turn).
inline std::vector<std::int64_t> group_by_length(std::vector<std::int64_t> order, const Dataset& data,
                                                 std::size_t batch_size) {
  FROST_CHECK(batch_size > 0, "group_by_length: batch size must be positive");
  const std::size_t n = order.size();
  const std::size_t mult = std::max<std::size_t>(1, std::min<std::size_t>(n / (4 * batch_size), 50));
  const std::size_t mega = mult * batch_size;
  auto len = [&](std::int64_t i) { return data[static_cast<std::size_t>(i)].input_ids.size(); };
  std::size_t longest_block = 0;
  for (std::size_t start = 0; start < n; start += mega) {
    const auto b = order.begin() + static_cast<std::ptrdiff_t>(start);
    const auto e = order.begin() + static_cast<std::ptrdiff_t>(std::min(n, start + mega));
    std::stable_sort(b, e, [&](std::int64_t x, std::int64_t y) { return len(x) > len(y); });
    if (len(*b) > len(order[longest_block])) longest_block = start;
  }
  if (n > 0) std::swap(order[0], order[longest_block]);
  return order;
}

/// Whether examples carry class indices (single-label classification) rather than target values
/// (multi-label or regression), per HF's problem_type rule.
inline bool uses_class_labels(const BertConfig& cfg, const Dataset& data) {
  return cfg.num_labels > 1 && cfg.problem_type != ProblemType::multi_label_classification &&
         (data.empty() || data.front().targets.empty());
}

/// Pads examples[idx] to the longest of them (pad_token_id, attention mask 0, token type 0).
inline void make_batch(const Dataset& data, const std::int64_t* idx, std::size_t count, int pad_token_id,
                       bool single_label, Batch& batch, Labels& labels) {
  FROST_CHECK(count > 0, "make_batch: empty batch");
  std::size_t seq = 0;
  for (std::size_t i = 0; i < count; ++i) seq = std::max(seq, data[static_cast<std::size_t>(idx[i])].input_ids.size());
  FROST_CHECK(seq > 0, "make_batch: an example has no tokens");
  batch.batch_size = static_cast<int>(count);
  batch.seq_len = static_cast<int>(seq);
  batch.input_ids.assign(count * seq, pad_token_id);
  batch.token_type_ids.assign(count * seq, 0);
  batch.attention_mask.assign(count * seq, 0);
  labels.classes.clear();
  labels.targets.clear();
  for (std::size_t i = 0; i < count; ++i) {
    const Example& e = data[static_cast<std::size_t>(idx[i])];
    for (std::size_t s = 0; s < e.input_ids.size(); ++s) {
      batch.input_ids[i * seq + s] = e.input_ids[s];
      batch.attention_mask[i * seq + s] = 1;
      if (!e.token_type_ids.empty()) batch.token_type_ids[i * seq + s] = e.token_type_ids[s];
    }
    if (single_label)
      labels.classes.push_back(e.label);
    else
      labels.targets.insert(labels.targets.end(), e.targets.begin(), e.targets.end());
  }
}

}  // namespace frost
