// Must NOT compile: Embeddings names parameters; Freeze<Embeddings> is the policy.
#include <frost/frost.hpp>

int main() {
  frost::BertConfig cfg = frost::BertConfig::bert_base();
  frost::BertForSequenceClassification<float, frost::Embeddings> model(cfg);
  return model.depth();
}
