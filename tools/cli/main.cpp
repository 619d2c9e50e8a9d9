// tools/cli/main.cpp: the `frost` command-line tool.
//
//   frost train    fine-tune a Hugging Face BERT directory on a TSV file under a freeze policy
//   frost eval     loss / accuracy / F1 of a model directory on a labelled TSV file
//   frost predict  per-example predictions
//   frost merge    a LoRA or IA3 adapter folded into its base (a plain model directory)
//   frost explain  the freeze plan of a policy for a model (or the bert-base geometry)
//   frost compare  the main job: fine-tune under four recipes and tabulate cost and accuracy
//   frost bench    time training steps of one policy on a synthetic batch (JSON; benchmarks/)
//   frost plot     train_log.jsonl drawn as training_curves.png and .svg (gnuplot)
//
// Exit status (kExitHelp below, printed by --help): 0 success; 2 bad input or usage, reported as
// exactly one line `frost: error: <file or flag>: <field, tensor, line or key>: <expected, found>`
// with nothing written; 1 an internal error (a bug, std::bad_alloc, an unexpected exception),
// one line `frost: internal error: ...`. No input ends the process with a signal or an abort.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <new>
#include <regex>
#include <string>
#include <string_view>
#include <unistd.h>

#include <frost/detail/macros.hpp>
#if defined(FROST_USE_BLAS)
#include <frost/core/backend/gemm_blas.hpp>
#endif

#include "cli.hpp"
#include "flag_registry.hpp"
#include "world.hpp"

namespace {

using namespace frost::cli;

constexpr const char* kExitHelp =
    "Exit status:\n"
    "  0  success\n"
    "  1  internal error (a bug in frost, or out of memory): one line 'frost: internal error: ...'\n"
    "  2  bad input or usage (a flag, a file, a data row): one line\n"
    "     'frost: error: <file or flag>: <field, tensor, line or key>: <expected, found>'; nothing is written";

/// `s` on one line: control characters (a newline in a file's contents, a CR) as escapes.
std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

int bad_input(const std::string& msg) {
  std::fprintf(stderr, "frost: error: %s\n", one_line(msg).c_str());
  return 2;
}

int internal_error(const std::string& msg,
                   const char* why = "a bug in frost, not a problem with the input; please report it") {
  std::fprintf(stderr, "frost: internal error: %s (%s)\n", one_line(msg).c_str(), why);
  return 1;
}

/// An exception that escaped everything (a throwing destructor, a parallel region): exit 1, not abort.
[[noreturn]] void on_terminate() {
  std::string what = "std::terminate called";
  try {
    if (const auto e = std::current_exception()) std::rethrow_exception(e);
  } catch (const std::exception& e) {
    what += " on an uncaught exception: " + std::string(e.what());
  } catch (...) {
    what += " on an uncaught exception";
  }
  std::fflush(stdout);
  internal_error(what);
  std::fflush(stderr);
  std::_Exit(1);
}

/// CLI11's parse errors in the `frost: error: <flag>: <expected, found>` form.
std::string parse_error_message(const CLI::ParseError& e) {
  const std::string m = e.what();
  std::smatch g;
  if (std::regex_match(m, g, std::regex(R"((\S+): \d+ required \S+ missing)")))
    return g[1].str() + ": expected a value, got none";
  if (std::regex_match(m, g, std::regex(R"((\S+): At Most (\d+) required but received (\d+))")))
    return g[1].str() + ": expected at most " + (g[2] == "1" ? std::string("once") : g[2].str() + " values") +
           ", given " + g[3].str() + " times";
  if (std::regex_match(m, g, std::regex(R"(The following arguments? (?:was|were) not expected: (.*))")))
    return g[1].str() + ": unknown option or argument";
  if (std::regex_match(m, g, std::regex(R"(Could not convert: (\S+) = (.*))")))
    return g[1].str() + ": expected no value (a flag; or =true, =false), got " + show_value(g[2].str());
  if (std::regex_match(m, g, std::regex(R"((-\S+): (.*))"))) return g[1].str() + ": " + g[2].str();
  return "command line: " + m;
}

/// The first argument CLI11 left over in `app` (unknown flag or stray positional), as an error.
void check_extras(const CLI::App* app, const std::string& command) {
  const auto rest = app->remaining();
  if (rest.empty()) return;
  const std::string& a = rest.front();
  if (!a.empty() && a[0] == '-')
    throw frost::Error(a + ": expected an option of '" + command + "', got an unknown one (" + command +
                       " --help lists them)");
  throw frost::Error(a + ": expected an option of '" + command + "', got a stray argument (" + command +
                     " takes no positional arguments)");
}

/// No option given an empty value (`--eval ''` would otherwise read as "no --eval").
void check_empty_values(const CLI::App* app) {
  for (const CLI::Option* o : app->get_options()) {
    if (o->count() == 0 || o->get_expected_min() == 0) continue;  // not given, or a flag
    for (const std::string& r : o->results())
      if (r.empty()) throw frost::Error(o->get_name() + ": expected a value, got ''");
  }
}

/// The options `app` cannot run without.
void check_required(const std::string& command, std::initializer_list<const CLI::Option*> opts) {
  for (const CLI::Option* o : opts)
    if (o->count() == 0)
      throw frost::Error(o->get_name() + ": expected a value (required by '" + command + "'), got none");
}

/// --format and the column flags of a command that reads a data file (run_glue.py's names).
void add_data_flags(CLI::App* app, DataOptions& d) {
  app->add_option("--format", d.format, "data file format: tsv, csv or jsonl (default: by extension; TSV otherwise)");
  app->add_option("--text-column", d.text_column, "column (JSON key) of the text (default: sentence, or sentence1)");
  app->add_option("--text-pair-column", d.text_pair_column,
                  "column of the second text of a pair (default: sentence2 when there is a sentence1)");
  app->add_option("--label-column", d.label_column, "column of the label (default: label)");
  app->add_option("--label-separator", d.label_separator,
                  "one character splitting a TSV/CSV label into several labels (multi-label; JSONL: a list)");
}

int run(int argc, char** argv) {
  CLI::App app{"frost: fine-tune BERT with compile-time freezing"};
  app.footer(kExitHelp);
  app.allow_extras();  // unknown options are reported by check_extras, in frost's form
  Flags flags;

  TrainOptions t;
  auto* train = app.add_subcommand("train", "fine-tune a model directory under a freeze policy");
  auto* t_model = train->add_option("--model", t.model_dir,
                                    "(required) HF model directory (config.json, model.safetensors, vocab.txt)");
  auto* t_train = train->add_option(
      "--train", t.train_file,
      "(required) training data: .tsv, .csv or .jsonl with a text column (or two) and a label column; string "
      "labels become config.json's id2label");
  auto* t_output =
      train->add_option("--output", t.output_dir, "(required) output directory (model, train_log.jsonl, metrics.json)");
  train->add_option("--eval", t.eval_file,
                    "evaluation file (as --train), evaluated per --eval-strategy and once at the end (metrics.json)");
  add_data_flags(train, t.data);
  auto* t_freeze =
      train
          ->add_option("--freeze", t.freeze,
                       "comma-separated union: none, embeddings, layers:A-B (layers A..B-1), layers[A:B] "
                       "(Python slice), layer:I, encoder, pooler, bert, bitfit (with --lora-r or --ia3: default bert)")
          ->capture_default_str();
  flags.integer<int>(train, "--lora-r", t.lora.r, 1, 4096,
                     "LoRA rank: train low-rank adapters on a frozen base (PEFT's LoraConfig)", "", false);
  flags.real(train, "--lora-alpha", t.lora.alpha, kPositive, "LoRA alpha (scaling alpha / r; PEFT's default 8)");
  flags.real(train, "--lora-dropout", t.lora.dropout, kUnitOpen, "dropout on the adapters' input, in [0, 1)");
  train
      ->add_option("--lora-targets", t.lora.targets,
                   "PEFT target_modules (suffix matching): query, key, value, attention.output.dense, "
                   "intermediate.dense, output.dense (both output denses), dense, all-linear")
      ->capture_default_str();
  train->add_option("--lora-layers", t.lora.layers,
                    "layers carrying adapters (PEFT's layers_to_transform), as --freeze says layers: A-B or [A:B]");
  train->add_flag("--use-rslora", t.lora.use_rslora, "rank-stabilised LoRA: scaling alpha / sqrt(r)");
  train->add_flag("--ia3", t.ia3.on,
                  "train IA3 vectors on a frozen base (PEFT's IA3Config; default targets key, value, output.dense)");
  train->add_option("--ia3-targets", t.ia3.targets,
                    "IA3 target_modules: query, key, value scaled at the output; attention.output.dense, "
                    "output.dense (both output denses) at the input");
  train->add_option("--adapter", t.adapter_dir,
                    "continue training a LoRA or IA3 adapter directory (frost's or PEFT's; its adapter_config.json "
                    "sets the kind, rank, targets and layers)");
  train->add_option("--optimizer", t.optimizer, "adamw or sgd")->capture_default_str();
  flags.real(train, "--lr", t.lr, kPositive, "learning rate (finite, > 0)");
  flags.real(train, "--weight-decay", t.weight_decay, kNonNegative,
             "weight decay (>= 0; not on biases and LayerNorm weights)");
  flags.real(train, "--adam-beta1", t.beta1, kUnitOpen, "in [0, 1)");
  flags.real(train, "--adam-beta2", t.beta2, kUnitOpen, "in [0, 1)");
  flags.real(train, "--adam-epsilon", t.eps, kPositive, "> 0");
  flags.real(train, "--momentum", t.momentum, kUnitOpen, "SGD momentum, in [0, 1)");
  train->add_flag("--nesterov", t.nesterov, "SGD Nesterov momentum (needs --momentum > 0)");
  train->add_option("--scheduler", t.scheduler, "linear, cosine or constant")->capture_default_str();
  flags.integer<long>(train, "--warmup-steps", t.warmup_steps, 0, kMaxSteps, "linear warm-up steps (>= 0)");
  flags.real(train, "--max-grad-norm", t.max_grad_norm, kNonNegative, "0 disables clipping");
  flags.integer<int>(train, "--batch-size", t.batch_size, 1, kMaxBatch);
  flags.integer<int>(train, "--max-seq-len", t.max_seq_len, 2, kMaxSeqLen,
                     "default 128 (capped at the model's max_position_embeddings); 2..max_position_embeddings",
                     kSeqLenExpected, false);
  flags.integer<int>(train, "--epochs", t.epochs, 1, kMaxEpochs);
  flags.integer<long>(train, "--max-steps", t.max_steps, -1, kMaxSteps, "overrides --epochs when > 0 (-1: off)",
                      "a positive integer up to " + std::to_string(kMaxSteps) + " (or -1: use --epochs)");
  flags.check(train, [&t] {
    if (t.max_steps == 0) throw frost::Error("--max-steps: expected a positive integer (or -1: use --epochs), got '0'");
  });
  flags.integer<std::uint64_t>(train, "--seed", t.seed, 0, std::numeric_limits<std::uint64_t>::max());
  train->add_flag("--no-shuffle", t.no_shuffle, "batches follow file order");
  train->add_flag("--group-by-length", t.group_by_length,
                  "batches of similar lengths (HF's group_by_length): less padding, same epochs");
  train->add_flag("--gradient-checkpointing", t.gradient_checkpointing,
                  "recompute each trainable layer's activations in backward (HF's flag): less memory, ~1 more "
                  "forward per step");
  train->add_flag("--bf16", t.bf16,
                  "bf16 mixed precision (HF's flag): GEMM inputs in bfloat16, float accumulation, weights and "
                  "optimizer state; needs the oneDNN build on an AVX512_BF16 or AMX CPU, else fp32 with a message");
  train->add_flag("--cache-frozen-features", t.cache_frozen_features,
                  "keep what the frozen layers output per example and skip them from then on (turns dropout off in "
                  "frozen layers, unlike HF; needs a frozen embeddings layer)");
  flags.integer<int>(train, "--num-labels", t.num_labels, 1, kMaxLabels,
                     "number of labels, 1 = regression (default: from config.json, else 2)", "", false);
  bool no_progress = false;
  train->add_flag("--no-progress", no_progress, "no progress bar");
  flags.integer<long>(train, "--save-steps", t.save_steps, 0, kMaxSteps,
                      "write OUTPUT/checkpoint-STEP/ (model, optimizer, schedule, RNG, data position) every N steps "
                      "(0: never)");
  flags.integer<int>(train, "--save-total-limit", t.save_total_limit, 0, 1000000,
                     "keep only the newest K checkpoints (0: keep all)");
  train->add_option("--resume-from-checkpoint", t.resume_from,
                    "continue a run from a checkpoint directory, or 'latest': the newest complete "
                    "OUTPUT/checkpoint-STEP/ (a damaged one is reported and the previous one used)");
  flags.integer<int>(train, "--gradient-accumulation-steps", t.gradient_accumulation_steps, 1, kMaxBatch,
                     "micro-batches per optimizer step (the loss of each divided by N, as HF)");
  train->add_option("--eval-strategy", t.eval_strategy, "when to evaluate --eval during training: no, steps, epoch")
      ->capture_default_str();
  flags.integer<long>(train, "--eval-steps", t.eval_steps, 0, kMaxSteps,
                      "with --eval-strategy steps: every N optimizer steps (0: --logging-steps)");
  flags.integer<long>(train, "--logging-steps", t.logging_steps, 1, kMaxSteps,
                      "a train_log.jsonl line every N steps, loss averaged over them (HF's default is 500)");
  train->add_flag("--load-best-model-at-end", t.load_best_model_at_end,
                  "end with the weights of the best evaluation (--metric-for-best-model)");
  train->add_option("--metric-for-best-model,--metric", t.metric_for_best_model,
                    "metric that ranks evaluations (default loss; e.g. accuracy, f1_macro, matthews_correlation)");
  train->add_option("--greater-is-better", t.greater_is_better,
                    "true or false (default: false for a metric ending in loss, else true)");
  flags.integer<int>(train, "--early-stopping-patience", t.early_stopping_patience, 0, 1000000,
                     "stop after N evaluations without improvement (0: off)");
  flags.real(train, "--early-stopping-threshold", t.early_stopping_threshold, kNonNegative,
             "an improvement must exceed this to reset the patience (>= 0)");

  std::string model_dir;
  EvalOptions eo;
  auto* eval = app.add_subcommand("eval", "evaluate a model directory on a labelled data file (metrics as JSON)");
  auto* e_model =
      eval->add_option("--model", eo.model_dir, "(required) fine-tuned model directory (frost train --output)");
  auto* e_data = eval->add_option("--data", eo.data_file, "(required) labelled data file (.tsv, .csv, .jsonl)");
  add_data_flags(eval, eo.data);
  eval->add_option("--adapter", eo.adapter_dir, "a LoRA or IA3 adapter directory (frost's or PEFT's) over --model");
  eval->add_option("--metric", eo.metric, "metric printed first (e.g. accuracy, f1_macro, pearson; default loss)");
  flags.integer<int>(eval, "--batch-size", eo.batch_size, 1, kMaxBatch);
  flags.integer<int>(eval, "--max-seq-len", eo.max_seq_len, 2, kMaxSeqLen,
                     "default 128 (capped at the model's max_position_embeddings); 2..max_position_embeddings",
                     kSeqLenExpected, false);

  auto* predict = app.add_subcommand("predict", "predict labels for a data file (label column optional)");
  auto* p_model =
      predict->add_option("--model", eo.model_dir, "(required) fine-tuned model directory (frost train --output)");
  auto* p_data = predict->add_option("--data", eo.data_file, "(required) data file (label column optional)");
  add_data_flags(predict, eo.data);
  predict->add_option("--adapter", eo.adapter_dir, "a LoRA or IA3 adapter directory (frost's or PEFT's) over --model");
  flags.integer<int>(predict, "--batch-size", eo.batch_size, 1, kMaxBatch);
  predict->add_flag("--throughput", eo.throughput,
                    "print one JSON line on stderr: examples, seconds to load + tokenize, seconds in the model, "
                    "examples per second (benchmarks/predict_throughput.sh)");
  flags.integer<int>(predict, "--max-seq-len", eo.max_seq_len, 2, kMaxSeqLen,
                     "default 128 (capped at the model's max_position_embeddings); 2..max_position_embeddings",
                     kSeqLenExpected, false);

  std::string spec = "none", config_path;
  auto* explain = app.add_subcommand("explain", "print the freeze plan of a policy");
  auto* x_freeze = explain->add_option("--freeze", spec, "freeze SPEC (with --lora-r or --ia3: default bert)")
                       ->capture_default_str();
  LoraOptions xl;
  Ia3Options xi;
  std::string x_adapter;
  std::uint64_t x_labels = 0;
  flags.integer<int>(explain, "--lora-r", xl.r, 1, 4096, "LoRA rank: the plan of a LoRA run (as frost train)", "",
                     false);
  flags.real(explain, "--lora-alpha", xl.alpha, kPositive, "LoRA alpha");
  flags.real(explain, "--lora-dropout", xl.dropout, kUnitOpen, "LoRA dropout");
  explain->add_option("--lora-targets", xl.targets, "PEFT target_modules")->capture_default_str();
  explain->add_option("--lora-layers", xl.layers, "layers carrying adapters (A-B or [A:B])");
  explain->add_flag("--use-rslora", xl.use_rslora, "scaling alpha / sqrt(r)");
  explain->add_flag("--ia3", xi.on, "the plan of an IA3 run (PEFT's defaults)");
  explain->add_option("--ia3-targets", xi.targets, "IA3 target_modules (as frost train)");
  explain->add_option("--adapter", x_adapter, "the plan of this LoRA or IA3 adapter directory (frost's or PEFT's)");
  flags.integer<std::uint64_t>(explain, "--num-labels", x_labels, 1, kMaxLabels,
                               "number of labels (default: the config's)", "", false);
  explain->add_option("--model", model_dir, "model directory (default: the bert-base-uncased geometry)");
  explain->add_option("--config", config_path, "a config.json instead of a model directory");

  MergeOptions mo;
  auto* merge = app.add_subcommand(
      "merge", "fold a LoRA or IA3 adapter into its base: a plain model directory transformers loads without PEFT");
  auto* mg_model = merge->add_option("--model", mo.model_dir, "(required) the base model directory");
  auto* mg_adapter =
      merge->add_option("--adapter", mo.adapter_dir, "(required) a LoRA or IA3 adapter directory (frost's or PEFT's)");
  auto* mg_output = merge->add_option("--output", mo.output_dir, "(required) where the merged model is written");

  std::string plot_dir;
  auto* plot = app.add_subcommand("plot", "draw OUTPUT/train_log.jsonl as training_curves.png and .svg (gnuplot)");
  auto* pl_dir = plot->add_option("--output", plot_dir, "(required) an output directory of frost train");

  CompareOptions c;
  auto* compare = app.add_subcommand("compare", "fine-tune under several freeze recipes and compare them");
  compare->add_option("--model", c.model_dir)->capture_default_str();
  compare->add_option("--train", c.train_file)->capture_default_str();
  compare->add_option("--eval", c.eval_file)->capture_default_str();
  compare->add_option("--output", c.output_dir)->capture_default_str();
  flags.integer<int>(compare, "--epochs", c.epochs, 1, kMaxEpochs);
  flags.integer<int>(compare, "--batch-size", c.batch_size, 1, kMaxBatch);
  flags.integer<int>(compare, "--max-seq-len", c.max_seq_len, 2, kMaxSeqLen,
                     "default 128 (capped at the model's max_position_embeddings); 2..max_position_embeddings",
                     kSeqLenExpected, false);
  flags.integer<std::uint64_t>(compare, "--seed", c.seed, 0, std::numeric_limits<std::uint64_t>::max());
  flags.real(compare, "--lr-full", c.lr_full, kPositive, "lr for policies that train encoder layers");
  flags.real(compare, "--lr-frozen", c.lr_frozen, kPositive, "lr for whole-body-frozen and BitFit");
  flags.real(compare, "--lr-lora", c.lr_lora, kPositive, "lr of the LoRA row");
  flags.real(compare, "--lr-ia3", c.lr_ia3, kPositive, "lr of the IA3 row");
  compare->add_option("--policy", c.policies,
                      "freeze SPECs to compare, or lora / ia3 for the adapter rows (repeatable; default: four "
                      "freeze recipes, LoRA and IA3)");

  BenchOptions bo;
  auto* bench = app.add_subcommand("bench", "time training steps of one freeze policy on a synthetic batch (JSON)");
  bench->add_option("--geometry", bo.geometry, "bert-base, minilm, or a config.json path")->capture_default_str();
  bench->add_option("--freeze", bo.freeze, "freeze SPEC")->capture_default_str();
  flags.integer<int>(bench, "--lora-r", bo.lora_r, 1, 4096,
                     "time LoRA (query + value, alpha 2r) on the frozen --freeze base instead", "", false);
  bench->add_flag("--profile", bo.profile,
                  "time per op family and pass (GEMMs by role, attention, LayerNorm, GELU, dropout, ...) on stderr, "
                  "and in the JSON");
  bench->add_flag("--gradient-checkpointing", bo.gradient_checkpointing,
                  "recompute activations in backward (step_flops then counts the recomputation)");
  bench->add_flag("--bf16", bo.bf16, "time bf16 GEMM inputs (an error where this build or CPU cannot)");
  bench->add_flag("--ia3", bo.ia3, "time IA3 (PEFT's defaults) on the frozen --freeze base instead");
  flags.integer<int>(bench, "--batch-size", bo.batch_size, 1, kMaxBatch);
  flags.integer<int>(bench, "--seq-len", bo.seq_len, 2, kMaxSeqLen, "2..the geometry's max_position_embeddings",
                     kSeqLenExpected);
  flags.integer<int>(bench, "--steps", bo.steps, 1, kMaxBenchSteps, "timed training steps after one warm-up step");
  flags.integer<int>(bench, "--forwards", bo.forwards, 1, kMaxBenchSteps, "timed inference forwards after one warm-up");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    return bad_input(parse_error_message(e));
  }

  const CLI::App* sub = nullptr;
  for (const CLI::App* s : {train, eval, predict, explain, compare, bench, plot, merge})
    if (s->parsed()) sub = s;
  if (sub == nullptr) {
    const auto rest = app.remaining();
    if (rest.empty())
      return bad_input(
          "command: expected train, eval, predict, merge, explain, compare, bench or plot, got none (frost --help)");
    return bad_input(rest.front() +
                     ": expected a command (train, eval, predict, merge, explain, compare, bench or plot), got " +
                     show_value(rest.front()));
  }
  const std::string command = "frost " + sub->get_name();
  check_extras(sub, command);
  check_empty_values(sub);
  flags.apply(sub);
#if defined(FROST_USE_BLAS)
  // A BLAS build whose OpenBLAS does not use what this CPU offers: say so once, with the fix.
  if (sub == train || sub == eval || sub == predict || sub == compare || sub == bench)
    if (const std::string w = frost::gemm::BlasGemm::kernel_warning(); !w.empty() && world().is_main())
      std::fprintf(stderr, "frost: %s\n", w.c_str());
#endif

  if (sub == train) {
    check_required(command, {t_model, t_train, t_output});
    t.progress = !no_progress;
    t.freeze_given = t_freeze->count() > 0;
    const auto m = cmd_train(t);
    if (world().is_main()) {  // data parallel: rank 0 speaks for the run
      std::printf("%s\n", m.dump(2).c_str());
      std::fputs(run_summary(m).c_str(), stderr);  // for people; scripts read the JSON on stdout
    }
  } else if (sub == eval) {
    check_required(command, {e_model, e_data});
    std::printf("%s\n", cmd_eval(eo).dump(2).c_str());
  } else if (sub == predict) {
    check_required(command, {p_model, p_data});
    cmd_predict(eo, std::cout);
  } else if (sub == explain) {
    const bool adapter = xl.r > 0 || xi.on || !x_adapter.empty();
    std::printf("%s", cmd_explain(model_dir, config_path, adapter && x_freeze->count() == 0 ? "bert" : spec, xl,
                                  x_adapter, static_cast<int>(x_labels), xi)
                          .c_str());
  } else if (sub == compare) {
    if (const int rc = cmd_compare(c); rc != 0) return rc;
  } else if (sub == merge) {
    check_required(command, {mg_model, mg_adapter, mg_output});
    std::printf("%s\n", cmd_merge(mo).dump(2).c_str());
  } else if (sub == plot) {
    check_required(command, {pl_dir});
    for (const auto& f : cmd_plot(plot_dir)) std::printf("%s\n", f.c_str());
  } else if (sub == bench) {
    const auto j = cmd_bench(bo);
    if (world().is_main()) std::printf("%s\n", j.dump().c_str());
  }
  std::cout.flush();
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout)
    throw frost::Error(std::string("<stdout>: expected a writable standard output, got a write error (") +
                       std::strerror(errno) + ")");
  return 0;
}

}  // namespace

static int guarded_run(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const frost::Error& e) {
    return bad_input(e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    // A path the input names that cannot be read or written (the commands check the paths they
    // are given first; this is what is left: a permission or a file changed under us).
    return bad_input((e.path1().empty() ? std::string("<file system>") : e.path1().string()) + ": " +
                     e.code().message() + " (" + e.what() + ")");
  } catch (const std::bad_alloc&) {
    return internal_error(
        "out of memory (std::bad_alloc)",
        "the run needs more memory than this process may use: a smaller --batch-size or --max-seq-len");
  } catch (const std::exception& e) {
    return internal_error(e.what());
  } catch (...) {
    return internal_error("an exception that is not a std::exception");
  }
}

int main(int argc, char** argv) {
  std::set_terminate(on_terminate);
  const int rc = guarded_run(argc, argv);
  if (rc != 0) {  // data parallel: a failed rank ends every rank (never a hang in a collective)
    frost::dist::Communicator& w = frost::cli::world();
    if (w.size() > 1) {
      std::fprintf(stderr, "frost: rank %d of %d failed: stopping every rank\n", w.rank(), w.size());
      std::fflush(stderr);
      w.abort(rc);
    }
  }
  return rc;
}
