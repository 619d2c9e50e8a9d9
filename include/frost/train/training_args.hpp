// frost/train/training_args.hpp: the knobs of a training run, with Hugging Face Trainer defaults.
#pragma once

#include <cstdint>
#include <string>

#include "../optim/schedule.hpp"

namespace frost {

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
  bool dropout_in_frozen = true;  ///< HF keeps dropout on in frozen layers
  // Output.
  bool progress_bar = true;
  std::string log_jsonl;        ///< one JSON object per optimizer step (and per evaluation)
  std::string checkpoint_path;  ///< if set with save_steps, a checkpoint is written every save_steps
  long save_steps = 0;
};

}  // namespace frost
