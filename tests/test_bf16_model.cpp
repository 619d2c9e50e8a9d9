// bf16 mixed precision on the whole model: frost's forward + backward with bf16 GEMM inputs against
// PyTorch's fp32 run (the parity fixture) and torch.autocast("cpu", torch.bfloat16) on the same
// weights and inputs (tests/fixtures/bf16, written by tools/gen_bf16_fixtures.py). Skips, saying
// why, where bf16 GEMMs do not run (core/bf16.hpp).
//
// The bound (docs/design.md, "bf16 mixed precision"): each GEMM adds a relative error of at most
// 2u (u = 2^-8) of sum |a b| to its output, and independent roundings add up like a random walk, so
// an output that G GEMMs feed in sequence is off by about sqrt(G) u relative to its scale. The
// tiny model's logits sit behind G = 20 GEMMs (6 per layer x 3, pooler, classifier) and its
// gradients behind at most 2G = 40 (the forward path and back): the test allows 4 sqrt(G) u, that
// is 0.070 for logits and loss and 0.099 for every gradient (a factor 4 for the sums of |a b|
// exceeding |sum a b| where terms cancel). And frost, whose GEMM outputs stay float, must on the
// whole be no further from fp32 than autocast, which rounds every GEMM output to bf16 as well: its
// worst and its mean error over the 56 tensors at most autocast's (one tensor may go either way).
#include <cmath>
#include <cstdio>

#include <frost/core/bf16.hpp>

#include "support.hpp"

namespace {

using namespace frost;
using frost_test::Case;

constexpr double u = 1.0 / 256.0;

double scaled(const float* got, const std::vector<float>& want, double floor) {
  double err = 0, scale = floor;
  for (std::size_t i = 0; i < want.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(got[i]) - want[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return err / scale;
}

TEST(Bf16Model, TracksFp32AndAutocastWithinTheBound) {
  if (const std::string why = gemm::bf16_unsupported_reason(); !why.empty()) GTEST_SKIP() << why;
  Case c("single");
  const io::SafeTensorsFile autocast(std::string(FROST_FIXTURES_DIR) + "/../bf16/autocast_single.safetensors");
  BertForSequenceClassification<float, NoFreeze, 3> model(c.cfg);
  (void)io::load_hf_weights(model, c.file);

  const double forward_bound = 4 * std::sqrt(20.0) * u, backward_bound = 4 * std::sqrt(40.0) * u;
  double worst_frost = 0, worst_autocast = 0, sum_frost = 0, sum_autocast = 0;
  int checked = 0;
  auto check = [&](const std::string& what, const float* got, const std::vector<float>& fp32,
                   const std::vector<float>& ac, double bound) {
    const double e_frost = scaled(got, fp32, 1e-6), e_autocast = scaled(ac.data(), fp32, 1e-6);
    const double e_between = scaled(got, ac, 1e-6);
    EXPECT_LE(e_frost, bound) << what << ": frost bf16 vs fp32";
    EXPECT_LE(e_between, 2 * bound) << what << ": frost bf16 vs autocast";
    worst_frost = std::max(worst_frost, e_frost);
    worst_autocast = std::max(worst_autocast, e_autocast);
    sum_frost += e_frost;
    sum_autocast += e_autocast;
    ++checked;
    std::printf("%-58s frost-fp32 %.2e  autocast-fp32 %.2e  frost-autocast %.2e\n", what.c_str(), e_frost, e_autocast,
                e_between);
  };

  const ScopedMatmulPrecision bf16(MatmulPrecision::bf16);
  model.zero_grad();
  const auto& logits = model.forward(c.batch, Mode::train);
  check("logits", logits.data(), c.file.floats("output.logits"), autocast.floats("autocast.logits"), forward_bound);
  // The bf16 path really ran: fp32 frost matches PyTorch to 1e-5 (test_parity), bf16 cannot.
  EXPECT_GT(scaled(logits.data(), c.file.floats("output.logits"), 1e-6), 1e-5);
  auto r = compute_loss(model.config(), logits, c.labels);
  const float loss = static_cast<float>(r.loss);
  check("loss", &loss, c.file.floats("output.loss"), autocast.floats("autocast.loss"), forward_bound);
  model.backward(r.dlogits);
  model.for_each_trainable([&](const ParamId& id, auto& p) {
    const std::string name = io::hf_name(id);
    const auto fp32 = c.file.floats("grad." + name);
    ASSERT_EQ(static_cast<std::size_t>(numel(p.grad)), fp32.size()) << name;
    if (name.find("attention.self.key.bias") != std::string::npos) return;  // exactly 0 in exact arithmetic
    check("grad " + name, p.grad.data(), fp32, autocast.floats("autocast.grad." + name), backward_bound);
  });
  EXPECT_EQ(checked, 2 + 54);  // logits, loss and every parameter's gradient but the three key biases
  EXPECT_LE(worst_frost, worst_autocast);
  EXPECT_LE(sum_frost, sum_autocast);
  std::printf(
      "scaled error vs fp32, worst / mean: frost bf16 %.3e / %.3e, torch autocast %.3e / %.3e (bounds %.3f / %.3f)\n",
      worst_frost, sum_frost / checked, worst_autocast, sum_autocast / checked, forward_bound, backward_bound);
}

}  // namespace
