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
  std::string tokenizer_config;  ///< tokenizer_config.json's text, copied to the output ("" if none)
};

/// The checks of `train` beyond each flag's own range (main.cpp converts and range-checks every
/// numeric flag): choices, combinations, the output path, the model, the data files.
inline PreparedTraining prepare_training(const TrainOptions& o) {
  check_output_dir("--output", o.output_dir);
  check_choice("--optimizer", o.optimizer, {"adamw", "sgd"});
  check_choice("--scheduler", o.scheduler, {"linear", "cosine", "constant"});
  (void)parse_schedule(o.scheduler);
  FROST_CHECK(!o.nesterov || o.optimizer == "sgd",
              "--nesterov: expected --optimizer sgd, got --optimizer " + o.optimizer);
  FROST_CHECK(
      !o.nesterov || o.momentum > 0,
      "--nesterov: expected --momentum > 0 (Nesterov needs momentum), got --momentum " + show_number(o.momentum));
  FROST_CHECK(o.batch_size > 0, "--batch-size: expected a positive integer, got " + std::to_string(o.batch_size));
  FROST_CHECK(o.epochs > 0 || o.max_steps > 0,
              "--epochs: expected a positive integer, got " + std::to_string(o.epochs));
  FROST_CHECK(std::isfinite(o.lr) && o.lr > 0, "--lr: expected a finite number > 0, got " + show_number(o.lr));
  PreparedTraining p{o, ModelDir(o.model_dir, o.num_labels), FreezeSpec::parse(o.freeze), {}, {}, {}, false, {}};
  p.opt.max_seq_len = resolve_max_len(o.max_seq_len, p.model);
  p.frozen = p.spec.mask(p.model.config.num_hidden_layers);
  BackwardPlan{p.frozen, p.model.config.num_hidden_layers}.check();
  const text::WordPieceTokenizer tok = p.model.tokenizer();
  p.train = read_data("--train", o.train_file, true, p.model, tok, p.opt.max_seq_len);
  if (!o.eval_file.empty()) {
    p.eval = read_data("--eval", o.eval_file, true, p.model, tok, p.opt.max_seq_len);
    p.has_eval = true;
  }
  const std::string tc = p.model.dir + "/tokenizer_config.json";
  if (fs::exists(tc)) p.tokenizer_config = io::read_file(tc);
  return p;
}

/// A file-system failure while writing the output, as the bad-input error it is (a full disk, a
/// directory that changed under us): it names --output and what failed.
[[noreturn]] inline void output_error(const std::string& out, const fs::filesystem_error& e) {
  throw Error(out + ": --output: cannot write the output (" + e.code().message() +
              (e.path1().empty() ? "" : ": " + e.path1().string()) + ")");
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
  const fs::path staging = staging_path(o.output_dir);
  // The checkpoint is read (and checked against the config) before anything is created.
  Model model(p.model.config, p.frozen);
  const auto report = io::load_hf_weights(model, io::SafeTensorsFile(p.model.weights()), o.seed);
  try {
    fs::remove_all(staging);
    fs::create_directories(staging);
  } catch (const fs::filesystem_error& e) {
    output_error(o.output_dir, e);
  }
  for (const auto& n : report.newly_initialized)
    std::fprintf(stderr, "frost: %s was not in the checkpoint: newly initialised\n", n.c_str());
  try {
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
    nlohmann::json m = {
        {"policy", p.spec.str()},
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
    if (!p.tokenizer_config.empty())
      io::write_file_atomic((staging / "tokenizer_config.json").string(), p.tokenizer_config);
    io::write_file_atomic((staging / "metrics.json").string(), m.dump(2) + "\n");
    try {
      publish(staging, out);
    } catch (const fs::filesystem_error& e) {
      output_error(o.output_dir, e);
    }
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

}  // namespace frost::cli
