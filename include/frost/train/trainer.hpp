// frost/train/trainer.hpp: the training loop, with Hugging Face Trainer semantics.
//
// Per optimizer step (gradient_accumulation_steps micro-batches, the last step of an epoch may
// have fewer):
//   for each micro-batch: forward (train mode: dropout on) -> loss -> backward with the gradient
//                         scaled by 1/accumulation (HF divides the loss)
//   norm = clip_grad_norm(model, max_grad_norm)      (returned before clipping, logged)
//   optimizer.step(model, schedule.factor(global_step))
//   a non-finite loss, norm or updated weight throws NumericalFault (numerical_guard.hpp)
//   zero_grad; every logging_steps: log {step, epoch, loss (mean since the last log), learning_rate,
//   grad_norm}
//   every eval_steps (strategy steps) or at the end of an epoch (strategy epoch): evaluate, log
//   {step, epoch, eval_*}, track the best metric (best_model.hpp), stop early when patience runs out
// After the loop: restore the best weights (load_best_model_at_end), then evaluate once more
// (TrainResult::final_eval), as run_glue.py's --do_eval does after training.
// Steps per epoch = ceil(batches / accumulation); total = max_steps if > 0 else epochs x that.
// The data order of each epoch is a function of (seed, epoch) only, so a run is reproducible and
// a checkpoint can resume it bit-exactly.
//
// Data parallel (a Communicator of p > 1 ranks, dist/): PyTorch DDP's semantics. Each rank takes its
// DistributedSampler share of the epoch's order (dist/data_parallel.hpp: batch size is per rank);
// after the last micro-batch of a step the trainable gradients are averaged over the ranks (the
// earlier micro-batches of a step communicate nothing: DDP's no_sync); clipping and the optimizer
// step then run identically on every rank; the logged loss is the ranks' mean; only rank 0 writes
// the log, the progress bar and checkpoints. Evaluation is sharded across the ranks and its logits
// gathered (train/metrics.hpp), so every rank computes the same metrics over every example.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "../core/bf16.hpp"
#include "../core/gemm.hpp"
#include "../dist/communicator.hpp"
#include "../dist/data_parallel.hpp"
#include "../optim/clip.hpp"
#include "../optim/schedule.hpp"
#include "best_model.hpp"
#include "checkpoint.hpp"
#include "data.hpp"
#include "feature_cache.hpp"
#include "metrics.hpp"
#include "numerical_guard.hpp"
#include "progress.hpp"
#include "training_args.hpp"

namespace frost {

struct StepLog {
  long step = 0;
  double epoch = 0;
  double loss = 0;
  double learning_rate = 0;
  double grad_norm = 0;
  double seconds = 0;
};

/// One evaluation during training as TrainResult keeps it: a few numbers, so that a run of
/// thousands of evaluations stays flat in memory (every metric is in the JSONL log).
struct EvalPoint {
  long step = 0;
  double epoch = 0;
  double loss = 0;      ///< eval_loss
  double accuracy = 0;  ///< eval_accuracy (single-label; 0 otherwise)
  double f1 = 0;        ///< eval_f1 (two labels; 0 otherwise)
  double metric = 0;    ///< metric_for_best_model's value (NaN when the evaluation lacks it)
};

struct TrainResult {
  long global_step = 0;
  double last_loss = 0;
  double seconds = 0;            ///< wall time of train(), evaluation included
  double eval_seconds = 0;       ///< of which evaluation
  std::int64_t examples = 0;     ///< training examples processed (this call; a resumed run counts from the resume)
  std::vector<EvalPoint> evals;  ///< the evaluations during training (eval_strategy)
  std::optional<EvalResult> final_eval;  ///< of the final model (the best one with load_best_model_at_end)
  BestModelState best;                   ///< the best evaluation during training (step -1: none)
  bool early_stopped = false;
  int world_size = 1;                          ///< ranks that trained together (dist/)
  std::uint64_t allreduce_bytes_per_step = 0;  ///< gradient bytes handed to allreduce per step (0: one rank)
  std::vector<double> epoch_seconds;           ///< training time of each epoch this call finished (evaluation excluded)
  std::size_t feature_cache_bytes = 0;         ///< cache_frozen_features: bytes kept (this rank)
  bool bf16 = false;                           ///< the GEMMs ran with bf16 inputs (TrainingArguments::bf16 honoured)
};

/// AdamW configured from TrainingArguments like HF Trainer's default optimizer (no weight decay
/// for biases and LayerNorm weights; LLRD if layer_lr_decay != 1).
template <class Model>
AdamW<typename Model::scalar_type> make_adamw(Model& model, const TrainingArguments& a) {
  ParamGroups g;
  g.layer_lr_decay = a.layer_lr_decay;
  g.num_layers = model.depth();
  return AdamW<typename Model::scalar_type>(
      model, {a.learning_rate, a.adam_beta1, a.adam_beta2, a.adam_epsilon, a.weight_decay, false}, g);
}

template <class Model, class Optimizer>
class Trainer {
 public:
  using T = typename Model::scalar_type;

  /// `comm`: the ranks training together (data parallel); one process by default.
  Trainer(Model& model, Optimizer& opt, TrainingArguments args, dist::Communicator& comm = dist::single_process());

  /// Called after every optimizer step (after its evaluation, when one is due); return false to
  /// stop (e.g. to simulate an interruption).
  std::function<bool(const StepLog&)> on_step;

  [[nodiscard]] long steps_per_epoch(std::size_t examples) const {
    const long batches =
        static_cast<long>((examples + static_cast<std::size_t>(args_.per_device_train_batch_size) - 1) /
                          static_cast<std::size_t>(args_.per_device_train_batch_size));
    return std::max(1L, (batches + args_.gradient_accumulation_steps - 1) / args_.gradient_accumulation_steps);
  }
  [[nodiscard]] long total_steps(std::size_t examples) const {
    return args_.max_steps > 0 ? args_.max_steps : args_.num_train_epochs * steps_per_epoch(examples);
  }

  TrainResult train(const Dataset& train, const Dataset* eval = nullptr);

  void save(const std::string& path) const;
  void resume(const std::string& path);
  /// Where the run stands, the best evaluation included.
  [[nodiscard]] RunPosition position() const {
    RunPosition p = pos_;
    p.best = best_.state();
    return p;
  }
  [[nodiscard]] const BestModel<T>& best_model() const { return best_; }

 private:
  // Training time per epoch, evaluation excluded (TrainResult::epoch_seconds).
  struct EpochClock {
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    double eval0 = 0;
    void lap(TrainResult& r) {
      const auto now = std::chrono::steady_clock::now();
      r.epoch_seconds.push_back(std::chrono::duration<double>(now - t0).count() - (r.eval_seconds - eval0));
      t0 = now;
      eval0 = r.eval_seconds;
    }
  };

  // The epoch's example order across all ranks: (seed, epoch), then HF's length grouping over the
  // global batch x accumulation steps when asked for.
  [[nodiscard]] std::vector<std::int64_t> epoch_examples(const Dataset& train) const;

  // forward + loss + backward of one micro-batch (examples idx[0..n)); with the frozen-feature
  // cache, from the kept prefix output when every example has one, else keeping it.
  double micro_batch_loss(const std::int64_t* idx, std::size_t n, Batch& batch, const Labels& labels, long group_size);

  static BestModel<T> best_model_of(const TrainingArguments& a) {
    const std::string metric = a.metric_for_best_model.empty() ? "loss" : a.metric_for_best_model;
    const bool greater = a.greater_is_better.value_or(greater_is_better_default(metric));
    return BestModel<T>(metric, greater, a.load_best_model_at_end, a.early_stopping_threshold);
  }
  // Whether step `step` (the last of its epoch when `epoch_end`) is evaluated; strategy steps
  // without eval_steps uses logging_steps, as HF does.
  [[nodiscard]] bool evaluation_due(long step, bool epoch_end) const {
    switch (args_.eval_strategy) {
      case IntervalStrategy::steps:
        return step % (args_.eval_steps > 0 ? args_.eval_steps : args_.logging_steps) == 0;
      case IntervalStrategy::epoch:
        return epoch_end;
      case IntervalStrategy::no:
        break;
    }
    return false;
  }
  [[nodiscard]] std::vector<Tensor<float>> best_weights() const {
    if constexpr (std::is_same_v<T, float>)
      return best_.weights();
    else
      return {};
  }

  // The JSONL training log (appended to when resuming), or a closed stream when none is asked for.
  [[nodiscard]] std::ofstream open_log() const;

  // A resumed run (mid-epoch) must see the epoch's data in the checkpoint's order.
  void check_resumed_order(const std::vector<std::int64_t>& order) const {
    if (pos_.next_batch > 0)
      FROST_CHECK(order == pos_.data_order,
                  "Trainer: the resumed run's data order differs from the checkpoint's "
                  "(different dataset, seed or shuffling)");
  }

  // The single-file checkpoint every save_steps (rank 0 writes it).
  void save_if_due(long step) const {
    if (args_.save_steps > 0 && !args_.checkpoint_path.empty() && step % args_.save_steps == 0 && comm_.is_main())
      save(args_.checkpoint_path);
  }

  // Data parallel, before a step: the trainable gradients averaged over the ranks (DDP); the
  // ranks' mean of `loss` (the logged loss). One rank: `loss`.
  double synchronize(double loss, TrainResult& result);

  // One optimizer step after micro-batch `bi` (clip, step, zero_grad, advance the position); its log.
  StepLog optimizer_step(const LrSchedule& schedule, long bi, long batches, double loss,
                         std::chrono::steady_clock::time_point t0);

  // Logs step `s` every logging_steps (JSONL: the loss averaged since the last line; progress
  // bar), saves the single-file checkpoint when due; whether the step budget is spent.
  bool log_step(const StepLog& s, std::ofstream& log, ProgressBar& bar, long total);

  /// The matmul precision of a train() call, noted in result.bf16: bf16 when TrainingArguments::bf16
  /// asks and the GEMMs can (else the reason on stderr, from the main rank, and fp32); without
  /// bf16, whatever the caller set.
  MatmulPrecision run_precision(TrainResult& result) const;

  // Evaluates on `eval` (inference mode), timed; the result.
  EvalResult timed_evaluate(const Dataset& eval, TrainResult& result);

  // An evaluation during training: logged with its step and epoch, recorded, compared with the
  // best so far; whether early stopping ends training.
  bool evaluate_during_training(const Dataset& eval, double epoch, std::ofstream& log, TrainResult& result);

  // After the loop: the best weights back (load_best_model_at_end), the final evaluation.
  void finish(const Dataset* eval, TrainResult& result, std::chrono::steady_clock::time_point t0);

  Model& model_;
  Optimizer& opt_;
  TrainingArguments args_;
  dist::Communicator& comm_;
  dist::GradientReducer<Model> reducer_;
  RunPosition pos_;
  BestModel<T> best_;
  std::optional<FrozenFeatureCache<T>> cache_;  ///< cache_frozen_features: per example, for this train() call
  Tensor<T> features_;                          ///< the boundary tensor of the current micro-batch
};

// Member functions are defined outside the class (so not inline): frost/instances.hpp can then
// compile Trainer<BertClassifier<float>, AdamW|SGD<float>> once, `extern template` elsewhere.

template <class Model, class Optimizer>
Trainer<Model, Optimizer>::Trainer(Model& model, Optimizer& opt, TrainingArguments args, dist::Communicator& comm)
    : model_(model),
      opt_(opt),
      args_(std::move(args)),
      comm_(comm),
      reducer_(model, comm),
      best_(best_model_of(args_)) {
  FROST_CHECK(args_.per_device_train_batch_size > 0, "TrainingArguments: batch size must be positive");
  FROST_CHECK(args_.gradient_accumulation_steps > 0, "TrainingArguments: gradient_accumulation_steps must be positive");
  FROST_CHECK(args_.logging_steps > 0, "TrainingArguments: logging_steps must be positive");
  FROST_CHECK(args_.eval_steps >= 0, "TrainingArguments: eval_steps must be >= 0");
  FROST_CHECK(args_.early_stopping_patience >= 0, "TrainingArguments: early_stopping_patience must be >= 0");
  model_.dropout_seed = args_.seed;
  model_.dropout_in_frozen = args_.dropout_in_frozen;
  model_.gradient_checkpointing = args_.gradient_checkpointing;
  FROST_CHECK(!args_.cache_frozen_features || !args_.dropout_in_frozen,
              "TrainingArguments: cache_frozen_features needs dropout_in_frozen = false (a frozen prefix with "
              "dropout is not a fixed function of its input)");
}

template <class Model, class Optimizer>
TrainResult Trainer<Model, Optimizer>::train(const Dataset& train, const Dataset* eval) {
  FROST_CHECK(!train.empty(), "Trainer::train: the training set is empty");
  FROST_CHECK(eval || (!args_.load_best_model_at_end && args_.early_stopping_patience == 0),
              "Trainer::train: load_best_model_at_end and early stopping need an evaluation set");
  FROST_CHECK(!eval || args_.eval_strategy != IntervalStrategy::no ||
                  (!args_.load_best_model_at_end && args_.early_stopping_patience == 0),
              "Trainer::train: load_best_model_at_end and early stopping need eval_strategy steps or epoch");
  const BertConfig& cfg = model_.config();
  const bool single = uses_class_labels(cfg, train);
  const int world = comm_.size();
  const std::size_t local = dist::examples_per_rank(train.size(), world);  // this rank's examples per epoch
  const long total = total_steps(local);
  const LrSchedule schedule{args_.lr_scheduler, args_.warmup_steps, total};
  const long bs = args_.per_device_train_batch_size;
  const long batches = static_cast<long>((local + static_cast<std::size_t>(bs) - 1) / static_cast<std::size_t>(bs));
  std::ofstream log = open_log();
  ProgressBar bar("train", total, args_.progress_bar && comm_.is_main());
  TrainResult result;
  const ScopedMatmulPrecision precision(run_precision(result));
  result.world_size = world;
  dist::broadcast_params(model_, comm_);  // DDP: every rank starts from rank 0's weights
  const auto t0 = std::chrono::steady_clock::now();
  Batch batch;
  Labels labels;
  cache_.reset();
  if (args_.cache_frozen_features)
    cache_.emplace(model_.frozen_feature_rows(), train.size(), static_cast<Eigen::Index>(cfg.hidden_size));
  EpochClock clock;
  double loss_sum = 0;
  int micro = 0;
  bool stop = pos_.global_step >= total;
  while (!stop) {
    const auto full = epoch_examples(train);
    check_resumed_order(full);
    pos_.data_order = full;
    const auto order = dist::shard_order(full, comm_.rank(), world);
    for (long bi = pos_.next_batch; bi < batches && !stop; ++bi) {
      const std::size_t start = static_cast<std::size_t>(bi * bs);
      const std::size_t n = std::min(static_cast<std::size_t>(bs), order.size() - start);
      make_batch(train, order.data() + start, n, cfg.pad_token_id, single, batch, labels);
      result.examples += static_cast<std::int64_t>(n) * world;
      const long group_start = (bi / args_.gradient_accumulation_steps) * args_.gradient_accumulation_steps;
      const long group_size = std::min<long>(args_.gradient_accumulation_steps, batches - group_start);
      // DDP: the last micro-batch's backward starts each component's allreduce as soon as it is
      // done (earlier micro-batches communicate nothing: no_sync).
      if (bi - group_start + 1 >= group_size) reducer_.arm();
      const double loss = micro_batch_loss(order.data() + start, n, batch, labels, group_size);
      check_finite(loss, "loss", pos_.global_step + 1, model_);
      loss_sum += loss;
      ++micro;
      if (bi - group_start + 1 < group_size) continue;
      const StepLog s = optimizer_step(schedule, bi, batches, synchronize(loss_sum / micro, result), t0);
      loss_sum = 0;
      micro = 0;
      result.last_loss = s.loss;
      stop = log_step(s, log, bar, total);
      const bool epoch_end = bi + 1 == batches;
      if (eval && evaluation_due(s.step, epoch_end))
        stop = evaluate_during_training(*eval, s.epoch, log, result) || stop;
      if (epoch_end) {  // before saving: a checkpoint of an epoch's last step resumes in the next epoch
        clock.lap(result);
        ++pos_.epoch;
        pos_.next_batch = 0;
      }
      save_if_due(s.step);
      if (on_step && !on_step(s)) stop = true;
    }
  }
  if (cache_) result.feature_cache_bytes = cache_->bytes();
  finish(eval, result, t0);
  return result;
}

template <class Model, class Optimizer>
void Trainer<Model, Optimizer>::save(const std::string& path) const {
  save_checkpoint(path, model_, opt_, position(), best_weights());
}

template <class Model, class Optimizer>
void Trainer<Model, Optimizer>::resume(const std::string& path) {
  std::vector<Tensor<float>> best;
  pos_ = load_checkpoint(path, model_, opt_, &best);
  if constexpr (std::is_same_v<T, float>) best_.reset(pos_.best, std::move(best));
}

template <class Model, class Optimizer>
std::vector<std::int64_t> Trainer<Model, Optimizer>::epoch_examples(const Dataset& train) const {
  auto full = epoch_order(train.size(), args_.seed, pos_.epoch, args_.shuffle);
  if (!args_.group_by_length) return full;
  return group_by_length(std::move(full), train,
                         static_cast<std::size_t>(args_.per_device_train_batch_size) *
                             static_cast<std::size_t>(comm_.size()) *
                             static_cast<std::size_t>(args_.gradient_accumulation_steps));
}

template <class Model, class Optimizer>
double Trainer<Model, Optimizer>::micro_batch_loss(const std::int64_t* idx, std::size_t n, Batch& batch,
                                                   const Labels& labels, long group_size) {
  const T scale = T(1) / static_cast<T>(group_size);
  if (!cache_) return static_cast<double>(model_.forward_backward(batch, labels, scale));
  const bool replay = cache_->has_all(idx, n);
  if (replay) cache_->assemble(idx, n, batch, features_);
  const T loss =
      model_.forward_backward(batch, labels, scale, {replay ? &features_ : nullptr, replay ? nullptr : &features_});
  if (!replay) cache_->store(idx, n, batch, features_);
  return static_cast<double>(loss);
}

template <class Model, class Optimizer>
std::ofstream Trainer<Model, Optimizer>::open_log() const {
  std::ofstream log;
  if (!args_.log_jsonl.empty() && comm_.is_main()) {
    log.open(args_.log_jsonl, pos_.global_step > 0 ? std::ios::app : std::ios::trunc);
    FROST_CHECK(log.good(), args_.log_jsonl + ": cannot open the training log");
  }
  return log;
}

template <class Model, class Optimizer>
double Trainer<Model, Optimizer>::synchronize(double loss, TrainResult& result) {
  if (comm_.size() <= 1) return loss;
  result.allreduce_bytes_per_step = reducer_.finish();
  comm_.allreduce_sum(&loss, 1);
  return loss / comm_.size();
}

template <class Model, class Optimizer>
StepLog Trainer<Model, Optimizer>::optimizer_step(const LrSchedule& schedule, long bi, long batches, double loss,
                                                  std::chrono::steady_clock::time_point t0) {
  const double factor = schedule.factor(pos_.global_step);
  StepLog s;
  s.grad_norm = clip_grad_norm(model_, args_.max_grad_norm);
  check_finite(s.grad_norm, "gradient norm", pos_.global_step + 1, model_);
  opt_.step(model_, factor);
  check_finite_update(pos_.global_step + 1, args_.learning_rate * factor, model_);
  if (args_.verify_ranks_in_sync)
    FROST_CHECK(dist::parameters_in_sync(model_, comm_),
                "data parallel: the ranks' parameters differ after step " + std::to_string(pos_.global_step + 1));
  model_.zero_grad();
  ++pos_.global_step;
  pos_.next_batch = bi + 1;
  s.step = pos_.global_step;
  s.epoch = static_cast<double>(pos_.epoch) + static_cast<double>(bi + 1) / static_cast<double>(batches);
  s.loss = loss;
  s.learning_rate = args_.learning_rate * factor;
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

template <class Model, class Optimizer>
bool Trainer<Model, Optimizer>::log_step(const StepLog& s, std::ofstream& log, ProgressBar& bar, long total) {
  pos_.log_loss_sum += s.loss;
  ++pos_.log_steps;
  if (s.step % args_.logging_steps == 0 || s.step >= total) {
    if (log.is_open())
      log << nlohmann::json{{"step", s.step},
                            {"epoch", s.epoch},
                            {"loss", pos_.log_loss_sum / static_cast<double>(pos_.log_steps)},
                            {"learning_rate", s.learning_rate},
                            {"grad_norm", s.grad_norm}}
                 .dump()
          << '\n'
          << std::flush;
    pos_.log_loss_sum = 0;
    pos_.log_steps = 0;
  }
  char extra[128];
  std::snprintf(extra, sizeof extra, "loss %.4f lr %.2e", s.loss, s.learning_rate);
  bar.update(pos_.global_step, extra);
  return pos_.global_step >= total;
}

template <class Model, class Optimizer>
MatmulPrecision Trainer<Model, Optimizer>::run_precision(TrainResult& result) const {
  result.bf16 = false;
  if (!args_.bf16) return matmul_precision();
  const std::string why = gemm::bf16_unsupported_reason();
  result.bf16 = why.empty();
  if (!result.bf16 && comm_.is_main())
    std::fprintf(stderr, "frost: bf16 requested, but %s: training in fp32\n", why.c_str());
  return result.bf16 ? MatmulPrecision::bf16 : MatmulPrecision::fp32;
}

template <class Model, class Optimizer>
EvalResult Trainer<Model, Optimizer>::timed_evaluate(const Dataset& eval, TrainResult& result) {
  const auto e0 = std::chrono::steady_clock::now();
  EvalResult e = evaluate(model_, eval, args_.per_device_eval_batch_size, args_.class_names, comm_);
  result.eval_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
  return e;
}

template <class Model, class Optimizer>
bool Trainer<Model, Optimizer>::evaluate_during_training(const Dataset& eval, double epoch, std::ofstream& log,
                                                         TrainResult& result) {
  const EvalResult e = timed_evaluate(eval, result);
  const double value = metric_value(e.metrics, best_.metric());
  result.evals.push_back({pos_.global_step, epoch, e.loss, e.accuracy, e.f1, value});
  if (log.is_open()) {
    nlohmann::json line = {{"step", pos_.global_step}, {"epoch", epoch}};
    for (const auto& [k, v] : e.metrics.items())
      if (v.is_primitive()) line[k] = v;
    log << line.dump() << '\n' << std::flush;
  }
  best_.observe(model_, pos_.global_step, value);
  return best_.patience_exhausted(args_.early_stopping_patience);
}

template <class Model, class Optimizer>
void Trainer<Model, Optimizer>::finish(const Dataset* eval, TrainResult& result,
                                       std::chrono::steady_clock::time_point t0) {
  result.best = best_.state();
  result.early_stopped = best_.patience_exhausted(args_.early_stopping_patience);
  if (args_.load_best_model_at_end) best_.restore(model_);
  if (eval) result.final_eval = timed_evaluate(*eval, result);
  result.global_step = pos_.global_step;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace frost
