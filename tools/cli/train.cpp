// tools/cli/train.cpp: `frost train`. Every input is validated before anything is written, and the
// output is written into a staging directory moved into place only when everything succeeded.
#include <unistd.h>

#include "common.hpp"

namespace frost::cli {

/// Everything `train` needs, validated, before any output exists.
struct PreparedTraining {
  TrainOptions opt;
  ModelDir model;
  FreezeSpec spec;
  FreezeMask frozen;
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
  PreparedTraining p{o, ModelDir(o.model_dir, o.num_labels), FreezeSpec::parse(o.freeze), {}, {}, {}, false};
  p.opt.max_seq_len = resolve_max_len(o.max_seq_len, p.model.config);
  p.frozen = p.spec.mask(p.model.config.num_hidden_layers);
  BackwardPlan{p.frozen, p.model.config.num_hidden_layers}.check();
  const bool regression = p.model.config.problem_type == ProblemType::regression;
  const text::WordPieceTokenizer tok = p.model.tokenizer();
  const TsvFile tf = read_tsv(o.train_file, true, p.model.config.num_labels);
  p.train = text::tokenize_file(tf, tok, p.opt.max_seq_len, regression, o.train_file);
  if (!o.eval_file.empty()) {
    const TsvFile ef = read_tsv(o.eval_file, true, p.model.config.num_labels);
    p.eval = text::tokenize_file(ef, tok, p.opt.max_seq_len, regression, o.eval_file);
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

inline nlohmann::json run_training(PreparedTraining& p) {
  using Model = BertClassifier<float>;
  const TrainOptions& o = p.opt;
  const fs::path out(o.output_dir);
  const fs::path staging = fs::path(out.string() + ".partial-" + std::to_string(::getpid()));
  fs::remove_all(staging);
  fs::create_directories(staging);
  try {
    Model model(p.model.config, p.frozen);
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
    const PlanReport plan = plan_report(model.backward_plan(), model.config());
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

nlohmann::json cmd_train(const TrainOptions& o) {
  PreparedTraining p = prepare_training(o);
  return run_training(p);
}

/// A fine-tuned model directory loaded for inference (every parameter frozen: nothing is

}  // namespace frost::cli
