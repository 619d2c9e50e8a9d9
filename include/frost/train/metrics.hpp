// frost/train/metrics.hpp: evaluation in inference mode: the loss, the predictions and the task
// metrics of task_metrics.hpp over them (EvalResult::metrics, HF's eval_-prefixed names).
#pragma once

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "../dist/communicator.hpp"
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
/// Data parallel (`comm` of p > 1 ranks): rank r runs the examples r, r + p, ... (no padding, so
/// nothing counts twice); the logits are summed into one [examples, labels] array (each row comes
/// from exactly one rank, so the sum is exact) and every rank computes the same metrics over all of
/// them, as HF Trainer gathers predictions before computing its metrics.
template <class Model>
EvalResult evaluate(Model& model, const Dataset& data, int batch_size, const std::vector<std::string>& label_names = {},
                    dist::Communicator& comm = dist::single_process()) {
  using T = typename Model::scalar_type;
  const BertConfig& cfg = model.config();
  const bool single = uses_class_labels(cfg, data);
  const std::size_t rank = static_cast<std::size_t>(comm.rank()), world = static_cast<std::size_t>(comm.size());
  EvalResult r;
  std::vector<std::int64_t> mine;
  for (std::size_t i = rank; i < data.size(); i += world) mine.push_back(static_cast<std::int64_t>(i));
  Batch b;
  Labels y;
  const auto labels = static_cast<Eigen::Index>(cfg.num_labels);                        // the classifier's width
  std::vector<float> logits_all(data.size() * static_cast<std::size_t>(labels), 0.0f);  // this rank's rows filled
  double loss_sum = 0;
  for (std::size_t start = 0; start < mine.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t n = std::min(static_cast<std::size_t>(batch_size), mine.size() - start);
    make_batch(data, mine.data() + start, n, cfg.pad_token_id, single, b, y);
    const Tensor<T>& logits = model.forward(b, Mode::eval);
    loss_sum += static_cast<double>(compute_loss(cfg, logits, y).loss) * static_cast<double>(n);
    for (std::size_t k = 0; k < n; ++k)
      for (Eigen::Index j = 0; j < labels; ++j)
        logits_all[static_cast<std::size_t>(mine[start + k]) * static_cast<std::size_t>(labels) +
                   static_cast<std::size_t>(j)] = static_cast<float>(logits(static_cast<Eigen::Index>(k), j));
  }
  if (world > 1) {
    comm.allreduce_sum(logits_all.data(), logits_all.size());
    comm.allreduce_sum(&loss_sum, 1);
  }
  // The metrics over every example, in order, as one process computes them.
  Predictions p;
  if (!data.empty()) {
    std::vector<std::int64_t> all(data.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
    make_batch(data, all.data(), all.size(), cfg.pad_token_id, single, b, y);
    const Eigen::Map<const Tensor<float>> full(logits_all.data(), static_cast<Eigen::Index>(data.size()), labels);
    p.type = resolve_problem_type(cfg, y);
    detail::collect_predictions(Tensor<float>(full), y, p);
  }
  r.examples = static_cast<std::int64_t>(data.size());
  r.loss = data.empty() ? 0.0 : loss_sum / static_cast<double>(data.size());
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
