// frost/train/metrics.hpp: evaluation (loss, accuracy, binary F1) in inference mode.
#pragma once

#include <cstdint>
#include <vector>

#include "../model/bert.hpp"
#include "data.hpp"

namespace frost {

struct EvalResult {
  double loss = 0;      ///< mean of per-batch losses weighted by batch size
  double accuracy = 0;  ///< single-label only
  double f1 = 0;        ///< binary single-label only (positive class 1)
  std::int64_t examples = 0;
};

template <class Model>
EvalResult evaluate(Model& model, const Dataset& data, int batch_size) {
  using T = typename Model::scalar_type;
  const BertConfig& cfg = model.config();
  const bool single = uses_class_labels(cfg, data);
  EvalResult r;
  std::int64_t correct = 0, tp = 0, fp = 0, fn = 0, counted = 0;
  std::vector<std::int64_t> order(data.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  Batch b;
  Labels y;
  for (std::size_t start = 0; start < data.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t n = std::min(static_cast<std::size_t>(batch_size), data.size() - start);
    make_batch(data, order.data() + start, n, cfg.pad_token_id, single, b, y);
    const Tensor<T>& logits = model.forward(b, Mode::eval);
    const auto lr = compute_loss(cfg, logits, y);
    r.loss += static_cast<double>(lr.loss) * static_cast<double>(n);
    if (single) {
      for (Eigen::Index i = 0; i < logits.rows(); ++i) {
        const auto label = y.classes[static_cast<std::size_t>(i)];
        if (label < 0) continue;
        Eigen::Index pred = 0;
        logits.row(i).maxCoeff(&pred);
        ++counted;
        correct += (pred == label);
        tp += (pred == 1 && label == 1);
        fp += (pred == 1 && label != 1);
        fn += (pred != 1 && label == 1);
      }
    }
  }
  r.examples = static_cast<std::int64_t>(data.size());
  if (!data.empty()) r.loss /= static_cast<double>(data.size());
  if (counted) r.accuracy = static_cast<double>(correct) / static_cast<double>(counted);
  if (single && cfg.num_labels == 2 && tp + fp + fn > 0)
    r.f1 = 2.0 * static_cast<double>(tp) / static_cast<double>(2 * tp + fp + fn);
  return r;
}

}  // namespace frost
