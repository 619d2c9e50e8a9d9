// Must NOT compile: the policy freezes encoder layers [0, 13) of a 12-layer model.
#include <frost/frost.hpp>

int main() {
  using Model = frost::BertForSequenceClassification<float, frost::FreezeLowerLayers<13>, 12>;
  Model model(frost::BertConfig::bert_base());
  return 0;
}
