// Task metrics (frost/train/task_metrics.hpp) against scikit-learn and scipy: every case of
// tests/fixtures/metrics/cases.json (tools/gen_metrics_fixtures.py) through the result structs and
// through metrics_json, to 1e-12 relative (NaN/null equal NaN/null); then the input errors,
// metric_value and greater_is_better_default.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "frost/train/task_metrics.hpp"

namespace {

using frost::ClassScores;
using frost::PrfScores;
using nlohmann::json;
constexpr double kRelTol = 1e-12;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

const json& fixture() {
  static const json doc = [] {
    const std::string path = std::string(FROST_TEST_FIXTURES) + "/metrics/cases.json";
    std::ifstream in(path);
    if (!in) return json();
    return json::parse(in);
  }();
  return doc;
}

const json& find_case(const std::string& name) {
  for (const json& c : fixture().at("cases"))
    if (c.at("name") == name) return c;
  throw std::runtime_error("no fixture case " + name);
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  if (fixture().is_object())
    for (const json& c : fixture().at("cases")) names.push_back(c.at("name").get<std::string>());
  return names;
}

/// Equal to 1e-12 relative; NaN equals NaN (only).
bool close(double actual, double expected) {
  if (std::isnan(actual) || std::isnan(expected)) return std::isnan(actual) && std::isnan(expected);
  if (actual == expected) return true;
  return std::abs(actual - expected) <= kRelTol * std::max(std::abs(actual), std::abs(expected));
}

/// A fixture number (null = NaN, as frost's JSON writes NaN).
double num(const json& v) { return v.is_null() ? kNaN : v.get<double>(); }

#define EXPECT_CLOSE(actual, expected_json, what)                                                  \
  EXPECT_TRUE(close((actual), num(expected_json)))                                                 \
      << (what) << ": frost " << (actual) << ", reference " << (expected_json).dump() << " (diff " \
      << ((actual)-num(expected_json)) << ")"

/// Recursive comparison of frost's JSON with the reference: the same keys, integers exactly,
/// floats to kRelTol, null only where the reference has null.
void expect_json_matches(const json& actual, const json& expected, const std::string& where) {
  if (expected.is_object()) {
    ASSERT_TRUE(actual.is_object()) << where << ": " << actual.dump();
    for (const auto& [key, value] : expected.items()) {
      ASSERT_TRUE(actual.contains(key)) << where << ": missing " << key;
      expect_json_matches(actual.at(key), value, where + "." + key);
    }
    for (const auto& [key, value] : actual.items())
      EXPECT_TRUE(expected.contains(key)) << where << ": unexpected key " << key << " = " << value.dump();
  } else if (expected.is_array()) {
    ASSERT_TRUE(actual.is_array()) << where << ": " << actual.dump();
    ASSERT_EQ(actual.size(), expected.size()) << where;
    for (std::size_t i = 0; i < expected.size(); ++i)
      expect_json_matches(actual[i], expected[i], where + "[" + std::to_string(i) + "]");
  } else if (expected.is_number_integer()) {
    ASSERT_TRUE(actual.is_number_integer()) << where << ": " << actual.dump();
    EXPECT_EQ(actual.get<std::int64_t>(), expected.get<std::int64_t>()) << where;
  } else if (expected.is_null()) {
    EXPECT_TRUE(actual.is_null()) << where << ": frost " << actual.dump() << ", reference null";
  } else {
    ASSERT_TRUE(actual.is_number()) << where << ": " << actual.dump();
    EXPECT_CLOSE(actual.get<double>(), expected, where);
  }
}

/// The reference with HF's eval_ prefix on every top-level key.
json prefixed(const json& expected, const std::string& prefix) {
  json out = json::object();
  for (const auto& [key, value] : expected.items()) out[prefix + key] = value;
  return out;
}

std::vector<std::string> names_or_empty(const json& inputs, const char* key) {
  return inputs.contains(key) ? inputs.at(key).get<std::vector<std::string>>() : std::vector<std::string>{};
}

void expect_per_class(const std::vector<ClassScores>& per, const std::vector<std::string>& names, const json& e) {
  const json& report = e.at("classification_report");
  ASSERT_EQ(per.size(), report.size());
  ASSERT_EQ(names.size(), report.size());
  for (std::size_t i = 0; i < per.size(); ++i) {
    ASSERT_TRUE(report.contains(names[i])) << names[i];
    const json& r = report.at(names[i]);
    EXPECT_CLOSE(per[i].precision, r.at("precision"), names[i] + ".precision");
    EXPECT_CLOSE(per[i].recall, r.at("recall"), names[i] + ".recall");
    EXPECT_CLOSE(per[i].f1, r.at("f1"), names[i] + ".f1");
    EXPECT_EQ(per[i].support, r.at("support").get<std::int64_t>()) << names[i] << ".support";
  }
}

void expect_averages(const PrfScores& s, const json& e, const std::string& suffix) {
  EXPECT_CLOSE(s.precision, e.at("precision" + suffix), "precision" + suffix);
  EXPECT_CLOSE(s.recall, e.at("recall" + suffix), "recall" + suffix);
  EXPECT_CLOSE(s.f1, e.at("f1" + suffix), "f1" + suffix);
}

void check_classification(const json& c) {
  const json& in = c.at("inputs");
  const json& e = c.at("expected");
  const int k = in.at("num_labels").get<int>();
  const auto m =
      frost::classification_metrics(in.at("y_true").get<std::vector<int>>(), in.at("y_pred").get<std::vector<int>>(), k,
                                    names_or_empty(in, "class_names"));
  EXPECT_EQ(m.num_labels, k);
  EXPECT_EQ(m.examples, static_cast<std::int64_t>(in.at("y_true").size()));
  EXPECT_CLOSE(m.accuracy, e.at("accuracy"), "accuracy");
  expect_averages(m.macro, e, "_macro");
  expect_averages(m.micro, e, "_micro");
  expect_averages(m.weighted, e, "_weighted");
  EXPECT_CLOSE(m.matthews_correlation, e.at("matthews_correlation"), "matthews_correlation");
  EXPECT_EQ(json(m.confusion_matrix), e.at("confusion_matrix"));
  expect_per_class(m.per_class, m.class_names, e);
  ASSERT_EQ(m.binary.has_value(), k == 2);
  if (m.binary) expect_averages(*m.binary, e, "");
  expect_json_matches(frost::metrics_json(m), prefixed(e, "eval_"), "metrics_json");
  expect_json_matches(frost::metrics_json(m, ""), e, "metrics_json(\"\")");
}

void check_regression(const json& c) {
  const json& in = c.at("inputs");
  const json& e = c.at("expected");
  const auto m =
      frost::regression_metrics(in.at("y_true").get<std::vector<double>>(), in.at("y_pred").get<std::vector<double>>());
  EXPECT_EQ(m.examples, static_cast<std::int64_t>(in.at("y_true").size()));
  if (e.at("mse").is_null())
    EXPECT_FALSE(std::isfinite(m.mse)) << m.mse;  // the reference overflowed to inf, written null
  else
    EXPECT_CLOSE(m.mse, e.at("mse"), "mse");
  EXPECT_CLOSE(m.pearson, e.at("pearson"), "pearson");
  EXPECT_CLOSE(m.spearmanr, e.at("spearmanr"), "spearmanr");
  EXPECT_CLOSE(m.combined_score, e.at("combined_score"), "combined_score");
  expect_json_matches(frost::metrics_json(m), prefixed(e, "eval_"), "metrics_json");
}

void check_multilabel(const json& c) {
  const json& in = c.at("inputs");
  const json& e = c.at("expected");
  const int k = in.at("num_labels").get<int>();
  const auto m = frost::multilabel_metrics(in.at("y_true").get<std::vector<std::vector<int>>>(),
                                           in.at("y_pred").get<std::vector<std::vector<int>>>(), k,
                                           names_or_empty(in, "label_names"));
  EXPECT_EQ(m.num_labels, k);
  EXPECT_EQ(m.examples, static_cast<std::int64_t>(in.at("y_true").size()));
  EXPECT_CLOSE(m.subset_accuracy, e.at("accuracy"), "accuracy");
  expect_averages(m.macro, e, "_macro");
  expect_averages(m.micro, e, "_micro");
  expect_averages(m.weighted, e, "_weighted");
  expect_per_class(m.per_label, m.label_names, e);
  expect_json_matches(frost::metrics_json(m), prefixed(e, "eval_"), "metrics_json");
}

class ReferenceCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ReferenceCase, MatchesSklearnScipy) {
  const json& c = find_case(GetParam());
  const std::string kind = c.at("kind").get<std::string>();
  if (kind == "classification")
    check_classification(c);
  else if (kind == "regression")
    check_regression(c);
  else if (kind == "multilabel")
    check_multilabel(c);
  else
    FAIL() << "unknown kind " << kind;
}

INSTANTIATE_TEST_SUITE_P(Fixture, ReferenceCase, ::testing::ValuesIn(case_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

TEST(MetricsFixture, LoadsAndCoversEveryKind) {
  ASSERT_TRUE(fixture().is_object()) << "missing " << FROST_TEST_FIXTURES << "/metrics/cases.json";
  int classification = 0, regression = 0, multilabel = 0;
  for (const json& c : fixture().at("cases")) {
    classification += c.at("kind") == "classification";
    regression += c.at("kind") == "regression";
    multilabel += c.at("kind") == "multilabel";
  }
  EXPECT_GE(classification, 10);
  EXPECT_GE(regression, 5);
  EXPECT_GE(multilabel, 3);
}

/// Runs `f`, expects frost::Error whose message contains every one of `parts`.
template <class F>
void expect_error(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
    ADD_FAILURE() << "no frost::Error (expected one mentioning \"" << parts.front() << "\")";
  } catch (const frost::Error& e) {
    const std::string what = e.what();
    for (const std::string& p : parts) EXPECT_NE(what.find(p), std::string::npos) << "\"" << p << "\" not in: " << what;
  }
}

TEST(ClassificationMetrics, InputErrors) {
  using frost::classification_metrics;
  expect_error([] { classification_metrics({0, 1}, {0}, 2); }, {"y_true has 2", "y_pred has 1"});
  expect_error([] { classification_metrics({}, {}, 2); }, {"no examples"});
  expect_error([] { classification_metrics({0, 2}, {0, 1}, 2); }, {"y_true[1] = 2", "[0, 2)"});
  expect_error([] { classification_metrics({0, -1}, {0, 1}, 2); }, {"y_true[1] = -1"});
  expect_error([] { classification_metrics({0, 1}, {3, 1}, 3); }, {"y_pred[0] = 3", "[0, 3)"});
  expect_error([] { classification_metrics({0}, {0}, 0); }, {"num_labels must be at least 1"});
  expect_error([] { classification_metrics({0, 1}, {0, 1}, 2, {"a"}); }, {"1 class names", "num_labels 2"});
  expect_error([] { classification_metrics({0, 1}, {0, 1}, 2, {"a", "a"}); }, {"\"a\" given twice"});
}

TEST(ClassificationMetrics, DefaultNamesAndJsonLayout) {
  const auto m = frost::classification_metrics({0, 1, 2, 2}, {0, 2, 2, 1}, 3);
  EXPECT_EQ(m.class_names, (std::vector<std::string>{"LABEL_0", "LABEL_1", "LABEL_2"}));
  const json j = frost::metrics_json(m, "test_");
  EXPECT_TRUE(j.contains("test_accuracy"));
  EXPECT_FALSE(j.contains("test_f1"));  // binary only
  EXPECT_TRUE(j.at("test_classification_report").contains("LABEL_2"));
  EXPECT_EQ(j.at("test_confusion_matrix"), json({{1, 0, 0}, {0, 0, 1}, {0, 1, 1}}));
  const auto b = frost::classification_metrics({0, 1}, {1, 1}, 2, {"neg", "pos"});
  const json jb = frost::metrics_json(b);
  for (const char* key : {"eval_f1", "eval_precision", "eval_recall"}) EXPECT_TRUE(jb.contains(key)) << key;
  EXPECT_TRUE(jb.at("eval_classification_report").contains("pos"));
}

TEST(RegressionMetrics, InputErrorsAndNaN) {
  using frost::regression_metrics;
  expect_error([] { regression_metrics({1.0, 2.0}, {1.0}); }, {"y_true has 2", "y_pred has 1"});
  expect_error([] { regression_metrics({}, {}); }, {"no examples"});
  expect_error([] { frost::pearson_correlation({1.0}, {1.0, 2.0}); }, {"pearson_correlation"});
  expect_error([] { frost::spearman_correlation({1.0}, {1.0, 2.0}); }, {"spearman_correlation"});
  // One value: no correlation (scipy's spearmanr: nan; pearsonr raises), mse still defined.
  const auto one = regression_metrics({2.0}, {3.5});
  EXPECT_EQ(one.mse, 2.25);
  EXPECT_TRUE(std::isnan(one.pearson));
  EXPECT_TRUE(std::isnan(one.spearmanr));
  EXPECT_TRUE(std::isnan(one.combined_score));
  // A NaN prediction propagates (scipy's nan_policy="propagate"), and the JSON writes null.
  const auto nan = regression_metrics({1.0, 2.0, 3.0}, {1.0, kNaN, 2.0});
  EXPECT_TRUE(std::isnan(nan.pearson));
  EXPECT_TRUE(std::isnan(nan.spearmanr));
  const json j = frost::metrics_json(nan);
  EXPECT_TRUE(j.at("eval_pearson").is_null());
  EXPECT_TRUE(j.at("eval_spearmanr").is_null());
  EXPECT_TRUE(j.at("eval_mse").is_null());
}

TEST(MultiLabelMetrics, InputErrors) {
  using frost::multilabel_metrics;
  using Rows = std::vector<std::vector<int>>;
  expect_error([] { multilabel_metrics(Rows{{0, 1}}, Rows{}, 2); }, {"y_true has 1", "y_pred has 0"});
  expect_error([] { multilabel_metrics(Rows{}, Rows{}, 2); }, {"no examples"});
  expect_error([] { multilabel_metrics(Rows{{0, 1}}, Rows{{0, 1, 0}}, 2); }, {"y_pred row 0 has 3", "num_labels 2"});
  expect_error([] { multilabel_metrics(Rows{{0, 1}, {1}}, Rows{{0, 1}, {1, 0}}, 2); }, {"y_true row 1 has 1"});
  expect_error([] { multilabel_metrics(Rows{{0, 2}}, Rows{{0, 1}}, 2); }, {"y_true[0][1] = 2", "0 or 1"});
  expect_error([] { multilabel_metrics(Rows{{0}}, Rows{{0}}, 0); }, {"num_labels must be at least 1"});
  expect_error([] { multilabel_metrics(Rows{{0, 1}}, Rows{{0, 1}}, 2, {"a", "b", "c"}); }, {"3 label names"});
}

/// The shape of train/metrics.hpp's Predictions, without the model headers.
struct FakePredictions {
  frost::ProblemType type = frost::ProblemType::single_label_classification;
  std::vector<int> true_class, pred_class;
  std::vector<double> true_value, pred_value;
  std::vector<std::vector<int>> true_labels, pred_labels;
};

TEST(TaskMetricsJson, DispatchesOnProblemType) {
  FakePredictions p;
  EXPECT_EQ(frost::task_metrics_json(p, 2), json::object());  // nothing scored: no task metrics
  p.true_class = {0, 1, 1};
  p.pred_class = {0, 1, 0};
  const json single = frost::task_metrics_json(p, 2, {"no", "yes"});
  EXPECT_EQ(single, frost::metrics_json(frost::classification_metrics(p.true_class, p.pred_class, 2, {"no", "yes"})));
  p.type = frost::ProblemType::regression;
  p.true_value = {1.0, 2.0, 3.0};
  p.pred_value = {1.5, 2.0, 2.5};
  EXPECT_EQ(frost::task_metrics_json(p, 1), frost::metrics_json(frost::regression_metrics(p.true_value, p.pred_value)));
  p.type = frost::ProblemType::multi_label_classification;
  p.true_labels = {{0, 1}, {1, 1}};
  p.pred_labels = {{0, 1}, {1, 0}};
  EXPECT_EQ(frost::task_metrics_json(p, 2, {}, "test_"),
            frost::metrics_json(frost::multilabel_metrics(p.true_labels, p.pred_labels, 2), "test_"));
}

TEST(MetricValue, ResolvesHfNames) {
  const json m = {{"eval_loss", 0.25},
                  {"eval_accuracy", 0.75},
                  {"eval_pearson", nullptr},
                  {"test_accuracy", 0.5},
                  {"eval_confusion_matrix", {{1, 0}, {0, 1}}}};
  EXPECT_EQ(frost::metric_value(m, "accuracy"), 0.75);
  EXPECT_EQ(frost::metric_value(m, "eval_accuracy"), 0.75);
  EXPECT_EQ(frost::metric_value(m, "loss"), 0.25);
  EXPECT_EQ(frost::metric_value(m, "test_accuracy"), 0.5);  // not eval_test_accuracy: read as written
  EXPECT_TRUE(std::isnan(frost::metric_value(m, "pearson")));
  expect_error([&] { frost::metric_value(m, "f1"); },
               {"\"f1\"", "not among", "eval_f1", "eval_accuracy", "eval_loss", "eval_pearson"});
  expect_error([&] { frost::metric_value(m, "confusion_matrix"); }, {"not a number"});
  expect_error([] { frost::metric_value(json::object(), "accuracy"); }, {"available: none"});
}

TEST(MetricValue, GreaterIsBetterDefault) {
  EXPECT_FALSE(frost::greater_is_better_default("loss"));
  EXPECT_FALSE(frost::greater_is_better_default("eval_loss"));
  EXPECT_FALSE(frost::greater_is_better_default("train_loss"));
  EXPECT_TRUE(frost::greater_is_better_default("accuracy"));
  EXPECT_TRUE(frost::greater_is_better_default("eval_f1_macro"));
  EXPECT_TRUE(frost::greater_is_better_default("eval_mse"));  // HF's rule: only "...loss" is lower-better
  EXPECT_TRUE(frost::greater_is_better_default("lossy"));
  EXPECT_TRUE(frost::greater_is_better_default(""));
}

}  // namespace
