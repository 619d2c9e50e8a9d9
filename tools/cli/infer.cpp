// tools/cli/infer.cpp: `frost eval` and `frost predict`.
#include <chrono>
#include <cmath>
#include <iostream>
#include <optional>

#include "common.hpp"
#include "adapter_flags.hpp"

namespace frost::cli {

/// A fine-tuned model directory loaded for inference (every parameter frozen: no gradient is
/// recorded), with a data file (--data) tokenized for it: labels by the model's id2label names
/// or class indices (label_scheme_for).
struct TrainedModel {
  AdapterChoice adapter;            ///< --adapter's configuration
  bool adapter_classifier = false;  ///< the adapter carries the classifier (PEFT's modules_to_save)
  ModelDir dir;
  Dataset data;
  BertClassifier<float> model;

  /// `with_data` false: the model only (frost merge).
  TrainedModel(const EvalOptions& o, bool label_required, bool with_data = true)
      : dir(model_dir(o)), model(adapter.make<BertClassifier<float>>(dir.config, FreezeMask::everything())) {
    FROST_CHECK(o.batch_size > 0, "--batch-size: expected a positive integer, got " + std::to_string(o.batch_size));
    if (with_data)
      data = read_data("--data", o.data_file, label_required, o.data, dir.tokenizer(),
                       resolve_max_len(o.max_seq_len, dir), nullptr, dir);
    const auto rep = io::load_hf_weights(model, io::SafeTensorsFile(dir.weights()));
    FROST_CHECK(rep.newly_initialized.empty() || adapter_classifier,
                dir.weights() + ": tensor '" + rep.newly_initialized.front() +
                    "': expected a fine-tuned classifier (run frost train first), found none in the checkpoint" +
                    (adapter ? " nor in --adapter" : ""));
    if (adapter)
      io::load_peft_adapter_weights(model, io::SafeTensorsFile(o.adapter_dir + "/adapter_model.safetensors"));
  }

 private:
  /// --model, with --adapter's label count and names when it has a classifier (and a config.json).
  ModelDir model_dir(const EvalOptions& o) {
    ModelDir md(o.model_dir);
    if (o.adapter_dir.empty()) return md;
    const std::string& a = o.adapter_dir;
    adapter = read_adapter_dir(a, md.config.num_hidden_layers);
    const io::SafeTensorsFile f(a + "/adapter_model.safetensors");
    const std::string cls = std::string(io::kPeftPrefix) + "classifier.weight";
    if (f.contains(cls)) {
      adapter_classifier = true;
      const int n = static_cast<int>(f.info(cls).shape.at(0));
      if (n != md.config.num_labels) md = ModelDir(o.model_dir, n);
    }
    std::error_code ec;
    if (fs::exists(a + "/config.json", ec)) {  // frost writes the labels beside the adapter
      auto names = id2label_names(read_config_json(a + "/config.json"), md.config.num_labels);
      if (!names.empty()) md.label_names = std::move(names);
    }
    return md;
  }

 public:
  [[nodiscard]] std::string label_name(Eigen::Index c) const {
    const auto i = static_cast<std::size_t>(c);
    return i < dir.label_names.size() ? dir.label_names[i] : std::to_string(c);
  }
};

/// `frost eval`: {"examples", the --metric first, eval_loss, the task's metrics}.
nlohmann::ordered_json cmd_eval(const EvalOptions& o) {
  TrainedModel t(o, true);
  const EvalResult e = evaluate(t.model, t.data, o.batch_size, t.dir.label_names);
  nlohmann::ordered_json j;
  j["examples"] = e.examples;
  if (!o.metric.empty()) {
    double v = 0;
    try {
      v = metric_value(e.metrics, o.metric);
    } catch (const Error& err) {
      throw Error("--metric: " + std::string(err.what()));
    }
    const std::string key = e.metrics.contains(o.metric) ? o.metric : "eval_" + o.metric;
    j[key] = std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  }
  j["eval_loss"] = e.loss;
  for (const auto& [k, v] : e.metrics.items())
    if (!j.contains(k)) j[k] = v;
  return j;
}

/// `frost predict`: a header, then one line per example: the predicted label's name and the class
/// probabilities (softmax); the value (regression); or the predicted labels joined by ',' (none:
/// empty) and each label's sigmoid probability (multi-label, threshold 0.5).
void cmd_predict(const EvalOptions& o, std::ostream& out) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  TrainedModel t(o, false);
  const double load_seconds = std::chrono::duration<double>(clock::now() - t_start).count();
  double model_seconds = 0;
  const ModelDir& md = t.dir;
  const Dataset& d = t.data;
  const ProblemType type = md.config.problem_type;
  const bool regression = type == ProblemType::regression;
  const bool multi = type == ProblemType::multi_label_classification;
  out.precision(8);
  out << (regression ? "index\tprediction" : multi ? "index\tlabels" : "index\tlabel");
  if (!regression)
    for (int c = 0; c < md.config.num_labels; ++c) out << "\tp_" << t.label_name(c);
  out << "\n";
  Batch b;
  Labels y;
  std::vector<std::int64_t> idx(d.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<std::int64_t>(i);
  for (std::size_t start = 0; start < d.size(); start += static_cast<std::size_t>(o.batch_size)) {
    const std::size_t n = std::min(static_cast<std::size_t>(o.batch_size), d.size() - start);
    make_batch(d, idx.data() + start, n, md.config.pad_token_id, uses_class_labels(md.config, d), b, y);
    const auto t_fwd = clock::now();
    const auto& logits = t.model.forward(b, Mode::eval);
    model_seconds += std::chrono::duration<double>(clock::now() - t_fwd).count();
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
      out << (start + static_cast<std::size_t>(r));
      const auto row = logits.row(r);
      if (regression) {
        out << "\t" << row(0) << "\n";
        continue;
      }
      Eigen::ArrayXf prob;
      std::string labels;
      if (multi) {
        prob = (1.0f + (-row.array()).exp()).inverse().transpose();
        for (Eigen::Index c = 0; c < prob.size(); ++c)
          if (prob(c) > 0.5f) labels += (labels.empty() ? "" : ",") + t.label_name(c);
      } else {
        const Eigen::ArrayXf e = (row.array() - row.maxCoeff()).exp().transpose();
        prob = e / e.sum();
        Eigen::Index best = 0;
        row.maxCoeff(&best);
        labels = t.label_name(best);
      }
      out << "\t" << labels;
      for (Eigen::Index c = 0; c < prob.size(); ++c) out << "\t" << prob(c);
      out << "\n";
    }
  }
  if (o.throughput) {
    const double total = std::chrono::duration<double>(clock::now() - t_start).count();
    nlohmann::ordered_json j;
    j["examples"] = d.size();
    j["batch_size"] = o.batch_size;
    j["load_and_tokenize_seconds"] = load_seconds;
    j["model_seconds"] = model_seconds;
    j["total_seconds"] = total;
    j["model_examples_per_second"] = model_seconds > 0 ? static_cast<double>(d.size()) / model_seconds : 0.0;
    j["total_examples_per_second"] = total > 0 ? static_cast<double>(d.size()) / total : 0.0;
    j["gemm_description"] = gemm::DefaultBackend::description();
    j["kernel_isa"] = cpu::name(cpu::kernel_isa());
    std::cerr << j.dump() << "\n";
  }
}

/// `frost merge`: --model BASE + --adapter DIR folded into one plain BertForSequenceClassification
/// directory (config.json with the adapter's labels, model.safetensors, tokenizer), written whole
/// or not at all; transformers loads it without PEFT.
nlohmann::json cmd_merge(const MergeOptions& m) {
  check_output_dir("--output", m.output_dir);
  EvalOptions o;
  o.model_dir = m.model_dir;
  o.adapter_dir = m.adapter_dir;
  TrainedModel t(o, false, false);
  BertClassifier<float> plain(t.dir.config, FreezeMask::everything());
  merge_adapter_into(t.model, plain);
  std::int64_t folded = 0;
  t.model.for_each_adapter_param([&](const ParamId&, auto& p) { folded += numel(p.value); });
  // The tokenizer the adapter was trained with (frost writes it beside the adapter), else the base's.
  std::error_code ec;
  const bool own_tok =
      fs::exists(m.adapter_dir + "/vocab.txt", ec) || fs::exists(m.adapter_dir + "/tokenizer.json", ec);
  const text::WordPieceTokenizer tok = own_tok ? text::load_tokenizer(m.adapter_dir) : t.dir.tokenizer();
  try {
    io::StagedDirectory st(m.output_dir);
    io::save_pretrained(st.path().string(), plain, "", t.dir.raw_config, t.dir.label_names);
    text::save_tokenizer_files(st.path().string(), tok);
    st.commit(io::StagedDirectory::CommitMode::replace_empty);
  } catch (const fs::filesystem_error& e) {
    throw Error(m.output_dir + ": --output: cannot write the merged model (" + e.code().message() + ")");
  }
  nlohmann::json j = {{"output", m.output_dir},
                      {"adapter", t.adapter.name()},
                      {"adapter_params_folded", folded},
                      {"num_labels", t.dir.config.num_labels}};
  if (t.adapter.lora) {
    j["lora_r"] = t.model.lora_config().r;
    j["lora_scaling"] = t.model.lora_config().scaling();
  }
  return j;
}

}  // namespace frost::cli
