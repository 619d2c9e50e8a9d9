// Seed Example 2: freeze model.bert.encoder.layer[:8]. The embeddings still train, so backward
// must still run through layers 0-7 for input gradients (but computes no weight gradients there).
#include "recipe_common.hpp"

int main() {
  using Model = frost::BertForSequenceClassification<float, frost::Freeze<frost::Layers<0, 8>>>;
  examples::print_recipe<Model>("Example 2: freeze encoder layers [:8]",
                                "    for param in model.bert.encoder.layer[:8].parameters():\n"
                                "        param.requires_grad = False\n");
  // The variant people usually mean: embeddings frozen too, so backward stops at layer 8.
  using Stop8 = frost::BertForSequenceClassification<float, frost::FreezeEmbeddingsAndLowerLayers<8>>;
  return examples::print_recipe<Stop8>("Example 2, with the embeddings frozen as well",
                                       "    model.bert.embeddings.requires_grad_(False)\n"
                                       "    for param in model.bert.encoder.layer[:8].parameters():\n"
                                       "        param.requires_grad = False\n");
}
