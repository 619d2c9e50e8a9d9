// The model as generated from a policy: zero-byte frozen slots, saved activations that follow
// the plan, FLOP counters equal to the closed-form count, optimizer state only for trainable
// parameters, and clear errors on bad input.
#include <gtest/gtest.h>

#include <frost/frost.hpp>

namespace {

using namespace frost;

BertConfig tiny_config(int layers = 3, int labels = 3) {
  BertConfig c;
  c.vocab_size = 40;
  c.hidden_size = 16;
  c.num_hidden_layers = layers;
  c.num_attention_heads = 4;
  c.intermediate_size = 32;
  c.max_position_embeddings = 12;
  c.num_labels = labels;
  c.hidden_dropout_prob = 0.0;
  c.attention_probs_dropout_prob = 0.0;
  c.validate();
  return c;
}

Batch tiny_batch() {
  Batch b;
  b.batch_size = 3;
  b.seq_len = 6;
  b.input_ids = {2, 5, 9, 11, 3, 0, 2, 7, 7, 3, 0, 0, 2, 30, 31, 32, 33, 3};
  b.token_type_ids = {0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1};
  b.attention_mask = {1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1};
  return b;
}

// ---- zero bytes for frozen parameters, by construction -------------------------------------
static_assert(sizeof(Param<float, false>) == sizeof(Tensor<float>));
static_assert(std::is_empty_v<decltype(Param<float, false>::grad)>);
static_assert(sizeof(Param<float, true>) == 2 * sizeof(Tensor<float>));
static_assert(std::is_empty_v<decltype(Param<double, false>::grad)>);

// A layer below the backward stop: every parameter is value-only and nothing is saved.
using FrozenBelowStop = EncoderLayer<float, ComponentSpec{0, false}>;
static_assert(std::is_empty_v<FrozenBelowStop::Saved>);
static_assert(sizeof(FrozenBelowStop) < sizeof(EncoderLayer<float, ComponentSpec{kLayerAll, true}>));
// A frozen layer above a trainable one keeps what its input gradient needs (attention internals,
// LayerNorm statistics, the GELU input, dropout masks) but not the GEMM inputs that only weight
// gradients read (layer input x, attention context, h1; the GELU output is never kept).
using FrozenPassThrough = EncoderLayer<float, ComponentSpec{0, true}>::Saved;
static_assert(std::is_empty_v<decltype(FrozenPassThrough::x)>);
static_assert(std::is_empty_v<decltype(FrozenPassThrough::ctx)>);
static_assert(std::is_empty_v<decltype(FrozenPassThrough::h1)>);
static_assert(!std::is_empty_v<decltype(FrozenPassThrough::qkv)>);
static_assert(!std::is_empty_v<decltype(FrozenPassThrough::ln1)>);
static_assert(!std::is_empty_v<decltype(FrozenPassThrough::i)>);
// A fully trainable layer saves the GEMM inputs as well (GELU's from which g is recomputed).
using Trainable = EncoderLayer<float, ComponentSpec{kLayerAll, true}>::Saved;
static_assert(!std::is_empty_v<decltype(Trainable::x)> && !std::is_empty_v<decltype(Trainable::ctx)> &&
              !std::is_empty_v<decltype(Trainable::i)>);
// h1 (the Wi gradient's input) is recomputed from LN1's x̂ where LN1's backward keeps that anyway,
// and kept where nothing else needs x̂ (Wi the lowest trainable weight: backward stops above LN1).
static_assert(std::is_empty_v<decltype(Trainable::h1)> && !std::is_empty_v<decltype(Trainable::ln1)>);
using OnlyWiTrains = EncoderLayer<float, ComponentSpec{bit(slot::inter_w), false}>::Saved;
static_assert(!std::is_empty_v<decltype(OnlyWiTrains::h1)> && std::is_empty_v<decltype(OnlyWiTrains::ln1)>);
// Only Wout training (nothing below it): the GELU input is kept for the recomputation, although no
// input gradient flows through the GELU.
using OnlyOut = EncoderLayer<float, ComponentSpec{bit(slot::out_w), false}>;
static_assert(!OnlyOut::traits::need_dg && !std::is_empty_v<decltype(OnlyOut::Saved::i)>);
// BitFit layer: biases train, so no weight-gradient GEMM input is kept.
using BitFitLayer = EncoderLayer<float, ComponentSpec{Biases::mask().layers[0], true}>::Saved;
static_assert(std::is_empty_v<decltype(BitFitLayer::x)> && std::is_empty_v<decltype(BitFitLayer::ctx)> &&
              std::is_empty_v<decltype(BitFitLayer::h1)>);

// Seed Example 1 and Example 3 generate the very same model type.
static_assert(std::is_same_v<BertForSequenceClassification<float, FreezeBert, 12>,
                             BertForSequenceClassification<float, TrainClassifierOnly, 12>>);
// Embeddings + layers 0-7 frozen: the embeddings and layers 0-7 store no activations.
using Stop8 = BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<8>, 12>;
static_assert(std::is_same_v<std::tuple_element_t<7, Stop8::typed_layers_t>, FrozenBelowStop>);
static_assert(!std::tuple_element_t<8, Stop8::typed_layers_t>::spec.input_grad);
// Seed Example 2: layers 0-7 frozen but they pass gradients down to the trainable embeddings.
using Ex2 = BertForSequenceClassification<float, FreezeLowerLayers<8>, 12>;
static_assert(std::tuple_element_t<0, Ex2::typed_layers_t>::spec == ComponentSpec{0, true});

template <class Policy>
std::int64_t count_visited_trainable(const BertConfig& cfg) {
  BertForSequenceClassification<float, Policy> m(cfg);
  std::int64_t n = 0;
  m.for_each_trainable([&](const ParamId&, auto& p) { n += numel(p.grad); });
  return n;
}

TEST(Model, TrainableParametersMatchThePlan) {
  const BertConfig cfg = tiny_config();
  using P = FreezeEmbeddingsAndLowerLayers<2>;
  EXPECT_EQ(count_visited_trainable<P>(cfg),
            (plan_report<BertForSequenceClassification<float, P>>(cfg).trainable_params));
  EXPECT_EQ(count_visited_trainable<BitFit>(cfg),
            (plan_report<BertForSequenceClassification<float, BitFit>>(cfg).trainable_params));
  EXPECT_EQ(count_visited_trainable<FreezeBert>(cfg), 3 * 16 + 3);
}

// ---- FLOP counters equal the closed form ----------------------------------------------------
template <class Policy, int Depth = kDynamicDepth>
void expect_flops_match() {
  using Model = BertForSequenceClassification<float, Policy, Depth>;
  const BertConfig cfg = tiny_config();
  Model m(cfg);
  m.init_weights(1);
  Batch b = tiny_batch();
  Labels y;
  y.classes = {0, 2, 1};
  m.flops.reset();
  m.zero_grad();
  m.forward_backward(b, y);
  const FlopCounter want = analytic_flops<Model>(cfg, b.batch_size, b.seq_len);
  EXPECT_EQ(m.flops[Phase::forward], want[Phase::forward]);
  EXPECT_EQ(m.flops[Phase::backward_input], want[Phase::backward_input]);
  EXPECT_EQ(m.flops[Phase::backward_weight], want[Phase::backward_weight]);
}

TEST(Flops, CountedEqualsAnalytic) {
  expect_flops_match<NoFreeze>();
  expect_flops_match<Freeze<Embeddings>>();
  expect_flops_match<Freeze<Layers<0, 2>>>();
  expect_flops_match<FreezeEmbeddingsAndLowerLayers<2>>();
  expect_flops_match<FreezeEmbeddingsAndLowerLayers<2>, 3>();
  expect_flops_match<FreezeBert>();
  expect_flops_match<BitFit>();
  expect_flops_match<LayerNormOnly>();
  expect_flops_match<Freeze<Pooler>>();
  expect_flops_match<Freeze<Everything>>();
}

// Closed forms written out by hand for the tiny geometry (N = 18 tokens, H = 16, I = 32, S = 6,
// B = 3, C = 3, L = 3) as an independent check of analytic_flops itself.
TEST(Flops, HandDerivedClosedForms) {
  const std::uint64_t N = 18, H = 16, I = 32, S = 6, B = 3, C = 3, L = 3;
  const std::uint64_t linear_fwd = L * (2 * N * H * H * 4 + 2 * N * H * I * 2);
  const std::uint64_t attn_fwd = L * 4 * N * S * H;
  const std::uint64_t heads_fwd = 2 * B * H * H + 2 * B * H * C;
  const BertConfig cfg = tiny_config();
  using Full = BertForSequenceClassification<float, NoFreeze>;
  const auto full = analytic_flops<Full>(cfg, 3, 6);
  EXPECT_EQ(full[Phase::forward], linear_fwd + attn_fwd + heads_fwd);
  // Nothing frozen: every weight GEMM has a gradient GEMM of the same size...
  EXPECT_EQ(full[Phase::backward_weight], linear_fwd + heads_fwd);
  // ...and every activation gradient is computed: twice the attention, all linears except none.
  EXPECT_EQ(full[Phase::backward_input], linear_fwd + 2 * attn_fwd + heads_fwd);
  using Body = BertForSequenceClassification<float, FreezeBert>;
  const auto body = analytic_flops<Body>(cfg, 3, 6);
  EXPECT_EQ(body[Phase::backward_weight], 2 * B * H * C);
  EXPECT_EQ(body[Phase::backward_input], 0u);
  // Embeddings + layers [0, 2) frozen: only layer 2 and the heads are in backward, and layer 2
  // needs no input gradient (its QKV input GEMMs are skipped).
  using Top = BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<2>>;
  const auto top = analytic_flops<Top>(cfg, 3, 6);
  EXPECT_EQ(top[Phase::backward_weight], linear_fwd / L + heads_fwd);
  EXPECT_EQ(top[Phase::backward_input], (linear_fwd / L - 3 * 2 * N * H * H) + 2 * attn_fwd / L + heads_fwd);
}

// ---- optimizer state exists only for trainable parameters ----------------------------------
template <class Policy>
void expect_adamw_state_matches_plan() {
  using Model = BertForSequenceClassification<float, Policy>;
  const BertConfig cfg = tiny_config();
  Model m(cfg);
  AdamW<float> opt(m);
  const PlanReport r = plan_report<Model>(cfg);
  EXPECT_EQ(opt.state_bytes(), r.adamw_state_bytes());
  std::size_t trainable_tensors = 0;
  m.for_each_trainable([&](const ParamId&, auto&) { ++trainable_tensors; });
  EXPECT_EQ(opt.state().slots().size(), trainable_tensors);
}

TEST(Optimizer, AdamWStateOnlyForTrainable) {
  expect_adamw_state_matches_plan<NoFreeze>();
  expect_adamw_state_matches_plan<FreezeBert>();
  expect_adamw_state_matches_plan<BitFit>();
  expect_adamw_state_matches_plan<FreezeEmbeddingsAndLowerLayers<2>>();
}

TEST(Optimizer, FrozenParametersNeverChange) {
  using Model = BertForSequenceClassification<float, FreezeEmbeddingsAndLowerLayers<2>>;
  Model m(tiny_config());
  m.init_weights(3);
  const Tensor<float> word_before = m.embeddings.word.value;
  const Tensor<float> layer0_q = std::get<0>(m.layers).q_w.value;
  const Tensor<float> layer2_q = m.tail.at(0).q_w.value;
  AdamW<float> opt(m, {.lr = 1e-2});
  for (int step = 0; step < 3; ++step) {
    Batch b = tiny_batch();
    Labels y;
    y.classes = {0, 2, 1};
    m.zero_grad();
    m.forward_backward(b, y);
    opt.step(m);
  }
  EXPECT_EQ(m.embeddings.word.value, word_before);
  EXPECT_EQ(std::get<0>(m.layers).q_w.value, layer0_q);
  EXPECT_NE(m.tail.at(0).q_w.value, layer2_q);
}

// ---- errors -----------------------------------------------------------------------------------
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Errors, PolicyDeeperThanConfig) {
  BertConfig cfg = tiny_config(3);
  const auto msg = error_of([&] { BertForSequenceClassification<float, FreezeLowerLayers<8>> m(cfg); });
  EXPECT_NE(msg.find("only 3 layers"), std::string::npos) << msg;
  const auto msg2 = error_of([&] { BertForSequenceClassification<float, NoFreeze, 12> m(cfg); });
  EXPECT_NE(msg2.find("compiled for depth 12"), std::string::npos) << msg2;
}

TEST(Errors, BadBatch) {
  BertForSequenceClassification<float> m(tiny_config());
  Batch b = tiny_batch();
  b.input_ids[4] = 40;
  EXPECT_NE(error_of([&] { m.forward(b); }).find("input_ids[4] = 40 is outside [0, vocab_size=40)"), std::string::npos);
  b = tiny_batch();
  b.token_type_ids[0] = 2;
  EXPECT_NE(error_of([&] { m.forward(b); }).find("token_type_ids[0]"), std::string::npos);
  b = tiny_batch();
  b.seq_len = 13;
  b.batch_size = 1;
  b.input_ids.assign(13, 1);
  b.token_type_ids.clear();
  b.attention_mask.clear();
  EXPECT_NE(error_of([&] { m.forward(b); }).find("exceeds max_position_embeddings"), std::string::npos);
  b = tiny_batch();
  b.input_ids.pop_back();
  EXPECT_NE(error_of([&] { m.forward(b); }).find("input_ids has 17 entries"), std::string::npos);
}

TEST(Errors, BadLabels) {
  BertForSequenceClassification<float> m(tiny_config());
  Batch b = tiny_batch();
  Labels y;
  y.classes = {0, 3, 1};
  EXPECT_NE(error_of([&] { m.forward_backward(b, y); }).find("label 3 of example 1 is outside [0, 3)"),
            std::string::npos);
  y.classes = {0, 1};
  EXPECT_NE(error_of([&] { m.forward_backward(b, y); }).find("expected 3 labels"), std::string::npos);
}

TEST(Errors, BackwardWithoutTrainForward) {
  BertForSequenceClassification<float> m(tiny_config());
  Batch b = tiny_batch();
  const auto& logits = m.forward(b, Mode::eval);
  Tensor<float> d = Tensor<float>::Zero(logits.rows(), logits.cols());
  EXPECT_NE(error_of([&] { m.backward(d); }).find("needs a Mode::train forward"), std::string::npos);
  // A train forward allows one backward: backward consumes (and may release) what it recorded.
  m.forward(b, Mode::train);
  EXPECT_NO_THROW(m.backward(d));
  EXPECT_NE(error_of([&] { m.backward(d); }).find("since the last backward"), std::string::npos);
}

TEST(Model, EvalModeIsDeterministicAndTrainModeDropsOut) {
  BertConfig cfg = tiny_config();
  cfg.hidden_dropout_prob = 0.3;
  cfg.attention_probs_dropout_prob = 0.3;
  BertForSequenceClassification<float> m(cfg);
  m.init_weights(5);
  Batch b = tiny_batch();
  const Tensor<float> e1 = m.forward(b, Mode::eval);
  const Tensor<float> e2 = m.forward(b, Mode::eval);
  EXPECT_EQ(e1, e2);
  const Tensor<float> t1 = m.forward(b, Mode::train);
  EXPECT_NE(t1, e1);
  // Same seed, same step: same masks.
  BertForSequenceClassification<float> m2(cfg);
  m2.init_weights(5);
  m2.forward(b, Mode::eval);
  m2.forward(b, Mode::eval);
  EXPECT_EQ(m2.forward(b, Mode::train), t1);
}

}  // namespace
