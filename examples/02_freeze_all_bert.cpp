// Seed Example 1: freeze all of model.bert; only the classifier (1,538 parameters) trains.
#include "recipe_common.hpp"

int main() {
  using Model = frost::BertForSequenceClassification<float, frost::Freeze<frost::Body>>;
  return examples::print_recipe<Model>("Example 1: freeze all BERT layers",
                                       "    for param in model.bert.parameters():\n"
                                       "        param.requires_grad = False\n");
}
