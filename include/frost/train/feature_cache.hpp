// frost/train/feature_cache.hpp: frozen work computed once (--cache-frozen-features).
//
// Below the lowest trainable parameter a model is a fixed function once dropout there is off
// (TrainingArguments::dropout_in_frozen = false, a documented difference from HF, which keeps
// dropout on in frozen layers). The Trainer then keeps, per training example, what the frozen
// prefix hands the lowest trainable component (BertBase::frozen_feature_rows()):
//
//   lowest trainable       kept per example           e.g. MiniLM, 40 tokens
//   encoder layer l        its input, [len, H]        61 KiB
//   pooler                 the [CLS] hidden row, [H]  1.5 KiB
//   classifier             the pooler output, [H]     1.5 KiB
//
// A batch whose examples are all kept starts at the lowest trainable component
// (FrozenFeatures::replay); any other batch runs the whole model once and its examples are kept
// (FrozenFeatures::capture). So the first epoch fills the cache and later epochs skip the prefix,
// whatever the shuffling, sharding (data parallel) or a resume. Rows of padding are not kept: a
// replayed batch gets zeros there, which attention masks out exactly as it masks the recomputed
// ones (a token's output does not depend on the padding of its batch).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "../model/batch.hpp"

namespace frost {

template <class T>
class FrozenFeatureCache {
 public:
  /// `rows`: BertBase::frozen_feature_rows() (-1 one row per token, 1 one row); `examples`: the
  /// size of the training set; `width`: hidden size.
  FrozenFeatureCache(int rows, std::size_t examples, Eigen::Index width)
      : per_token_(rows < 0), width_(width), slots_(examples) {
    FROST_CHECK(rows != 0,
                "--cache-frozen-features: nothing is frozen below the lowest trainable parameter "
                "(the embeddings train, or nothing does): there is no frozen work to keep");
  }

  /// Whether every example of the batch is kept.
  [[nodiscard]] bool has_all(const std::int64_t* idx, std::size_t n) const {
    for (std::size_t i = 0; i < n; ++i)
      if (slots_[static_cast<std::size_t>(idx[i])].empty()) return false;
    return true;
  }

  /// The boundary tensor of a batch of kept examples (Batch of make_batch(idx)): [B*S, H] with
  /// zero rows of padding, or [B, H].
  void assemble(const std::int64_t* idx, std::size_t n, const Batch& batch, Tensor<T>& out) const {
    const Eigen::Index s = per_token_ ? batch.seq_len : 1;
    out.setZero(static_cast<Eigen::Index>(n) * s, width_);
    for (std::size_t b = 0; b < n; ++b) {
      const std::vector<T>& v = slots_[static_cast<std::size_t>(idx[b])];
      const Eigen::Index len = static_cast<Eigen::Index>(v.size()) / width_;
      FROST_CHECK(len <= s, "frozen feature cache: an example is longer than its batch");
      std::memcpy(out.data() + static_cast<Eigen::Index>(b) * s * width_, v.data(), v.size() * sizeof(T));
    }
  }

  /// Keeps the examples of a batch from its captured boundary tensor (padding rows dropped).
  void store(const std::int64_t* idx, std::size_t n, const Batch& batch, const Tensor<T>& captured) {
    const Eigen::Index s = per_token_ ? batch.seq_len : 1;
    FROST_CHECK(captured.rows() == static_cast<Eigen::Index>(n) * s && captured.cols() == width_,
                "frozen feature cache: the captured tensor does not match the batch");
    for (std::size_t b = 0; b < n; ++b) {
      Eigen::Index len = 1;
      if (per_token_ && batch.attention_mask.empty()) {
        len = s;
      } else if (per_token_) {
        len = 0;
        for (Eigen::Index t = 0; t < s; ++t) len += batch.attention_mask[static_cast<std::size_t>(b) * s + t] != 0;
      }
      std::vector<T>& v = slots_[static_cast<std::size_t>(idx[b])];
      if (!v.empty()) continue;
      const T* src = captured.data() + static_cast<Eigen::Index>(b) * s * width_;
      v.assign(src, src + len * width_);
      bytes_ += v.size() * sizeof(T);
    }
  }

  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  bool per_token_;
  Eigen::Index width_;
  std::vector<std::vector<T>> slots_;
  std::size_t bytes_ = 0;
};

}  // namespace frost
