// BitFit (Ben Zaken et al., 2021): train only the biases of the body (LayerNorm biases included)
// and the classifier: 104,450 parameters of bert-base.
#include "recipe_common.hpp"

int main() {
  using Model = frost::BertForSequenceClassification<float, frost::BitFit>;
  return examples::print_recipe<Model>("BitFit: biases only",
                                       "    for name, param in model.bert.named_parameters():\n"
                                       "        param.requires_grad = name.endswith(\"bias\")\n");
}
