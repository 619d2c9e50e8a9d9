// Parity with PyTorch + transformers (BertForSequenceClassification, eager attention, fp32):
// logits, loss and every trainable gradient, for each freeze policy and each loss type; frozen
// parameters have no gradient at all (the set of parameters with a gradient equals PyTorch's set
// of parameters whose .grad is not None).
#include "support.hpp"

namespace {

using namespace frost;
using frost_test::Case;

// Tolerance: max abs error <= 1e-5 x the reference tensor's max |value| (fp32 vs fp32).
constexpr double kTol = 1e-5;
// attention.self.key.bias has a true gradient of exactly zero (softmax is shift-invariant per
// query row); PyTorch's value is rounding noise of ~1e-7, so it is compared in absolute terms.
constexpr double kKeyBiasAbsTol = 1e-6;

double g_worst = 0;  // largest scaled error seen, printed at the end

// Model is a static BertForSequenceClassification<float, Policy, Depth> (constructed from the
// config alone) or the run-time BertClassifier<float> (config + the policy's mask).
template <class Model, class... Freeze>
void check_policy(const std::string& policy, const Freeze&... freeze) {
  // A build with the CUDA GEMM backend runs this suite as its GPU-vs-PyTorch parity check.
  if (!gemm::DefaultBackend::available())
    GTEST_SKIP() << "GEMM backend '" << gemm::DefaultBackend::name << "' has no device here";
  const auto policies = frost_test::policies_json();
  for (const std::string case_name : {"single", "multi", "regression"}) {
    SCOPED_TRACE("policy " + policy + ", case " + case_name);
    Case c(case_name);
    Model model(c.cfg, freeze...);
    const auto report = io::load_hf_weights(model, c.file);
    EXPECT_TRUE(report.newly_initialized.empty());
    model.zero_grad();
    const auto& logits = model.forward(c.batch, Mode::train);
    // The reference logits through the xtensor edge: shape [batch, num_labels].
    const xt::xarray<float> want_logits = io::read_xarray(c.file, "output.logits");
    ASSERT_EQ(want_logits.shape(0), static_cast<std::size_t>(c.batch.batch_size));
    ASSERT_EQ(want_logits.shape(1), static_cast<std::size_t>(c.cfg.num_labels));
    const Tensor<float> want_t = io::from_xarray(want_logits, "output.logits");
    const double logit_err =
        frost_test::scaled_error(logits, std::vector<float>(want_t.data(), want_t.data() + numel(want_t)), 1e-3);
    EXPECT_EQ(io::to_xarray(want_t), want_logits);
    EXPECT_LE(logit_err, kTol);
    auto r = compute_loss(model.config(), logits, c.labels);
    const double want_loss = c.file.floats("output.loss").at(0);
    EXPECT_NEAR(r.loss, want_loss, kTol * std::max(1.0, std::abs(want_loss)));
    model.backward(r.dlogits);
    g_worst = std::max(g_worst, logit_err);

    std::set<std::string> trainable;
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      const std::string name = io::hf_name(id);
      trainable.insert(name);
      const auto want = c.file.floats("grad." + name);
      ASSERT_EQ(static_cast<std::size_t>(numel(p.grad)), want.size()) << name;
      if (name.find("attention.self.key.bias") != std::string::npos) {
        double err = 0;
        for (std::size_t i = 0; i < want.size(); ++i)
          err = std::max(err, std::abs(static_cast<double>(p.grad.data()[i]) - want[i]));
        EXPECT_LE(err, kKeyBiasAbsTol) << name;
      } else {
        const double err = frost_test::scaled_error(p.grad, want, 1e-12);
        EXPECT_LE(err, kTol) << name;
        g_worst = std::max(g_worst, err);
      }
    });
    const auto& js = policies.at(policy).at(case_name).at("trainable");
    const std::set<std::string> want_trainable(js.begin(), js.end());
    EXPECT_EQ(trainable, want_trainable);
  }
}

TEST(Parity, None) { check_policy<BertForSequenceClassification<float, NoFreeze, 3>>("none"); }
TEST(Parity, Embeddings) { check_policy<BertForSequenceClassification<float, Freeze<Embeddings>, 3>>("embeddings"); }
TEST(Parity, Layers0To2) { check_policy<BertForSequenceClassification<float, Freeze<Layers<0, 2>>, 3>>("layers_0_2"); }
TEST(Parity, EmbeddingsAndLayers0To2) {
  check_policy<BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<2>, 3>>("embeddings_layers_0_2");
}
TEST(Parity, WholeBody) { check_policy<BertForSequenceClassification<float, FreezeBert, 3>>("body"); }
TEST(Parity, ClassifierOnly) {
  check_policy<BertForSequenceClassification<float, TrainClassifierOnly, 3>>("classifier_only");
}
TEST(Parity, BitFit) { check_policy<BertForSequenceClassification<float, BitFit, 3>>("bitfit"); }
TEST(Parity, LayerNormOnly) { check_policy<BertForSequenceClassification<float, LayerNormOnly, 3>>("layernorm_only"); }
TEST(Parity, Pooler) { check_policy<BertForSequenceClassification<float, Freeze<Pooler>, 3>>("pooler"); }
// The run-time-composed model (depth from config.json, kinds chosen per layer at run time) for
// every policy; the static model with a run-time depth is bit-identical to it (test_runtime_model).
using Runtime = BertClassifier<float>;
TEST(ParityRuntime, None) { check_policy<Runtime>("none", NoFreeze::frozen); }
TEST(ParityRuntime, Embeddings) { check_policy<Runtime>("embeddings", Freeze<Embeddings>::frozen); }
TEST(ParityRuntime, Layers0To2) { check_policy<Runtime>("layers_0_2", Freeze<Layers<0, 2>>::frozen); }
TEST(ParityRuntime, EmbeddingsAndLayers0To2) {
  check_policy<Runtime>("embeddings_layers_0_2", FreezeEmbeddingsAndLowerLayers<2>::frozen);
}
TEST(ParityRuntime, WholeBody) { check_policy<Runtime>("body", FreezeBert::frozen); }
TEST(ParityRuntime, ClassifierOnly) { check_policy<Runtime>("classifier_only", TrainClassifierOnly::frozen); }
TEST(ParityRuntime, BitFit) { check_policy<Runtime>("bitfit", BitFit::frozen); }
TEST(ParityRuntime, LayerNormOnly) { check_policy<Runtime>("layernorm_only", LayerNormOnly::frozen); }
TEST(ParityRuntime, Pooler) { check_policy<Runtime>("pooler", Freeze<Pooler>::frozen); }
// The --freeze text that spells a fixture policy builds the same model (the CLI path).
TEST(ParityRuntime, SpecTextGivesTheFixtureMasks) {
  EXPECT_EQ(FreezeSpec::parse("embeddings,layers[:2]").mask(3), FreezeEmbeddingsAndLowerLayers<2>::frozen);
  EXPECT_EQ(FreezeSpec::parse("bert").mask(3), FreezeBert::frozen);
  check_policy<Runtime>("embeddings_layers_0_2", FreezeSpec::parse("embeddings,layers:0-2"));
  check_policy<Runtime>("layers_0_2", FreezeSpec::parse("layers[:2]"));
}

// Prints the largest error seen across every test of this binary, once, at the end.
class ReportWorstError : public ::testing::Environment {
 public:
  void TearDown() override {
    std::printf("largest scaled parity error (logits and gradients, all policies): %.3g\n", g_worst);
  }
};
const auto* const kReport = ::testing::AddGlobalTestEnvironment(new ReportWorstError);

}  // namespace
