// examples/demo.cpp: the same small fine-tuning job under four freeze policies.
//
// A 4-layer BERT (hidden 64) is first "pre-trained" (all parameters, 150 AdamW steps) on a
// synthetic task; then each policy fine-tunes a fresh classifier head on top of that body with
// AdamW for 100 steps. For each policy the demo prints its plan summary, the loss before/after,
// ms per step and the matmul FLOPs per step, so the cost of each recipe is visible. (The
// real-checkpoint `frost compare` job comes with the CLI.)
#include <chrono>
#include <cstdio>
#include <frost/frost.hpp>
#include <random>
#include <vector>

namespace {

frost::BertConfig demo_config() {
  frost::BertConfig c;
  c.vocab_size = 200;
  c.hidden_size = 64;
  c.num_hidden_layers = 4;
  c.num_attention_heads = 4;
  c.intermediate_size = 256;
  c.max_position_embeddings = 32;
  c.num_labels = 2;
  c.hidden_dropout_prob = 0.1;
  c.attention_probs_dropout_prob = 0.1;
  c.validate();
  return c;
}

// Label 1: the sequence contains one of the "positive" tokens 10..19 (half of the sequences get
// one planted at a random position); other tokens are drawn from 20..199. [CLS] = 1, [PAD] = 0.
void make_batch(std::mt19937& gen, int B, int S, frost::Batch& b, frost::Labels& y) {
  std::uniform_int_distribution<int> tok(20, 199), pos_tok(10, 19), len(S / 2, S), coin(0, 1);
  b.batch_size = B;
  b.seq_len = S;
  b.input_ids.assign(static_cast<std::size_t>(B * S), 0);
  b.attention_mask.assign(static_cast<std::size_t>(B * S), 0);
  b.token_type_ids.assign(static_cast<std::size_t>(B * S), 0);
  y.classes.assign(static_cast<std::size_t>(B), 0);
  for (int i = 0; i < B; ++i) {
    const int n = len(gen);
    for (int s = 0; s < n; ++s) {
      b.input_ids[static_cast<std::size_t>(i * S + s)] = s == 0 ? 1 : tok(gen);
      b.attention_mask[static_cast<std::size_t>(i * S + s)] = 1;
    }
    const int label = coin(gen);
    if (label) {
      std::uniform_int_distribution<int> where(1, n - 1);
      b.input_ids[static_cast<std::size_t>(i * S + where(gen))] = pos_tok(gen);
    }
    y.classes[static_cast<std::size_t>(i)] = label;
  }
}

using Pretrained = frost::BertForSequenceClassification<float, frost::NoFreeze>;

template <class Model>
float train(Model& model, int steps, std::uint32_t data_seed, double* first, double* last) {
  frost::AdamW<float> opt(model, {.lr = 1e-3, .weight_decay = 0.0});
  std::mt19937 gen(data_seed);
  frost::Batch b;
  frost::Labels y;
  float loss = 0;
  for (int step = 0; step < steps; ++step) {
    make_batch(gen, 16, 24, b, y);
    model.zero_grad();
    model.flops.reset();
    loss = model.forward_backward(b, y);
    opt.step(model);
    if (first && step < 10) *first += loss / 10.0;
    if (last && step >= steps - 10) *last += loss / 10.0;
  }
  return loss;
}

template <class Policy>
void run(const char* name, Pretrained& body) {
  using Model = frost::BertForSequenceClassification<float, Policy>;
  const frost::BertConfig cfg = demo_config();
  Model model(cfg);
  model.init_weights(43);  // a fresh classifier ...
  std::vector<const frost::Tensor<float>*> src;
  body.for_each_param([&](const frost::ParamId&, auto& p) { src.push_back(&p.value); });
  std::size_t k = 0;
  model.for_each_param([&](const frost::ParamId& id, auto& p) {  // ... on the pre-trained body
    if (id.component != frost::Component::classifier) p.value = *src[k];
    ++k;
  });
  const frost::PlanReport plan = frost::plan_report<Model>(cfg);
  constexpr int kSteps = 100;
  double first = 0, last = 0;
  const auto t0 = std::chrono::steady_clock::now();
  train(model, kSteps, 7, &first, &last);
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / kSteps;
  const char* stop = plan.backward_stop < static_cast<int>(plan.components.size())
                         ? plan.components[static_cast<std::size_t>(plan.backward_stop)].name.c_str()
                         : "-";
  std::printf("%-28s %10s %12s %-16s %8.3f %8.3f %8.2f %10.1f\n", name,
              frost::with_commas(plan.trainable_params).c_str(),
              frost::human_bytes(plan.gradient_bytes() + plan.adamw_state_bytes()).c_str(), stop, first, last, ms,
              static_cast<double>(model.flops.total()) / 1e6);
}

}  // namespace

int main() {
  std::printf("frost demo: 4-layer BERT (hidden 64), batch 16 x 24, AdamW lr 1e-3\n");
  Pretrained body(demo_config());
  body.init_weights(42);
  const float pre = train(body, 150, 1, nullptr, nullptr);
  std::printf("pre-training the body (all parameters, 150 steps): final loss %.3f\n", pre);
  std::printf("fine-tuning a fresh classifier on it, 100 steps per policy:\n\n");
  std::printf("%-28s %10s %12s %-16s %8s %8s %8s %10s\n", "policy", "trainable", "grad+adam", "backward stop", "loss0",
              "loss100", "ms/step", "MFLOP/step");
  run<frost::NoFreeze>("nothing frozen (HF default)", body);
  run<frost::FreezeEmbeddingsAndLowerLayers<3>>("embeddings + layers[:3]", body);
  run<frost::BitFit>("BitFit", body);
  run<frost::FreezeBert>("whole body (model.bert)", body);
  std::printf("\nThe plan behind the second row (explain):\n%s",
              frost::explain<frost::BertForSequenceClassification<float, frost::FreezeEmbeddingsAndLowerLayers<3>>>(
                  demo_config())
                  .c_str());
  return 0;
}
