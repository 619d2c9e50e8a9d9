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

template <class Model>
void check_policy(const std::string& policy) {
  // A build with the CUDA GEMM backend runs this suite as its GPU-vs-PyTorch parity check.
  if (!gemm::DefaultBackend::available())
    GTEST_SKIP() << "GEMM backend '" << gemm::DefaultBackend::name << "' has no device here";
  const auto policies = frost_test::policies_json();
  for (const std::string case_name : {"single", "multi", "regression"}) {
    SCOPED_TRACE("policy " + policy + ", case " + case_name);
    Case c(case_name);
    Model model(c.cfg);
    const auto report = io::load_hf_weights(model, c.file);
    EXPECT_TRUE(report.newly_initialized.empty());
    model.zero_grad();
    const auto& logits = model.forward(c.batch, Mode::train);
    // The reference logits through the xtensor edge: shape [batch, num_labels].
    const xt::xarray<float> want_logits = io::read_xarray(c.file, "output.logits");
    ASSERT_EQ(want_logits.shape(0), static_cast<std::size_t>(c.batch.batch_size));
    ASSERT_EQ(want_logits.shape(1), static_cast<std::size_t>(c.cfg.num_labels));
    const Tensor<float> want_t = io::from_xarray(want_logits, "output.logits");
    const double logit_err = frost_test::scaled_error(
        logits, std::vector<float>(want_t.data(), want_t.data() + numel(want_t)), 1e-3);
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
TEST(Parity, Embeddings) {
  check_policy<BertForSequenceClassification<float, Freeze<Embeddings>, 3>>("embeddings");
}
TEST(Parity, Layers0To2) {
  check_policy<BertForSequenceClassification<float, Freeze<Layers<0, 2>>, 3>>("layers_0_2");
}
TEST(Parity, EmbeddingsAndLayers0To2) {
  check_policy<BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<2>, 3>>(
      "embeddings_layers_0_2");
}
TEST(Parity, WholeBody) { check_policy<BertForSequenceClassification<float, FreezeBert, 3>>("body"); }
TEST(Parity, ClassifierOnly) {
  check_policy<BertForSequenceClassification<float, TrainClassifierOnly, 3>>("classifier_only");
}
TEST(Parity, BitFit) { check_policy<BertForSequenceClassification<float, BitFit, 3>>("bitfit"); }
TEST(Parity, LayerNormOnly) {
  check_policy<BertForSequenceClassification<float, LayerNormOnly, 3>>("layernorm_only");
}
TEST(Parity, Pooler) {
  check_policy<BertForSequenceClassification<float, Freeze<Pooler>, 3>>("pooler");
}
// The same policies with the depth read from config.json at run time.
TEST(ParityDynamicDepth, None) { check_policy<BertForSequenceClassification<float, NoFreeze>>("none"); }
TEST(ParityDynamicDepth, Layers0To2) {
  check_policy<BertForSequenceClassification<float, Freeze<Layers<0, 2>>>>("layers_0_2");
}
TEST(ParityDynamicDepth, EmbeddingsAndLayers0To2) {
  check_policy<BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<2>>>(
      "embeddings_layers_0_2");
}
TEST(ParityDynamicDepth, BitFit) {
  check_policy<BertForSequenceClassification<float, BitFit>>("bitfit");
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
