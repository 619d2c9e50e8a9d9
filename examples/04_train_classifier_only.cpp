// Seed Example 3: model.bert.requires_grad_(False); model.classifier.requires_grad_(True).
// This freezes exactly what Example 1 freezes: the two spellings are the same frost type.
#include "recipe_common.hpp"

using Example1 = frost::BertForSequenceClassification<float, frost::Freeze<frost::Body>>;
using Example3 = frost::BertForSequenceClassification<float, frost::FreezeAllExcept<frost::Classifier>>;
static_assert(std::is_same_v<Example1, Example3>, "Example 1 and Example 3 are one policy");

int main() {
  return examples::print_recipe<Example3>("Example 3: freeze everything but the classifier",
                                          "    model.bert.requires_grad_(False)\n"
                                          "    model.classifier.requires_grad_(True)\n");
}
