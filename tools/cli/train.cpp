// tools/cli/train.cpp: `frost train`. Every input is validated before anything is written, and the
// output is written into a staging directory moved into place only when everything succeeded.
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>

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
  FROST_CHECK(o.save_total_limit == 0 || o.save_steps > 0,
              "--save-total-limit: expected --save-steps N as well (there are no checkpoints to limit)");
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

/// The model files of a model directory: config.json, model.safetensors, vocab.txt and
/// tokenizer_config.json (when the base model has one), written into `dir`.
template <class Model>
void write_model_files(const std::string& dir, Model& model, const PreparedTraining& p) {
  io::save_pretrained(dir, model, p.model.vocab(), p.model.raw_config, p.model.label_names);
  if (!p.tokenizer_config.empty()) io::write_file_atomic(dir + "/tokenizer_config.json", p.tokenizer_config);
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
  st.write_file("train_log.jsonl", io::read_file(live_log));
  st.write_file(
      "trainer_state.json",
      nlohmann::json{{"global_step", step}, {"epoch", trainer.position().epoch}, {"policy", p.spec.str()}}.dump(2) +
          "\n");
  io::crash_point("checkpoint:before-commit");
  st.commit();
  rotate_checkpoints(out, p.opt.save_total_limit);
}

inline TrainingArguments training_arguments(const TrainOptions& o, const std::string& log) {
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
  args.log_jsonl = log;
  return args;
}

/// Trains with optimizer `opt` (resumed from `resume` when given, checkpoints every --save-steps);
/// the result and the optimizer's state bytes.
template <class Model, class Opt>
std::pair<TrainResult, std::int64_t> train_with(Model& model, Opt& opt, const TrainingArguments& args,
                                                PreparedTraining& p, const fs::path& resume) {
  Trainer tr(model, opt, args);
  if (!resume.empty()) tr.resume((resume / "trainer_state.safetensors").string());
  const fs::path out(p.opt.output_dir);
  if (p.opt.save_steps > 0)
    tr.on_step = [&](const StepLog& s) {
      if (s.step % p.opt.save_steps == 0) save_checkpoint_dir(out, model, tr, p, args.log_jsonl);
      return true;
    };
  TrainResult r = tr.train(p.train, p.has_eval ? &p.eval : nullptr);
  return {std::move(r), opt.state_bytes()};
}

inline nlohmann::json run_training(PreparedTraining& p) {
  using Model = BertClassifier<float>;
  const TrainOptions& o = p.opt;
  const fs::path out(o.output_dir);
  const fs::path resume = o.resume_from.empty() ? fs::path() : resolve_resume(o.resume_from, o.output_dir);
  // The checkpoint is read (and checked against the config) before anything is created.
  Model model(p.model.config, p.frozen);
  const auto report = io::load_hf_weights(model, io::SafeTensorsFile(p.model.weights()), o.seed);
  std::unique_ptr<io::StagedDirectory> stage;
  try {
    remove_crash_leftovers(out);
    stage = std::make_unique<io::StagedDirectory>(out);
    if (!resume.empty()) stage->write_file("train_log.jsonl", io::read_file((resume / "train_log.jsonl").string()));
  } catch (const fs::filesystem_error& e) {
    output_error(o.output_dir, e);
  }
  if (resume.empty())
    for (const auto& n : report.newly_initialized)
      std::fprintf(stderr, "frost: %s was not in the checkpoint: newly initialised\n", n.c_str());
  const TrainingArguments args = training_arguments(o, stage->file("train_log.jsonl"));
  const PlanReport plan = plan_report(model.backward_plan(), model.config());
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
  write_model_files(stage->path().string(), model, p);
  const double train_seconds = r.seconds - r.eval_seconds;
  nlohmann::json m = {
      {"policy", p.spec.str()},
      {"trainable_params", plan.trainable_params},
      {"frozen_params", plan.frozen_params},
      {"gradient_bytes", plan.gradient_bytes()},
      {"optimizer_state_bytes", res.second},
      {"global_steps", r.global_step},
      {"train_loss", r.last_loss},
      {"train_seconds", train_seconds},
      {"ms_per_step", r.global_step ? 1000.0 * train_seconds / static_cast<double>(r.global_step) : 0.0},
      {"peak_rss_bytes", peak_rss_bytes()}};
  if (!resume.empty()) m["resumed_from"] = resume.string();
  if (!r.evals.empty()) {
    m["eval_loss"] = r.evals.back().loss;
    m["eval_accuracy"] = r.evals.back().accuracy;
    if (model.config().num_labels == 2) m["eval_f1"] = r.evals.back().f1;
  }
  stage->write_file("metrics.json", m.dump(2) + "\n");
  std::error_code ec;
  const bool merge = fs::is_directory(out, ec) && !fs::is_empty(out, ec);
  try {
    stage->commit(merge ? io::StagedDirectory::CommitMode::merge : io::StagedDirectory::CommitMode::replace_empty);
  } catch (const fs::filesystem_error& e) {
    output_error(o.output_dir, e);
  }
  return m;
}

nlohmann::json cmd_train(const TrainOptions& o) {
  PreparedTraining p = prepare_training(o);
  return run_training(p);
}

}  // namespace frost::cli
