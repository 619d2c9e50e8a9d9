// frost/ops/loss.hpp: the three losses of BertForSequenceClassification, chosen like HF's
// `problem_type`. Each returns the mean loss and writes d(loss)/d(logits).
//
//   logits [B, C]
//   cross_entropy      labels int [B], -100 = ignored; mean over non-ignored rows
//                      dlogits = (softmax - onehot) / n_valid   (0 on ignored rows)
//   mse (regression)   labels [B] (C == 1); mean((logit - y)^2); dlogits = 2 (logit - y) / B
//   bce_with_logits    labels [B, C] in [0, 1]; mean over B*C of
//                      max(x, 0) - x y + log(1 + exp(-|x|)); dlogits = (sigmoid(x) - y) / (B C)
#pragma once
//
// Also here: Labels (the targets of a batch), HF's problem-type rule and compute_loss, the one
// entry point the models and the trainer call (the whole loss in one file).

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../core/tensor.hpp"
#include "../detail/macros.hpp"

namespace frost::ops {

inline constexpr std::int64_t kIgnoreIndex = -100;

template <class T>
T cross_entropy(const Tensor<T>& logits, const std::vector<std::int64_t>& labels, Tensor<T>& dlogits) {
  const Eigen::Index B = logits.rows(), C = logits.cols();
  FROST_CHECK(static_cast<Eigen::Index>(labels.size()) == B,
              "cross_entropy: expected " + std::to_string(B) + " labels, got " + std::to_string(labels.size()));
  dlogits.setZero(B, C);
  Eigen::Index valid = 0;
  for (Eigen::Index b = 0; b < B; ++b) {
    const auto y = labels[static_cast<std::size_t>(b)];
    FROST_CHECK(y == kIgnoreIndex || (y >= 0 && y < C), "cross_entropy: label " + std::to_string(y) + " of example " +
                                                            std::to_string(b) + " is outside [0, " + std::to_string(C) +
                                                            ") and is not the ignore index -100");
    valid += (y != kIgnoreIndex);
  }
  // PyTorch returns NaN when every label is ignored (0 / 0); frost does the same, gradient 0.
  if (valid == 0) return std::numeric_limits<T>::quiet_NaN();
  T total = 0;
  for (Eigen::Index b = 0; b < B; ++b) {
    const auto y = labels[static_cast<std::size_t>(b)];
    if (y == kIgnoreIndex) continue;
    const auto row = logits.row(b);
    const T mx = row.maxCoeff();
    const auto e = (row.array() - mx).exp();
    const T lse = mx + std::log(e.sum());
    total += lse - row(y);
    dlogits.row(b) = (e / e.sum()).matrix();
    dlogits(b, y) -= T(1);
  }
  dlogits /= static_cast<T>(valid);
  return total / static_cast<T>(valid);
}

template <class T>
T mse(const Tensor<T>& logits, const std::vector<T>& targets, Tensor<T>& dlogits) {
  const Eigen::Index B = logits.rows();
  FROST_CHECK(logits.cols() == 1, "mse: regression needs num_labels == 1");
  FROST_CHECK(static_cast<Eigen::Index>(targets.size()) == B,
              "mse: expected " + std::to_string(B) + " targets, got " + std::to_string(targets.size()));
  dlogits.resize(B, 1);
  T total = 0;
  for (Eigen::Index b = 0; b < B; ++b) {
    const T diff = logits(b, 0) - targets[static_cast<std::size_t>(b)];
    total += diff * diff;
    dlogits(b, 0) = T(2) * diff / static_cast<T>(B);
  }
  return total / static_cast<T>(B);
}

template <class T>
T bce_with_logits(const Tensor<T>& logits, const std::vector<T>& targets, Tensor<T>& dlogits) {
  const Eigen::Index B = logits.rows(), C = logits.cols();
  FROST_CHECK(static_cast<Eigen::Index>(targets.size()) == B * C, "bce_with_logits: expected " + std::to_string(B * C) +
                                                                      " targets (batch x num_labels), got " +
                                                                      std::to_string(targets.size()));
  dlogits.resize(B, C);
  T total = 0;
  const T n = static_cast<T>(B * C);
  for (Eigen::Index b = 0; b < B; ++b)
    for (Eigen::Index c = 0; c < C; ++c) {
      const T x = logits(b, c), y = targets[static_cast<std::size_t>(b * C + c)];
      total += std::max(x, T(0)) - x * y + std::log1p(std::exp(-std::abs(x)));
      dlogits(b, c) = (T(1) / (T(1) + std::exp(-x)) - y) / n;
    }
  return total / n;
}

}  // namespace frost::ops

namespace frost {

/// Targets for the loss. Exactly one of the two vectors is used:
///  single-label: `classes` [B] (class index or -100 to ignore);
///  multi-label: `targets` [B * num_labels] in [0, 1]; regression: `targets` [B].
struct Labels {
  std::vector<std::int64_t> classes;
  std::vector<double> targets;
};

/// HF's rule: problem_type from the config if set, else regression for one label, else
/// single-label for integer labels, else multi-label.
inline ProblemType resolve_problem_type(const BertConfig& cfg, const Labels& labels) {
  if (cfg.problem_type != ProblemType::infer) return cfg.problem_type;
  if (cfg.num_labels == 1) return ProblemType::regression;
  return labels.classes.empty() ? ProblemType::multi_label_classification : ProblemType::single_label_classification;
}

/// Loss value and d(loss)/d(logits).
template <class T>
struct LossResult {
  T loss;
  Tensor<T> dlogits;
  ProblemType problem_type;
};

/// HF's loss for the resolved problem type.
template <class T>
LossResult<T> compute_loss(const BertConfig& cfg, const Tensor<T>& logits, const Labels& labels) {
  LossResult<T> r{T(0), {}, resolve_problem_type(cfg, labels)};
  switch (r.problem_type) {
    case ProblemType::single_label_classification:
      r.loss = ops::cross_entropy(logits, labels.classes, r.dlogits);
      break;
    case ProblemType::regression: {
      std::vector<T> t(labels.targets.begin(), labels.targets.end());
      r.loss = ops::mse(logits, t, r.dlogits);
      break;
    }
    default: {
      std::vector<T> t(labels.targets.begin(), labels.targets.end());
      r.loss = ops::bce_with_logits(logits, t, r.dlogits);
      break;
    }
  }
  return r;
}

}  // namespace frost
