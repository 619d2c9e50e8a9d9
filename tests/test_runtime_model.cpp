// The run-time-composed BertClassifier against the static BertForSequenceClassification<T, Policy>:
// for every policy of the PyTorch fixtures (tests/fixtures/tiny), bit-identical logits, loss, every
// gradient and a 5-step AdamW trajectory (weight decay on, dropout on and off); the same set of
// parameters has a gradient; FreezeSpec's grammar gives the static policies' masks; any depth works.
#include "support.hpp"

namespace {

using namespace frost;
using frost_test::Case;

template <class A, class B>
void expect_same_params(A& a, B& b, const std::string& what) {
  std::vector<std::pair<std::string, Tensor<float>>> va;
  a.for_each_param([&](const ParamId& id, auto& p) { va.emplace_back(io::hf_name(id), p.value); });
  std::size_t k = 0;
  b.for_each_param([&](const ParamId& id, auto& p) {
    ASSERT_LT(k, va.size());
    EXPECT_EQ(va[k].first, io::hf_name(id));
    EXPECT_TRUE(va[k].second == p.value) << what << ": " << va[k].first << " differs";
    ++k;
  });
  EXPECT_EQ(k, va.size());
}

template <class Policy>
void check_bit_identical(const std::string& fixture_policy, double dropout) {
  const auto policies = frost_test::policies_json();
  for (const std::string case_name : {"single", "multi", "regression"}) {
    SCOPED_TRACE(fixture_policy + "/" + case_name + (dropout > 0 ? " with dropout" : ""));
    Case c(case_name);
    BertConfig cfg = c.cfg;
    cfg.hidden_dropout_prob = cfg.attention_probs_dropout_prob = dropout;
    BertForSequenceClassification<float, Policy> fixed(cfg);
    BertClassifier<float> composed(cfg, Policy::frozen);
    EXPECT_EQ(composed.frozen_mask(), fixed.frozen_mask());
    EXPECT_EQ(composed.backward_stop(), fixed.backward_stop());
    io::load_hf_weights(fixed, c.file);
    io::load_hf_weights(composed, c.file);
    fixed.dropout_seed = composed.dropout_seed = 7;

    // One forward + backward: logits, loss and every gradient bit for bit.
    const float loss_a = fixed.forward_backward(c.batch, c.labels);
    const float loss_b = composed.forward_backward(c.batch, c.labels);
    EXPECT_EQ(loss_a, loss_b);
    EXPECT_TRUE(fixed.logits() == composed.logits());
    std::vector<std::pair<std::string, Tensor<float>>> ga;
    fixed.for_each_trainable([&](const ParamId& id, auto& p) { ga.emplace_back(io::hf_name(id), p.grad); });
    std::set<std::string> names;
    std::size_t k = 0;
    composed.for_each_trainable([&](const ParamId& id, auto& p) {
      ASSERT_LT(k, ga.size());
      EXPECT_EQ(ga[k].first, io::hf_name(id));
      EXPECT_TRUE(ga[k].second == p.grad) << "gradient of " << ga[k].first << " differs";
      names.insert(io::hf_name(id));
      ++k;
    });
    EXPECT_EQ(k, ga.size());
    // ... and the trainable set is PyTorch's (requires_grad parameters with a .grad).
    const auto& js = policies.at(fixture_policy).at(case_name).at("trainable");
    EXPECT_EQ(names, std::set<std::string>(js.begin(), js.end()));

    // Five AdamW steps from there (the first reuses the gradients above).
    const AdamWOptions o{.lr = 1e-3, .weight_decay = 0.01};
    AdamW<float> opt_a(fixed, o), opt_b(composed, o);
    EXPECT_EQ(opt_a.state_bytes(), opt_b.state_bytes());
    for (int step = 0; step < 5; ++step) {
      if (step > 0) {
        fixed.zero_grad();
        composed.zero_grad();
        EXPECT_EQ(fixed.forward_backward(c.batch, c.labels), composed.forward_backward(c.batch, c.labels));
      }
      EXPECT_EQ(clip_grad_norm(fixed, 1.0), clip_grad_norm(composed, 1.0));
      opt_a.step(fixed);
      opt_b.step(composed);
    }
    expect_same_params(fixed, composed, "after 5 AdamW steps");
    // Inference forwards agree too (nothing recorded).
    EXPECT_TRUE(fixed.forward(c.batch, Mode::eval) == composed.forward(c.batch, Mode::eval));
  }
}

template <class Policy>
void check_policy(const std::string& name) {
  check_bit_identical<Policy>(name, 0.0);
  check_bit_identical<Policy>(name, 0.1);
}

TEST(RuntimeModel, None) { check_policy<NoFreeze>("none"); }
TEST(RuntimeModel, Embeddings) { check_policy<Freeze<Embeddings>>("embeddings"); }
TEST(RuntimeModel, Layers0To2) { check_policy<Freeze<Layers<0, 2>>>("layers_0_2"); }
TEST(RuntimeModel, EmbeddingsAndLayers0To2) {
  check_policy<FreezeEmbeddingsAndLowerLayers<2>>("embeddings_layers_0_2");
}
TEST(RuntimeModel, WholeBody) { check_policy<FreezeBert>("body"); }
TEST(RuntimeModel, ClassifierOnly) { check_policy<TrainClassifierOnly>("classifier_only"); }
TEST(RuntimeModel, BitFit) { check_policy<BitFit>("bitfit"); }
TEST(RuntimeModel, LayerNormOnly) { check_policy<LayerNormOnly>("layernorm_only"); }
TEST(RuntimeModel, Pooler) { check_policy<Freeze<Pooler>>("pooler"); }

// The kinds chosen per layer are the exact plan: frozen-below-stop layers have an empty Saved.
TEST(RuntimeModel, LayerKindsFollowThePlan) {
  BertConfig cfg = Case("single").cfg;
  cfg.num_hidden_layers = 5;
  BertClassifier<float> m(cfg, FreezeSpec::parse("embeddings,layers:0-2"));
  EXPECT_EQ(m.layer_spec(0), (ComponentSpec{0, false}));
  EXPECT_EQ(m.layer_spec(1), (ComponentSpec{0, false}));
  EXPECT_EQ(m.layer_spec(2), (ComponentSpec{kLayerAll, true}));  // the stop: its kind skips dx at run time
  EXPECT_FALSE(m.backward_plan().layer(2).input_grad);
  EXPECT_EQ(m.layer_spec(3), (ComponentSpec{kLayerAll, true}));
  EXPECT_EQ(m.backward_stop(), 3);
  BertClassifier<float> ex2(cfg, FreezeSpec::parse("layers[:4]"));  // seed Example 2 at depth 5
  EXPECT_EQ(ex2.layer_spec(0), (ComponentSpec{0, true}));           // passes gradients to embeddings
  EXPECT_EQ(ex2.layer_spec(4), (ComponentSpec{kLayerAll, true}));
  BertClassifier<float> ln(cfg, LayerNormOnly::frozen);  // LayerNorm-only: dx is a stage of its own
  EXPECT_EQ(ln.layer_spec(0), (ComponentSpec{kinds::kLayerNorms, true}));
  BertClassifier<float> ln_top(cfg, Freeze<Embeddings, Minus<Encoder, LayerNorms>>::frozen);
  EXPECT_EQ(ln_top.layer_spec(0), (ComponentSpec{kinds::kLayerNorms, false}));
  int trainable = 0, frozen = 0;
  m.for_each_param([&](const ParamId&, auto& p) { (is_trainable_v<decltype(p)> ? trainable : frozen)++; });
  EXPECT_EQ(trainable, 3 * 16 + 2 + 2);  // layers 2-4, pooler, classifier
  EXPECT_EQ(frozen, 5 + 2 * 16);         // embeddings, layers 0-1
}

// A per-slot pattern outside the kinds is a clear error, not a crash.
TEST(RuntimeModel, PatternOutsideTheKindsIsAnError) {
  const BertConfig cfg = Case("single").cfg;
  FreezeMask m;
  m.layers[1] = bit(slot::q_w);
  try {
    BertClassifier<float> model(cfg, m);
    FAIL() << "expected frost::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("encoder.layer.1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not one of the built-in component kinds"), std::string::npos);
  }
}

// The grammar gives exactly the static policies' masks, at any depth.
TEST(FreezeSpecGrammar, SpellingsOfTheStaticPolicies) {
  for (int depth : {2, 3, 12, 24}) {
    SCOPED_TRACE(depth);
    EXPECT_EQ(FreezeSpec::parse("none").mask(depth), NoFreeze::frozen);
    EXPECT_EQ(FreezeSpec::parse("bert").mask(depth), FreezeBert::frozen);
    EXPECT_EQ(FreezeSpec::parse("embeddings,encoder,pooler").mask(depth), FreezeBert::frozen);
    EXPECT_EQ(FreezeSpec::parse(" BitFit ").mask(depth), BitFit::frozen);
    EXPECT_EQ(FreezeSpec::parse("pooler").mask(depth), Freeze<Pooler>::frozen);
    EXPECT_EQ(FreezeSpec::parse("layers:0-2").mask(depth), FreezeLowerLayers<2>::frozen);
    EXPECT_EQ(FreezeSpec::parse("layers[:2]").mask(depth), FreezeLowerLayers<2>::frozen);
    EXPECT_EQ(FreezeSpec::parse("layers[0:1],layer:1").mask(depth), FreezeLowerLayers<2>::frozen);
    EXPECT_EQ(FreezeSpec::parse("layers:1-2,embeddings,layers[0]").mask(depth),
              FreezeEmbeddingsAndLowerLayers<2>::frozen);
  }
  // Negative and open ends count from the top, as in Python.
  EXPECT_EQ(FreezeSpec::parse("layers[-2:]").mask(6), (Freeze<Layers<4, 6>>::frozen));
  EXPECT_EQ(FreezeSpec::parse("layers[2:]").mask(4), (Freeze<Layers<2, 4>>::frozen));
  EXPECT_EQ(FreezeSpec::parse("layers[-1]").mask(4), (Freeze<Layer<3>>::frozen));
  EXPECT_EQ(FreezeSpec::parse("layers:0-3,layers:6-9").mask(12), (Freeze<Layers<0, 3>, Layers<6, 9>>::frozen));
  EXPECT_EQ(FreezeSpec::parse("bitfit,layers:0-2").mask(4), (Freeze<Minus<Body, Biases>, Layers<0, 2>>::frozen));
  EXPECT_EQ(FreezeSpec::parse("layers:2-2").mask(4), NoFreeze::frozen);  // an empty slice
  EXPECT_EQ(FreezeSpec::parse("embeddings, layers[:8]").str(), "embeddings,layers[:8]");
}

TEST(FreezeSpecGrammar, ErrorsNameTheItemAndTheDepth) {
  auto message = [](const std::string& spec, int depth) -> std::string {
    try {
      (void)FreezeSpec::parse(spec).mask(depth);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  auto has = [](const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; };
  EXPECT_TRUE(has(message("layers:0-20", 12), "names layer index 20 but the model has 12 encoder layers"));
  EXPECT_TRUE(has(message("layer:12", 12), "names layer index 12"));
  EXPECT_TRUE(has(message("layers[-13:]", 12), "names layer index -13"));
  EXPECT_TRUE(has(message("layers:4-2", 12), "needs A <= B"));
  EXPECT_TRUE(has(message("layers[5:2]", 12), "reversed range"));
  EXPECT_TRUE(has(message("layers[0:4:2]", 12), "step"));
  EXPECT_TRUE(has(message("layers:a-b", 12), "'layers:a-b' is not layers:A-B"));
  EXPECT_TRUE(has(message("layers[:3", 12), "closing ']'"));
  EXPECT_TRUE(has(message("heads", 12), "unknown selector 'heads'"));
  EXPECT_TRUE(has(message("none,pooler", 12), "'none' cannot be combined"));
  EXPECT_TRUE(has(message(" , ", 12), "empty specification"));
  EXPECT_TRUE(has(message("bert", 49), "outside 1..48"));
}

// One compiled type serves any depth: a 2-layer and a 24-layer (bert-large) geometry.
TEST(RuntimeModel, AnyDepth) {
  BertConfig cfg = Case("single").cfg;
  for (int depth : {2, 24}) {
    cfg.num_hidden_layers = depth;
    BertClassifier<float> m(cfg, FreezeSpec::parse("embeddings,layers[:-1]"));
    EXPECT_EQ(m.backward_stop(), depth);  // only the top layer, pooler and classifier train
    EXPECT_EQ(m.backward_plan().frozen_layer_count(), depth - 1);
    m.init_weights(1);
    Case c("single");
    const float loss = m.forward_backward(c.batch, c.labels);
    EXPECT_TRUE(std::isfinite(loss));
    const auto counted = m.flops;
    const auto analytic = analytic_flops(m.backward_plan(), cfg, c.batch.batch_size, c.batch.seq_len);
    for (Phase ph : {Phase::forward, Phase::backward_input, Phase::backward_weight})
      EXPECT_EQ(counted.count[static_cast<int>(ph)], analytic.count[static_cast<int>(ph)]);
  }
}

}  // namespace
