// examples/train_tiny.cpp: the Trainer end to end on a tiny model and a synthetic task, with
// Hugging Face Trainer defaults except the learning rate: the loss falls visibly, a progress
// bar runs, every step is logged to train_log.jsonl, and the run is checkpointed and resumable.
//
//   ./train_tiny [--resume]     (writes train_log.jsonl and checkpoint.safetensors in the cwd)
#include <cstdio>
#include <cstring>
#include <frost/frost.hpp>
#include <random>

using namespace frost;

// Label 1 iff the sentence contains a "positive" token (10..19).
Dataset make_data(int n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  Dataset d;
  for (int i = 0; i < n; ++i) {
    Example e;
    const int len = 6 + static_cast<int>(gen() % 14);
    e.input_ids.push_back(1);
    for (int s = 1; s < len; ++s) e.input_ids.push_back(20 + static_cast<int>(gen() % 100));
    e.label = static_cast<std::int64_t>(gen() % 2);
    if (e.label) e.input_ids[1 + gen() % static_cast<unsigned>(len - 1)] = 10 + static_cast<int>(gen() % 10);
    d.push_back(std::move(e));
  }
  return d;
}

int main(int argc, char** argv) {
  const bool resume = argc > 1 && std::strcmp(argv[1], "--resume") == 0;
  BertConfig cfg;
  cfg.vocab_size = 120;
  cfg.hidden_size = 32;
  cfg.num_hidden_layers = 2;
  cfg.num_attention_heads = 4;
  cfg.intermediate_size = 64;
  cfg.max_position_embeddings = 32;
  cfg.num_labels = 2;
  cfg.validate();

  // The lower layer is frozen: backward still runs through it (the embeddings train).
  using Model = BertForSequenceClassification<float, Freeze<Layers<0, 1>>>;
  Model model(cfg);
  model.init_weights(0);
  std::printf("%s\n", explain<Model>(cfg).c_str());

  TrainingArguments args;  // HF defaults: AdamW, linear schedule, clip 1.0, batch 8, 3 epochs, seed 42
  args.learning_rate = 2e-3;
  args.num_train_epochs = 6;
  args.warmup_steps = 10;
  args.log_jsonl = "train_log.jsonl";
  args.checkpoint_path = "checkpoint.safetensors";
  args.save_steps = 50;
  auto opt = make_adamw(model, args);
  Trainer trainer(model, opt, args);
  if (resume) trainer.resume(args.checkpoint_path);

  const Dataset train = make_data(400, 1), dev = make_data(100, 2);
  const EvalResult before = evaluate(model, dev, 32);
  const TrainResult r = trainer.train(train, &dev);
  std::printf("dev loss %.3f -> %.3f, accuracy %.1f%% -> %.1f%%, %ld steps in %.1f s\n", before.loss,
              r.evals.empty() ? before.loss : r.evals.back().loss, 100 * before.accuracy,
              100 * (r.evals.empty() ? before.accuracy : r.evals.back().accuracy), r.global_step, r.seconds);
  for (std::size_t e = 0; e < r.evals.size(); ++e)
    std::printf("  epoch %zu: dev loss %.4f accuracy %.1f%% f1 %.3f\n", e + 1, r.evals[e].loss,
                100 * r.evals[e].accuracy, r.evals[e].f1);
  return 0;
}
