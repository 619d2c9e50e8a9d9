// The training loop: determinism, bit-exact checkpoint/resume, refusal of bad checkpoints,
// gradient accumulation, logging, evaluation, gradual unfreezing mechanics.
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <frost/frost.hpp>
#include <random>

namespace {

using namespace frost;
namespace fs = std::filesystem;

BertConfig small_config(double dropout = 0.1) {
  BertConfig c;
  c.vocab_size = 60;
  c.hidden_size = 16;
  c.num_hidden_layers = 2;
  c.num_attention_heads = 2;
  c.intermediate_size = 32;
  c.max_position_embeddings = 16;
  c.num_labels = 2;
  c.hidden_dropout_prob = dropout;
  c.attention_probs_dropout_prob = dropout;
  c.validate();
  return c;
}

// Label 1 iff token 7 occurs; lengths 4..12; pairs with token types 0/1.
Dataset synthetic(int n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  Dataset d;
  for (int i = 0; i < n; ++i) {
    Example e;
    const int len = 4 + static_cast<int>(gen() % 9);
    e.input_ids.push_back(1);
    for (int s = 1; s < len; ++s) e.input_ids.push_back(10 + static_cast<int>(gen() % 50));
    e.label = static_cast<std::int64_t>(gen() % 2);
    if (e.label)
      e.input_ids[1 + gen() % static_cast<unsigned>(len - 1)] = 7;
    else
      std::replace(e.input_ids.begin(), e.input_ids.end(), 7, 8);
    for (int s = 0; s < len; ++s) e.token_type_ids.push_back(s < len / 2 ? 0 : 1);
    d.push_back(std::move(e));
  }
  return d;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("frost-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& f) const { return (path / f).string(); }
};

using Model = BertForSequenceClassification<float, FreezeLowerLayers<1>>;

TrainingArguments small_args() {
  TrainingArguments a;
  a.learning_rate = 1e-3;
  a.weight_decay = 0.01;
  a.warmup_steps = 3;
  a.num_train_epochs = 3;
  a.per_device_train_batch_size = 8;
  a.progress_bar = false;
  a.seed = 11;
  return a;
}

template <class M>
std::vector<Tensor<float>> params_of(M& m) {
  std::vector<Tensor<float>> v;
  m.for_each_param([&](const ParamId&, auto& p) { v.push_back(p.value); });
  return v;
}

TEST(Training, DeterministicGivenSeed) {
  const Dataset data = synthetic(40, 1);
  auto run = [&](std::uint64_t seed) {
    Model m(small_config());
    m.init_weights(3);
    auto args = small_args();
    args.seed = seed;
    auto opt = make_adamw(m, args);
    Trainer tr(m, opt, args);
    tr.train(data);
    return params_of(m);
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

// TrainingArguments::bf16: honoured exactly where bf16 GEMMs run (TrainResult::bf16 says which),
// the precision restored after train(), and the run is a different but close one: the trained
// weights differ from the fp32 run's and the final training loss tracks it (core/bf16.hpp).
TEST(Training, Bf16WhereSupportedElseFp32) {
  const Dataset data = synthetic(40, 41);
  auto run = [&](bool bf16) {
    Model m(small_config());
    m.init_weights(3);
    auto args = small_args();
    args.bf16 = bf16;
    auto opt = make_adamw(m, args);
    Trainer tr(m, opt, args);
    const TrainResult r = tr.train(data);
    EXPECT_EQ(matmul_precision(), MatmulPrecision::fp32);
    return std::make_tuple(r.bf16, r.last_loss, params_of(m));
  };
  const auto [fp32_ran_bf16, fp32_loss, fp32_params] = run(false);
  const auto [bf16_ran_bf16, bf16_loss, bf16_params] = run(true);
  EXPECT_FALSE(fp32_ran_bf16);
  const bool supported = gemm::bf16_unsupported_reason().empty();
  EXPECT_EQ(bf16_ran_bf16, supported);
  if (supported) {
    EXPECT_NE(bf16_params, fp32_params);
    EXPECT_NEAR(bf16_loss, fp32_loss, 0.05 * std::max(1.0, std::abs(fp32_loss)));
  } else {
    EXPECT_EQ(bf16_params, fp32_params);  // fp32, bit for bit
  }
}

// --group-by-length reproduces transformers' get_length_grouped_indices given the same permutation
// (tools/gen_group_by_length_fixtures.py patches torch.randperm to return it): megabatch sizes,
// stable descending sort (ties keep their order) and the longest example swapped to the front.
TEST(GroupByLength, MatchesTransformers) {
  std::ifstream in(std::string(FROST_FIXTURES_DIR) + "/../group_by_length.json");
  ASSERT_TRUE(in) << "tests/fixtures/group_by_length.json missing";
  const auto j = nlohmann::json::parse(in);
  ASSERT_GE(j.at("cases").size(), 5u);
  for (const auto& c : j.at("cases")) {
    Dataset d;
    for (const int len : c.at("lengths").get<std::vector<int>>())
      d.push_back(Example{std::vector<int>(std::size_t(len), 5), {}, 0, {}});
    const auto got =
        group_by_length(c.at("order").get<std::vector<std::int64_t>>(), d, c.at("batch_size").get<std::size_t>());
    EXPECT_EQ(got, c.at("expected").get<std::vector<std::int64_t>>()) << "n=" << d.size();
  }
}

// What it is for: the same epoch, far fewer padded tokens; and a run with it is reproducible.
TEST(GroupByLength, PadsLessAndTrainsReproducibly) {
  const Dataset data = synthetic(400, 5);
  const auto order = epoch_order(data.size(), 11, 0, true);
  const auto grouped = group_by_length(order, data, 8);
  auto padded_tokens = [&](const std::vector<std::int64_t>& o) {
    std::size_t pad = 0;
    for (std::size_t b = 0; b < o.size(); b += 8) {
      std::size_t longest = 0, sum = 0;
      for (std::size_t i = b; i < std::min(o.size(), b + 8); ++i) {
        longest = std::max(longest, data[std::size_t(o[i])].input_ids.size());
        sum += data[std::size_t(o[i])].input_ids.size();
      }
      pad += longest * (std::min(o.size(), b + 8) - b) - sum;
    }
    return pad;
  };
  auto sorted = [](std::vector<std::int64_t> v) { return std::sort(v.begin(), v.end()), v; };
  EXPECT_EQ(sorted(grouped), sorted(order));  // a permutation of the same examples
  EXPECT_LT(padded_tokens(grouped) * 5, padded_tokens(order))
      << padded_tokens(grouped) << " vs " << padded_tokens(order);
  auto run = [&](bool group) {
    Model m(small_config());
    m.init_weights(3);
    auto args = small_args();
    args.group_by_length = group;
    auto opt = make_adamw(m, args);
    Trainer tr(m, opt, args);
    const auto r = tr.train(data);
    EXPECT_EQ(r.examples, 3 * 400);
    return params_of(m);
  };
  EXPECT_EQ(run(true), run(true));
  EXPECT_NE(run(true), run(false));
}

// --cache-frozen-features: training from the kept prefix output equals training with the prefix
// recomputed (dropout off there, on above: the same streams), for each boundary kind: an encoder
// layer (per-token rows, zero padding rows), the pooler ([CLS] rows) and the classifier (pooler
// output). The prefix runs once per example: the FLOPs of epochs 2 and 3 drop accordingly.
TEST(CacheFrozenFeatures, EqualsRecomputingThePrefix) {
  const Dataset data = synthetic(60, 9);
  for (const char* spec : {"embeddings,layers:0-1", "embeddings,layers:0-2", "bert"}) {
    auto run = [&](bool cache, std::uint64_t* flops, std::size_t* bytes) {
      BertClassifier<float> m(small_config(0.1), FreezeSpec::parse(spec));
      m.init_weights(3);
      auto args = small_args();
      args.dropout_in_frozen = false;
      args.cache_frozen_features = cache;
      args.per_device_train_batch_size = 7;  // a short last batch; lengths vary within batches
      auto opt = make_adamw(m, args);
      Trainer tr(m, opt, args);
      const TrainResult r = tr.train(data);
      *flops = m.flops.total();
      *bytes = r.feature_cache_bytes;
      EXPECT_EQ(r.epoch_seconds.size(), 3u);
      return params_of(m);
    };
    std::uint64_t f_cached = 0, f_full = 0;
    std::size_t bytes = 0, none = 0;
    const auto cached = run(true, &f_cached, &bytes), full = run(false, &f_full, &none);
    ASSERT_EQ(cached.size(), full.size());
    float worst = 0;
    for (std::size_t i = 0; i < full.size(); ++i) worst = std::max(worst, (cached[i] - full[i]).cwiseAbs().maxCoeff());
    EXPECT_LE(worst, 1e-6f) << spec;
    EXPECT_GT(bytes, 0u) << spec;
    EXPECT_EQ(none, 0u);
    // Epoch 1 runs everything, epochs 2-3 only what trains: with the body frozen, the heads (a
    // third of the recomputing run plus their share, which is not small at hidden size 16); with
    // one layer training, layer 0's forward is saved twice.
    const double bound = std::string(spec) == "embeddings,layers:0-1" ? 0.95 : 0.36;
    EXPECT_LT(double(f_cached), bound * double(f_full)) << spec << ": " << f_cached << " vs " << f_full;
    std::printf("[ cache    ] %-22s max |cached - recomputed| %.2e, FLOPs %.3f of recomputing, %zu bytes kept\n", spec,
                double(worst), double(f_cached) / double(f_full), bytes);
  }
}

// --gradient-checkpointing: the same training run, weights and losses, with the layer
// activations recomputed in backward (dropout on: the recomputed masks must be the forward's).
TEST(GradientCheckpointing, EqualsKeepingTheActivations) {
  const Dataset data = synthetic(40, 4);
  for (const char* spec : {"none", "embeddings,layers:0-1", "bitfit", "layers:1-2"}) {
    auto run = [&](bool ckpt, std::uint64_t* flops) {
      BertClassifier<float> m(small_config(0.1), FreezeSpec::parse(spec));
      m.init_weights(3);
      auto args = small_args();
      args.num_train_epochs = 2;
      args.gradient_checkpointing = ckpt;
      auto opt = make_adamw(m, args);
      Trainer tr(m, opt, args);
      const TrainResult r = tr.train(data);
      *flops = m.flops.total();
      return std::make_pair(params_of(m), r.last_loss);
    };
    std::uint64_t f_ckpt = 0, f_plain = 0;
    const auto a = run(true, &f_ckpt), b = run(false, &f_plain);
    float worst = 0;
    for (std::size_t i = 0; i < a.first.size(); ++i)
      worst = std::max(worst, (a.first[i] - b.first[i]).cwiseAbs().maxCoeff());
    EXPECT_LE(worst, 1e-7f) << spec;
    EXPECT_NEAR(a.second, b.second, 1e-7) << spec;
    EXPECT_GT(f_ckpt, f_plain) << spec << ": the recomputation is real work";
    std::printf("[ ckpt     ] %-22s max |ckpt - plain| %.2e, FLOPs x%.3f\n", spec, double(worst),
                double(f_ckpt) / double(f_plain));
  }
}

TEST(CacheFrozenFeatures, RefusesWhatItCannotKeep) {
  const Dataset data = synthetic(16, 2);
  auto args = small_args();
  args.cache_frozen_features = true;
  BertClassifier<float> m(small_config(), FreezeSpec::parse("layers:0-1"));  // the embeddings train
  auto opt = make_adamw(m, args);
  EXPECT_THROW(Trainer(m, opt, args), Error);  // dropout_in_frozen is still true
  args.dropout_in_frozen = false;
  Trainer tr(m, opt, args);
  try {
    tr.train(data);
    ADD_FAILURE() << "expected an error: nothing frozen below the lowest trainable parameter";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nothing is frozen below"), std::string::npos) << e.what();
  }
}

// A NaN injected into a weight stops training at the first step, naming the step and the tensor;
// no checkpoint is written (save_steps 1 would have written one after the step).
TEST(Training, InjectedNanStopsAtTheFirstStepNamingTheTensor) {
  TempDir dir;
  const Dataset data = synthetic(16, 21);
  Model m(small_config(0.0));
  m.init_weights(3);
  m.for_each_trainable([&](const ParamId& id, auto& p) {
    if (io::hf_name(id) == "bert.encoder.layer.1.attention.self.query.weight") p.value(0, 0) = std::nanf("");
  });
  auto args = small_args();
  args.save_steps = 1;
  args.checkpoint_path = dir / "ckpt.safetensors";
  auto opt = make_adamw(m, args);
  Trainer tr(m, opt, args);
  try {
    tr.train(data);
    FAIL() << "a NaN weight must stop training";
  } catch (const NumericalFault& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("step 1:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("loss is nan"), std::string::npos) << msg;
    EXPECT_NE(msg.find("weight bert.encoder.layer.1.attention.self.query.weight"), std::string::npos) << msg;
  }
  EXPECT_FALSE(fs::exists(dir / "ckpt.safetensors"));
  EXPECT_EQ(tr.position().global_step, 0);
}

// An absurd learning rate: the run stops with NumericalFault naming a step; every checkpoint
// written before holds finite values only, and the in-memory model is not saved.
TEST(Training, AbsurdLearningRateStopsBeforeANonFiniteWeightIsSaved) {
  TempDir dir;
  const Dataset data = synthetic(32, 22);
  Model m(small_config(0.0));
  m.init_weights(3);
  auto args = small_args();
  args.learning_rate = 1e30;
  args.warmup_steps = 0;
  args.max_grad_norm = 0;  // no clipping
  args.num_train_epochs = 50;
  args.per_device_train_batch_size = 4;
  args.save_steps = 1;
  args.checkpoint_path = dir / "ckpt.safetensors";
  auto opt = make_adamw(m, args);
  Trainer tr(m, opt, args);
  std::string msg;
  try {
    tr.train(data);
  } catch (const NumericalFault& e) {
    msg = e.what();
  }
  ASSERT_FALSE(msg.empty()) << "training with lr 1e30 must stop";
  RecordProperty("message", msg);
  EXPECT_NE(msg.find("training stopped at step "), std::string::npos) << msg;
  EXPECT_NE(msg.find("non-finite"), std::string::npos) << msg;
  if (fs::exists(dir / "ckpt.safetensors")) {
    const io::SafeTensorsFile f(dir / "ckpt.safetensors");
    for (const auto& [name, info] : f.tensors()) {
      if (info.dtype != io::DType::F32) continue;
      for (float v : f.floats(name)) ASSERT_TRUE(std::isfinite(v)) << name << " in the last checkpoint";
    }
  }
}

TEST(Training, ResumeIsBitIdentical) {
  TempDir dir;
  const Dataset data = synthetic(44, 2);  // 6 batches per epoch, the last one partial
  // Uninterrupted run.
  Model a(small_config());
  a.init_weights(3);
  auto opt_a = make_adamw(a, small_args());
  Trainer ta(a, opt_a, small_args());
  const TrainResult ra = ta.train(data);
  ASSERT_EQ(ra.global_step, 18);
  // Interrupted at step 8 (mid-epoch), checkpointed, resumed in fresh objects.
  {
    Model b(small_config());
    b.init_weights(3);
    auto opt_b = make_adamw(b, small_args());
    Trainer tb(b, opt_b, small_args());
    tb.on_step = [&](const StepLog& s) {
      if (s.step == 8) tb.save(dir / "ckpt.safetensors");
      return s.step < 8;
    };
    EXPECT_EQ(tb.train(data).global_step, 8);
  }
  Model c(small_config());
  c.init_weights(99);  // different weights: the checkpoint must overwrite all of them
  auto opt_c = make_adamw(c, small_args());
  Trainer tc(c, opt_c, small_args());
  tc.resume(dir / "ckpt.safetensors");
  EXPECT_EQ(tc.position().global_step, 8);
  const TrainResult rc = tc.train(data);
  EXPECT_EQ(rc.global_step, 18);
  EXPECT_EQ(params_of(c), params_of(a));
  ASSERT_EQ(opt_c.state().slots().size(), opt_a.state().slots().size());
  for (std::size_t i = 0; i < opt_a.state().slots().size(); ++i) {
    EXPECT_EQ(opt_c.state().slots()[i].step, opt_a.state().slots()[i].step);
    EXPECT_EQ(opt_c.state().slots()[i].buf, opt_a.state().slots()[i].buf);
  }
  EXPECT_EQ(rc.last_loss, ra.last_loss);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Training, BadCheckpointsAreRefusedAndChangeNothing) {
  TempDir dir;
  const Dataset data = synthetic(16, 3);
  Model m(small_config());
  m.init_weights(3);
  auto args = small_args();
  args.max_steps = 2;
  auto opt = make_adamw(m, args);
  Trainer tr(m, opt, args);
  tr.train(data);
  const std::string good = dir / "good.safetensors";
  tr.save(good);

  Model fresh(small_config());
  fresh.init_weights(5);
  const auto before = params_of(fresh);
  auto fresh_opt = make_adamw(fresh, args);

  // Truncated file.
  const auto size = fs::file_size(good);
  fs::copy_file(good, dir / "cut.safetensors");
  fs::resize_file(dir / "cut.safetensors", size - 100);
  EXPECT_NE(error_of([&] { load_checkpoint(dir / "cut.safetensors", fresh, fresh_opt); }).find("cut.safetensors"),
            std::string::npos);
  // Another policy.
  BertForSequenceClassification<float, FreezeBert> other_policy(small_config());
  auto other_opt = make_adamw(other_policy, args);
  EXPECT_NE(error_of([&] { load_checkpoint(good, other_policy, other_opt); }).find("another freeze policy"),
            std::string::npos);
  // Another config.
  BertConfig cfg2 = small_config();
  cfg2.intermediate_size = 48;
  Model other_cfg(cfg2);
  auto other_cfg_opt = make_adamw(other_cfg, args);
  EXPECT_NE(error_of([&] { load_checkpoint(good, other_cfg, other_cfg_opt); }).find("another model config"),
            std::string::npos);
  // Another optimizer setting.
  auto args2 = args;
  args2.learning_rate = 2e-3;
  auto opt_lr = make_adamw(fresh, args2);
  EXPECT_NE(error_of([&] { load_checkpoint(good, fresh, opt_lr); }).find("another optimizer"), std::string::npos);
  // Not a checkpoint at all (a plain weights file).
  io::save_hf_weights(fresh, dir / "weights.safetensors");
  EXPECT_NE(
      error_of([&] { load_checkpoint(dir / "weights.safetensors", fresh, fresh_opt); }).find("not a frost checkpoint"),
      std::string::npos);
  EXPECT_EQ(params_of(fresh), before);
  for (const auto& s : fresh_opt.state().slots()) EXPECT_EQ(s.step, 0);
}

TEST(Training, FailedSaveLeavesTheOldFile) {
  TempDir dir;
  Model m(small_config());
  m.init_weights(3);
  const std::string path = dir / "w.safetensors";
  io::save_hf_weights(m, path);
  const auto size = fs::file_size(path);
  // A directory where the temporary file would go cannot be written: the old file stays.
  EXPECT_NE(error_of([&] {
              io::save_hf_weights(m, (dir.path / "missing" / "w.safetensors").string());
            }).find("cannot create temporary file"),
            std::string::npos);
  EXPECT_EQ(fs::file_size(path), size);
  for (const auto& e : fs::directory_iterator(dir.path))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST(Training, LogHasOneLinePerStepAndEvaluations) {
  TempDir dir;
  const Dataset data = synthetic(24, 4), dev = synthetic(10, 5);
  Model m(small_config());
  m.init_weights(3);
  auto args = small_args();
  args.log_jsonl = dir / "log.jsonl";
  args.num_train_epochs = 2;
  auto opt = make_adamw(m, args);
  Trainer tr(m, opt, args);
  const auto r = tr.train(data, &dev);
  EXPECT_EQ(r.global_step, 6);
  ASSERT_EQ(r.evals.size(), 2u);
  std::ifstream in(args.log_jsonl);
  std::string line;
  int steps = 0, evals = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("eval_loss"))
      ++evals;
    else {
      ++steps;
      EXPECT_EQ(j.at("step").get<int>(), steps);
      EXPECT_TRUE(j.contains("grad_norm") && j.contains("learning_rate") && j.contains("loss"));
    }
  }
  EXPECT_EQ(steps, 6);
  EXPECT_EQ(evals, 2);
  // Warmup 3: the first update uses lr 0.
  std::ifstream in2(args.log_jsonl);
  std::getline(in2, line);
  EXPECT_EQ(nlohmann::json::parse(line).at("learning_rate").get<double>(), 0.0);
}

// core/pages.hpp: zero_grad() hands large gradients' pages back to the kernel and backward hands
// back each layer's recorded activations. Forced on here from 16 KiB, with 16 KiB "huge" pages (the defaults depend on the
// kernel's huge-page setting and skip buffers under 1 MiB), so the small model exercises it.
struct PageSettings {
  pages::Settings saved = pages::settings();
  PageSettings(bool on, std::size_t min_bytes) { pages::settings() = {on, min_bytes, 16 << 10}; }
  ~PageSettings() { pages::settings() = saved; }
  PageSettings(const PageSettings&) = delete;
  PageSettings& operator=(const PageSettings&) = delete;
};

BertConfig paged_config() {
  BertConfig c = small_config(0.1);
  c.vocab_size = 700;  // word-embedding gradient 700 x 64 floats = 175 KiB
  c.hidden_size = 64;
  c.intermediate_size = 256;
  c.num_attention_heads = 4;
  c.validate();
  return c;
}

// Resident pages of the page-aligned interior of a buffer (mincore), and how many it has.
std::pair<int, int> resident_pages(const float* p, std::size_t n) {
  const auto r = pages::detail::interior(const_cast<float*>(p), n * sizeof(float));
  const auto count = static_cast<std::size_t>(r.end - r.begin) / 4096;
  std::vector<unsigned char> v(count);
  EXPECT_EQ(::mincore(r.begin, count * 4096, v.data()), 0);
  int in = 0;
  for (unsigned char c : v) in += c & 1;
  return {in, static_cast<int>(count)};
}

TEST(PageRelease, TrainingIsBitIdenticalWithAndWithoutReleasing) {
  const Dataset data = synthetic(40, 9);
  for (const char* spec : {"none", "embeddings,layers:0-1", "bitfit"}) {
    for (int accum : {1, 2}) {
      auto run = [&](bool release) {
        const PageSettings guard(release, 16 << 10);
        BertClassifier<float> m(paged_config(), FreezeSpec::parse(spec));
        m.init_weights(3);
        auto args = small_args();
        args.num_train_epochs = 2;
        args.gradient_accumulation_steps = accum;
        auto opt = make_adamw(m, args);
        Trainer tr(m, opt, args);
        const TrainResult r = tr.train(data);
        return std::make_pair(params_of(m), r.last_loss);
      };
      const auto a = run(true), b = run(false);
      EXPECT_EQ(a.first, b.first) << spec << " accum " << accum;
      EXPECT_EQ(a.second, b.second) << spec << " accum " << accum;
    }
  }
}

TEST(PageRelease, ZeroGradLeavesNoResidentGradientAndBackwardBringsItBack) {
  const PageSettings guard(true, 16 << 10);
  BertConfig cfg = paged_config();
  cfg.hidden_dropout_prob = cfg.attention_probs_dropout_prob = 0.0;
  BertClassifier<float> m(cfg, FreezeSpec::parse("none"));
  m.init_weights(5);
  const Dataset data = synthetic(8, 2);
  Batch batch;
  batch.batch_size = 8;
  batch.seq_len = 12;
  Labels labels;
  for (const Example& e : data) {
    for (int s = 0; s < 12; ++s) {
      const bool in = s < static_cast<int>(e.input_ids.size());
      batch.input_ids.push_back(in ? e.input_ids[static_cast<std::size_t>(s)] : 0);
      batch.token_type_ids.push_back(in ? e.token_type_ids[static_cast<std::size_t>(s)] : 0);
      batch.attention_mask.push_back(in ? 1 : 0);
    }
    labels.classes.push_back(e.label);
  }
  Tensor<float>* word = nullptr;
  m.for_each_trainable([&](const ParamId& id, auto& p) {
    if (id.component == Component::embeddings && id.slot == slot::word) word = &p.grad;
  });
  ASSERT_NE(word, nullptr);
  const auto n = static_cast<std::size_t>(word->size());

  m.zero_grad();
  auto [in0, total] = resident_pages(word->data(), n);
  ASSERT_GT(total, 20);
  EXPECT_EQ(in0, 0) << "zero_grad released the gradient's pages";
  EXPECT_EQ(word->cwiseAbs().maxCoeff(), 0.0f) << "released pages read as zero";

  m.forward_backward(batch, labels);
  EXPECT_EQ(resident_pages(word->data(), n).first, total) << "backward populated them";
  const Tensor<float> first = *word;
  EXPECT_GT(first.cwiseAbs().maxCoeff(), 0.0f);

  m.zero_grad();
  EXPECT_EQ(resident_pages(word->data(), n).first, 0);
  m.forward_backward(batch, labels);
  EXPECT_EQ(*word, first) << "the same step after a released zero_grad gives the same gradient";
}

TEST(Training, GradientAccumulationMatchesALargerBatch) {
  const Dataset data = synthetic(32, 6);
  auto run = [&](int batch, int accum) {
    Model m(small_config(0.0));
    m.init_weights(3);
    auto args = small_args();
    args.per_device_train_batch_size = batch;
    args.gradient_accumulation_steps = accum;
    args.shuffle = false;
    args.num_train_epochs = 1;
    auto opt = make_adamw(m, args);
    Trainer tr(m, opt, args);
    EXPECT_EQ(tr.train(data).global_step, 2);
    return params_of(m);
  };
  // Same examples per update; dynamic padding differs per micro-batch, which does not change the
  // math (padding is masked), so the results agree to float rounding.
  const auto a = run(16, 1), b = run(8, 2);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_LT((a[i] - b[i]).cwiseAbs().maxCoeff(), 2e-6f) << i;
}

TEST(Training, LearnsASimpleTask) {
  const Dataset data = synthetic(96, 7), dev = synthetic(48, 8);
  BertForSequenceClassification<float> m(small_config(0.0));
  m.init_weights(3);
  auto args = small_args();
  args.learning_rate = 3e-3;
  args.num_train_epochs = 12;
  args.warmup_steps = 0;
  auto opt = make_adamw(m, args);
  Trainer tr(m, opt, args);
  const auto before = evaluate(m, dev, 16);
  const auto r = tr.train(data, &dev);
  EXPECT_LT(r.evals.back().loss, before.loss * 0.6);
  EXPECT_GT(r.evals.back().accuracy, 0.85);
  EXPECT_GT(r.evals.back().f1, 0.8);
}

TEST(Training, GradualUnfreezingKeepsStateOfStillTrainableParameters) {
  const Dataset data = synthetic(16, 9);
  BertForSequenceClassification<float, FreezeBert> stage1(small_config(0.0));
  stage1.init_weights(3);
  auto args = small_args();
  args.max_steps = 2;
  auto opt = make_adamw(stage1, args);
  Trainer(stage1, opt, args).train(data);
  const Tensor<float> cls_m = opt.state().slots().back().buf[0];
  ASSERT_EQ(opt.state().slots().size(), 2u);  // classifier weight + bias
  // Stage 2: layer 1 and the pooler join.
  BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<1>> stage2(small_config(0.0));
  stage2.copy_weights_from(stage1);
  EXPECT_EQ(params_of(stage2), params_of(stage1));
  opt.rebind(stage2);
  ASSERT_EQ(opt.state().slots().size(), 16u + 2u + 2u);
  EXPECT_EQ(opt.state().slots().back().buf[0], cls_m);
  EXPECT_EQ(opt.state().slots().back().step, 2);
  EXPECT_EQ(opt.state().slots().front().step, 0);
  EXPECT_EQ(opt.state().slots().front().buf[0].cwiseAbs().maxCoeff(), 0.0f);
}

// --logging-steps 3: a line every third step (and at the last), its loss the mean of the steps
// since the previous line, which a logging_steps 1 run of the same seed shows one by one.
TEST(TrainerLoop, LoggingStepsAverageTheLossSinceTheLastLine) {
  TempDir dir;
  const Dataset data = synthetic(40, 31);  // 5 batches x 2 epochs = 10 steps
  auto run = [&](long logging_steps, const std::string& log) {
    Model m(small_config());
    m.init_weights(3);
    auto args = small_args();
    args.num_train_epochs = 2;
    args.logging_steps = logging_steps;
    args.log_jsonl = log;
    auto opt = make_adamw(m, args);
    Trainer(m, opt, args).train(data);
    std::vector<nlohmann::json> lines;
    std::ifstream in(log);
    for (std::string l; std::getline(in, l);) lines.push_back(nlohmann::json::parse(l));
    return lines;
  };
  const auto every = run(1, dir / "every.jsonl"), third = run(3, dir / "third.jsonl");
  ASSERT_EQ(every.size(), 10u);
  ASSERT_EQ(third.size(), 4u);  // steps 3, 6, 9 and the last, 10
  const std::vector<long> steps = {3, 6, 9, 10};
  long prev = 0;
  for (std::size_t i = 0; i < third.size(); ++i) {
    EXPECT_EQ(third[i].at("step").get<long>(), steps[i]);
    double sum = 0;
    for (long s = prev; s < steps[i]; ++s) sum += every[static_cast<std::size_t>(s)].at("loss").get<double>();
    EXPECT_NEAR(third[i].at("loss").get<double>(), sum / static_cast<double>(steps[i] - prev), 1e-12) << i;
    EXPECT_EQ(third[i].at("learning_rate"), every[static_cast<std::size_t>(steps[i] - 1)].at("learning_rate"));
    prev = steps[i];
  }
}

// eval_strategy steps: an evaluation every eval_steps steps, logged with its step; the final
// evaluation of the trained model comes on top, whatever the strategy ("no" included).
TEST(TrainerLoop, EvaluationStrategies) {
  const Dataset data = synthetic(40, 32), dev = synthetic(12, 33);
  auto run = [&](IntervalStrategy st, long eval_steps) {
    Model m(small_config());
    m.init_weights(3);
    auto args = small_args();
    args.num_train_epochs = 2;
    args.eval_strategy = st;
    args.eval_steps = eval_steps;
    auto opt = make_adamw(m, args);
    const TrainResult r = Trainer(m, opt, args).train(data, &dev);
    EXPECT_TRUE(r.final_eval.has_value());
    // The final evaluation is of the model as it ends.
    const EvalResult now = evaluate(m, dev, args.per_device_eval_batch_size);
    EXPECT_EQ(r.final_eval->loss, now.loss);
    return r;
  };
  EXPECT_EQ(run(IntervalStrategy::steps, 4).evals.size(), 2u);  // steps 4 and 8 of 10
  EXPECT_EQ(run(IntervalStrategy::steps, 1).evals.size(), 10u);
  EXPECT_EQ(run(IntervalStrategy::epoch, 0).evals.size(), 2u);
  EXPECT_EQ(run(IntervalStrategy::no, 0).evals.size(), 0u);
  const TrainResult r = run(IntervalStrategy::steps, 3);
  ASSERT_EQ(r.evals.size(), 3u);
  EXPECT_EQ(r.evals[0].step, 3);
  EXPECT_EQ(r.evals[2].step, 9);
  EXPECT_EQ(r.evals[0].metric, r.evals[0].loss);  // metric_for_best_model defaults to the loss
  EXPECT_TRUE(r.final_eval->metrics.contains("eval_accuracy"));
  EXPECT_TRUE(r.final_eval->metrics.contains("eval_f1_macro"));
}

// load_best_model_at_end: the model ends with the weights it had at the best evaluation (by eval
// loss here), which a run recording every step's weights shows; the final evaluation is of them.
TEST(TrainerLoop, LoadBestModelAtEndRestoresTheBestStepsWeights) {
  const Dataset data = synthetic(40, 34), dev = synthetic(12, 35);
  auto args = small_args();
  args.learning_rate = 2e-2;  // noisy enough that the last evaluation is not the best
  args.num_train_epochs = 4;
  args.eval_strategy = IntervalStrategy::steps;
  args.eval_steps = 1;
  Model rec(small_config());
  rec.init_weights(3);
  auto opt_rec = make_adamw(rec, args);
  Trainer trec(rec, opt_rec, args);
  std::vector<std::vector<Tensor<float>>> weights;
  trec.on_step = [&](const StepLog&) {
    weights.push_back(params_of(rec));
    return true;
  };
  const TrainResult rr = trec.train(data, &dev);
  ASSERT_EQ(rr.evals.size(), 20u);
  long best = 0;
  for (std::size_t i = 1; i < rr.evals.size(); ++i)
    if (rr.evals[i].loss < rr.evals[static_cast<std::size_t>(best)].loss) best = static_cast<long>(i);
  ASSERT_NE(best, 19) << "the test needs a run whose last evaluation is not the best";
  EXPECT_EQ(rr.best.step, best + 1);
  EXPECT_EQ(rr.best.metric, rr.evals[static_cast<std::size_t>(best)].loss);

  args.load_best_model_at_end = true;
  Model m(small_config());
  m.init_weights(3);
  auto opt = make_adamw(m, args);
  Trainer t(m, opt, args);
  const TrainResult r = t.train(data, &dev);
  EXPECT_EQ(r.best.step, best + 1);
  EXPECT_EQ(params_of(m), weights[static_cast<std::size_t>(best)]);
  ASSERT_TRUE(r.final_eval.has_value());
  EXPECT_EQ(r.final_eval->loss, rr.evals[static_cast<std::size_t>(best)].loss);
  // The snapshot holds the trainable tensors only (layer 0 is frozen: none of its 16).
  std::size_t trainable = 0, all = 0;
  m.for_each_trainable([&](const ParamId&, auto&) { ++trainable; });
  m.for_each_param([&](const ParamId&, auto&) { ++all; });
  EXPECT_EQ(t.best_model().weights().size(), trainable);
  EXPECT_EQ(all - trainable, 16u);
}

// Early stopping (HF's EarlyStoppingCallback): with a metric that never improves after the first
// evaluation, training stops after 1 + patience evaluations, well before its step budget.
TEST(TrainerLoop, EarlyStoppingStopsAfterPatienceEvaluationsWithoutImprovement) {
  const Dataset data = synthetic(40, 36), dev = synthetic(12, 37);
  auto args = small_args();
  args.learning_rate = 3e-3;
  args.warmup_steps = 0;
  args.num_train_epochs = 10;
  args.eval_strategy = IntervalStrategy::steps;
  args.eval_steps = 2;
  args.metric_for_best_model = "eval_loss";
  args.greater_is_better = true;  // "better" = a higher loss, which training does not produce
  args.early_stopping_patience = 2;
  Model m(small_config(0.0));
  m.init_weights(3);
  auto opt = make_adamw(m, args);
  const TrainResult r = Trainer(m, opt, args).train(data, &dev);
  ASSERT_TRUE(r.early_stopped);
  ASSERT_GE(r.evals.size(), 3u);
  EXPECT_LT(r.global_step, 50);
  EXPECT_EQ(r.global_step, 2 * static_cast<long>(r.evals.size()));
  // Each of the last `patience` evaluations was no higher than the best before it.
  EXPECT_LE(r.evals.back().loss, r.best.metric);
}

// A run with load_best_model_at_end and early stopping, checkpointed mid-way and resumed in fresh
// objects, ends bit-identical to the uninterrupted run: the best metric, the patience counter and
// the best weights travel in the checkpoint.
TEST(TrainerLoop, ResumeKeepsTheBestModelAndPatience) {
  TempDir dir;
  const Dataset data = synthetic(40, 38), dev = synthetic(12, 39);
  auto args = small_args();
  args.learning_rate = 2e-2;
  args.num_train_epochs = 4;
  args.eval_strategy = IntervalStrategy::steps;
  args.eval_steps = 2;
  args.logging_steps = 3;
  args.load_best_model_at_end = true;
  args.early_stopping_patience = 4;
  Model a(small_config());
  a.init_weights(3);
  auto opt_a = make_adamw(a, args);
  const TrainResult ra = Trainer(a, opt_a, args).train(data, &dev);
  for (long cut : {5L, 8L}) {
    {
      Model b(small_config());
      b.init_weights(3);
      auto opt_b = make_adamw(b, args);
      Trainer tb(b, opt_b, args);
      tb.on_step = [&](const StepLog& s) {
        if (s.step == cut) tb.save(dir / "ckpt.safetensors");
        return s.step < cut;
      };
      tb.train(data, &dev);
    }
    Model c(small_config());
    c.init_weights(77);
    auto opt_c = make_adamw(c, args);
    Trainer tc(c, opt_c, args);
    tc.resume(dir / "ckpt.safetensors");
    const TrainResult rc = tc.train(data, &dev);
    EXPECT_EQ(rc.global_step, ra.global_step) << cut;
    EXPECT_EQ(rc.best.step, ra.best.step) << cut;
    EXPECT_EQ(rc.best.metric, ra.best.metric) << cut;
    EXPECT_EQ(rc.early_stopped, ra.early_stopped) << cut;
    EXPECT_EQ(params_of(c), params_of(a)) << cut;
    ASSERT_TRUE(rc.final_eval && ra.final_eval);
    EXPECT_EQ(rc.final_eval->loss, ra.final_eval->loss) << cut;
  }
}

}  // namespace
