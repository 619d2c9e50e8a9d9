// frost/train/task_metrics.hpp: the task metrics of an evaluation, from plain vectors (no Eigen,
// no model), with scikit-learn's and scipy's semantics and Hugging Face Trainer's key names.
//
//   single-label  classification_metrics(y_true, y_pred, num_labels[, class_names])
//                 accuracy; precision, recall, F1 and support per class over the classes
//                 0..num_labels-1 (sklearn's labels=range(num_labels), so a class absent from both
//                 y_true and y_pred counts in the macro average with 0s); macro, micro and weighted
//                 averages; zero_division=0 (a 0/0 precision, recall or F1 is 0); Matthews
//                 correlation (sklearn's multiclass formula, 0 when its denominator is 0); the
//                 confusion matrix [true][pred]; for num_labels == 2 also precision, recall and F1
//                 of the positive class 1 (GLUE's MRPC/QQP "f1", sklearn's average="binary").
//   regression    regression_metrics(y_true, y_pred): mse; Pearson r (scipy.stats.pearsonr);
//                 Spearman rho (scipy.stats.spearmanr: Pearson r of the average ranks, ties
//                 sharing the mean of their ranks); combined_score = (pearson + spearmanr) / 2 (HF
//                 run_glue's STS-B score). An input that is constant (all values equal) or shorter
//                 than 2, or a NaN in either input, makes pearson, spearmanr and combined_score
//                 NaN, as scipy's (scipy raises for pearsonr with fewer than 2 values); the JSON
//                 writes NaN as null.
//   multi-label   multilabel_metrics(y_true, y_pred, num_labels[, label_names]) from 0/1 rows
//                 (rows x labels; the caller thresholds, sigmoid(logit) > 0.5): subset accuracy
//                 (sklearn's accuracy_score on indicator matrices: a row counts when all of its
//                 labels match); precision, recall, F1 and support (true count) per label; micro,
//                 macro and weighted averages; zero_division=0.
//
// metrics_json(m, prefix = "eval_") writes HF Trainer's names (prefix + name); a non-finite value
// is written as null:
//   single-label  accuracy, f1 / precision / recall (num_labels == 2 only), f1_macro, f1_micro,
//                 f1_weighted, precision_macro, precision_micro, precision_weighted,
//                 recall_macro, recall_micro, recall_weighted, matthews_correlation,
//                 classification_report {name: {precision, recall, f1, support}},
//                 confusion_matrix [[...]] ([true][pred])
//   regression    mse, pearson, spearmanr, combined_score
//   multi-label   accuracy (the subset accuracy), f1_/precision_/recall_ micro, macro, weighted,
//                 classification_report
// Class names default to LABEL_i (HF's id2label default); given names must be num_labels distinct
// strings.
//
// metric_value(metrics, name) reads a number as HF's metric_for_best_model does: "accuracy" and
// "eval_accuracy" both name eval_accuracy (a name without the eval_ prefix gets it; a name found
// only as written, e.g. "test_accuracy", is read as written); null reads as NaN; an absent or
// non-numeric name is a frost::Error that lists the numeric names available.
// greater_is_better_default(name) is HF's default: false for a name ending in "loss", else true
// (so "mse" is greater-is-better unless greater_is_better is set, as in HF).
//
// Empty inputs, inputs of different lengths, class indices outside [0, num_labels), rows of the
// wrong width and multi-label entries other than 0/1 are frost::Error.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "../config.hpp"
#include "../detail/macros.hpp"

namespace frost {

/// Precision, recall and F1 (an average over classes or labels).
struct PrfScores {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
};

/// One class's (or label's) scores and its support: the number of examples whose true class is
/// it (single-label) or that carry it (multi-label).
struct ClassScores {
  double precision = 0;
  double recall = 0;
  double f1 = 0;
  std::int64_t support = 0;
};

struct ClassificationMetrics {
  int num_labels = 0;
  std::int64_t examples = 0;
  std::vector<std::string> class_names;  ///< num_labels names (LABEL_i unless given)
  double accuracy = 0;
  std::vector<ClassScores> per_class;  ///< [num_labels]
  PrfScores macro, micro, weighted;    ///< weighted: by support
  double matthews_correlation = 0;
  std::vector<std::vector<std::int64_t>> confusion_matrix;  ///< [true][pred], num_labels x num_labels
  std::optional<PrfScores> binary;                          ///< num_labels == 2: the positive class 1 (GLUE's "f1")
};

struct RegressionMetrics {
  std::int64_t examples = 0;
  double mse = 0;
  double pearson = 0;         ///< NaN: constant input, fewer than 2 values or a NaN
  double spearmanr = 0;       ///< NaN: as pearson
  double combined_score = 0;  ///< (pearson + spearmanr) / 2
};

struct MultiLabelMetrics {
  int num_labels = 0;
  std::int64_t examples = 0;
  std::vector<std::string> label_names;  ///< num_labels names (LABEL_i unless given)
  double subset_accuracy = 0;            ///< rows whose labels all match / rows
  std::vector<ClassScores> per_label;    ///< [num_labels]
  PrfScores micro, macro, weighted;      ///< weighted: by support
};

/// Single-label classification metrics of class indices in [0, num_labels) (see the file comment).
FROST_DECL ClassificationMetrics classification_metrics(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                                        int num_labels,
                                                        const std::vector<std::string>& class_names = {});

/// Pearson r (scipy.stats.pearsonr's statistic); NaN for fewer than 2 values, a constant input or a
/// NaN (scipy raises for fewer than 2 and returns NaN for the others).
FROST_DECL double pearson_correlation(const std::vector<double>& x, const std::vector<double>& y);

/// Spearman rho (scipy.stats.spearmanr's statistic: Pearson r of the average ranks); NaN for fewer
/// than 2 values, a constant input or a NaN, as scipy's.
FROST_DECL double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y);

/// Regression metrics (see the file comment).
FROST_DECL RegressionMetrics regression_metrics(const std::vector<double>& y_true, const std::vector<double>& y_pred);

/// Multi-label metrics of 0/1 rows, num_labels wide (see the file comment).
FROST_DECL MultiLabelMetrics multilabel_metrics(const std::vector<std::vector<int>>& y_true,
                                                const std::vector<std::vector<int>>& y_pred, int num_labels,
                                                const std::vector<std::string>& label_names = {});

/// HF Trainer's names for single-label metrics (see the file comment); non-finite values are null.
FROST_DECL nlohmann::json metrics_json(const ClassificationMetrics& m, const std::string& prefix = "eval_");

/// HF's names for regression metrics: mse, pearson, spearmanr, combined_score (NaN -> null).
FROST_DECL nlohmann::json metrics_json(const RegressionMetrics& m, const std::string& prefix = "eval_");

/// HF's names for multi-label metrics; "accuracy" is the subset accuracy (see the file comment).
FROST_DECL nlohmann::json metrics_json(const MultiLabelMetrics& m, const std::string& prefix = "eval_");

/// The task metrics of an evaluation's predictions `p` (train/metrics.hpp's Predictions: `type`,
/// true_class/pred_class, true_value/pred_value, true_labels/pred_labels), by p.type. An
/// evaluation with nothing to score (no examples, or every label ignored) has no task metrics: {}.
template <class Predictions>
nlohmann::json task_metrics_json(const Predictions& p, int num_labels, const std::vector<std::string>& label_names = {},
                                 const std::string& prefix = "eval_") {
  if (p.type == ProblemType::regression) {
    if (p.true_value.empty() && p.pred_value.empty()) return nlohmann::json::object();
    return metrics_json(regression_metrics(p.true_value, p.pred_value), prefix);
  }
  if (p.type == ProblemType::multi_label_classification) {
    if (p.true_labels.empty() && p.pred_labels.empty()) return nlohmann::json::object();
    return metrics_json(multilabel_metrics(p.true_labels, p.pred_labels, num_labels, label_names), prefix);
  }
  if (p.true_class.empty() && p.pred_class.empty()) return nlohmann::json::object();
  return metrics_json(classification_metrics(p.true_class, p.pred_class, num_labels, label_names), prefix);
}

/// HF's default greater_is_better for metric_for_best_model: false for a name ending in "loss".
FROST_DECL bool greater_is_better_default(const std::string& name);

/// The number `name` names in `metrics` (HF's metric_for_best_model rule: "eval_" is prepended
/// when missing; a name found only as written is read as written). null reads as NaN. An absent
/// or non-numeric name is a frost::Error listing the numeric names available.
FROST_DECL double metric_value(const nlohmann::json& metrics, const std::string& name);

}  // namespace frost

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/task_metrics.ipp"
#endif
