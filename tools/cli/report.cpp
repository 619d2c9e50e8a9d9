// tools/cli/report.cpp: what people look at after a run: `frost plot` (train_log.jsonl as charts)
// and the end-of-run summary table `frost train` prints. No Eigen here.
//
// train_log.jsonl holds two kinds of lines (Trainer, include/frost/train/trainer.hpp):
//   a training step  {"step", "epoch", "loss", "learning_rate", "grad_norm"}
//   an evaluation    {"step", "epoch", "eval_loss", "eval_<metric>", ...}
// The chart (training_curves.png and .svg) has four panels against the optimizer step: training
// loss with eval_loss, learning rate, gradient norm (before clipping), and the evaluation metrics.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <frost/detail/macros.hpp>

#include "cli.hpp"
#include "gnuplot.hpp"

namespace frost::cli {

namespace {

/// The metrics drawn in the evaluation panel, in this order, when the log has them.
const std::vector<std::string> kChartMetrics = {
    "eval_accuracy", "eval_f1",       "eval_f1_macro", "eval_f1_micro", "eval_matthews_correlation",
    "eval_pearson",  "eval_spearmanr"};

struct TrainLog {
  std::vector<std::vector<double>> steps;            ///< step, loss, learning_rate, grad_norm
  std::vector<std::map<std::string, double>> evals;  ///< "step" and each numeric eval_* value
};

double number_or_nan(const nlohmann::json& v) { return v.is_number() ? v.get<double>() : std::nan(""); }

/// train_log.jsonl read; a line that is neither kind is an error naming the file and line.
TrainLog read_train_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.good(), path + ": cannot open the training log (expected OUTPUT/train_log.jsonl of frost train)");
  TrainLog log;
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(n);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where + ": expected a JSON object, got invalid JSON (" + e.what() + ")");
    }
    FROST_CHECK(j.is_object() && j.contains("step") && j["step"].is_number(),
                where + ": expected a JSON object with a numeric \"step\"");
    const double step = j["step"].get<double>();
    if (j.contains("grad_norm")) {
      log.steps.push_back({step, number_or_nan(j.value("loss", nlohmann::json())),
                           number_or_nan(j.value("learning_rate", nlohmann::json())), number_or_nan(j["grad_norm"])});
      continue;
    }
    std::map<std::string, double> e{{"step", step}};
    for (const auto& [k, v] : j.items())
      if (k.starts_with("eval_") && (v.is_number() || v.is_null())) e[k] = number_or_nan(v);
    FROST_CHECK(e.size() > 1, where +
                                  ": expected a training step (loss, learning_rate, grad_norm) or an evaluation "
                                  "(eval_* keys), got neither");
    log.evals.push_back(std::move(e));
  }
  FROST_CHECK(!log.steps.empty(), path + ": no training step in the log (expected lines with \"grad_norm\")");
  return log;
}

std::string num(double v) {
  if (!std::isfinite(v)) return "NaN";
  char b[32];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

/// The gnuplot script (placeholders @TERMINAL, @OUTPUT; data inline as datablocks).
std::string chart_script(const TrainLog& log, const std::string& title) {
  std::ostringstream s;
  s << "$train << EOD\n";
  for (const auto& r : log.steps) s << num(r[0]) << ' ' << num(r[1]) << ' ' << num(r[2]) << ' ' << num(r[3]) << '\n';
  s << "EOD\n";
  std::vector<std::string> metrics;
  for (const auto& m : kChartMetrics)
    for (const auto& e : log.evals)
      if (e.contains(m)) {
        metrics.push_back(m);
        break;
      }
  const bool has_eval_loss = !log.evals.empty() && log.evals.front().contains("eval_loss");
  s << "$eval << EOD\n";
  for (const auto& e : log.evals) {
    s << num(e.at("step")) << ' ' << (e.contains("eval_loss") ? num(e.at("eval_loss")) : "NaN");
    for (const auto& m : metrics) s << ' ' << (e.contains(m) ? num(e.at(m)) : "NaN");
    s << '\n';
  }
  s << "EOD\n"
    << "set terminal @TERMINAL\nset output @OUTPUT\n"
    << "set multiplot layout 2,2 title '" << title << "'\n"
    << "set grid\nset key top right\nset xlabel 'optimizer step'\nset datafile missing 'NaN'\n"
    << "set title 'loss'\n"
    << "plot $train using 1:2 with lines lw 1.5 lc rgb '#4477aa' title 'train loss'"
    << (has_eval_loss ? ", $eval using 1:2 with linespoints pt 7 lc rgb '#ee6677' title 'eval_loss'" : "") << "\n"
    << "set title 'learning rate'\nset format y '%.1e'\n"
    << "plot $train using 1:3 with lines lw 1.5 lc rgb '#228833' notitle\n"
    << "set title 'gradient norm (before clipping)'\nset format y '%g'\n"
    << "plot $train using 1:4 with lines lw 1 lc rgb '#aa3377' notitle\n"
    << "set title 'evaluation metrics'\n";
  if (metrics.empty()) {
    s << "unset xlabel\nset xrange [0:1]\nset yrange [0:1]\nunset tics\nunset border\n"
      << "set label 1 'no evaluation metrics in the log (train --eval FILE)' at 0.5,0.5 center\n"
      << "plot NaN notitle\n";
  } else {
    s << "plot ";
    for (std::size_t i = 0; i < metrics.size(); ++i)
      s << (i ? ", " : "") << "$eval using 1:" << i + 3 << " with linespoints pt 7 title '" << metrics[i] << "'";
    s << "\n";
  }
  s << "unset multiplot\n";
  return s.str();
}

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : s + std::string(w - s.size(), ' '); }

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return "n/a";
  char b[48];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

}  // namespace

std::vector<std::string> write_training_charts(const std::string& dir, const std::string& title) {
  const TrainLog log = read_train_log(dir + "/train_log.jsonl");
  return render_chart(chart_script(log, title), {dir + "/training_curves.png", dir + "/training_curves.svg"},
                      "frost plot");
}

std::vector<std::string> cmd_plot(const std::string& output_dir) {
  std::error_code ec;
  FROST_CHECK(std::filesystem::is_directory(output_dir, ec),
              output_dir + ": expected the --output directory of frost train, found no such directory");
  const std::string name = std::filesystem::path(output_dir).filename().string();
  return write_training_charts(output_dir, "frost train: " + (name.empty() ? output_dir : name));
}

std::string run_summary(const nlohmann::json& m) {
  std::vector<std::pair<std::string, std::string>> rows;
  const auto get = [&](const char* k) { return m.contains(k) && m[k].is_number() ? m[k].get<double>() : std::nan(""); };
  rows.emplace_back("policy", m.value("policy", std::string("?")));
  rows.emplace_back("trainable parameters",
                    fixed(get("trainable_params"), 0) + " (frozen " + fixed(get("frozen_params"), 0) + ")");
  rows.emplace_back("optimizer steps", fixed(get("global_steps"), 0));
  if (m.contains("best_step"))
    rows.emplace_back("best step", fixed(get("best_step"), 0) + " (" + m.value("metric_for_best_model", "eval_loss") +
                                       " " + fixed(get("best_metric"), 4) + ")");
  if (m.contains("early_stopped") && m["early_stopped"].get<bool>()) rows.emplace_back("early stopped", "yes");
  for (const char* k : {"eval_loss", "eval_accuracy", "eval_f1", "eval_f1_macro", "eval_matthews_correlation",
                        "eval_mse", "eval_pearson", "eval_spearmanr"})
    if (m.contains(k)) rows.emplace_back(k, fixed(get(k), 4));
  rows.emplace_back("train time", fixed(get("train_seconds"), 1) + " s (" + fixed(get("ms_per_step"), 1) + " ms/step)");
  if (get("eval_seconds") > 0) rows.emplace_back("eval time", fixed(get("eval_seconds"), 1) + " s");
  rows.emplace_back("throughput", fixed(get("train_examples_per_second"), 1) + " examples/s");
  rows.emplace_back("peak RSS", fixed(get("peak_rss_bytes") / (1024.0 * 1024.0), 1) + " MiB");
  std::size_t w = 0;
  for (const auto& r : rows) w = std::max(w, r.first.size());
  std::string out = "frost train: summary\n";
  for (const auto& [k, v] : rows) out += "  " + pad(k, w) + "  " + v + "\n";
  return out;
}

}  // namespace frost::cli
