// LoRA and IA3 as layer kinds, against Hugging Face PEFT 0.13.2 (fixtures: tests/fixtures/lora,
// made by tools/gen_lora_fixtures.py): logits, loss, every adapter and classifier gradient, a
// 5-step AdamW trajectory with HF Trainer's parameter groups, base weights bit-identical after
// training, trainable counts equal to PEFT's; plus frost's own initialisation and the errors.
#include <filesystem>
#include <set>

#include "support.hpp"

namespace {

using namespace frost;
using nlohmann::json;

std::string lora_dir() { return frost_test::fixture_dir() + "/../lora"; }

const json& cases() {
  static const json j = [] {
    std::ifstream in(lora_dir() + "/cases.json");
    return json::parse(in);
  }();
  return j;
}

LoraConfig lora_of(const json& c) {
  LoraConfig lc;
  lc.r = c.at("r");
  lc.alpha = c.at("lora_alpha");
  lc.use_rslora = c.at("use_rslora");
  lc.targets = 0;
  for (const auto& t : c.at("target_modules")) lc.targets |= parse_lora_targets(t.get<std::string>());
  if (!c.at("layers_to_transform").is_null()) lc.layers = c.at("layers_to_transform").get<std::vector<int>>();
  return lc;
}

/// The config of one of cases.json's peft_counts entries (bert-base or MiniLM geometry, its labels).
BertConfig geometry_of(const json& c) {
  BertConfig cfg;
  const json& g = c.at("geometry");
  cfg.vocab_size = g.at("vocab_size");
  cfg.hidden_size = g.at("hidden_size");
  cfg.num_hidden_layers = g.at("num_hidden_layers");
  cfg.num_attention_heads = g.at("num_attention_heads");
  cfg.intermediate_size = g.at("intermediate_size");
  cfg.max_position_embeddings = g.at("max_position_embeddings");
  cfg.num_labels = c.at("num_labels");
  return cfg;
}

Batch batch_of(const io::SafeTensorsFile& f, int k, Labels& labels) {
  const std::string p = "batch." + std::to_string(k) + ".";
  Batch b;
  b.batch_size = static_cast<int>(f.info(p + "input_ids").shape.at(0));
  b.seq_len = static_cast<int>(f.info(p + "input_ids").shape.at(1));
  auto to_int = [](const std::vector<std::int64_t>& v) { return std::vector<int>(v.begin(), v.end()); };
  b.input_ids = to_int(f.ints(p + "input_ids"));
  b.token_type_ids = to_int(f.ints(p + "token_type_ids"));
  b.attention_mask = to_int(f.ints(p + "attention_mask"));
  labels.classes = f.ints(p + "labels");
  return b;
}

Ia3Config ia3_of(const json& c) {
  Ia3Config ic;  // PEFT's defaults when the case leaves them out
  auto bits = [](const json& list) {
    std::uint32_t b = 0;
    for (const auto& t : list) b |= parse_lora_targets(t.get<std::string>());
    return b;
  };
  if (!c.at("target_modules").is_null()) ic.targets = bits(c.at("target_modules"));
  if (!c.at("feedforward_modules").is_null()) ic.feedforward = bits(c.at("feedforward_modules"));
  return ic;
}

BertClassifier<float> adapted_model(const BertConfig& cfg, const json& c) {
  if (c.at("kind") == "ia3") return BertClassifier<float>(cfg, FreezeSpec::parse("bert"), ia3_of(c));
  return BertClassifier<float>(cfg, FreezeSpec::parse("bert"), lora_of(c));
}

/// The model of a case: base weights from base.safetensors, adapters from the case's init.* tensors.
BertClassifier<float> model_of(const std::string& name, const io::SafeTensorsFile& cf) {
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  BertClassifier<float> m = adapted_model(cfg, cases().at("cases").at(name));
  io::load_hf_weights(m, io::SafeTensorsFile(lora_dir() + "/base.safetensors"));
  m.for_each_adapter_param([&](const ParamId& id, auto& p) {
    const auto v = cf.floats("init." + io::hf_name(id));
    EXPECT_EQ(static_cast<std::int64_t>(v.size()), numel(p.value)) << io::hf_name(id);
    std::copy(v.begin(), v.end(), p.value.data());
  });
  return m;
}

class LoraParity : public ::testing::TestWithParam<std::string> {};

TEST_P(LoraParity, LogitsLossAndEveryGradientMatchPeft) {
  const std::string name = GetParam();
  const io::SafeTensorsFile cf(lora_dir() + "/case_" + name + ".safetensors");
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  auto m = model_of(name, cf);
  Labels labels;
  Batch b = batch_of(bf, 0, labels);
  m.zero_grad();
  const float loss = m.forward_backward(b, labels);
  EXPECT_LT(frost_test::scaled_error(m.logits(), cf.floats("output.logits"), 1e-6), 1e-5);
  EXPECT_NEAR(loss, cf.floats("output.loss").at(0), 1e-5 * std::abs(cf.floats("output.loss").at(0)));

  // Exactly PEFT's trainable tensors (adapters + the classifier as modules_to_save), and their count.
  std::set<std::string> want;
  for (const auto& n : cases().at("cases").at(name).at("trainable")) want.insert(n.get<std::string>());
  std::set<std::string> got;
  std::int64_t count = 0;
  double worst = 0;
  m.for_each_trainable([&](const ParamId& id, auto& p) {
    const std::string n = io::hf_name(id);
    got.insert(n);
    count += numel(p.value);
    const double e = frost_test::scaled_error(p.grad, cf.floats("grad." + n), 1e-6);
    worst = std::max(worst, e);
    EXPECT_LT(e, 1e-5) << n;
  });
  EXPECT_EQ(got, want);
  EXPECT_EQ(count, cases().at("cases").at(name).at("trainable_params").get<std::int64_t>());
  std::printf("[ peft %s ] largest gradient error (relative to the tensor's scale): %.3g\n", name.c_str(), worst);
}

TEST_P(LoraParity, FiveAdamWStepsMatchPeftAndTheBaseNeverMoves) {
  const std::string name = GetParam();
  const io::SafeTensorsFile cf(lora_dir() + "/case_" + name + ".safetensors");
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  const io::SafeTensorsFile base(lora_dir() + "/base.safetensors");
  auto m = model_of(name, cf);
  AdamWOptions o;
  o.lr = cases().at("lr");
  o.weight_decay = cases().at("weight_decay");
  ParamGroups g;
  g.weight_decay = o.weight_decay;
  AdamW<float> opt(m, o, g);
  const auto want_losses = cf.floats("trajectory.loss");
  for (int k = 0; k < cases().at("steps").get<int>(); ++k) {
    Labels labels;
    Batch b = batch_of(bf, k, labels);
    m.zero_grad();
    const float loss = m.forward_backward(b, labels);
    EXPECT_NEAR(loss, want_losses.at(static_cast<std::size_t>(k)), 1e-4 * std::abs(want_losses.at(k))) << "step " << k;
    opt.step(m);
  }
  // AdamW divides by sqrt(v): a gradient element whose true value is ~0 turns float rounding into
  // a step of up to lr, in either framework. So the error is measured against the run's largest
  // update (PyTorch's own float32-vs-float64 spread is of the same order).
  double largest_update = 0, largest_err = 0;
  m.for_each_trainable([&](const ParamId& id, auto& p) {
    const std::string n = io::hf_name(id);
    const auto fin = cf.floats("final." + n);
    const auto init = n.rfind("classifier.", 0) == 0 ? base.floats(n) : cf.floats("init." + n);
    ASSERT_EQ(fin.size(), init.size());
    for (std::size_t i = 0; i < fin.size(); ++i) {
      largest_update = std::max(largest_update, std::abs(static_cast<double>(fin[i]) - init[i]));
      largest_err = std::max(largest_err, std::abs(static_cast<double>(p.value.data()[i]) - fin[i]));
    }
  });
  const double worst = largest_err / largest_update;
  EXPECT_GT(largest_update, 1e-3);
  EXPECT_LT(worst, 1e-3);
  std::printf("[ peft %s ] largest weight error after 5 AdamW steps: %.3g of the largest update\n", name.c_str(),
              worst);
  // Every base weight is bit-identical to what was loaded.
  int checked = 0;
  m.for_each_param([&](const ParamId& id, auto& p) {
    if constexpr (!is_trainable_v<decltype(p)>) {
      const auto v = base.floats(io::hf_name(id));
      ASSERT_EQ(static_cast<std::int64_t>(v.size()), numel(p.value));
      EXPECT_TRUE(std::equal(v.begin(), v.end(), p.value.data())) << io::hf_name(id);
      ++checked;
    }
  });
  EXPECT_GT(checked, 60);
}

INSTANTIATE_TEST_SUITE_P(Peft, LoraParity, ::testing::Values("qv", "all_linear_l2_4", "rslora", "ia3", "ia3_q_attn"));

using LoraKind = EncoderLayer<float, ComponentSpec{0, true, Adapter::lora}>;
static_assert(!is_trainable_v<decltype(LoraKind{}.q_w)> && !is_trainable_v<decltype(LoraKind{}.out_w)>,
              "the base weights of a LoRA layer are frozen in its type");
static_assert(sizeof(Param<float, false>) == sizeof(Tensor<float>), "a frozen base weight has no gradient buffer");

TEST(Lora, BackwardStopsBelowTheLowestAdaptedLayer) {
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  LoraConfig lc;
  lc.targets = kLoraAllLinear;
  lc.layers = {2, 3};
  BertClassifier<float> m(cfg, FreezeSpec::parse("bert"), lc);
  EXPECT_EQ(m.layer_spec(0), (ComponentSpec{0, false}));  // inference-mode forward, nothing saved
  EXPECT_EQ(m.layer_spec(1), (ComponentSpec{0, false}));
  EXPECT_EQ(m.layer_spec(2), (ComponentSpec{0, true, Adapter::lora}));
  EXPECT_EQ(m.backward_stop(), 3);  // component 1 + 2: layer 2 computes no input gradient
  // Layers below the stop keep nothing after a training forward.
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  Labels labels;
  Batch b = batch_of(bf, 0, labels);
  m.forward(b, Mode::train);
  int i = 0;
  m.for_each_layer([&](int idx, auto& l) {
    if (idx < 2) {
      EXPECT_EQ(sizeof(l.saved()), 1u) << "layer " << idx;  // an empty Saved
    }
    ++i;
  });
  EXPECT_EQ(i, 4);
}

TEST(Lora, AFreshAdapterIsInitialisedLikePeftAndChangesNothing) {
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  const io::SafeTensorsFile base(lora_dir() + "/base.safetensors");
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  LoraConfig lc;
  lc.r = 8;
  lc.alpha = 16;
  lc.targets = kLoraAllLinear;
  lc.seed = 7;
  BertClassifier<float> adapted(cfg, FreezeSpec::parse("bert"), lc);
  BertClassifier<float> plain(cfg, FreezeSpec::parse("bert"));
  io::load_hf_weights(adapted, base);
  io::load_hf_weights(plain, base);
  int pairs = 0;
  adapted.for_each_adapter_param([&](const ParamId& id, auto& p) {
    const bool is_a = (id.slot - slot::kLoraSlotBase) % 2 == 0;
    if (is_a) {
      // kaiming_uniform_(a = sqrt(5)): U(-1/sqrt(in), 1/sqrt(in)).
      const double bound = 1.0 / std::sqrt(static_cast<double>(p.value.cols()));
      EXPECT_EQ(p.value.rows(), 8);
      EXPECT_LE(p.value.cwiseAbs().maxCoeff(), bound);
      EXPECT_GT(p.value.cwiseAbs().maxCoeff(), 0.9 * bound);
      ++pairs;
    } else {
      EXPECT_EQ(p.value.cols(), 8);
      EXPECT_EQ(p.value.cwiseAbs().maxCoeff(), 0.0f);
    }
  });
  EXPECT_EQ(pairs, 6 * cfg.num_hidden_layers);
  Labels labels;
  Batch b1 = batch_of(bf, 1, labels), b2 = b1;
  const Tensor<float> l1 = adapted.forward(b1, Mode::eval);
  const Tensor<float> l2 = plain.forward(b2, Mode::eval);
  EXPECT_EQ(frost_test::scaled_error(l1, std::vector<float>(l2.data(), l2.data() + l2.size()), 1e-6), 0.0);
}

TEST(Lora, TargetsFollowPeftSuffixMatching) {
  EXPECT_EQ(parse_lora_targets("query,value"), lora_bit(LoraTarget::query) | lora_bit(LoraTarget::value));
  EXPECT_EQ(parse_lora_targets("output.dense"), lora_bit(LoraTarget::attn_out) | lora_bit(LoraTarget::out));
  EXPECT_EQ(parse_lora_targets("attention.output.dense"), lora_bit(LoraTarget::attn_out));
  EXPECT_EQ(parse_lora_targets("dense"),
            lora_bit(LoraTarget::attn_out) | lora_bit(LoraTarget::inter) | lora_bit(LoraTarget::out));
  EXPECT_EQ(parse_lora_targets("all-linear"), kLoraAllLinear);
  EXPECT_EQ(parse_lora_targets("self.key"), lora_bit(LoraTarget::key));
  try {
    (void)parse_lora_targets("query,querry");
    FAIL() << "expected frost::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'querry' matches no Linear"), std::string::npos) << e.what();
  }
}

TEST(Lora, ImpossibleConfigurationsAreClearErrors) {
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  auto message = [&](const std::string& spec, const LoraConfig& lc) -> std::string {
    try {
      BertClassifier<float> m(cfg, FreezeSpec::parse(spec), lc);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  LoraConfig beyond;
  beyond.layers = {1, 4};
  EXPECT_NE(message("bert", beyond).find("names layer 4 but the model has 4 layers"), std::string::npos);
  EXPECT_NE(message("none", LoraConfig{}).find("adapter layers need a frozen base"), std::string::npos);
  LoraConfig rank0;
  rank0.r = 0;
  EXPECT_NE(message("bert", rank0).find("LoRA r must be in [1, 4096]"), std::string::npos);
  // A trainable layer outside the adapter's layers is fine: it is one of the base kinds.
  LoraConfig mid;
  mid.layers = {1};
  EXPECT_EQ(message("embeddings,layers[:3]", mid), "");
}

TEST(LoraFiles, APeftWrittenAdapterReproducesPeftsLogits) {
  // tests/fixtures/lora/peft_qv: PEFT's save_pretrained() after the qv case's 5 AdamW steps.
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  const std::string dir = lora_dir() + "/peft_qv";
  const LoraConfig lc = io::read_peft_adapter_config(dir + "/adapter_config.json", cfg.num_hidden_layers);
  EXPECT_EQ(lc.r, 4);
  EXPECT_EQ(lc.alpha, 8.0);
  EXPECT_EQ(lc.targets, lora_bit(LoraTarget::query) | lora_bit(LoraTarget::value));
  BertClassifier<float> m(cfg, FreezeSpec::parse("bert"), lc);
  io::load_hf_weights(m, io::SafeTensorsFile(lora_dir() + "/base.safetensors"));
  io::load_peft_adapter_weights(m, io::SafeTensorsFile(dir + "/adapter_model.safetensors"));
  const io::SafeTensorsFile cf(lora_dir() + "/case_qv.safetensors");
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  Labels labels;
  Batch b = batch_of(bf, 1, labels);
  const double e = frost_test::scaled_error(m.forward(b, Mode::eval), cf.floats("trained.logits"), 1e-6);
  std::printf("[ lora ] PEFT-written adapter: largest logit error %.3g\n", e);
  EXPECT_LT(e, 1e-5);
}

TEST(LoraFiles, SavedAdapterRoundTripsAndNamesArePefts) {
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  const io::SafeTensorsFile base(lora_dir() + "/base.safetensors");
  LoraConfig lc;
  lc.r = 3;
  lc.alpha = 6;
  lc.targets = parse_lora_targets("query,key,intermediate.dense");
  lc.layers = {1, 3};
  lc.use_rslora = true;
  lc.seed = 11;
  BertClassifier<float> m(cfg, FreezeSpec::parse("bert"), lc);
  io::load_hf_weights(m, base);
  m.for_each_adapter_param([](const ParamId&, auto& p) { p.value.setRandom(); });  // B != 0
  const std::string dir = ::testing::TempDir() + "/frost_lora_roundtrip";
  std::filesystem::create_directories(dir);
  io::save_peft_adapter(dir, m, "base");
  const io::SafeTensorsFile written(dir + "/adapter_model.safetensors");
  EXPECT_TRUE(written.contains("base_model.model.bert.encoder.layer.1.attention.self.key.lora_A.weight"));
  EXPECT_TRUE(written.contains("base_model.model.bert.encoder.layer.3.intermediate.dense.lora_B.weight"));
  EXPECT_TRUE(written.contains("base_model.model.classifier.weight"));
  EXPECT_EQ(written.tensors().size(), 2u * 3u * 2u + 2u);
  const LoraConfig back = io::read_peft_adapter_config(dir + "/adapter_config.json", cfg.num_hidden_layers);
  EXPECT_EQ(back.r, 3);
  EXPECT_EQ(back.targets, lc.targets);
  EXPECT_EQ(back.layers, lc.layers);
  EXPECT_TRUE(back.use_rslora);
  BertClassifier<float> m2(cfg, FreezeSpec::parse("bert"), back);
  io::load_hf_weights(m2, base);
  io::load_peft_adapter_weights(m2, written);
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  Labels labels;
  Batch b1 = batch_of(bf, 2, labels), b2 = b1;
  const Tensor<float> l1 = m.forward(b1, Mode::eval);
  const Tensor<float>& l2 = m2.forward(b2, Mode::eval);
  EXPECT_EQ(frost_test::scaled_error(l2, std::vector<float>(l1.data(), l1.data() + l1.size()), 1e-6), 0.0);
}

TEST(LoraFiles, BadAdapterFilesNameTheFieldOrTensor) {
  const std::string dir = ::testing::TempDir() + "/frost_lora_bad";
  std::filesystem::create_directories(dir);
  auto message = [&](const std::string& json_text) -> std::string {
    std::ofstream(dir + "/adapter_config.json") << json_text;
    try {
      (void)io::read_peft_adapter_config(dir + "/adapter_config.json", 4);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  const std::string ok = R"("peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["query"])";
  EXPECT_EQ(message("{" + ok + "}"), "");
  EXPECT_NE(message("{" + ok + R"(, "use_dora": true})").find("use_dora: DoRA"), std::string::npos);
  EXPECT_NE(message(R"({"peft_type": "IA3", "r": 4})").find("peft_type: expected \"LORA\""), std::string::npos);
  EXPECT_NE(message(R"({"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": "all-linear"})")
                .find("target_modules: expected a list"),
            std::string::npos);
  EXPECT_NE(message("{" + ok + R"(, "layers_to_transform": [9]})").find("names layer 9"), std::string::npos);
  EXPECT_NE(message(R"({"peft_type": "LORA", "lora_alpha": 8, "target_modules": ["query"]})").find("missing field 'r'"),
            std::string::npos);
  EXPECT_NE(message("{" + ok + R"(, "target_modules": ["query", "classifier"]})").find("'classifier' matches no"),
            std::string::npos);
  // A tensor the configuration does not name.
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  LoraConfig lc;
  lc.r = 4;
  lc.targets = lora_bit(LoraTarget::query);  // the PEFT fixture also has value
  BertClassifier<float> m(cfg, FreezeSpec::parse("bert"), lc);
  try {
    io::load_peft_adapter_weights(m, io::SafeTensorsFile(lora_dir() + "/peft_qv/adapter_model.safetensors"));
    FAIL() << "expected frost::Error";
  } catch (const Error& e) {
    EXPECT_NE(
        std::string(e.what()).find("unexpected tensor 'base_model.model.bert.encoder.layer.0.attention.self.value"),
        std::string::npos)
        << e.what();
  }
}

TEST(LoraExplain, TrainableCountsEqualPeftsForBertBaseAndMiniLM) {
  // PEFT's get_nb_trainable_parameters() (print_trainable_parameters()) for LoRA r=8 on query +
  // value with 2 labels, recorded by tools/gen_lora_fixtures.py.
  for (const auto& [name, c] : cases().at("peft_counts").items()) {
    const BertConfig cfg = geometry_of(c);
    LoraConfig lc;
    lc.r = c.at("r");
    lc.targets = parse_lora_targets("query,value");
    BackwardPlan plan{FreezeSpec::parse("bert").mask(cfg.num_hidden_layers), cfg.num_hidden_layers,
                      lc.layer_bits(cfg.num_hidden_layers), Adapter::lora};
    const PlanReport r = plan_report(plan, cfg, 4, &lc);
    EXPECT_EQ(r.trainable_params, c.at("trainable_params").get<std::int64_t>()) << name;
    // PEFT's "all params" also counts the frozen original classifier beside its trainable copy.
    const std::int64_t classifier = cfg.num_labels * (cfg.hidden_size + 1);
    EXPECT_EQ(r.total_params() + classifier, c.at("all_params").get<std::int64_t>()) << name;
    EXPECT_NE(explain(r).find("trainable parameters: " + with_commas(r.trainable_params)), std::string::npos);
    std::printf("[ lora explain %s ] trainable %lld (PEFT %lld)\n", name.c_str(),
                static_cast<long long>(r.trainable_params),
                static_cast<long long>(c.at("trainable_params").get<std::int64_t>()));
  }
}

TEST(LoraMerge, FoldedWeightsComputeWhatTheAdapterDoes) {
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  const io::SafeTensorsFile cf(lora_dir() + "/case_all_linear_l2_4.safetensors");
  auto adapted = model_of("all_linear_l2_4", cf);
  BertClassifier<float> plain(cfg, FreezeMask::everything());
  merge_lora_into(adapted, plain);
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  Labels labels;
  Batch b1 = batch_of(bf, 3, labels), b2 = b1;
  const Tensor<float> want = adapted.forward(b1, Mode::eval);
  const double e = frost_test::scaled_error(plain.forward(b2, Mode::eval),
                                            std::vector<float>(want.data(), want.data() + want.size()), 1e-6);
  std::printf("[ lora merge ] largest logit difference merged vs adapter: %.3g\n", e);
  EXPECT_LT(e, 1e-5);
  // A layer without adapters is copied unchanged.
  int same = 0;
  std::vector<const Tensor<float>*> src;
  adapted.for_each_param([&](const ParamId&, auto& p) { src.push_back(&p.value); });
  std::size_t k = 0;
  plain.for_each_param([&](const ParamId& id, auto& p) {
    const bool equal = p.value == *src[k++];
    if (id.component == Component::layer && id.layer < 2) {
      EXPECT_TRUE(equal) << io::hf_name(id);
      ++same;
    }
    if (id.component == Component::layer && id.layer >= 2 && id.slot == slot::q_w) {
      EXPECT_FALSE(equal);
    }
  });
  EXPECT_EQ(same, 32);
}

// ---- IA3 -------------------------------------------------------------------------------------

using Ia3Kind = EncoderLayer<float, ComponentSpec{0, true, Adapter::ia3}>;
static_assert(!is_trainable_v<decltype(Ia3Kind{}.k_w)> && !is_trainable_v<decltype(Ia3Kind{}.out_w)> &&
                  !is_trainable_v<decltype(Ia3Kind{}.k_b)>,
              "the base of an IA3 layer is frozen in its type");

TEST(Ia3, PeftDefaultsAreTheDefaultsAndAFreshAdapterChangesNothing) {
  const Ia3Config ic;
  EXPECT_EQ(ic.target_modules(), (std::vector<std::string>{"key", "value", "output.dense"}));
  EXPECT_EQ(ic.feedforward_modules(), (std::vector<std::string>{"output.dense"}));
  EXPECT_EQ(ic.layer_params(384, 1536), 2688);  // the issue's MiniLM figure
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  const io::SafeTensorsFile base(lora_dir() + "/base.safetensors");
  BertClassifier<float> adapted(cfg, FreezeSpec::parse("bert"), ic);
  BertClassifier<float> plain(cfg, FreezeSpec::parse("bert"));
  io::load_hf_weights(adapted, base);
  io::load_hf_weights(plain, base);
  std::set<std::string> shapes;
  adapted.for_each_adapter_param([&](const ParamId& id, auto& p) {
    EXPECT_EQ(p.value.minCoeff(), 1.0f);  // init_ia3_weights: ones
    EXPECT_EQ(p.value.maxCoeff(), 1.0f);
    if (id.layer == 0)
      shapes.insert(io::hf_name(id) + " " + std::to_string(p.value.rows()) + "x" + std::to_string(p.value.cols()));
  });
  EXPECT_EQ(shapes, (std::set<std::string>{"bert.encoder.layer.0.attention.output.dense.ia3_l 1x32",
                                           "bert.encoder.layer.0.attention.self.key.ia3_l 32x1",
                                           "bert.encoder.layer.0.attention.self.value.ia3_l 32x1",
                                           "bert.encoder.layer.0.output.dense.ia3_l 1x64"}));
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  Labels labels;
  Batch b1 = batch_of(bf, 1, labels), b2 = b1;
  const Tensor<float> l1 = adapted.forward(b1, Mode::eval);
  const Tensor<float> l2 = plain.forward(b2, Mode::eval);
  EXPECT_EQ(frost_test::scaled_error(l1, std::vector<float>(l2.data(), l2.data() + l2.size()), 1e-6), 0.0);
}

TEST(Ia3, UnsupportedTargetsAreClearErrors) {
  auto message = [](const std::string& targets, std::uint32_t ff) -> std::string {
    try {
      Ia3Config ic;
      ic.targets = parse_lora_targets(targets, "IA3");
      ic.feedforward = ff;
      ic.check();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message("query,key,value,output.dense", kIa3InputScaled), "");
  EXPECT_NE(message("intermediate.dense", 0).find("intermediate.dense is not supported"), std::string::npos);
  EXPECT_NE(message("output.dense", 0).find("must scale the input"), std::string::npos);
  EXPECT_NE(message("key", lora_bit(LoraTarget::key)).find("input scaling"), std::string::npos);
  EXPECT_NE(message("key", lora_bit(LoraTarget::value)).find("subset of target_modules"), std::string::npos);
  EXPECT_NE(message("query,querry", 0).find("IA3 target 'querry' matches no Linear"), std::string::npos);
  EXPECT_THROW((void)ia3_config_from_targets("all-linear"), Error);  // includes intermediate.dense
  EXPECT_EQ(ia3_config_from_targets("query,attention.output.dense").feedforward, lora_bit(LoraTarget::attn_out));
}

TEST(Ia3Files, APeftWrittenAdapterReproducesPeftsLogitsAndRoundTrips) {
  // tests/fixtures/lora/peft_ia3: PEFT's save_pretrained() after the ia3 case's 5 AdamW steps.
  const BertConfig cfg = read_config(lora_dir() + "/config.json");
  const std::string dir = lora_dir() + "/peft_ia3";
  EXPECT_EQ(io::read_peft_type(dir + "/adapter_config.json"), "IA3");
  const Ia3Config ic = io::read_peft_ia3_config(dir + "/adapter_config.json");
  EXPECT_EQ(ic.targets, Ia3Config{}.targets);
  EXPECT_EQ(ic.feedforward, Ia3Config{}.feedforward);
  const io::SafeTensorsFile base(lora_dir() + "/base.safetensors");
  BertClassifier<float> m(cfg, FreezeSpec::parse("bert"), ic);
  io::load_hf_weights(m, base);
  io::load_peft_adapter_weights(m, io::SafeTensorsFile(dir + "/adapter_model.safetensors"));
  const io::SafeTensorsFile cf(lora_dir() + "/case_ia3.safetensors");
  const io::SafeTensorsFile bf(lora_dir() + "/batches.safetensors");
  Labels labels;
  Batch b = batch_of(bf, 1, labels), b2 = b, b3 = b;
  const Tensor<float> logits = m.forward(b, Mode::eval);
  const double e = frost_test::scaled_error(logits, cf.floats("trained.logits"), 1e-6);
  std::printf("[ ia3 ] PEFT-written adapter: largest logit error %.3g\n", e);
  EXPECT_LT(e, 1e-5);
  // frost writes it back under the same names and config; reading that gives the same model.
  const std::string out = ::testing::TempDir() + "/frost_ia3_roundtrip";
  std::filesystem::create_directories(out);
  io::save_peft_adapter(out, m, "base");
  const io::SafeTensorsFile written(out + "/adapter_model.safetensors");
  const io::SafeTensorsFile peft(dir + "/adapter_model.safetensors");
  EXPECT_EQ(written.tensors().size(), peft.tensors().size());
  for (const auto& [name, info] : peft.tensors()) {
    ASSERT_TRUE(written.contains(name)) << name;
    EXPECT_EQ(written.info(name).shape, info.shape) << name;
  }
  const Ia3Config back = io::read_peft_ia3_config(out + "/adapter_config.json");
  EXPECT_EQ(back.targets, ic.targets);
  EXPECT_EQ(back.feedforward, ic.feedforward);
  BertClassifier<float> m2(cfg, FreezeSpec::parse("bert"), back);
  io::load_hf_weights(m2, base);
  io::load_peft_adapter_weights(m2, written);
  const Tensor<float>& l2 = m2.forward(b2, Mode::eval);
  EXPECT_EQ(frost_test::scaled_error(l2, std::vector<float>(logits.data(), logits.data() + logits.size()), 1e-6), 0.0);
  // Merged into a plain model: the same function.
  BertClassifier<float> plain(cfg, FreezeMask::everything());
  merge_adapter_into(m, plain);
  const double em = frost_test::scaled_error(plain.forward(b3, Mode::eval),
                                             std::vector<float>(logits.data(), logits.data() + logits.size()), 1e-6);
  std::printf("[ ia3 merge ] largest logit difference merged vs adapter: %.3g\n", em);
  EXPECT_LT(em, 1e-5);
}

TEST(Ia3Files, BadIa3ConfigsNameTheField) {
  const std::string dir = ::testing::TempDir() + "/frost_ia3_bad";
  std::filesystem::create_directories(dir);
  auto message = [&](const std::string& json_text) -> std::string {
    std::ofstream(dir + "/adapter_config.json") << json_text;
    try {
      (void)io::read_peft_ia3_config(dir + "/adapter_config.json");
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(message(R"({"peft_type": "IA3", "target_modules": ["key"], "feedforward_modules": []})"), "");
  EXPECT_NE(message(R"({"peft_type": "LORA"})").find("peft_type: expected \"IA3\""), std::string::npos);
  EXPECT_NE(message(R"({"peft_type": "IA3"})").find("missing field 'target_modules'"), std::string::npos);
  EXPECT_NE(message(R"({"peft_type": "IA3", "target_modules": ["output.dense"], "feedforward_modules": []})")
                .find("must scale the input"),
            std::string::npos);
  EXPECT_NE(message(R"({"peft_type": "IA3", "target_modules": ["key"], "feedforward_modules": ["nope"]})")
                .find("feedforward_modules: IA3 target 'nope' matches no Linear"),
            std::string::npos);
}

TEST(Ia3Explain, TrainableCountsEqualPeftsForBertBaseAndMiniLM) {
  // PEFT's get_nb_trainable_parameters() for IA3Config's defaults with 2 labels.
  for (const auto& [name, c] : cases().at("peft_counts_ia3").items()) {
    const BertConfig cfg = geometry_of(c);
    const Ia3Config ic;
    BackwardPlan plan{FreezeSpec::parse("bert").mask(cfg.num_hidden_layers), cfg.num_hidden_layers,
                      Ia3Config::layer_bits(cfg.num_hidden_layers), Adapter::ia3};
    const PlanReport r = plan_report(plan, cfg, 4, ic);
    EXPECT_EQ(r.trainable_params, c.at("trainable_params").get<std::int64_t>()) << name;
    const std::int64_t classifier = cfg.num_labels * (cfg.hidden_size + 1);
    EXPECT_EQ(r.total_params() + classifier, c.at("all_params").get<std::int64_t>()) << name;
    const std::string text = explain(r);
    EXPECT_NE(text.find("adapters: IA3, targets key,value,output.dense"), std::string::npos) << text;
    EXPECT_NE(text.find("ia3: key,value,output.dense"), std::string::npos) << text;
    std::printf("[ ia3 explain %s ] trainable %lld (PEFT %lld)\n", name.c_str(),
                static_cast<long long>(r.trainable_params),
                static_cast<long long>(c.at("trainable_params").get<std::int64_t>()));
  }
}

}  // namespace
