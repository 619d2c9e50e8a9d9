// Freeze policies and plans: the algebra, the normal form, the plan, the parameter counts and
// the explain() text. This translation unit does not include Eigen (fast to build).
#include <gtest/gtest.h>

#include <frost/config.hpp>
#include <frost/explain.hpp>
#include <frost/freeze/freeze_policy.hpp>
#include <frost/freeze/plan.hpp>

namespace {

using namespace frost;

template <class Policy, int Depth = kDynamicDepth>
using PlanOf = FreezePlan<Policy::frozen, Depth>;

// ---- normal form: equal policies are equal types -------------------------------------------
static_assert(std::is_same_v<normalize_t<Freeze<Body>>, normalize_t<FreezeAllExcept<Classifier>>>,
              "seed Example 1 == seed Example 3");
static_assert(same_policy_v<Freeze<Embeddings, Encoder, Pooler>, FreezeBert>);
static_assert(same_policy_v<Freeze<Layers<0, 4>, Layers<4, 8>>, FreezeLowerLayers<8>>);
static_assert(same_policy_v<Freeze<Layer<0>, Layer<1>>, Freeze<Layers<0, 2>>>);
static_assert(same_policy_v<Freeze<Everything>, FreezeAllExcept<>>);
static_assert(same_policy_v<Freeze<Except<Everything>>, NoFreeze>);
static_assert(same_policy_v<Freeze<Minus<Everything, Classifier>>, FreezeBert>);
static_assert(same_policy_v<Freeze<Intersection<Body, Biases>>, Freeze<Minus<Body, Except<Biases>>>>);
static_assert(!same_policy_v<FreezeLowerLayers<8>, FreezeEmbeddingsAndLowerLayers<8>>);
static_assert(!same_policy_v<BitFit, LayerNormOnly>);
static_assert(!same_policy_v<Freeze<Layers<0, 0>>, Freeze<Layers<0, 1>>>);
static_assert(same_policy_v<Freeze<Layers<3, 3>>, NoFreeze>, "an empty slice freezes nothing");

// ---- layer descriptors ----------------------------------------------------------------------
static_assert(slot_kind(Component::layer, slot::attn_ln_b) == SlotKind::ln_bias);
static_assert(slot_kind(Component::layer, slot::inter_b) == SlotKind::bias);
static_assert(slot_kind(Component::embeddings, slot::word) == SlotKind::embedding);
static_assert(Biases::mask().layers[0] == 0xAAAAu, "odd slots of a layer are its 8 biases");

// ---- plans ----------------------------------------------------------------------------------
// Seed Example 2: layers 0-7 frozen, embeddings train, so layers 0-7 pass gradients down.
using Ex2 = PlanOf<FreezeLowerLayers<8>, 12>;
static_assert(Ex2::layer(0).trainable == 0 && Ex2::layer(0).input_grad);
static_assert(Ex2::layer(7).trainable == 0 && Ex2::layer(7).input_grad);
static_assert(Ex2::backward_stop(12) == 0);
// Embeddings + layers 0-7 frozen: backward stops at layer 8 (component 9).
using Stop8 = PlanOf<FreezeEmbeddingsAndLowerLayers<8>, 12>;
static_assert(!Stop8::layer(7).in_backward() && !Stop8::layer(8).input_grad);
static_assert(Stop8::backward_stop(12) == 9);
// Whole body frozen: only the classifier trains and nothing needs an input gradient.
using Body12 = PlanOf<FreezeBert, 12>;
static_assert(!Body12::pooler.in_backward() && !Body12::classifier.input_grad);
static_assert(Body12::backward_stop(12) == 14);
// Pooler frozen alone: it still passes gradients to the encoder.
static_assert(PlanOf<Freeze<Pooler>, 12>::pooler.input_grad);
// Frozen everything: no backward at all.
static_assert(PlanOf<Freeze<Everything>, 12>::backward_stop(12) == 15);
// Dynamic depth: layers >= the policy's bound share one spec.
static_assert(PlanOf<FreezeLowerLayers<8>>::typed_layers == 8);
static_assert(PlanOf<FreezeBert>::typed_layers == 0);
static_assert(PlanOf<FreezeEmbeddingsAndLowerLayers<8>>::tail.trainable == kLayerAll);

// A policy that names a layer beyond a static depth does not compile; this is the check used:
static_assert(PlanOf<FreezeLowerLayers<8>, 12>::min_depth == 8);
// (FreezePlan<FreezeLowerLayers<13>::frozen, 12> triggers "names an encoder layer beyond the
//  model depth"; see tests/compile_fail/ for the negative-compilation test.)

TEST(FreezePolicy, DynamicDepthTooShallowIsARuntimeError) {
  try {
    PlanOf<FreezeLowerLayers<8>>::check_depth(6);
    FAIL() << "expected frost::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("only 6 layers"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(PlanOf<FreezeLowerLayers<8>>::check_depth(8));
  EXPECT_THROW((PlanOf<NoFreeze, 12>::check_depth(6)), Error);  // static depth 12, config says 6
}

// ---- parameter counts for bert-base (the numbers Hugging Face prints) -------------------------
std::int64_t trainable_of(const PlanReport& r) { return r.trainable_params; }

TEST(FreezePolicy, BertBaseCountsMatchHuggingFace) {
  const BertConfig cfg = BertConfig::bert_base(2);
  EXPECT_EQ(plan_report_of<PlanOf<NoFreeze>>(cfg).total_params(), 109'483'778);
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<NoFreeze>>(cfg)), 109'483'778);
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<FreezeBert>>(cfg)), 1'538);
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<TrainClassifierOnly>>(cfg)), 1'538);
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<FreezeEmbeddingsAndLowerLayers<8>>>(cfg)), 28'943'618);
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<FreezeLowerLayers<8>>>(cfg)), 52'780'802);
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<BitFit>>(cfg)), 104'450);
  // Static depth gives the same numbers.
  EXPECT_EQ(trainable_of(plan_report_of<PlanOf<FreezeLowerLayers<8>, 12>>(cfg)), 52'780'802);
}

TEST(FreezePolicy, MemoryFiguresFollowTrainableCount) {
  const BertConfig cfg = BertConfig::bert_base(2);
  const auto r = plan_report_of<PlanOf<FreezeBert>>(cfg);
  EXPECT_EQ(r.gradient_bytes(), 1'538 * 4);
  EXPECT_EQ(r.adamw_state_bytes(), 2 * 1'538 * 4);
  EXPECT_EQ((plan_report_of<PlanOf<NoFreeze>, double>(cfg).gradient_bytes()), 109'483'778ll * 8);
}

TEST(FreezePolicy, ExplainExample2ShowsInputGradientsThroughFrozenLayers) {
  const std::string text = explain(plan_report_of<PlanOf<FreezeLowerLayers<8>>>(BertConfig::bert_base()));
  for (int i = 0; i < 8; ++i) {
    const std::string line_start = "encoder.layer." + std::to_string(i) + " ";
    const auto pos = text.find(line_start);
    ASSERT_NE(pos, std::string::npos) << text;
    const std::string line = text.substr(pos, text.find('\n', pos) - pos);
    EXPECT_NE(line.find("frozen"), std::string::npos) << line;
    EXPECT_NE(line.find("input grads only"), std::string::npos) << line;
  }
  EXPECT_NE(text.find("backward stops at: embeddings"), std::string::npos) << text;
  EXPECT_NE(text.find("trainable parameters: 52,780,802 of 109,483,778"), std::string::npos) << text;
}

TEST(FreezePolicy, ExplainStopAtLayer8) {
  const std::string text = explain(plan_report_of<PlanOf<FreezeEmbeddingsAndLowerLayers<8>>>(BertConfig::bert_base()));
  EXPECT_NE(text.find("backward stops at: encoder.layer.8"), std::string::npos) << text;
  const auto pos = text.find("encoder.layer.7 ");
  const std::string line = text.substr(pos, text.find('\n', pos) - pos);
  EXPECT_NE(line.find("nothing (inference-mode forward"), std::string::npos) << line;
  EXPECT_NE(text.find("trainable parameters: 28,943,618"), std::string::npos) << text;
  const auto pos8 = text.find("encoder.layer.8 ");
  const std::string line8 = text.substr(pos8, text.find('\n', pos8) - pos8);
  EXPECT_NE(line8.find("weight grads only (backward stops here)"), std::string::npos) << line8;
}

TEST(FreezePolicy, ExplainBitFitListsTrainedSlots) {
  const std::string text = explain(plan_report_of<PlanOf<BitFit>>(BertConfig::bert_base()));
  const auto pos = text.find("encoder.layer.0 ");
  const std::string line = text.substr(pos, text.find('\n', pos) - pos);
  EXPECT_NE(line.find("partial"), std::string::npos);
  EXPECT_NE(line.find("q.bias"), std::string::npos);
  EXPECT_NE(line.find("attn_ln.bias"), std::string::npos);
  EXPECT_EQ(line.find("q.weight"), std::string::npos) << line;
  EXPECT_EQ(line.find("attn_ln.weight"), std::string::npos) << line;
}

}  // namespace
