// frost/train/impl/task_metrics.ipp: the definitions of train/task_metrics.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
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

#include "../task_metrics.hpp"

namespace frost {

namespace detail {

/// a / b, or 0 when b == 0 (sklearn's zero_division=0).
inline double ratio_or_zero(double a, double b) { return b == 0 ? 0.0 : a / b; }

inline std::vector<std::string> metric_class_names(const std::vector<std::string>& names, int num_labels,
                                                   const char* what) {
  if (names.empty()) {
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(num_labels));
    for (int i = 0; i < num_labels; ++i) out.push_back("LABEL_" + std::to_string(i));
    return out;
  }
  FROST_CHECK(names.size() == static_cast<std::size_t>(num_labels),
              std::string("metrics: ") + std::to_string(names.size()) + " " + what + " names given for num_labels " +
                  std::to_string(num_labels) + " (expected one per label, or none)");
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  const auto dup = std::adjacent_find(sorted.begin(), sorted.end());
  FROST_CHECK(dup == sorted.end(), std::string("metrics: ") + what + " name \"" +
                                       (dup == sorted.end() ? std::string() : *dup) +
                                       "\" given twice (the classification report is keyed by name)");
  return names;
}

/// Per-class scores from true-positive, predicted and true counts (sklearn's
/// precision_recall_fscore_support: F1 = 2 tp / (true + pred)).
inline ClassScores class_scores(std::int64_t tp, std::int64_t predicted, std::int64_t actual) {
  ClassScores s;
  s.precision = ratio_or_zero(static_cast<double>(tp), static_cast<double>(predicted));
  s.recall = ratio_or_zero(static_cast<double>(tp), static_cast<double>(actual));
  s.f1 = ratio_or_zero(2.0 * static_cast<double>(tp), static_cast<double>(actual + predicted));
  s.support = actual;
  return s;
}

/// Macro (unweighted mean) and weighted (by support; 0 when all supports are 0) averages.
inline void average_scores(const std::vector<ClassScores>& per, PrfScores& macro, PrfScores& weighted) {
  macro = {};
  weighted = {};
  std::int64_t total = 0;
  for (const ClassScores& s : per) {
    macro.precision += s.precision;
    macro.recall += s.recall;
    macro.f1 += s.f1;
    const auto w = static_cast<double>(s.support);
    weighted.precision += s.precision * w;
    weighted.recall += s.recall * w;
    weighted.f1 += s.f1 * w;
    total += s.support;
  }
  const auto k = static_cast<double>(per.size());
  macro = {ratio_or_zero(macro.precision, k), ratio_or_zero(macro.recall, k), ratio_or_zero(macro.f1, k)};
  const auto t = static_cast<double>(total);
  weighted = {ratio_or_zero(weighted.precision, t), ratio_or_zero(weighted.recall, t), ratio_or_zero(weighted.f1, t)};
}

inline PrfScores micro_scores(std::int64_t tp, std::int64_t predicted, std::int64_t actual) {
  const ClassScores s = class_scores(tp, predicted, actual);
  return {s.precision, s.recall, s.f1};
}

/// sklearn's matthews_corrcoef from the confusion matrix (float64 sums, as sklearn's).
inline double matthews_from_confusion(const std::vector<std::vector<std::int64_t>>& c) {
  const std::size_t k = c.size();
  std::vector<double> t_sum(k, 0.0), p_sum(k, 0.0);
  double n_correct = 0;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      t_sum[i] += static_cast<double>(c[i][j]);
      p_sum[j] += static_cast<double>(c[i][j]);
    }
    n_correct += static_cast<double>(c[i][i]);
  }
  const double n = std::accumulate(p_sum.begin(), p_sum.end(), 0.0);
  const double tp = std::inner_product(t_sum.begin(), t_sum.end(), p_sum.begin(), 0.0);
  const double pp = std::inner_product(p_sum.begin(), p_sum.end(), p_sum.begin(), 0.0);
  const double tt = std::inner_product(t_sum.begin(), t_sum.end(), t_sum.begin(), 0.0);
  const double cov_ytyp = n_correct * n - tp;
  const double cov_ypyp = n * n - pp;
  const double cov_ytyt = n * n - tt;
  const double denom = cov_ypyp * cov_ytyt;
  return denom == 0 ? 0.0 : cov_ytyp / std::sqrt(denom);
}

inline void check_class_indices(const std::vector<int>& v, int num_labels, const char* what) {
  for (std::size_t i = 0; i < v.size(); ++i)
    FROST_CHECK(v[i] >= 0 && v[i] < num_labels, std::string("classification_metrics: ") + what + "[" +
                                                    std::to_string(i) + "] = " + std::to_string(v[i]) +
                                                    " is not a class index in [0, " + std::to_string(num_labels) + ")");
}

inline bool has_nan(const std::vector<double>& v) {
  return std::any_of(v.begin(), v.end(), [](double x) { return std::isnan(x); });
}

inline bool is_constant(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [&](double x) { return x == v.front(); });
}

/// Pearson r for n >= 2 non-constant values without NaN, as scipy.stats.pearsonr computes it:
/// centred vectors scaled by their largest magnitude before the norm (no premature overflow), r
/// clipped to [-1, 1].
inline double pearson_unchecked(const std::vector<double>& x, const std::vector<double>& y) {
  const std::size_t n = x.size();
  const double xmean = std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(n);
  const double ymean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  std::vector<double> xm(n), ym(n);
  double xmax = 0, ymax = 0;
  for (std::size_t i = 0; i < n; ++i) {
    xm[i] = x[i] - xmean;
    ym[i] = y[i] - ymean;
    xmax = std::max(xmax, std::abs(xm[i]));
    ymax = std::max(ymax, std::abs(ym[i]));
  }
  double xs = 0, ys = 0;
  for (std::size_t i = 0; i < n; ++i) {
    xs += (xm[i] / xmax) * (xm[i] / xmax);
    ys += (ym[i] / ymax) * (ym[i] / ymax);
  }
  const double xnorm = xmax * std::sqrt(xs), ynorm = ymax * std::sqrt(ys);
  double r = 0;
  for (std::size_t i = 0; i < n; ++i) r += (xm[i] / xnorm) * (ym[i] / ynorm);
  return std::clamp(r, -1.0, 1.0);
}

/// Ranks 1..n, ties sharing the mean of their ranks (scipy.stats.rankdata, method="average").
inline std::vector<double> average_ranks(const std::vector<double>& v) {
  const std::size_t n = v.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i + 1;
    while (j < n && v[order[j]] == v[order[i]]) ++j;
    const double mean_rank = 0.5 * static_cast<double>(i + 1 + j);  // mean of i+1 .. j
    for (std::size_t m = i; m < j; ++m) rank[order[m]] = mean_rank;
    i = j;
  }
  return rank;
}

inline nlohmann::json json_number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

inline void add_prf(nlohmann::json& j, const std::string& prefix, const std::string& suffix, const PrfScores& s) {
  j[prefix + "f1" + suffix] = json_number(s.f1);
  j[prefix + "precision" + suffix] = json_number(s.precision);
  j[prefix + "recall" + suffix] = json_number(s.recall);
}

inline nlohmann::json class_report(const std::vector<std::string>& names, const std::vector<ClassScores>& per) {
  nlohmann::json r = nlohmann::json::object();
  for (std::size_t i = 0; i < per.size(); ++i)
    r[names[i]] = {{"precision", json_number(per[i].precision)},
                   {"recall", json_number(per[i].recall)},
                   {"f1", json_number(per[i].f1)},
                   {"support", per[i].support}};
  return r;
}

inline void check_indicator_rows(const std::vector<std::vector<int>>& rows, int num_labels, const char* what) {
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FROST_CHECK(rows[i].size() == static_cast<std::size_t>(num_labels),
                std::string("multilabel_metrics: ") + what + " row " + std::to_string(i) + " has " +
                    std::to_string(rows[i].size()) + " labels, expected num_labels " + std::to_string(num_labels));
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      FROST_CHECK(rows[i][j] == 0 || rows[i][j] == 1, std::string("multilabel_metrics: ") + what + "[" +
                                                          std::to_string(i) + "][" + std::to_string(j) +
                                                          "] = " + std::to_string(rows[i][j]) + ", expected 0 or 1");
  }
}

}  // namespace detail

FROST_DECL ClassificationMetrics classification_metrics(const std::vector<int>& y_true, const std::vector<int>& y_pred,
                                                        int num_labels, const std::vector<std::string>& class_names) {
  FROST_CHECK(num_labels >= 1,
              "classification_metrics: num_labels must be at least 1, got " + std::to_string(num_labels));
  FROST_CHECK(y_true.size() == y_pred.size(), "classification_metrics: y_true has " + std::to_string(y_true.size()) +
                                                  " values but y_pred has " + std::to_string(y_pred.size()));
  FROST_CHECK(!y_true.empty(), "classification_metrics: no examples (y_true and y_pred are empty)");
  detail::check_class_indices(y_true, num_labels, "y_true");
  detail::check_class_indices(y_pred, num_labels, "y_pred");
  ClassificationMetrics m;
  m.num_labels = num_labels;
  m.examples = static_cast<std::int64_t>(y_true.size());
  m.class_names = detail::metric_class_names(class_names, num_labels, "class");
  const auto k = static_cast<std::size_t>(num_labels);
  m.confusion_matrix.assign(k, std::vector<std::int64_t>(k, 0));
  for (std::size_t i = 0; i < y_true.size(); ++i)
    ++m.confusion_matrix[static_cast<std::size_t>(y_true[i])][static_cast<std::size_t>(y_pred[i])];
  std::vector<std::int64_t> predicted(k, 0);
  std::int64_t correct = 0;
  for (std::size_t t = 0; t < k; ++t) {
    for (std::size_t p = 0; p < k; ++p) predicted[p] += m.confusion_matrix[t][p];
    correct += m.confusion_matrix[t][t];
  }
  m.per_class.reserve(k);
  for (std::size_t c = 0; c < k; ++c) {
    const auto& row = m.confusion_matrix[c];
    const std::int64_t actual = std::accumulate(row.begin(), row.end(), std::int64_t{0});
    m.per_class.push_back(detail::class_scores(row[c], predicted[c], actual));
  }
  m.accuracy = static_cast<double>(correct) / static_cast<double>(m.examples);
  detail::average_scores(m.per_class, m.macro, m.weighted);
  m.micro = detail::micro_scores(correct, m.examples, m.examples);
  m.matthews_correlation = detail::matthews_from_confusion(m.confusion_matrix);
  if (num_labels == 2) m.binary = PrfScores{m.per_class[1].precision, m.per_class[1].recall, m.per_class[1].f1};
  return m;
}

FROST_DECL double pearson_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  FROST_CHECK(x.size() == y.size(), "pearson_correlation: inputs of " + std::to_string(x.size()) + " and " +
                                        std::to_string(y.size()) + " values");
  if (x.size() < 2 || detail::has_nan(x) || detail::has_nan(y) || detail::is_constant(x) || detail::is_constant(y))
    return std::numeric_limits<double>::quiet_NaN();
  const double r = detail::pearson_unchecked(x, y);
  return x.size() == 2 ? std::round(r) : r;  // scipy: exactly +-1 for two values
}

FROST_DECL double spearman_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  FROST_CHECK(x.size() == y.size(), "spearman_correlation: inputs of " + std::to_string(x.size()) + " and " +
                                        std::to_string(y.size()) + " values");
  if (x.size() < 2 || detail::has_nan(x) || detail::has_nan(y) || detail::is_constant(x) || detail::is_constant(y))
    return std::numeric_limits<double>::quiet_NaN();
  return detail::pearson_unchecked(detail::average_ranks(x), detail::average_ranks(y));
}

FROST_DECL RegressionMetrics regression_metrics(const std::vector<double>& y_true, const std::vector<double>& y_pred) {
  FROST_CHECK(y_true.size() == y_pred.size(), "regression_metrics: y_true has " + std::to_string(y_true.size()) +
                                                  " values but y_pred has " + std::to_string(y_pred.size()));
  FROST_CHECK(!y_true.empty(), "regression_metrics: no examples (y_true and y_pred are empty)");
  RegressionMetrics m;
  m.examples = static_cast<std::int64_t>(y_true.size());
  double se = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) se += (y_true[i] - y_pred[i]) * (y_true[i] - y_pred[i]);
  m.mse = se / static_cast<double>(y_true.size());
  m.pearson = pearson_correlation(y_true, y_pred);
  m.spearmanr = spearman_correlation(y_true, y_pred);
  m.combined_score = (m.pearson + m.spearmanr) / 2;
  return m;
}

FROST_DECL MultiLabelMetrics multilabel_metrics(const std::vector<std::vector<int>>& y_true,
                                                const std::vector<std::vector<int>>& y_pred, int num_labels,
                                                const std::vector<std::string>& label_names) {
  FROST_CHECK(num_labels >= 1, "multilabel_metrics: num_labels must be at least 1, got " + std::to_string(num_labels));
  FROST_CHECK(y_true.size() == y_pred.size(), "multilabel_metrics: y_true has " + std::to_string(y_true.size()) +
                                                  " rows but y_pred has " + std::to_string(y_pred.size()));
  FROST_CHECK(!y_true.empty(), "multilabel_metrics: no examples (y_true and y_pred are empty)");
  detail::check_indicator_rows(y_true, num_labels, "y_true");
  detail::check_indicator_rows(y_pred, num_labels, "y_pred");
  MultiLabelMetrics m;
  m.num_labels = num_labels;
  m.examples = static_cast<std::int64_t>(y_true.size());
  m.label_names = detail::metric_class_names(label_names, num_labels, "label");
  const auto k = static_cast<std::size_t>(num_labels);
  std::vector<std::int64_t> tp(k, 0), predicted(k, 0), actual(k, 0);
  std::int64_t exact = 0;
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    exact += (y_true[i] == y_pred[i]) ? 1 : 0;
    for (std::size_t j = 0; j < k; ++j) {
      tp[j] += y_true[i][j] & y_pred[i][j];
      predicted[j] += y_pred[i][j];
      actual[j] += y_true[i][j];
    }
  }
  m.subset_accuracy = static_cast<double>(exact) / static_cast<double>(m.examples);
  m.per_label.reserve(k);
  for (std::size_t j = 0; j < k; ++j) m.per_label.push_back(detail::class_scores(tp[j], predicted[j], actual[j]));
  detail::average_scores(m.per_label, m.macro, m.weighted);
  const auto sum = [](const std::vector<std::int64_t>& v) {
    return std::accumulate(v.begin(), v.end(), std::int64_t{0});
  };
  m.micro = detail::micro_scores(sum(tp), sum(predicted), sum(actual));
  return m;
}

FROST_DECL nlohmann::json metrics_json(const ClassificationMetrics& m, const std::string& prefix) {
  nlohmann::json j = nlohmann::json::object();
  j[prefix + "accuracy"] = detail::json_number(m.accuracy);
  if (m.binary) detail::add_prf(j, prefix, "", *m.binary);
  detail::add_prf(j, prefix, "_macro", m.macro);
  detail::add_prf(j, prefix, "_micro", m.micro);
  detail::add_prf(j, prefix, "_weighted", m.weighted);
  j[prefix + "matthews_correlation"] = detail::json_number(m.matthews_correlation);
  j[prefix + "classification_report"] = detail::class_report(m.class_names, m.per_class);
  j[prefix + "confusion_matrix"] = m.confusion_matrix;
  return j;
}

FROST_DECL nlohmann::json metrics_json(const RegressionMetrics& m, const std::string& prefix) {
  nlohmann::json j = nlohmann::json::object();
  j[prefix + "mse"] = detail::json_number(m.mse);
  j[prefix + "pearson"] = detail::json_number(m.pearson);
  j[prefix + "spearmanr"] = detail::json_number(m.spearmanr);
  j[prefix + "combined_score"] = detail::json_number(m.combined_score);
  return j;
}

FROST_DECL nlohmann::json metrics_json(const MultiLabelMetrics& m, const std::string& prefix) {
  nlohmann::json j = nlohmann::json::object();
  j[prefix + "accuracy"] = detail::json_number(m.subset_accuracy);
  detail::add_prf(j, prefix, "_micro", m.micro);
  detail::add_prf(j, prefix, "_macro", m.macro);
  detail::add_prf(j, prefix, "_weighted", m.weighted);
  j[prefix + "classification_report"] = detail::class_report(m.label_names, m.per_label);
  return j;
}

FROST_DECL bool greater_is_better_default(const std::string& name) {
  const std::string suffix = "loss";
  return !(name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0);
}

FROST_DECL double metric_value(const nlohmann::json& metrics, const std::string& name) {
  const std::string prefixed = name.rfind("eval_", 0) == 0 ? name : "eval_" + name;
  auto it = metrics.find(prefixed);  // end() unless an object
  if (it == metrics.end()) it = metrics.find(name);
  if (it != metrics.end() && it->is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (it != metrics.end() && it->is_number()) return it->get<double>();
  std::string available;
  if (metrics.is_object())
    for (const auto& [key, value] : metrics.items())
      if (value.is_number() || value.is_null()) available += (available.empty() ? "" : ", ") + key;
  FROST_CHECK(false, "metric \"" + name + "\" " +
                         (it == metrics.end() ? "is not among the evaluation metrics" : "is not a number") +
                         " (looked up as \"" + prefixed +
                         "\"; available: " + (available.empty() ? std::string("none") : available) + ")");
  return 0;  // unreachable
}

}  // namespace frost
