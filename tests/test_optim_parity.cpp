// Optimizer parity with PyTorch: five Hugging Face Trainer steps (clipping, warmup schedules,
// no-decay groups, gradient accumulation, LLRD, gradual unfreezing) from the same weights on the
// same batches, driven through frost::Trainer. Fixtures: tests/fixtures/optim (see its README).
#include <cstdio>
#include <fstream>

#include "support.hpp"

namespace {

using namespace frost;
using nlohmann::json;

std::string optim_dir() { return frost_test::fixture_dir() + "/../optim"; }

const json& runs() {
  static const json j = [] {
    std::ifstream in(optim_dir() + "/runs.json");
    return json::parse(in);
  }();
  return j;
}

/// The 4 rows of micro-batch k as examples (padding stripped; frost re-pads dynamically).
Dataset batches(const io::SafeTensorsFile& f, std::vector<int> ks) {
  Dataset d;
  for (int k : ks) {
    const std::string p = "batch." + std::to_string(k) + ".";
    const auto ids = f.ints(p + "input_ids"), types = f.ints(p + "token_type_ids"), mask = f.ints(p + "attention_mask"),
               labels = f.ints(p + "labels");
    const std::size_t S = f.info(p + "input_ids").shape.at(1);
    for (std::size_t r = 0; r < labels.size(); ++r) {
      Example e;
      for (std::size_t s = 0; s < S; ++s)
        if (mask[r * S + s]) {
          e.input_ids.push_back(static_cast<int>(ids[r * S + s]));
          e.token_type_ids.push_back(static_cast<int>(types[r * S + s]));
        }
      e.label = labels[r];
      d.push_back(std::move(e));
    }
  }
  return d;
}

ScheduleKind schedule_of(const json& s) {
  const std::string t = s.at("type");
  if (t.rfind("linear", 0) == 0) return ScheduleKind::linear;
  if (t.rfind("cosine", 0) == 0) return ScheduleKind::cosine;
  return ScheduleKind::constant;
}

TrainingArguments args_of(const json& run, long steps) {
  TrainingArguments a;
  const json& o = run.at("optimizer");
  a.learning_rate = o.at("lr");
  a.weight_decay = o.at("weight_decay");
  if (o.contains("betas")) {
    a.adam_beta1 = o["betas"][0];
    a.adam_beta2 = o["betas"][1];
    a.adam_epsilon = o.at("eps");
  }
  if (run.contains("schedule") && !run["schedule"].is_null()) {
    a.lr_scheduler = schedule_of(run["schedule"]);
    a.warmup_steps = run["schedule"].value("num_warmup_steps", 0);
  } else {
    a.lr_scheduler = ScheduleKind::constant;
  }
  a.max_grad_norm = run.at("max_norm");
  a.gradient_accumulation_steps = run.at("grad_accum");
  a.per_device_train_batch_size = 4;
  a.max_steps = steps;
  a.shuffle = false;
  a.progress_bar = false;
  if (run.contains("llrd") && !run["llrd"].is_null()) a.layer_lr_decay = run["llrd"].at("decay");
  return a;
}

bool is_noise(const json& run, const std::string& name) {
  const json& noise = run.at("fp64").at("noise_dominated");
  return std::find(noise.begin(), noise.end(), name) != noise.end();
}

struct Stats {
  double worst = 0;  // largest error / max |update| over compared tensors
  std::string worst_name;
};
Stats g_stats;

// Per-tensor check of the final weights against PyTorch's fp32 run. The bound is
//   1e-5 x (largest update of the tensor) + 6 x (how far PyTorch's own fp32 run is from its fp64
//   replay for that tensor),
// i.e. frost must be about as close to PyTorch as PyTorch is to exact arithmetic (PyTorch's fp32 drift
// reaches 8e-5 of the update under AdamW, whose m / sqrt(v) amplifies rounding in small
// gradients, so a flat 1e-5 would demand bit-identical summation order). The factor was 5 until
// GELU moved to Eigen's vectorised float erf (absolute error 2.5e-7 against std::erf's 6e-8, for a
// 10-17x faster GELU): in the sanitizer build (no FMA) the word-embedding table of the
// accumulation run then lands at 5.2x PyTorch's drift.
// Excluded from the bound, but still checked to move by the same order as PyTorch:
//  * tensors PyTorch's replay marks noise-dominated: attention key biases, whose true gradient is
//    0 (softmax is shift-invariant) so their fp32 update is normalised rounding noise (the
//    adamw_eps_bitfit run uses eps 1e-3, where they barely move, and passes the normal bound);
//  * single elements the replay lists as outliers (gradient ~ eps; same reason).
template <class Model>
void check_final(const std::string& run_name, Model& model, const io::SafeTensorsFile& init) {
  SCOPED_TRACE(run_name);
  const json& run = runs().at("runs").at(run_name);
  const io::SafeTensorsFile f(optim_dir() + "/" + run_name + ".safetensors");
  model.for_each_param([&](const ParamId& id, auto& p) {
    const std::string name = io::hf_name(id);
    if (!f.contains("final." + name)) {  // never trainable: bit-identical to the start
      const auto v0 = init.floats(name);
      for (std::size_t i = 0; i < v0.size(); ++i) ASSERT_EQ(p.value.data()[i], v0[i]) << name;
      return;
    }
    const auto want = f.floats("final." + name);
    const double upd = run.at("max_abs_update").at(name);
    std::vector<std::size_t> outliers;
    for (const auto& o : run.at("fp64").at("outliers"))
      if (o.at("name") == name) outliers.push_back(o.at("index"));
    double err = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      const double e = std::abs(static_cast<double>(p.value.data()[i]) - want[i]);
      if (std::find(outliers.begin(), outliers.end(), i) != outliers.end())
        EXPECT_LE(e, upd) << name << "[" << i << "]";
      else {
        if (std::getenv("FROST_DEBUG_OPTIM") && e > err)
          std::fprintf(stderr, "%s[%zu] got %.9g want %.9g\n", name.c_str(), i, static_cast<double>(p.value.data()[i]),
                       static_cast<double>(want[i]));
        err = std::max(err, e);
      }
    }
    if (is_noise(run, name)) {
      // AdamW normalises the gradient, so a tensor driven by rounding noise moves by about the
      // same amount in any implementation but in an arbitrary direction: two such trajectories
      // can differ by up to twice the movement, plus the spread across elements.
      EXPECT_LE(err, 4 * upd + 1e-8) << name << " (noise-dominated)";
      return;
    }
    const double drift = run.at("fp64").at("max_abs_final_diff").at(name);
    EXPECT_LE(err, 1e-5 * upd + 6 * drift) << name << " err " << err << " update " << upd << " torch drift " << drift;
    const double rel = err / std::max(upd, 1e-12);
    if (rel > g_stats.worst) g_stats = {rel, run_name + ": " + name};
  });
}

template <class Model, class Opt>
void check_steps(const std::string& run_name, const std::vector<StepLog>& logs, long first_step = 1) {
  const json& steps = runs().at("runs").at(run_name).at("steps");
  for (const auto& s : logs) {
    const json& w = steps.at(static_cast<std::size_t>(s.step + first_step - 2));
    EXPECT_NEAR(s.loss, w.at("loss").get<double>(), 1e-5) << run_name << " step " << s.step;
    EXPECT_NEAR(s.grad_norm, w.at("grad_norm").get<double>(), 1e-5 * w.at("grad_norm").get<double>())
        << run_name << " step " << s.step;
    EXPECT_NEAR(s.learning_rate, w.at("lr").back().get<double>(), 1e-12) << run_name << " step " << s.step;
  }
}

template <class Policy>
void run_case(const std::string& run_name) {
  using Model = BertForSequenceClassification<float, Policy, 3>;
  frost_test::Case c("single");
  Model model(c.cfg);
  io::load_hf_weights(model, c.file);
  const json& run = runs().at("runs").at(run_name);
  const io::SafeTensorsFile bf(optim_dir() + "/batches.safetensors");
  const int accum = run.at("grad_accum");
  std::vector<int> ks;
  for (int k = 0; k < 5 * accum; ++k) ks.push_back(k);
  const Dataset data = batches(bf, ks);
  TrainingArguments args = args_of(run, 5);
  std::vector<StepLog> logs;
  const json& o = run.at("optimizer");
  ParamGroups groups;
  groups.layer_lr_decay = args.layer_lr_decay;
  if (o.at("type") == "AdamW") {
    AdamW<float> opt(model,
                     {args.learning_rate, args.adam_beta1, args.adam_beta2, args.adam_epsilon, args.weight_decay,
                      o.value("amsgrad", false)},
                     groups);
    Trainer tr(model, opt, args);
    tr.on_step = [&](const StepLog& s) {
      logs.push_back(s);
      return true;
    };
    EXPECT_EQ(tr.train(data).global_step, 5);
    // Optimizer state, where the fixture stores it.
    const io::SafeTensorsFile f(optim_dir() + "/" + run_name + ".safetensors");
    for (const auto& s : opt.state().slots()) {
      const std::string name = io::hf_name(s.id);
      for (auto [k, key] : {std::pair{0, "exp_avg"}, std::pair{1, "exp_avg_sq"}, std::pair{2, "max_exp_avg_sq"}}) {
        const std::string t = std::string("state.") + key + "." + name;
        // Noise-dominated tensors (zero true gradient) have moments made of rounding noise.
        if (!f.contains(t) || is_noise(run, name)) continue;
        const auto want = f.floats(t);
        double err = 0, scale = 1e-30;
        for (std::size_t i = 0; i < want.size(); ++i) {
          err = std::max(err, std::abs(static_cast<double>(s.buf[static_cast<std::size_t>(k)].data()[i]) - want[i]));
          scale = std::max(scale, std::abs(static_cast<double>(want[i])));
        }
        EXPECT_LE(err / scale, 1e-4) << t;
      }
      EXPECT_EQ(s.step, 5) << name;
    }
  } else {
    SGD<float> opt(
        model, {args.learning_rate, o.at("momentum"), o.at("dampening"), args.weight_decay, o.at("nesterov")}, groups);
    Trainer tr(model, opt, args);
    tr.on_step = [&](const StepLog& s) {
      logs.push_back(s);
      return true;
    };
    EXPECT_EQ(tr.train(data).global_step, 5);
    const io::SafeTensorsFile f(optim_dir() + "/" + run_name + ".safetensors");
    for (const auto& s : opt.state().slots()) {
      const std::string t = "state.momentum_buffer." + io::hf_name(s.id);
      if (!f.contains(t) || is_noise(run, io::hf_name(s.id))) continue;
      const auto want = f.floats(t);
      double err = 0, scale = 1e-30;
      for (std::size_t i = 0; i < want.size(); ++i) {
        err = std::max(err, std::abs(static_cast<double>(s.buf[0].data()[i]) - want[i]));
        scale = std::max(scale, std::abs(static_cast<double>(want[i])));
      }
      EXPECT_LE(err / scale, 1e-4) << t;
    }
  }
  ASSERT_EQ(logs.size(), 5u);
  check_steps<Model, void>(run_name, logs);
  check_final(run_name, model, c.file);
}

TEST(OptimParity, AdamWNone) { run_case<NoFreeze>("adamw_none"); }
TEST(OptimParity, AdamWEmbeddingsLayers0To2) {
  run_case<FreezeEmbeddingsAndLowerLayers<2>>("adamw_embeddings_layers_0_2");
}
TEST(OptimParity, AdamWBody) { run_case<FreezeBert>("adamw_body"); }
TEST(OptimParity, AdamWBitFit) { run_case<BitFit>("adamw_bitfit"); }
TEST(OptimParity, AdamWBitFitLargeEps) { run_case<BitFit>("adamw_eps_bitfit"); }
TEST(OptimParity, AdamWAmsgradCosine) { run_case<NoFreeze>("adamw_amsgrad_none"); }
TEST(OptimParity, AdamWGradientAccumulation) { run_case<NoFreeze>("adamw_accum2_none"); }
TEST(OptimParity, AdamWLayerwiseLrDecay) { run_case<NoFreeze>("adamw_llrd_none"); }
TEST(OptimParity, SGDNone) { run_case<NoFreeze>("sgd_none"); }
TEST(OptimParity, SGDEmbeddingsLayers0To2) { run_case<FreezeEmbeddingsAndLowerLayers<2>>("sgd_embeddings_layers_0_2"); }
TEST(OptimParity, SGDBody) { run_case<FreezeBert>("sgd_body"); }
TEST(OptimParity, SGDBitFit) { run_case<BitFit>("sgd_bitfit"); }
TEST(OptimParity, SGDNesterovConstant) { run_case<NoFreeze>("sgd_nesterov_none"); }
TEST(OptimParity, SGDDampeningCosine) { run_case<NoFreeze>("sgd_dampening_none"); }

// Gradual unfreezing: 3 steps training only the classifier, then encoder layer 2 and the pooler
// join (PyTorch: optimizer.add_param_group); the classifier keeps its AdamW state.
TEST(OptimParity, GradualUnfreezing) {
  const std::string run_name = "unfreeze_adamw";
  const json& run = runs().at("runs").at(run_name);
  frost_test::Case c("single");
  using Stage1 = BertForSequenceClassification<float, FreezeBert, 3>;
  using Stage2 = BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<2>, 3>;
  Stage1 m1(c.cfg);
  io::load_hf_weights(m1, c.file);
  const io::SafeTensorsFile bf(optim_dir() + "/batches.safetensors");
  TrainingArguments args = args_of(run, 3);
  AdamW<float> opt(m1,
                   {args.learning_rate, args.adam_beta1, args.adam_beta2, args.adam_epsilon, args.weight_decay, false});
  std::vector<StepLog> logs1, logs2;
  {
    Trainer tr(m1, opt, args);
    tr.on_step = [&](const StepLog& s) {
      logs1.push_back(s);
      return true;
    };
    tr.train(batches(bf, {0, 1, 2}));
  }
  Stage2 m2(c.cfg);
  m2.copy_weights_from(m1);
  opt.rebind(m2);
  args.max_steps = 2;
  {
    Trainer tr(m2, opt, args);
    tr.on_step = [&](const StepLog& s) {
      logs2.push_back(s);
      return true;
    };
    tr.train(batches(bf, {3, 4}));
  }
  check_steps<Stage1, void>(run_name, logs1);
  check_steps<Stage2, void>(run_name, logs2, 4);
  for (const auto& s : opt.state().slots())
    EXPECT_EQ(s.step, s.id.component == Component::classifier ? 5 : 2) << io::hf_name(s.id);
  check_final(run_name, m2, c.file);
}

class Report : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf("largest optimizer parity error (relative to the update): %.3g (%s)\n", g_stats.worst,
                g_stats.worst_name.c_str());
  }
};
const auto* const kReport = ::testing::AddGlobalTestEnvironment(new Report);

}  // namespace
