// frost/train/training_args.hpp: the knobs of a training run, with Hugging Face Trainer defaults.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../optim/schedule.hpp"

namespace frost {

/// When the Trainer evaluates during training (HF's IntervalStrategy).
enum class IntervalStrategy { no, steps, epoch };

struct TrainingArguments {
  // Optimizer (HF defaults: AdamW lr 5e-5, weight decay 0, betas 0.9/0.999, eps 1e-8).
  double learning_rate = 5e-5;
  double weight_decay = 0.0;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double adam_epsilon = 1e-8;
  double layer_lr_decay = 1.0;  ///< LLRD factor (1 = off); see optim/param_groups.hpp
  // Schedule and clipping.
  ScheduleKind lr_scheduler = ScheduleKind::linear;
  long warmup_steps = 0;
  double max_grad_norm = 1.0;  ///< <= 0 disables clipping
  // Loop.
  int num_train_epochs = 3;
  long max_steps = -1;  ///< > 0 overrides num_train_epochs
  int per_device_train_batch_size = 8;
  int per_device_eval_batch_size = 8;
  int gradient_accumulation_steps = 1;
  std::uint64_t seed = 42;  ///< data order and dropout
  bool shuffle = true;
  /// HF's group_by_length: batches of similar lengths (train/data.hpp group_by_length), so dynamic
  /// padding pads little; the order is still drawn from (seed, epoch).
  bool group_by_length = false;
  bool dropout_in_frozen = true;  ///< HF keeps dropout on in frozen layers
  /// Keep the frozen prefix's output per example and skip the prefix once it is kept
  /// (train/feature_cache.hpp). Needs dropout_in_frozen = false (checked).
  bool cache_frozen_features = false;
  /// HF's gradient_checkpointing: recompute each trainable layer's activations in backward
  /// (BertBase::gradient_checkpointing).
  bool gradient_checkpointing = false;
  /// HF's bf16: GEMM inputs rounded to bfloat16, float accumulation, float weights, gradients and
  /// optimizer state (core/bf16.hpp). Honoured where gemm::bf16_unsupported_reason() is empty (the
  /// oneDNN build on an AVX512_BF16 or AMX CPU); elsewhere the Trainer says why and trains in fp32
  /// (TrainResult::bf16 tells which ran).
  bool bf16 = false;
  // Evaluation (given an eval set). HF's default strategy is "no"; frost's is "epoch", its
  // behaviour before the strategies existed. Whatever the strategy, train() ends with one more
  // evaluation of the final (or best) model: TrainResult::final_eval.
  IntervalStrategy eval_strategy = IntervalStrategy::epoch;
  long eval_steps = 0;  ///< steps strategy: every N optimizer steps (0: logging_steps, as HF)
  bool load_best_model_at_end = false;
  std::string metric_for_best_model;      ///< "" = "loss" (HF); with or without the "eval_" prefix
  std::optional<bool> greater_is_better;  ///< unset: false for names ending in "loss", else true
  int early_stopping_patience = 0;        ///< 0: off (HF's EarlyStoppingCallback otherwise)
  double early_stopping_threshold = 0.0;
  /// Class names in the evaluations' classification_report (config.json's id2label; empty: LABEL_i).
  std::vector<std::string> class_names;
  // Output.
  bool progress_bar = true;
  long logging_steps = 1;       ///< a log line every N optimizer steps, loss averaged over them
                                ///< (HF's default is 500; frost logs every step)
  std::string log_jsonl;        ///< one JSON object per logged step and per evaluation
  std::string checkpoint_path;  ///< if set with save_steps, a checkpoint is written every save_steps
  long save_steps = 0;
  /// Data parallel: check after every step that all ranks hold bitwise-equal parameters (a hash
  /// and two tiny collectives; for tests).
  bool verify_ranks_in_sync = false;
};

}  // namespace frost
