// tools/cli/train.cpp: `frost train`. Every input is validated before anything is written, and the
// output is written into a staging directory moved into place only when everything succeeded.
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include "adapter_flags.hpp"
#include "common.hpp"
#include "world.hpp"

namespace frost::cli {

/// Everything `train` needs, validated, before any output exists.
struct PreparedTraining {
  TrainOptions opt;
  ModelDir model;
  FreezeSpec spec;
  FreezeMask frozen;
  Dataset train, eval;
  bool has_eval = false;
  LabelScheme labels;                  ///< the training file's (labels.hpp), applied to --eval too
  text::WordPieceTokenizer tokenizer;  ///< the model's, written with the output (tokenizer_files.hpp)
  AdapterChoice adapter;               ///< --lora-r / --ia3 / --adapter: train adapters (the output is a PEFT adapter)
};

/// --eval-strategy as the Trainer's enum (the choice already checked).
inline IntervalStrategy parse_strategy(const std::string& s) {
  return s == "no" ? IntervalStrategy::no : s == "steps" ? IntervalStrategy::steps : IntervalStrategy::epoch;
}

/// The Trainer-loop flags together: evaluation strategy, best model, early stopping.
inline void check_trainer_loop(const TrainOptions& o, bool has_eval) {
  check_choice("--eval-strategy", o.eval_strategy, {"no", "steps", "epoch"});
  if (!o.greater_is_better.empty()) check_choice("--greater-is-better", o.greater_is_better, {"true", "false"});
  FROST_CHECK(o.eval_steps == 0 || o.eval_strategy == "steps",
              "--eval-steps: expected --eval-strategy steps as well, got --eval-strategy " + o.eval_strategy);
  const bool needs_evals = o.load_best_model_at_end || o.early_stopping_patience > 0 ||
                           !o.metric_for_best_model.empty() || !o.greater_is_better.empty();
  const std::string flag = o.load_best_model_at_end           ? "--load-best-model-at-end"
                           : o.early_stopping_patience > 0    ? "--early-stopping-patience"
                           : !o.metric_for_best_model.empty() ? "--metric-for-best-model"
                                                              : "--greater-is-better";
  FROST_CHECK(!needs_evals || has_eval, flag + ": expected --eval FILE as well (it ranks evaluations)");
  FROST_CHECK(!needs_evals || o.eval_strategy != "no",
              flag + ": expected --eval-strategy steps or epoch, got --eval-strategy no (no evaluation to rank)");
}

/// --metric-for-best-model names a metric the task reports (the names of an evaluation of this
/// label scheme, with or without HF's eval_ prefix), checked before training starts.
inline void check_metric_name(const std::string& name, const LabelScheme& s) {
  if (name.empty()) return;
  nlohmann::json sample = {{"eval_loss", 0.0}};
  if (s.kind == LabelScheme::Kind::regression)
    sample.update(metrics_json(regression_metrics({0.0, 1.0}, {0.0, 1.0})));
  else if (s.kind == LabelScheme::Kind::multi_label)
    sample.update(
        metrics_json(multilabel_metrics({std::vector<int>(static_cast<std::size_t>(s.num_labels), 0)},
                                        {std::vector<int>(static_cast<std::size_t>(s.num_labels), 0)}, s.num_labels)));
  else
    sample.update(metrics_json(classification_metrics({0}, {0}, s.num_labels)));
  try {
    (void)metric_value(sample, name);
  } catch (const Error& e) {
    throw Error("--metric-for-best-model: " + std::string(e.what()));
  }
}

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
  ModelDir md(o.model_dir, o.num_labels);
  // With LoRA the base is frozen unless --freeze says otherwise (PEFT: the whole base frozen, the
  // classifier trained as modules_to_save).
  const bool adapter = o.lora.r > 0 || o.ia3.on || !o.adapter_dir.empty();
  FreezeSpec spec = FreezeSpec::parse(adapter && !o.freeze_given ? std::string("bert") : o.freeze);
  text::WordPieceTokenizer tok = md.tokenizer();
  PreparedTraining p{o, std::move(md), std::move(spec), {}, {}, {}, false, {}, std::move(tok), {}};
  p.opt.max_seq_len = resolve_max_len(o.max_seq_len, p.model);
  p.frozen = p.spec.mask(p.model.config.num_hidden_layers);
  BackwardPlan{p.frozen, p.model.config.num_hidden_layers}.check();
  p.adapter = adapter_options(o.lora, o.ia3, o.adapter_dir, o.seed, p.model.config.num_hidden_layers);
  // The label set comes from the training file (run_glue.py): names sorted, or the config's.
  const DataFile train_file = read_raw_data("--train", o.train_file, true, o.data);
  p.labels = infer_label_scheme(train_file, p.model.hints(o.num_labels > 0));
  p.model.use_labels(p.labels);
  p.train = text::tokenize_file(train_file, p.tokenizer, p.opt.max_seq_len, p.labels);
  if (!o.eval_file.empty()) {
    p.eval = read_data("--eval", o.eval_file, true, o.data, p.tokenizer, p.opt.max_seq_len, &p.labels, p.model);
    p.has_eval = true;
  }
  FROST_CHECK(o.save_total_limit == 0 || o.save_steps > 0,
              "--save-total-limit: expected --save-steps N as well (there are no checkpoints to limit)");
  check_trainer_loop(o, p.has_eval);
  check_metric_name(o.metric_for_best_model, p.labels);
  return p;
}

/// A file-system failure while writing the output, as the bad-input error it is (a full disk, a
/// directory that changed under us): it names --output and what failed.
[[noreturn]] inline void output_error(const std::string& out, const fs::filesystem_error& e) {
  throw Error(out + ": --output: cannot write the output (" + e.code().message() +
              (e.path1().empty() ? "" : ": " + e.path1().string()) + ")");
}

/// The step of a `checkpoint-STEP` directory name, or -1 for any other name.
inline long checkpoint_step(const std::string& name) {
  constexpr std::string_view prefix = "checkpoint-";
  if (!name.starts_with(prefix) || name.size() == prefix.size() || name.size() > prefix.size() + 18) return -1;
  const std::string digits = name.substr(prefix.size());
  if (digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stol(digits);
}

/// The checkpoint directories of `out`, oldest first (by step).
inline std::vector<std::pair<long, fs::path>> list_checkpoints(const fs::path& out) {
  std::vector<std::pair<long, fs::path>> v;
  std::error_code ec;
  if (!fs::is_directory(out, ec)) return v;
  for (const auto& e : fs::directory_iterator(out, ec)) {
    const long step = checkpoint_step(e.path().filename().string());
    if (step >= 0 && e.is_directory(ec)) v.emplace_back(step, e.path());
  }
  std::sort(v.begin(), v.end());
  return v;
}

/// Why `dir` is not a complete frost checkpoint ("" when it is one): its manifest must exist and
/// match every file, and the trainer state must be listed in it.
inline std::string checkpoint_problem(const fs::path& dir) {
  try {
    if (!io::verify_manifest(dir))
      return (dir / io::kManifestName).string() + ": missing (not a complete frost checkpoint)";
    if (!fs::is_regular_file(dir / "trainer_state.safetensors"))
      return (dir / "trainer_state.safetensors").string() + ": missing (not a frost checkpoint)";
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

/// --resume-from-checkpoint: a directory (which must be a complete checkpoint) or `latest`, the
/// newest complete checkpoint-STEP/ of --output; a damaged newer one is reported and skipped.
inline fs::path resolve_resume(const std::string& what, const std::string& out) {
  if (what != "latest") {
    const std::string problem = checkpoint_problem(what);
    FROST_CHECK(problem.empty(), "--resume-from-checkpoint: " + problem);
    return what;
  }
  const auto all = list_checkpoints(out);
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const std::string problem = checkpoint_problem(it->second);
    if (problem.empty()) return it->second;
    std::fprintf(stderr, "frost: warning: %s is damaged, not resuming from it (%s)\n", it->second.c_str(),
                 problem.c_str());
  }
  throw Error("--resume-from-checkpoint latest: " + out + " holds no complete checkpoint-STEP directory");
}

/// Removes what killed runs left in and beside --output: their staging and trash directories.
inline void remove_crash_leftovers(const fs::path& out) {
  io::remove_stale_staging(out);
  std::error_code ec;
  if (!fs::is_directory(out, ec)) return;
  std::vector<fs::path> targets;
  for (const auto& e : fs::directory_iterator(out, ec)) {
    const std::string n = e.path().filename().string();
    const auto cut = n.find(".frost-");
    if (n.starts_with(".") && cut != std::string::npos) targets.push_back(out / n.substr(1, cut - 1));
  }
  for (const auto& t : targets) io::remove_stale_staging(t);
}

/// Keeps the newest `limit` checkpoints of `out` (0: all); older ones vanish whole.
inline void rotate_checkpoints(const fs::path& out, int limit) {
  if (limit <= 0) return;
  auto all = list_checkpoints(out);
  for (std::size_t i = 0; i + static_cast<std::size_t>(limit) < all.size(); ++i) io::remove_dir_atomic(all[i].second);
}

/// The model files of a model directory: config.json (id2label of the training labels),
/// model.safetensors and the tokenizer (vocab.txt, tokenizer.json, tokenizer_config.json),
/// written into `dir`.
/// With an adapter: a PEFT adapter directory instead (adapter_config.json, adapter_model.safetensors),
/// plus config.json (labels) and the tokenizer.
template <class Model>
void write_model_files(const std::string& dir, Model& model, const PreparedTraining& p) {
  if (p.adapter) {
    io::save_peft_adapter(dir, model, fs::absolute(p.opt.model_dir).string());
    io::write_file_atomic(dir + "/config.json",
                          hf_config_json(model.config(), p.model.raw_config, p.model.label_names).dump(2) + "\n");
  } else {
    io::save_pretrained(dir, model, "", p.model.raw_config, p.model.label_names);
  }
  text::save_tokenizer_files(dir, p.tokenizer);
}

/// OUTPUT/checkpoint-STEP/: the model files (loadable by `frost eval` and transformers), the
/// trainer state (weights, optimizer, schedule position, RNG, data order), the log so far and a
/// manifest; staged beside and renamed into place, so it is complete or absent.
template <class Model, class Tr>
void save_checkpoint_dir(const fs::path& out, Model& model, const Tr& trainer, const PreparedTraining& p,
                         const std::string& live_log) {
  const long step = trainer.position().global_step;
  const fs::path dir = out / ("checkpoint-" + std::to_string(step));
  io::remove_dir_atomic(dir);  // a resumed run re-reaching a step replaces that checkpoint whole
  io::StagedDirectory st(dir);
  write_model_files(st.path().string(), model, p);
  trainer.save(st.file("trainer_state.safetensors"));
  // Copied, not read into memory: the log grows with the run (commit() fsyncs the copy).
  fs::copy_file(live_log, st.file("train_log.jsonl"), fs::copy_options::overwrite_existing);
  st.write_file("trainer_state.json", nlohmann::json{{"global_step", step},
                                                     {"epoch", trainer.position().epoch},
                                                     {"policy", p.spec.str()},
                                                     {"world_size", world().size()}}
                                              .dump(2) +
                                          "\n");
  io::crash_point("checkpoint:before-commit");
  st.commit();
  rotate_checkpoints(out, p.opt.save_total_limit);
}

inline TrainingArguments training_arguments(const TrainOptions& o, const std::string& log,
                                            const std::vector<std::string>& class_names) {
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
  args.group_by_length = o.group_by_length;
  args.gradient_checkpointing = o.gradient_checkpointing;
  args.bf16 = o.bf16;
  if (o.cache_frozen_features) {  // implies a deterministic frozen prefix (documented: HF keeps its dropout)
    args.cache_frozen_features = true;
    args.dropout_in_frozen = false;
  }
  args.progress_bar = o.progress;
  args.log_jsonl = log;
  args.gradient_accumulation_steps = o.gradient_accumulation_steps;
  args.eval_strategy = parse_strategy(o.eval_strategy);
  args.eval_steps = o.eval_steps;
  args.logging_steps = o.logging_steps;
  args.load_best_model_at_end = o.load_best_model_at_end;
  args.metric_for_best_model = o.metric_for_best_model;
  if (!o.greater_is_better.empty()) args.greater_is_better = o.greater_is_better == "true";
  args.early_stopping_patience = o.early_stopping_patience;
  args.early_stopping_threshold = o.early_stopping_threshold;
  args.class_names = class_names;
  const char* verify = std::getenv("FROST_VERIFY_RANKS_IN_SYNC");  // tests: hash the parameters every step
  args.verify_ranks_in_sync = verify && std::string_view(verify) == "1";
  return args;
}

/// Trains with optimizer `opt` (resumed from `resume` when given, checkpoints every --save-steps);
/// the result and the optimizer's state bytes.
template <class Model, class Opt>
std::pair<TrainResult, std::int64_t> train_with(Model& model, Opt& opt, const TrainingArguments& args,
                                                PreparedTraining& p, const fs::path& resume) {
  Trainer tr(model, opt, args, world());
  if (!resume.empty()) tr.resume((resume / "trainer_state.safetensors").string());
  const fs::path out(p.opt.output_dir);
  if (p.opt.save_steps > 0 && world().is_main())
    tr.on_step = [&](const StepLog& s) {
      if (s.step % p.opt.save_steps == 0) save_checkpoint_dir(out, model, tr, p, args.log_jsonl);
      return true;
    };
  TrainResult r = tr.train(p.train, p.has_eval ? &p.eval : nullptr);
  return {std::move(r), opt.state_bytes()};
}

/// The metric that ranked evaluations, with HF's eval_ prefix.
inline std::string tr_metric_name(const TrainOptions& o) {
  const std::string& n = o.metric_for_best_model;
  return n.empty() ? "eval_loss" : n.starts_with("eval_") ? n : "eval_" + n;
}

/// A checkpoint resumes only with the world size that wrote it (DDP's data order depends on it).
inline void check_resume_world(const fs::path& resume) {
  const fs::path f = resume / "trainer_state.json";
  std::error_code ec;
  if (!fs::exists(f, ec)) return;
  const nlohmann::json j = read_config_json(f.string());
  const int n = j.value("world_size", 1);
  FROST_CHECK(n == world().size(), "--resume-from-checkpoint: " + resume.string() + " was written by " +
                                       std::to_string(n) + " rank(s), this run has " + std::to_string(world().size()) +
                                       " (resume with mpirun -np " + std::to_string(n) + ")");
}

inline nlohmann::json run_training(PreparedTraining& p) {
  using Model = BertClassifier<float>;
  const TrainOptions& o = p.opt;
  const fs::path out(o.output_dir);
  const fs::path resume = o.resume_from.empty() ? fs::path() : resolve_resume(o.resume_from, o.output_dir);
  if (!resume.empty()) check_resume_world(resume);
  const bool main = world().is_main();  // data parallel: only rank 0 writes
  // The checkpoint is read (and checked against the config) before anything is created.
  Model model = p.adapter.make<Model>(p.model.config, p.frozen);
  auto report = io::load_hf_weights(model, io::SafeTensorsFile(p.model.weights()), o.seed);
  if (!o.adapter_dir.empty()) {  // continue an adapter: its tensors and classifier replace the fresh ones
    const io::SafeTensorsFile af(o.adapter_dir + "/adapter_model.safetensors");
    io::load_peft_adapter_weights(model, af);
    if (af.contains(std::string(io::kPeftPrefix) + "classifier.weight")) report.newly_initialized.clear();
  }
  std::unique_ptr<io::StagedDirectory> stage;
  if (main) try {
      remove_crash_leftovers(out);
      stage = std::make_unique<io::StagedDirectory>(out);
      if (!resume.empty())
        fs::copy_file(resume / "train_log.jsonl", stage->file("train_log.jsonl"), fs::copy_options::overwrite_existing);
    } catch (const fs::filesystem_error& e) {
      output_error(o.output_dir, e);
    }
  if (resume.empty() && main)
    for (const auto& n : report.newly_initialized)
      std::fprintf(stderr, "frost: %s was not in the checkpoint: newly initialised\n", n.c_str());
  const TrainingArguments args =
      training_arguments(o, main ? stage->file("train_log.jsonl") : std::string(), p.model.label_names);
  const PlanReport plan = p.adapter.report(model.backward_plan(), model.config());
  std::pair<TrainResult, std::int64_t> res;
  if (o.optimizer == "adamw") {
    auto opt = make_adamw(model, args);
    res = train_with(model, opt, args, p, resume);
  } else {
    ParamGroups g;
    SGD<float> opt(model, {o.lr, o.momentum, 0.0, o.weight_decay, o.nesterov}, g);
    res = train_with(model, opt, args, p, resume);
  }
  const TrainResult& r = res.first;
  io::crash_point("train:before-final-save");
  if (main) write_model_files(stage->path().string(), model, p);
  const double train_seconds = r.seconds - r.eval_seconds;
  nlohmann::json m = {
      {"policy", p.spec.str() + (p.adapter ? std::string("+") + p.adapter.name() : "")},
      {"trainable_params", plan.trainable_params},
      {"frozen_params", plan.frozen_params},
      {"gradient_bytes", plan.gradient_bytes()},
      {"optimizer_state_bytes", res.second},
      {"global_steps", r.global_step},
      {"train_loss", r.last_loss},
      {"train_seconds", train_seconds},
      {"ms_per_step", r.global_step ? 1000.0 * train_seconds / static_cast<double>(r.global_step) : 0.0},
      {"train_examples_per_second", train_seconds > 0 ? static_cast<double>(r.examples) / train_seconds : 0.0},
      {"eval_seconds", r.eval_seconds},
      {"peak_rss_bytes", peak_rss_bytes()},
      {"world_size", r.world_size},
      {"allreduce_bytes_per_step", r.allreduce_bytes_per_step},
      {"train_epoch_seconds", r.epoch_seconds}};
  if (args.cache_frozen_features) m["feature_cache_bytes"] = r.feature_cache_bytes;
  if (args.group_by_length) m["group_by_length"] = true;
  if (args.gradient_checkpointing) m["gradient_checkpointing"] = true;
  if (args.bf16) m["bf16"] = r.bf16;  // requested: whether it ran (false: fp32, the reason on stderr)
  if (!resume.empty()) m["resumed_from"] = resume.string();
  if (p.adapter) m[p.adapter.name()] = p.adapter.metrics(plan.adapter_params);
  if (r.final_eval) m.update(r.final_eval->metrics);
  if (r.best.step >= 0) {
    m["best_step"] = r.best.step;
    m["best_metric"] = r.best.metric;
    m["metric_for_best_model"] = tr_metric_name(o);
  }
  if (p.opt.early_stopping_patience > 0) m["early_stopped"] = r.early_stopped;
  if (!main) return m;
  stage->write_file("metrics.json", m.dump(2) + "\n");
  std::error_code ec;
  const bool merge = fs::is_directory(out, ec) && !fs::is_empty(out, ec);
  try {
    stage->commit(merge ? io::StagedDirectory::CommitMode::merge : io::StagedDirectory::CommitMode::replace_empty);
  } catch (const fs::filesystem_error& e) {
    output_error(o.output_dir, e);
  }
  // The charts are a view of train_log.jsonl, drawn after the model is in place: not in the
  // manifest (`frost plot` may redraw them), each file written whole or not at all.
  try {
    (void)write_training_charts(
        o.output_dir, "frost train: " + fs::path(o.output_dir).filename().string() + " (" + p.spec.str() + ")");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "frost: warning: no training charts (%s)\n", e.what());
  }
  return m;
}

nlohmann::json cmd_train(const TrainOptions& o) {
  (void)world();  // under mpirun: every rank joins MPI before any input is read
  PreparedTraining p = prepare_training(o);
  return run_training(p);
}

}  // namespace frost::cli
