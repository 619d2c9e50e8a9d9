// frost/train/metrics.hpp: evaluation in inference mode: the loss, the predictions and the task
// metrics of task_metrics.hpp over them (EvalResult::metrics, HF's eval_-prefixed names).
#pragma once

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "../model/bert.hpp"
#include "data.hpp"
#include "task_metrics.hpp"

namespace frost {

struct EvalResult {
  double loss = 0;      ///< mean of per-batch losses weighted by batch size
  double accuracy = 0;  ///< single-label only
  double f1 = 0;        ///< binary single-label only (positive class 1)
  std::int64_t examples = 0;
  nlohmann::json metrics;                 ///< eval_loss and the task's metrics (task_metrics.hpp), HF's names
  std::vector<std::int64_t> predictions;  ///< single-label: argmax class per example
};

/// What an evaluation predicted, per problem type: class indices (single-label, examples with a
/// label < 0 left out as PyTorch's ignore_index), values (regression) or 0/1 rows (multi-label:
/// logit > 0, i.e. sigmoid > 0.5).
struct Predictions {
  ProblemType type = ProblemType::single_label_classification;
  std::vector<int> true_class, pred_class;
  std::vector<double> true_value, pred_value;
  std::vector<std::vector<int>> true_labels, pred_labels;
};

namespace detail {
template <class T>
void collect_predictions(const Tensor<T>& logits, const Labels& y, Predictions& p) {
  const auto k = static_cast<std::size_t>(logits.cols());
  for (Eigen::Index i = 0; i < logits.rows(); ++i) {
    const auto row = static_cast<std::size_t>(i);
    if (p.type == ProblemType::single_label_classification) {
      if (y.classes[row] < 0) continue;
      Eigen::Index pred = 0;
      logits.row(i).maxCoeff(&pred);
      p.true_class.push_back(static_cast<int>(y.classes[row]));
      p.pred_class.push_back(static_cast<int>(pred));
    } else if (p.type == ProblemType::regression) {
      p.true_value.push_back(y.targets[row]);
      p.pred_value.push_back(static_cast<double>(logits(i, 0)));
    } else {
      std::vector<int> t(k), q(k);
      for (std::size_t j = 0; j < k; ++j) {
        t[j] = y.targets[row * k + j] > 0.5 ? 1 : 0;
        q[j] = logits(i, static_cast<Eigen::Index>(j)) > T(0) ? 1 : 0;
      }
      p.true_labels.push_back(std::move(t));
      p.pred_labels.push_back(std::move(q));
    }
  }
}
}  // namespace detail

/// Evaluates `model` on `data` in inference mode: the mean loss, the predictions and the task
/// metrics (EvalResult::metrics: eval_loss first, then task_metrics.hpp's for the problem type;
/// `label_names` name the classes in the per-class report, default LABEL_i).
template <class Model>
EvalResult evaluate(Model& model, const Dataset& data, int batch_size,
                    const std::vector<std::string>& label_names = {}) {
  using T = typename Model::scalar_type;
  const BertConfig& cfg = model.config();
  const bool single = uses_class_labels(cfg, data);
  EvalResult r;
  Predictions p;
  std::vector<std::int64_t> order(data.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::int64_t>(i);
  Batch b;
  Labels y;
  for (std::size_t start = 0; start < data.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t n = std::min(static_cast<std::size_t>(batch_size), data.size() - start);
    make_batch(data, order.data() + start, n, cfg.pad_token_id, single, b, y);
    const Tensor<T>& logits = model.forward(b, Mode::eval);
    const auto lr = compute_loss(cfg, logits, y);
    p.type = resolve_problem_type(cfg, y);
    r.loss += static_cast<double>(lr.loss) * static_cast<double>(n);
    detail::collect_predictions(logits, y, p);
  }
  r.examples = static_cast<std::int64_t>(data.size());
  if (!data.empty()) r.loss /= static_cast<double>(data.size());
  r.metrics = nlohmann::json::object();
  r.metrics["eval_loss"] = r.loss;
  r.metrics.update(task_metrics_json(p, cfg.num_labels, label_names));
  if (p.type == ProblemType::single_label_classification) {
    r.accuracy = r.metrics.value("eval_accuracy", 0.0);
    if (cfg.num_labels == 2) r.f1 = r.metrics.value("eval_f1", 0.0);
    r.predictions.assign(p.pred_class.begin(), p.pred_class.end());
  }
  return r;
}

}  // namespace frost
