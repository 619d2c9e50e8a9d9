// tools/cli/compare.cpp: `frost explain`, and `frost compare`, the main job: fine-tune one checkpoint under several
// freeze recipes and adapters (LoRA, IA3) and tabulate what each costs and achieves.
//
// Each policy runs as a child `frost train` process (so its peak RSS is its own), with the same
// data, seed and epochs; the table has: policy, trainable parameters, gradient + optimizer-state
// memory, ms per optimizer step, peak RSS, dev accuracy. It is printed, written as JSON, and
// drawn as a PNG with gnuplot when gnuplot is installed.

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <frost/explain.hpp>
#include <frost/io/atomic_file.hpp>

#include <frost/freeze/component_kinds.hpp>
#include <frost/freeze/freeze_spec.hpp>

#include "cli.hpp"
#include "gnuplot.hpp"
#include "adapter_flags.hpp"
#include "model_dir.hpp"

namespace frost::cli {

struct CompareRow {
  std::string name, spec;
  double lr = 0;
  std::vector<std::string> adapter;  ///< adapter flags of its frost train (--lora-r ..., --ia3)
  std::string id;                    ///< its run directory: run-<id>
  nlohmann::json metrics;
};

/// The adapter rows: LoRA r 8 on query + value (alpha 16), and IA3 with PEFT's defaults, each on a
/// frozen base ("bert"), the classifier trained as PEFT's modules_to_save.
inline CompareRow lora_row(double lr) {
  return {"LoRA r8 (query,value)", "bert", lr, {"--lora-r", "8", "--lora-alpha", "16"}, "lora-r8", {}};
}
inline CompareRow ia3_row(double lr) { return {"IA3 (PEFT defaults)", "bert", lr, {"--ia3"}, "ia3", {}}; }

/// Runs this binary with `argv` and waits: its exit status, or 128 + the signal that ended it.
inline int run_child(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "compare: fork");
  if (pid == 0) {
    ::execv("/proc/self/exe", args.data());
    std::fprintf(stderr, "frost: internal error: compare: cannot run /proc/self/exe: %s\n", std::strerror(errno));
    ::_exit(1);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "compare: waitpid");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

inline std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

inline void write_chart(const std::filesystem::path& dir, const std::vector<CompareRow>& rows) {
  std::ostringstream g;
  g << "$rows << EOD\n";
  for (std::size_t i = 0; i < rows.size(); ++i)
    g << i << " \"" << rows[i].name << "\" " << rows[i].metrics.value("eval_accuracy", 0.0) * 100.0 << " "
      << rows[i].metrics.value("ms_per_step", 0.0) << "\n";
  g << "EOD\nset terminal @TERMINAL\nset output @OUTPUT\n"
    << "set multiplot layout 1,2 title 'frost compare: same checkpoint, same data, freeze recipes and adapters'\n"
    << "set style fill solid 0.8 border -1\nset boxwidth 0.6\nset grid ytics\nset xtics rotate by -20\n"
    << "set title 'dev accuracy (%)'\nset yrange [0:100]\n"
    << "plot $rows using 1:3:xtic(2) with boxes lc rgb '#4477aa' notitle, '' using 1:3:(sprintf('%.1f',$3)) with "
       "labels offset 0,1 notitle\n"
    << "set title 'time per optimizer step (ms)'\nset autoscale y\nset yrange [0:*]\n"
    << "plot $rows using 1:4:xtic(2) with boxes lc rgb '#ee6677' notitle, '' using 1:4:(sprintf('%.0f',$4)) with "
       "labels offset 0,1 notitle\n"
    << "unset multiplot\n";
  (void)render_chart(g.str(), {(dir / "compare.png").string()}, "frost compare", "1100,480");
}

int cmd_compare(const CompareOptions& o) {
  namespace fs = std::filesystem;
  // Every input is checked here, before the first child runs, so that a mistake costs no
  // training time and reads as one line (a child's error would follow its progress output).
  check_output_dir("--output", o.output_dir);
  std::error_code ec;
  if (!fs::exists(o.model_dir, ec))
    throw Error(o.model_dir +
                ": --model: expected a Hugging Face model directory, found no such directory "
                "(run tools/fetch-minilm.sh first, or pass --model DIR)");
  const ModelDir md(o.model_dir);
  const int depth = md.config.num_hidden_layers;
  const int max_len = resolve_max_len(o.max_seq_len, md);
  {
    const text::WordPieceTokenizer tok = md.tokenizer();
    const DataFile train = read_raw_data("--train", o.train_file, true, {});
    const LabelScheme labels = infer_label_scheme(train, md.hints());
    (void)text::tokenize_file(train, tok, max_len, labels);
    (void)read_data("--eval", o.eval_file, true, {}, tok, max_len, &labels, md);
  }
  const int two_thirds = (2 * depth + 2) / 3;
  std::vector<CompareRow> rows;
  if (o.policies.empty()) {
    rows.push_back({"nothing frozen", "none", o.lr_full, {}, "none", {}});
    rows.push_back({"embeddings+layers[:" + std::to_string(two_thirds) + "]",
                    "embeddings,layers:0-" + std::to_string(two_thirds),
                    o.lr_full,
                    {},
                    "embeddings,layers:0-" + std::to_string(two_thirds),
                    {}});
    rows.push_back({"BitFit", "bitfit", o.lr_frozen, {}, "bitfit", {}});
    rows.push_back({"whole body (model.bert)", "bert", o.lr_frozen, {}, "bert", {}});
    rows.push_back(lora_row(o.lr_lora));
    rows.push_back(ia3_row(o.lr_ia3));
  } else {
    for (const auto& p : o.policies) {
      if (p == "lora" || p == "ia3") {  // the adapter rows by name
        rows.push_back(p == "lora" ? lora_row(o.lr_lora) : ia3_row(o.lr_ia3));
        continue;
      }
      FreezeSpec s;
      BackwardPlan plan{FreezeMask{}, depth};
      try {
        s = FreezeSpec::parse(p);
        plan = BackwardPlan{s.mask(depth), depth};
        plan.check();
      } catch (const Error& e) {  // FreezeSpec names --freeze; here the flag is --policy
        const std::string m = e.what();
        throw Error(m.starts_with("--freeze") ? "--policy" + m.substr(8) : "--policy '" + p + "': " + m);
      }
      // Few parameters train (no encoder weight matrix): the higher learning rate.
      bool few = true;
      for (int i = 0; i < depth; ++i) few = few && (plan.layer_trainable(i) & ~kinds::kLayerBiases) == 0;
      rows.push_back({s.str(), s.str(), few ? o.lr_frozen : o.lr_full, {}, s.str(), {}});
    }
  }
  // Everything is written into a staging directory beside --output, moved into place at the end.
  const fs::path staging = staging_path(o.output_dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code e;
      if (!dir.empty()) fs::remove_all(dir, e);
    }
  } cleanup{staging};
  try {
    fs::remove_all(staging);
    fs::create_directories(staging);
  } catch (const fs::filesystem_error& e) {
    throw Error(o.output_dir + ": --output: cannot create " + staging.string() + " (" + e.code().message() + ")");
  }
  for (auto& r : rows) {
    const std::string out = (staging / ("run-" + r.id)).string();
    std::string flags;
    for (const auto& a : r.adapter) flags += " " + a;
    std::printf("\n== %s (--freeze %s%s, lr %g)\n", r.name.c_str(), r.spec.c_str(), flags.c_str(), r.lr);
    std::vector<std::string> argv = {"frost",        "train",
                                     "--model",      o.model_dir,
                                     "--train",      o.train_file,
                                     "--eval",       o.eval_file,
                                     "--output",     out,
                                     "--freeze",     r.spec,
                                     "--lr",         fmt("%.10g", r.lr),
                                     "--epochs",     std::to_string(o.epochs),
                                     "--batch-size", std::to_string(o.batch_size),
                                     "--seed",       std::to_string(o.seed)};
    if (o.max_seq_len > 0) argv.insert(argv.end(), {"--max-seq-len", std::to_string(o.max_seq_len)});
    argv.insert(argv.end(), r.adapter.begin(), r.adapter.end());
    const int rc = run_child(argv);
    // The child printed its one-line error (exit 1 or 2): pass its status on.
    if (rc == 1 || rc == 2) return rc;
    if (rc != 0)
      throw std::runtime_error("compare: frost train --freeze " + r.spec + flags + " ended with status " +
                               std::to_string(rc) + (rc > 128 ? " (signal " + std::to_string(rc - 128) + ")" : ""));
    std::ifstream in(out + "/metrics.json");
    in >> r.metrics;
  }
  // The table.
  std::string table;
  char line[256];
  std::snprintf(line, sizeof line, "%-26s %12s %14s %10s %10s %8s %7s\n", "policy", "trainable", "grad+optim",
                "ms/step", "peak RSS", "dev acc", "lr");
  table += line;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : rows) {
    const auto& m = r.metrics;
    const std::int64_t mem =
        m.value("gradient_bytes", std::int64_t{0}) + m.value("optimizer_state_bytes", std::int64_t{0});
    std::snprintf(line, sizeof line, "%-26s %12s %14s %10.1f %10s %7.1f%% %7g\n", r.name.c_str(),
                  with_commas(m.value("trainable_params", std::int64_t{0})).c_str(), human_bytes(mem).c_str(),
                  m.value("ms_per_step", 0.0), human_bytes(m.value("peak_rss_bytes", std::int64_t{0})).c_str(),
                  100.0 * m.value("eval_accuracy", 0.0), r.lr);
    table += line;
    nlohmann::json j = m;
    j["name"] = r.name;
    j["freeze"] = r.spec;
    j["adapter_flags"] = r.adapter;
    j["lr"] = r.lr;
    out.push_back(j);
  }
  std::printf("\n%s", table.c_str());
  const nlohmann::json doc = {{"model", o.model_dir},
                              {"train", o.train_file},
                              {"eval", o.eval_file},
                              {"epochs", o.epochs},
                              {"batch_size", o.batch_size},
                              {"seed", o.seed},
                              {"threads", static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN))},
                              {"results", out}};
  io::write_file_atomic((staging / "compare.json").string(), doc.dump(2) + "\n");
  write_chart(staging, rows);
  const bool png = fs::exists(staging / "compare.png");
  try {
    const fs::path dest(o.output_dir);
    fs::create_directories(dest);
    for (const auto& e : fs::directory_iterator(staging)) {
      const fs::path to = dest / e.path().filename();
      if (fs::is_directory(e.path()) && fs::exists(to)) fs::remove_all(to);  // a run of an earlier compare
      fs::rename(e.path(), to);
    }
  } catch (const fs::filesystem_error& e) {
    throw Error(o.output_dir + ": --output: cannot write the output (" + e.code().message() + ")");
  }
  std::printf("\nwrote %s/compare.json%s\n", o.output_dir.c_str(),
              png ? (" and " + o.output_dir + "/compare.png").c_str() : "");
  return 0;
}

/// `frost explain`: the plan of SPEC for the model's (or a named geometry's) config.
std::string cmd_explain(const std::string& model_dir, const std::string& config_path, const std::string& spec,
                        const LoraOptions& lora, const std::string& adapter_dir, int num_labels,
                        const Ia3Options& ia3) {
  FROST_CHECK(config_path.empty() || model_dir.empty(),
              "--config: expected --model DIR or --config FILE, got both (--model " + model_dir + ")");
  BertConfig cfg = BertConfig::bert_base();
  if (!config_path.empty()) {
    check_input_file("--config", config_path, "a config.json file");
    cfg = read_config(config_path);
  } else if (!model_dir.empty()) {
    cfg = ModelDir(model_dir).config;
  }
  if (num_labels > 0) cfg.num_labels = num_labels;
  const FreezeSpec s = FreezeSpec::parse(spec);
  const int depth = cfg.num_hidden_layers;
  const AdapterChoice a = adapter_options(lora, ia3, adapter_dir, 0, depth);
  const BackwardPlan plan = a.plan(s.mask(depth), depth);
  for (int i = 0; i < depth; ++i)
    FROST_CHECK(!plan.layer_adapted(i) || plan.layer_trainable(i) == 0,
                "--freeze: encoder layer " + std::to_string(i) + " carries " + (a.lora ? "a LoRA" : "an IA3") +
                    " adapter but some of its base parameters train; adapter layers need a frozen base");
  return "policy: " + s.str() + (a ? std::string("+") + a.name() : "") + "\n" + explain(a.report(plan, cfg));
}

}  // namespace frost::cli
