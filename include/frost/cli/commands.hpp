// frost/cli/commands.hpp: the `frost` command-line tool's commands (train, eval, predict,
// explain); `compare` lives in compare.hpp. Each command validates every input before it writes
// anything, and `train` writes its output into a staging directory that is moved into place only
// when everything succeeded, so a failure leaves no partial output.
#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../frost.hpp"
#include "../text/wordpiece.hpp"
#include "freeze_spec.hpp"
#include "tsv.hpp"

namespace frost::cli {

namespace fs = std::filesystem;

/// `frost train` options (names follow the command line; defaults are HF Trainer's).
struct TrainOptions {
  std::string model_dir, train_file, output_dir, eval_file;
  std::string freeze = "none";
  std::string optimizer = "adamw";
  double lr = 5e-5, weight_decay = 0.0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double momentum = 0.0;
  bool nesterov = false;
  std::string scheduler = "linear";
  long warmup_steps = 0;
  double max_grad_norm = 1.0;
  int batch_size = 8, epochs = 3;
  int max_seq_len = 0;  ///< 0: 128, capped at the model's max_position_embeddings
  long max_steps = -1;
  std::uint64_t seed = 42;
  bool no_shuffle = false;
  int num_labels = 0;  ///< 0: from config.json (HF default 2)
  bool progress = true;
};

/// Peak resident set size of this process, bytes.
inline long long peak_rss_bytes() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<long long>(ru.ru_maxrss) * 1024;
}

/// Whether the model directory's vocabulary is uncased (tokenizer_config.json's do_lower_case;
/// BERT's default, true, when absent).
inline bool lower_case_of(const std::string& dir) {
  // tokenizer_config.json, when present, says whether the vocabulary is cased.
  std::ifstream in(dir + "/tokenizer_config.json");
  if (in.good()) {
    try {
      nlohmann::json j;
      in >> j;
      if (j.contains("do_lower_case") && j["do_lower_case"].is_boolean()) return j["do_lower_case"].get<bool>();
    } catch (const nlohmann::json::exception&) {
    }
  }
  return true;
}

/// A model directory: config.json (+ raw JSON to round-trip), model.safetensors, vocab.txt.
struct ModelDir {
  std::string dir;
  BertConfig config;
  nlohmann::json raw_config;
  std::vector<std::string> label_names;

  explicit ModelDir(const std::string& d, int num_labels_override = 0) : dir(d) {
    FROST_CHECK(fs::is_directory(d), d + ": model directory not found");
    for (const char* f : {"config.json", "model.safetensors", "vocab.txt"})
      FROST_CHECK(fs::exists(d + "/" + f), d + ": missing " + f + " (expected a Hugging Face model directory)");
    std::ifstream in(d + "/config.json");
    try {
      in >> raw_config;
    } catch (const nlohmann::json::exception& e) {
      throw Error(d + "/config.json: not valid JSON (" + e.what() + ")");
    }
    config = BertConfig::from_json(raw_config, d + "/config.json");
    if (num_labels_override > 0 && num_labels_override != config.num_labels) {
      config.num_labels = num_labels_override;
      raw_config.erase("id2label");
      raw_config.erase("label2id");
      config.problem_type = ProblemType::infer;
    }
    if (config.problem_type == ProblemType::infer)
      config.problem_type = config.num_labels == 1 ? ProblemType::regression : ProblemType::single_label_classification;
    FROST_CHECK(config.problem_type != ProblemType::multi_label_classification,
                d + "/config.json: multi_label_classification models are not supported by the TSV tools");
    if (raw_config.contains("id2label") && raw_config["id2label"].is_object() &&
        static_cast<int>(raw_config["id2label"].size()) == config.num_labels)
      for (int i = 0; i < config.num_labels; ++i) {
        const auto key = std::to_string(i);
        label_names.push_back(raw_config["id2label"].contains(key) ? raw_config["id2label"][key].get<std::string>()
                                                                   : "LABEL_" + key);
      }
  }
  [[nodiscard]] std::string vocab() const { return dir + "/vocab.txt"; }
  [[nodiscard]] std::string weights() const { return dir + "/model.safetensors"; }
  [[nodiscard]] text::WordPieceTokenizer tokenizer() const {
    return text::WordPieceTokenizer(vocab(), text::TokenizerOptions::lower_case(lower_case_of(dir)));
  }
};


/// --max-seq-len: 0 means 128 capped at the model's max_position_embeddings; an explicit value
/// larger than the model allows is an error.
inline int resolve_max_len(int requested, const BertConfig& cfg) {
  if (requested == 0) return std::min(128, cfg.max_position_embeddings);
  FROST_CHECK(requested <= cfg.max_position_embeddings,
              "--max-seq-len " + std::to_string(requested) + " exceeds the model's max_position_embeddings " +
                  std::to_string(cfg.max_position_embeddings));
  return requested;
}

/// Tokenizes a TSV file into examples; errors name the file and line.
inline Dataset tokenize_file(const TsvFile& f, const text::WordPieceTokenizer& tok, int max_len,
                             bool regression, const std::string& path) {
  Dataset d;
  d.reserve(f.rows.size());
  for (const auto& r : f.rows) {
    text::Encoding enc;
    try {
      enc = f.pairs ? tok.encode(r.text_a, r.text_b, max_len) : tok.encode(r.text_a, std::nullopt, max_len);
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(r.line) + ": " + e.what());
    }
    Example ex;
    ex.input_ids = std::move(enc.input_ids);
    ex.token_type_ids = std::move(enc.token_type_ids);
    if (regression) ex.targets = {r.label};
    else ex.label = static_cast<std::int64_t>(r.label);
    d.push_back(std::move(ex));
  }
  return d;
}

/// Everything `train` needs, validated, before any output exists.
struct PreparedTraining {
  TrainOptions opt;
  ModelDir model;
  FreezeSpec spec;
  Dataset train, eval;
  bool has_eval = false;
};

inline PreparedTraining prepare_training(const TrainOptions& o) {
  FROST_CHECK(!o.output_dir.empty(), "--output is required");
  FROST_CHECK(o.optimizer == "adamw" || o.optimizer == "sgd", "--optimizer must be adamw or sgd, got '" + o.optimizer + "'");
  (void)parse_schedule(o.scheduler);
  FROST_CHECK(o.batch_size > 0, "--batch-size must be positive");
  FROST_CHECK(o.max_seq_len == 0 || o.max_seq_len >= 2, "--max-seq-len must be at least 2 ([CLS] and [SEP])");
  FROST_CHECK(o.epochs > 0 || o.max_steps > 0, "--epochs must be positive (or give --max-steps)");
  FROST_CHECK(o.lr > 0, "--lr must be positive");
  FROST_CHECK(!fs::exists(o.output_dir) || fs::is_directory(o.output_dir),
              o.output_dir + ": --output exists and is not a directory");
  PreparedTraining p{o, ModelDir(o.model_dir, o.num_labels), parse_freeze_spec(o.freeze), {}, {}, false};
  p.opt.max_seq_len = resolve_max_len(o.max_seq_len, p.model.config);
  with_policy(p.spec, [&]<class Policy>() {
    FreezePlan<Policy::frozen, kDynamicDepth>::check_depth(p.model.config.num_hidden_layers);
  });
  const bool regression = p.model.config.problem_type == ProblemType::regression;
  const text::WordPieceTokenizer tok = p.model.tokenizer();
  const TsvFile tf = read_tsv(o.train_file, true, p.model.config.num_labels);
  p.train = tokenize_file(tf, tok, p.opt.max_seq_len, regression, o.train_file);
  if (!o.eval_file.empty()) {
    const TsvFile ef = read_tsv(o.eval_file, true, p.model.config.num_labels);
    p.eval = tokenize_file(ef, tok, p.opt.max_seq_len, regression, o.eval_file);
    p.has_eval = true;
  }
  return p;
}

/// Moves every file of `staging` into `dest` (created if needed), each with one rename.
inline void publish(const fs::path& staging, const fs::path& dest) {
  fs::create_directories(dest);
  for (const auto& e : fs::directory_iterator(staging)) fs::rename(e.path(), dest / e.path().filename());
  fs::remove_all(staging);
}

template <class Policy>
nlohmann::json run_training(PreparedTraining& p) {
  using Model = BertForSequenceClassification<float, Policy>;
  const TrainOptions& o = p.opt;
  const fs::path out(o.output_dir);
  const fs::path staging = fs::path(out.string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(staging);
  fs::create_directories(staging);
  try {
    Model model(p.model.config);
    const auto report = io::load_hf_weights(model, io::SafeTensorsFile(p.model.weights()), o.seed);
    for (const auto& n : report.newly_initialized)
      std::fprintf(stderr, "frost: %s was not in the checkpoint: newly initialised\n", n.c_str());
    TrainingArguments args;
    args.learning_rate = o.lr;
    args.weight_decay = o.weight_decay;
    args.adam_beta1 = o.beta1;
    args.adam_beta2 = o.beta2;
    args.adam_epsilon = o.eps;
    args.lr_scheduler = parse_schedule(o.scheduler);
    args.warmup_steps = o.warmup_steps;
    args.max_grad_norm = o.max_grad_norm;
    args.num_train_epochs = o.epochs;
    args.max_steps = o.max_steps;
    args.per_device_train_batch_size = o.batch_size;
    args.per_device_eval_batch_size = o.batch_size;
    args.seed = o.seed;
    args.shuffle = !o.no_shuffle;
    args.progress_bar = o.progress;
    args.log_jsonl = (staging / "train_log.jsonl").string();
    const PlanReport plan = plan_report<Model>(model.config());
    TrainResult r;
    std::int64_t opt_bytes = 0;
    if (o.optimizer == "adamw") {
      auto opt = make_adamw(model, args);
      opt_bytes = opt.state_bytes();
      Trainer tr(model, opt, args);
      r = tr.train(p.train, p.has_eval ? &p.eval : nullptr);
    } else {
      ParamGroups g;
      SGD<float> opt(model, {o.lr, o.momentum, 0.0, o.weight_decay, o.nesterov}, g);
      Trainer tr(model, opt, args);
      r = tr.train(p.train, p.has_eval ? &p.eval : nullptr);
      opt_bytes = opt.state_bytes();
    }
    io::save_pretrained(staging.string(), model, p.model.vocab(), p.model.raw_config, p.model.label_names);
    const double train_seconds = r.seconds - r.eval_seconds;
    nlohmann::json m = {{"policy", p.spec.str()},
                        {"trainable_params", plan.trainable_params},
                        {"frozen_params", plan.frozen_params},
                        {"gradient_bytes", plan.gradient_bytes()},
                        {"optimizer_state_bytes", opt_bytes},
                        {"global_steps", r.global_step},
                        {"train_loss", r.last_loss},
                        {"train_seconds", train_seconds},
                        {"ms_per_step", r.global_step ? 1000.0 * train_seconds / static_cast<double>(r.global_step) : 0.0},
                        {"peak_rss_bytes", peak_rss_bytes()}};
    if (!r.evals.empty()) {
      m["eval_loss"] = r.evals.back().loss;
      m["eval_accuracy"] = r.evals.back().accuracy;
      if (model.config().num_labels == 2) m["eval_f1"] = r.evals.back().f1;
    }
    io::write_file_atomic((staging / "metrics.json").string(), m.dump(2) + "\n");
    publish(staging, out);
    return m;
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
}

inline nlohmann::json cmd_train(const TrainOptions& o) {
  PreparedTraining p = prepare_training(o);
  return with_policy(p.spec, [&]<class Policy>() { return run_training<Policy>(p); });
}

/// A fine-tuned model directory loaded for inference (every parameter frozen: nothing is
/// recorded), with a TSV file tokenized for it.
struct TrainedModel {
  ModelDir dir;
  Dataset data;
  BertForSequenceClassification<float, Freeze<Everything>> model;

  TrainedModel(const std::string& model_dir, const std::string& data_file, bool label_required, int max_len)
      : dir(model_dir), model(dir.config) {
    const TsvFile f = read_tsv(data_file, label_required, dir.config.num_labels);
    data = tokenize_file(f, dir.tokenizer(), resolve_max_len(max_len, dir.config),
                         dir.config.problem_type == ProblemType::regression, data_file);
    const auto rep = io::load_hf_weights(model, io::SafeTensorsFile(dir.weights()));
    FROST_CHECK(rep.newly_initialized.empty(), dir.weights() + ": no classifier weights (train the model first)");
  }
};

/// `frost eval`: loss and accuracy (F1 for two labels) of a model directory on a labelled TSV.
inline nlohmann::json cmd_eval(const std::string& model_dir, const std::string& data, int batch_size, int max_len) {
  TrainedModel t(model_dir, data, true, max_len);
  const ModelDir& md = t.dir;
  const Dataset& d = t.data;
  auto& model = t.model;
  const EvalResult e = evaluate(model, d, batch_size);
  nlohmann::json j = {{"examples", e.examples}, {"eval_loss", e.loss}};
  if (md.config.problem_type != ProblemType::regression) j["eval_accuracy"] = e.accuracy;
  if (md.config.num_labels == 2) j["eval_f1"] = e.f1;
  return j;
}

/// `frost predict`: one line per example: predicted label (name) and class probabilities, or the
/// regression value.
inline void cmd_predict(const std::string& model_dir, const std::string& data, int batch_size, int max_len,
                        std::ostream& out) {
  TrainedModel t(model_dir, data, false, max_len);
  const ModelDir& md = t.dir;
  const Dataset& d = t.data;
  auto& model = t.model;
  const bool regression = md.config.problem_type == ProblemType::regression;
  out.precision(8);
  out << (regression ? "index\tprediction\n" : "index\tlabel");
  if (!regression)
    for (int c = 0; c < md.config.num_labels; ++c)
      out << "\tp_" << (static_cast<std::size_t>(c) < md.label_names.size() ? md.label_names[static_cast<std::size_t>(c)] : std::to_string(c));
  if (!regression) out << "\n";
  Batch b;
  Labels y;
  std::vector<std::int64_t> idx(d.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<std::int64_t>(i);
  for (std::size_t start = 0; start < d.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t n = std::min(static_cast<std::size_t>(batch_size), d.size() - start);
    make_batch(d, idx.data() + start, n, md.config.pad_token_id, !regression, b, y);
    const auto& logits = model.forward(b, Mode::eval);
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
      out << (start + static_cast<std::size_t>(r));
      if (regression) {
        out << "\t" << logits(r, 0) << "\n";
        continue;
      }
      const auto row = logits.row(r);
      const float mx = row.maxCoeff();
      const Eigen::ArrayXf e = (row.array() - mx).exp().transpose();
      Eigen::Index best = 0;
      row.maxCoeff(&best);
      out << "\t" << (static_cast<std::size_t>(best) < md.label_names.size() ? md.label_names[static_cast<std::size_t>(best)] : std::to_string(best));
      for (Eigen::Index c = 0; c < e.size(); ++c) out << "\t" << e(c) / e.sum();
      out << "\n";
    }
  }
}

/// `frost explain`: the plan of SPEC for the model's (or a named geometry's) config.
inline std::string cmd_explain(const BertConfig& cfg, const std::string& spec) {
  const FreezeSpec s = parse_freeze_spec(spec);
  return with_policy(s, [&]<class Policy>() {
    return "policy: " + s.str() + "\n" + explain(plan_report_of<FreezePlan<Policy::frozen, kDynamicDepth>>(cfg));
  });
}

}  // namespace frost::cli
