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

/// `frost train` options (names follow the command line; defaults are HF Trainer's).
struct TrainOptions {
  std::string model_dir, train_file, output_dir, eval_file;
  std::string freeze = "none";
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
  int num_labels = 0;  ///< 0: from config.json (HF default 2)
  bool progress = true;
  long save_steps = 0;       ///< write OUTPUT/checkpoint-STEP/ every N optimizer steps (0: never)
  int save_total_limit = 0;  ///< keep at most K checkpoints, the newest (0: all)
  std::string resume_from;   ///< --resume-from-checkpoint: a checkpoint directory or "latest"
};

struct BenchOptions {
  std::string geometry = "bert-base";  ///< bert-base | minilm | path to a config.json
  std::string freeze = "none";
  int batch_size = 8, seq_len = 128;
  int steps = 3;     ///< timed training steps (after one warm-up step)
  int forwards = 3;  ///< timed inference forwards (after the steps)
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
  std::vector<std::string> policies;  ///< empty: the default four recipes
};

nlohmann::json cmd_train(const TrainOptions& o);
nlohmann::json cmd_eval(const std::string& model_dir, const std::string& data, int batch_size, int max_len);
void cmd_predict(const std::string& model_dir, const std::string& data, int batch_size, int max_len, std::ostream& out);
/// The plan of SPEC for a model directory's config, a config.json, or (both empty) bert-base.
std::string cmd_explain(const std::string& model_dir, const std::string& config_path, const std::string& spec);
nlohmann::json cmd_bench(const BenchOptions& o);
int cmd_compare(const CompareOptions& o);

}  // namespace frost::cli
