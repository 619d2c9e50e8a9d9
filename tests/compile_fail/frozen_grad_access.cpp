// Must NOT compile: a frozen parameter has no gradient tensor to read.
#include <frost/frost.hpp>

int main() {
  using Model = frost::BertForSequenceClassification<float, frost::FreezeBert, 2>;
  frost::BertConfig cfg = frost::BertConfig::bert_base();
  cfg.num_hidden_layers = 2;
  Model model(cfg);
  return static_cast<int>(model.embeddings.word.grad.rows());
}
