// frost/train/trainer.hpp: the training loop, with Hugging Face Trainer semantics.
//
// Per optimizer step (gradient_accumulation_steps micro-batches, the last step of an epoch may
// have fewer):
//   for each micro-batch: forward (train mode: dropout on) -> loss -> backward with the gradient
//                         scaled by 1/accumulation (HF divides the loss)
//   norm = clip_grad_norm(model, max_grad_norm)      (returned before clipping, logged)
//   optimizer.step(model, schedule.factor(global_step))
//   a non-finite loss, norm or updated weight throws NumericalFault (numerical_guard.hpp)
//   zero_grad; log {step, epoch, loss, learning_rate, grad_norm}
// Steps per epoch = ceil(batches / accumulation); total = max_steps if > 0 else epochs x that.
// The data order of each epoch is a function of (seed, epoch) only, so a run is reproducible and
// a checkpoint can resume it bit-exactly.
#pragma once

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../optim/clip.hpp"
#include "../optim/schedule.hpp"
#include "checkpoint.hpp"
#include "data.hpp"
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

struct TrainResult {
  long global_step = 0;
  double last_loss = 0;
  double seconds = 0;             ///< wall time of train(), evaluation included
  double eval_seconds = 0;        ///< of which evaluation
  std::vector<EvalResult> evals;  ///< one per epoch when an eval set is given
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

  Trainer(Model& model, Optimizer& opt, TrainingArguments args) : model_(model), opt_(opt), args_(std::move(args)) {
    FROST_CHECK(args_.per_device_train_batch_size > 0, "TrainingArguments: batch size must be positive");
    FROST_CHECK(args_.gradient_accumulation_steps > 0,
                "TrainingArguments: gradient_accumulation_steps must be positive");
    model_.dropout_seed = args_.seed;
    model_.dropout_in_frozen = args_.dropout_in_frozen;
  }

  /// Called after every optimizer step; return false to stop (e.g. to simulate an interruption).
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

  TrainResult train(const Dataset& train, const Dataset* eval = nullptr) {
    FROST_CHECK(!train.empty(), "Trainer::train: the training set is empty");
    const BertConfig& cfg = model_.config();
    const bool single = uses_class_labels(cfg, train);
    const long total = total_steps(train.size());
    const LrSchedule schedule{args_.lr_scheduler, args_.warmup_steps, total};
    const long bs = args_.per_device_train_batch_size;
    const long batches =
        static_cast<long>((train.size() + static_cast<std::size_t>(bs) - 1) / static_cast<std::size_t>(bs));
    std::ofstream log = open_log();
    ProgressBar bar("train", total, args_.progress_bar);
    TrainResult result;
    const auto t0 = std::chrono::steady_clock::now();
    Batch batch;
    Labels labels;
    double loss_sum = 0;
    int micro = 0;
    bool stop = pos_.global_step >= total;
    while (!stop) {
      const auto order = epoch_order(train.size(), args_.seed, pos_.epoch, args_.shuffle);
      check_resumed_order(order);
      pos_.data_order = order;
      for (long bi = pos_.next_batch; bi < batches && !stop; ++bi) {
        const std::size_t start = static_cast<std::size_t>(bi * bs);
        const std::size_t n = std::min(static_cast<std::size_t>(bs), train.size() - start);
        make_batch(train, order.data() + start, n, cfg.pad_token_id, single, batch, labels);
        const long group_start = (bi / args_.gradient_accumulation_steps) * args_.gradient_accumulation_steps;
        const long group_size = std::min<long>(args_.gradient_accumulation_steps, batches - group_start);
        const double loss =
            static_cast<double>(model_.forward_backward(batch, labels, T(1) / static_cast<T>(group_size)));
        check_finite(loss, "loss", pos_.global_step + 1, model_);
        loss_sum += loss;
        ++micro;
        if (bi - group_start + 1 < group_size) continue;
        const StepLog s = optimizer_step(schedule, bi, batches, loss_sum / micro, t0);
        loss_sum = 0;
        micro = 0;
        result.last_loss = s.loss;
        stop = after_step(s, log, bar, total);
      }
      if (pos_.next_batch >= batches) finish_epoch(eval, log, result);
    }
    result.global_step = pos_.global_step;
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return result;
  }

  void save(const std::string& path) const { save_checkpoint(path, model_, opt_, pos_); }
  void resume(const std::string& path) { pos_ = load_checkpoint(path, model_, opt_); }
  [[nodiscard]] const RunPosition& position() const { return pos_; }

 private:
  // The JSONL training log (appended to when resuming), or a closed stream when none is asked for.
  [[nodiscard]] std::ofstream open_log() const {
    std::ofstream log;
    if (!args_.log_jsonl.empty()) {
      log.open(args_.log_jsonl, pos_.global_step > 0 ? std::ios::app : std::ios::trunc);
      FROST_CHECK(log.good(), args_.log_jsonl + ": cannot open the training log");
    }
    return log;
  }

  // A resumed run (mid-epoch) must see the epoch's data in the checkpoint's order.
  void check_resumed_order(const std::vector<std::int64_t>& order) const {
    if (pos_.next_batch > 0)
      FROST_CHECK(order == pos_.data_order,
                  "Trainer: the resumed run's data order differs from the checkpoint's "
                  "(different dataset, seed or shuffling)");
  }

  // One optimizer step after micro-batch `bi` (clip, step, zero_grad, advance the position); its log.
  StepLog optimizer_step(const LrSchedule& schedule, long bi, long batches, double loss,
                         std::chrono::steady_clock::time_point t0) {
    const double factor = schedule.factor(pos_.global_step);
    StepLog s;
    s.grad_norm = clip_grad_norm(model_, args_.max_grad_norm);
    check_finite(s.grad_norm, "gradient norm", pos_.global_step + 1, model_);
    opt_.step(model_, factor);
    check_finite_update(pos_.global_step + 1, args_.learning_rate * factor, model_);
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

  // Logs step `s` (JSONL, progress bar), saves a checkpoint when due; whether training stops.
  bool after_step(const StepLog& s, std::ofstream& log, ProgressBar& bar, long total) {
    if (log.is_open())
      log << nlohmann::json{{"step", s.step},
                            {"epoch", s.epoch},
                            {"loss", s.loss},
                            {"learning_rate", s.learning_rate},
                            {"grad_norm", s.grad_norm}}
                 .dump()
          << '\n'
          << std::flush;
    char extra[128];
    std::snprintf(extra, sizeof extra, "loss %.4f lr %.2e", s.loss, s.learning_rate);
    bar.update(pos_.global_step, extra);
    if (args_.save_steps > 0 && !args_.checkpoint_path.empty() && pos_.global_step % args_.save_steps == 0)
      save_checkpoint(args_.checkpoint_path, model_, opt_, pos_);
    bool stop = pos_.global_step >= total;
    if (on_step && !on_step(s)) stop = true;
    return stop;
  }

  // The end of an epoch: evaluate (when an eval set is given, logged), then move to the next epoch.
  void finish_epoch(const Dataset* eval, std::ofstream& log, TrainResult& result) {
    if (eval) {
      const auto e0 = std::chrono::steady_clock::now();
      const EvalResult e = evaluate(model_, *eval, args_.per_device_eval_batch_size);
      result.eval_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - e0).count();
      result.evals.push_back(e);
      if (log.is_open())
        log << nlohmann::json{{"epoch", pos_.epoch + 1},
                              {"eval_loss", e.loss},
                              {"eval_accuracy", e.accuracy},
                              {"eval_f1", e.f1}}
                   .dump()
            << '\n'
            << std::flush;
    }
    ++pos_.epoch;
    pos_.next_batch = 0;
  }

  Model& model_;
  Optimizer& opt_;
  TrainingArguments args_;
  RunPosition pos_;
};

}  // namespace frost
