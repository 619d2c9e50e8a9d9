// Hugging Face's default: nothing is frozen, all 109,483,778 parameters train.
#include "recipe_common.hpp"

int main() {
  using Model = frost::BertForSequenceClassification<float, frost::NoFreeze>;
  return examples::print_recipe<Model>(
      "default (nothing frozen)",
      "    model = BertForSequenceClassification.from_pretrained(\"bert-base-uncased\", num_labels=2)\n"
      "    # every parameter has requires_grad=True\n");
}
