// examples/recipe_common.hpp: prints a recipe's plan for the bert-base geometry (no weights
// needed: the plan and the parameter counts follow from the type and the config alone).
#pragma once

#include <cstdio>
#include <frost/frost.hpp>
#include <string>

namespace examples {

template <class Model>
int print_recipe(const char* title, const char* python) {
  const frost::BertConfig cfg = frost::BertConfig::bert_base(/*num_labels=*/2);
  const frost::PlanReport r = frost::plan_report<Model>(cfg);
  std::printf("== %s ==\nHugging Face:\n%s\nfrost plan for bert-base-uncased (num_labels=2):\n%s", title, python,
              frost::explain(r).c_str());
  std::printf("trainable: %s\n\n", frost::with_commas(r.trainable_params).c_str());
  return 0;
}

}  // namespace examples
