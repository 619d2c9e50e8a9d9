// frost/adapters/merge.hpp: LoRA folded into the base weights (PEFT's merge_and_unload()).
//
//   for every adapted layer i and target t:  W_t <- W_t + scaling * B_t A_t      [out, in]
// The result is a plain BertForSequenceClassification: `transformers` loads it with no PEFT at all
// and computes the same function (up to float rounding of the folded sum; lora_dropout is off at
// inference in both).
#pragma once

#include <vector>

#include "../model/bert_classifier.hpp"

namespace frost {

/// Copies every base weight of `adapted` (a LoRA model) into `plain` (a model of the same config
/// without adapters, any freeze spec) and adds each adapter's scaling * B A to its target weight.
template <class T>
void merge_lora_into(BertClassifier<T>& adapted, BertClassifier<T>& plain) {
  FROST_CHECK(adapted.has_lora(), "merge_lora_into: the source model has no LoRA adapter");
  FROST_CHECK(!plain.has_lora(), "merge_lora_into: the destination must be a model without adapters");
  plain.copy_weights_from(adapted);
  struct Delta {
    int layer, slot;
    Tensor<T> value;
  };
  std::vector<Delta> deltas;
  adapted.for_each_layer([&](int i, auto& l) {
    if constexpr (std::remove_cvref_t<decltype(l)>::traits::lora) {
      const T s = l.lora.scaling();
      l.lora.for_each_pair([&](int t, auto& a, auto& b) {
        Tensor<T> d = s * (b.value * a.value);  // [out, r] x [r, in]
        deltas.push_back({i, kLoraTargetTable[t].base_slot, std::move(d)});
      });
    }
  });
  plain.for_each_param([&](const ParamId& id, auto& p) {
    if (id.component != Component::layer) return;
    for (const Delta& d : deltas)
      if (d.layer == id.layer && d.slot == id.slot) p.value += d.value;
  });
}

}  // namespace frost
