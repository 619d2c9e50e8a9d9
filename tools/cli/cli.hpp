// tools/cli/cli.hpp: the `frost` tool's commands as main.cpp sees them: options and entry points.
// Each command lives in its own translation unit (train.cpp, infer.cpp, bench.cpp, compare.cpp),
// so the tool compiles in parallel and no unit holds more than a part of the model code.
// Bad input throws frost::Error, which main() reports as one line and exit status 2.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace frost::cli {

/// How `train`, `eval` and `predict` read a data file (run_glue.py's names, kebab-cased).
struct DataOptions {
  std::string format;            ///< --format: tsv, csv or jsonl; "": by extension (.csv; .jsonl, .json; else TSV)
  std::string text_column;       ///< --text-column: "" = sentence (sentence1 in a pair file)
  std::string text_pair_column;  ///< --text-pair-column: "" = sentence2 when the file has sentence1
  std::string label_column;      ///< --label-column: "" = label
  std::string label_separator;   ///< --label-separator: one character splitting a TSV/CSV label field
                                 ///< into several labels (multi-label); "": none
};

/// `frost eval` and `frost predict` options.
struct EvalOptions {
  std::string model_dir, data_file;
  DataOptions data;
  int batch_size = 32;
  int max_seq_len = 0;      ///< 0: 128, capped at the model's max_position_embeddings
  std::string metric;       ///< eval: the metric printed first (default: loss)
  std::string adapter_dir;  ///< --adapter: a LoRA or IA3 adapter directory (PEFT's layout) over --model
  bool throughput = false;  ///< predict --throughput: one JSON line of timings on stderr
};

/// `frost merge` options.
struct MergeOptions {
  std::string model_dir, adapter_dir, output_dir;
};

/// LoRA flags of `frost train` (PEFT's LoraConfig; lora_r == 0: no adapter).
struct LoraOptions {
  int r = 0;
  double alpha = 8.0;  ///< PEFT's default lora_alpha
  double dropout = 0.0;
  std::string targets = "query,value";  ///< PEFT's default for BERT
  std::string layers;                   ///< "" = every layer; else a layer range in --freeze's grammar
  bool use_rslora = false;
};

/// IA3 flags (PEFT's IA3Config; on == false: no IA3).
struct Ia3Options {
  bool on = false;
  std::string targets;  ///< "" = PEFT's defaults (key, value, output.dense)
};

/// `frost train` options (names follow the command line; defaults are HF Trainer's).
struct TrainOptions {
  std::string model_dir, train_file, output_dir, eval_file;
  DataOptions data;
  std::string freeze = "none";
  bool freeze_given = false;  ///< --freeze on the command line (with LoRA the default is "bert")
  LoraOptions lora;
  Ia3Options ia3;
  std::string adapter_dir;  ///< --adapter: continue training this LoRA or IA3 adapter directory
  std::string optimizer = "adamw";
  double lr = 5e-5, weight_decay = 0.0, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double momentum = 0.0;
  bool nesterov = false;
  std::string scheduler = "linear";
  long warmup_steps = 0;
  double max_grad_norm = 1.0;
  int batch_size = 8, epochs = 3;
  int max_seq_len = 0;  ///< 0: 128, capped at the model's max_position_embeddings
  long max_steps = -1;
  std::uint64_t seed = 42;
  bool no_shuffle = false;
  bool group_by_length = false;
  bool cache_frozen_features = false;
  bool gradient_checkpointing = false;
  bool bf16 = false;   ///< --bf16: GEMM inputs in bfloat16 where the CPU and backend support it
  int num_labels = 0;  ///< 0: from config.json (HF default 2)
  bool progress = true;
  long save_steps = 0;       ///< write OUTPUT/checkpoint-STEP/ every N optimizer steps (0: never)
  int save_total_limit = 0;  ///< keep at most K checkpoints, the newest (0: all)
  std::string resume_from;   ///< --resume-from-checkpoint: a checkpoint directory or "latest"
  // The Trainer loop (HF Trainer's flags, kebab-cased).
  int gradient_accumulation_steps = 1;
  std::string eval_strategy = "epoch";  ///< no | steps | epoch (frost's default; HF's is no)
  long eval_steps = 0;                  ///< 0: --logging-steps
  long logging_steps = 1;
  bool load_best_model_at_end = false;
  std::string metric_for_best_model;  ///< "" = loss
  std::string greater_is_better;      ///< "" (from the metric's name), "true" or "false"
  int early_stopping_patience = 0;
  double early_stopping_threshold = 0.0;
};

struct BenchOptions {
  std::string geometry = "bert-base";  ///< bert-base | minilm | path to a config.json
  std::string freeze = "none";
  int batch_size = 8, seq_len = 128;
  int steps = 3;     ///< timed training steps (after one warm-up step)
  int forwards = 3;  ///< timed inference forwards (after the steps)
  int lora_r = 0;    ///< > 0: LoRA on query + value with this rank (alpha 2 r), base frozen (PEFT's recipe)
  bool ia3 = false;  ///< IA3 with PEFT's defaults, base frozen
  bool gradient_checkpointing = false;
  bool bf16 = false;     ///< --bf16: GEMM inputs in bfloat16 (an error where they cannot be)
  bool profile = false;  ///< time per op family (core/profile.hpp)
};

struct CompareOptions {
  std::string model_dir = "models/all-MiniLM-L6-v2";
  std::string train_file = "data/sentiment/train.tsv";
  std::string eval_file = "data/sentiment/dev.tsv";
  std::string output_dir = "out/compare";
  int epochs = 3;
  int batch_size = 8;
  int max_seq_len = 0;  ///< 0: 128 capped at the model's limit
  std::uint64_t seed = 42;
  double lr_full = 5e-5;              ///< learning rate when encoder layers train
  double lr_frozen = 1e-3;            ///< learning rate for whole-body-frozen and BitFit (few parameters)
  double lr_lora = 1e-3;              ///< learning rate of the LoRA row
  double lr_ia3 = 1e-2;               ///< learning rate of the IA3 row (IA3 trains few, multiplicative parameters)
  std::vector<std::string> policies;  ///< empty: the four freeze recipes, LoRA and IA3
};

nlohmann::json cmd_train(const TrainOptions& o);
/// The metrics of a model directory on a labelled file: {"examples", --metric first, eval_loss, the
/// task's metrics (task_metrics.hpp)}.
nlohmann::ordered_json cmd_eval(const EvalOptions& o);
/// One line per example: the predicted label's name (labels, for multi-label) and probabilities.
void cmd_predict(const EvalOptions& o, std::ostream& out);
/// `frost merge`: base + LoRA adapter folded into a plain model directory; a JSON summary.
nlohmann::json cmd_merge(const MergeOptions& m);
/// The plan of SPEC for a model directory's config, a config.json, or (both empty) bert-base.
std::string cmd_explain(const std::string& model_dir, const std::string& config_path, const std::string& spec,
                        const LoraOptions& lora = {}, const std::string& adapter_dir = "", int num_labels = 0,
                        const Ia3Options& ia3 = {});
nlohmann::json cmd_bench(const BenchOptions& o);
/// `frost plot OUTPUT`: OUTPUT/train_log.jsonl drawn as OUTPUT/training_curves.png and .svg
/// (report.cpp); the files written (none without gnuplot, said on stderr).
std::vector<std::string> cmd_plot(const std::string& output_dir);
/// The charts of `dir`/train_log.jsonl written into `dir` under `title`; the files written.
std::vector<std::string> write_training_charts(const std::string& dir, const std::string& title);
/// The end-of-run table `frost train` prints (stderr) from its metrics.json.
std::string run_summary(const nlohmann::json& metrics);
int cmd_compare(const CompareOptions& o);

}  // namespace frost::cli
