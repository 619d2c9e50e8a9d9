// Uses the installed headers: builds a tiny model, runs a training step, prints a bert-base plan.
#include <cstdio>
#include <frost/frost.hpp>

int main() {
  frost::BertConfig cfg;
  cfg.vocab_size = 30;
  cfg.hidden_size = 8;
  cfg.num_hidden_layers = 2;
  cfg.num_attention_heads = 2;
  cfg.intermediate_size = 16;
  cfg.max_position_embeddings = 8;
  frost::BertForSequenceClassification<float, frost::FreezeBert> model(cfg);
  model.init_weights(1);
  frost::Batch batch{1, 4, {1, 5, 6, 2}, {}, {}};
  frost::Labels labels;
  labels.classes = {1};
  const float loss = model.forward_backward(batch, labels);
  std::printf("tiny model loss: %.4f\n", loss);
  using BertBase = frost::BertForSequenceClassification<float, frost::FreezeBert>;
  std::printf("%s", frost::explain<BertBase>(frost::BertConfig::bert_base()).c_str());
  return loss > 0 ? 0 : 1;
}
