// tools/cli/main.cpp: the `frost` command-line tool.
//
//   frost train    fine-tune a Hugging Face BERT directory on a TSV file under a freeze policy
//   frost eval     loss / accuracy / F1 of a model directory on a labelled TSV file
//   frost predict  per-example predictions
//   frost explain  the freeze plan of a policy for a model (or the bert-base geometry)
//   frost compare  the main job: fine-tune under four recipes and tabulate cost and accuracy
//   frost bench    time training steps of one policy on a synthetic batch (JSON; benchmarks/)
// Bad input exits with status 2 and a one-line reason on stderr.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include <frost/detail/macros.hpp>

#include "cli.hpp"

int main(int argc, char** argv) {
  using namespace frost::cli;
  CLI::App app{"frost: fine-tune BERT with compile-time freezing"};
  app.require_subcommand(1);

  TrainOptions t;
  auto* train = app.add_subcommand("train", "fine-tune a model directory under a freeze policy");
  train->add_option("--model", t.model_dir, "HF model directory (config.json, model.safetensors, vocab.txt)")->required();
  train->add_option("--train", t.train_file, "training TSV (sentence<TAB>label or sentence1<TAB>sentence2<TAB>label)")->required();
  train->add_option("--output", t.output_dir, "output directory (model, train_log.jsonl, metrics.json)")->required();
  train->add_option("--eval", t.eval_file, "evaluation TSV, evaluated after each epoch");
  train->add_option("--freeze", t.freeze, "comma-separated union: none, embeddings, layers:A-B (layers A..B-1), layers[A:B] (Python slice), layer:I, encoder, pooler, bert, bitfit")->capture_default_str();
  train->add_option("--optimizer", t.optimizer, "adamw or sgd")->capture_default_str();
  train->add_option("--lr", t.lr, "learning rate")->capture_default_str();
  train->add_option("--weight-decay", t.weight_decay, "weight decay (not on biases and LayerNorm weights)")->capture_default_str();
  train->add_option("--adam-beta1", t.beta1)->capture_default_str();
  train->add_option("--adam-beta2", t.beta2)->capture_default_str();
  train->add_option("--adam-epsilon", t.eps)->capture_default_str();
  train->add_option("--momentum", t.momentum, "SGD momentum")->capture_default_str();
  train->add_flag("--nesterov", t.nesterov, "SGD Nesterov momentum");
  train->add_option("--scheduler", t.scheduler, "linear, cosine or constant")->capture_default_str();
  train->add_option("--warmup-steps", t.warmup_steps)->capture_default_str();
  train->add_option("--max-grad-norm", t.max_grad_norm, "0 disables clipping")->capture_default_str();
  train->add_option("--batch-size", t.batch_size)->capture_default_str();
  train->add_option("--max-seq-len", t.max_seq_len, "default 128 (capped at the model's max_position_embeddings)");
  train->add_option("--epochs", t.epochs)->capture_default_str();
  train->add_option("--max-steps", t.max_steps, "overrides --epochs when > 0")->capture_default_str();
  train->add_option("--seed", t.seed)->capture_default_str();
  train->add_flag("--no-shuffle", t.no_shuffle, "batches follow file order");
  train->add_option("--num-labels", t.num_labels, "number of labels (default: from config.json, else 2)");
  bool no_progress = false;
  train->add_flag("--no-progress", no_progress, "no progress bar");

  std::string model_dir, data;
  int batch_size = 32, max_len = 0;
  auto* eval = app.add_subcommand("eval", "evaluate a model directory on a labelled TSV file");
  eval->add_option("--model", model_dir)->required();
  eval->add_option("--data", data)->required();
  eval->add_option("--batch-size", batch_size)->capture_default_str();
  eval->add_option("--max-seq-len", max_len, "default 128 (capped at the model's max_position_embeddings)");

  auto* predict = app.add_subcommand("predict", "predict labels for a TSV file (label column optional)");
  predict->add_option("--model", model_dir)->required();
  predict->add_option("--data", data)->required();
  predict->add_option("--batch-size", batch_size)->capture_default_str();
  predict->add_option("--max-seq-len", max_len, "default 128 (capped at the model's max_position_embeddings)");

  std::string spec = "none", config_path;
  auto* explain = app.add_subcommand("explain", "print the freeze plan of a policy");
  explain->add_option("--freeze", spec, "freeze SPEC")->capture_default_str();
  explain->add_option("--model", model_dir, "model directory (default: the bert-base-uncased geometry)");
  explain->add_option("--config", config_path, "a config.json instead of a model directory");

  CompareOptions c;
  auto* compare = app.add_subcommand("compare", "fine-tune under several freeze recipes and compare them");
  compare->add_option("--model", c.model_dir)->capture_default_str();
  compare->add_option("--train", c.train_file)->capture_default_str();
  compare->add_option("--eval", c.eval_file)->capture_default_str();
  compare->add_option("--output", c.output_dir)->capture_default_str();
  compare->add_option("--epochs", c.epochs)->capture_default_str();
  compare->add_option("--batch-size", c.batch_size)->capture_default_str();
  compare->add_option("--max-seq-len", c.max_seq_len)->capture_default_str();
  compare->add_option("--seed", c.seed)->capture_default_str();
  compare->add_option("--lr-full", c.lr_full, "lr for policies that train encoder layers")->capture_default_str();
  compare->add_option("--lr-frozen", c.lr_frozen, "lr for whole-body-frozen and BitFit")->capture_default_str();
  compare->add_option("--policy", c.policies, "freeze SPECs to compare (repeatable; default: four recipes)");

  BenchOptions bo;
  auto* bench = app.add_subcommand("bench", "time training steps of one freeze policy on a synthetic batch (JSON)");
  bench->add_option("--geometry", bo.geometry, "bert-base, minilm, or a config.json path")->capture_default_str();
  bench->add_option("--freeze", bo.freeze, "freeze SPEC")->capture_default_str();
  bench->add_option("--batch-size", bo.batch_size)->capture_default_str();
  bench->add_option("--seq-len", bo.seq_len)->capture_default_str();
  bench->add_option("--steps", bo.steps, "timed training steps after one warm-up step")->capture_default_str();
  bench->add_option("--forwards", bo.forwards, "timed inference forwards after one warm-up")->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help / --version exit 0; every command-line mistake exits 2 (CLI11's own codes vary).
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (train->parsed()) {
      t.progress = !no_progress;
      const auto m = cmd_train(t);
      std::printf("%s\n", m.dump(2).c_str());
    } else if (eval->parsed()) {
      std::printf("%s\n", cmd_eval(model_dir, data, batch_size, max_len).dump(2).c_str());
    } else if (predict->parsed()) {
      cmd_predict(model_dir, data, batch_size, max_len, std::cout);
    } else if (explain->parsed()) {
      std::printf("%s", cmd_explain(model_dir, config_path, spec).c_str());
    } else if (compare->parsed()) {
      return cmd_compare(c);
    } else if (bench->parsed()) {
      std::printf("%s\n", cmd_bench(bo).dump().c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "frost: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
