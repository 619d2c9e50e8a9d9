// frost/adapters/merge.hpp: adapters folded into the base weights (PEFT's merge_and_unload()).
//
//   LoRA, every adapted layer i and target t:   W_t <- W_t + scaling * B_t A_t          [out, in]
//   IA3, output-scaled target (l [out, 1]):     W_t <- diag(l) W_t,  b_t <- b_t * l
//   IA3, input-scaled target (l [1, in]):       W_t <- W_t diag(l)   (bias unchanged)
// The result is a plain BertForSequenceClassification: `transformers` loads it with no PEFT at all
// and computes the same function (up to float rounding of the folded weights; lora_dropout is off
// at inference in both).
#pragma once

#include <vector>

#include "../model/bert_classifier.hpp"

namespace frost {

/// Copies every base weight of `adapted` (a model with LoRA or IA3 adapters) into `plain` (a model
/// of the same config without adapters, any freeze spec) and folds each adapter into its target.
template <class T>
void merge_adapter_into(BertClassifier<T>& adapted, BertClassifier<T>& plain) {
  FROST_CHECK(adapted.adapter() != Adapter::none, "merge: the source model has no adapter (LoRA or IA3)");
  FROST_CHECK(plain.adapter() == Adapter::none, "merge: the destination must be a model without adapters");
  plain.copy_weights_from(adapted);
  enum class Op { add, scale_rows, scale_cols, scale_bias };
  struct Edit {
    int layer, slot;
    Op op;
    Tensor<T> value;
  };
  std::vector<Edit> edits;
  adapted.for_each_layer([&](int i, auto& l) {
    using L = std::remove_cvref_t<decltype(l)>;
    if constexpr (L::traits::lora) {
      const T s = l.lora.scaling();
      l.lora.for_each_pair([&](int t, auto& a, auto& b) {
        Tensor<T> d = s * (b.value * a.value);  // [out, r] x [r, in]
        edits.push_back({i, kLoraTargetTable[t].base_slot, Op::add, std::move(d)});
      });
    }
    if constexpr (L::traits::ia3) {
      l.ia3.for_each_vector([&](int t, auto& v) {
        const int w = kLoraTargetTable[t].base_slot;
        if (l.ia3.scales_input(static_cast<LoraTarget>(t))) {
          edits.push_back({i, w, Op::scale_cols, v.value});
        } else {
          edits.push_back({i, w, Op::scale_rows, v.value});
          edits.push_back({i, w + 1, Op::scale_bias, v.value});  // the bias slot follows its weight
        }
      });
    }
  });
  plain.for_each_param([&](const ParamId& id, auto& p) {
    if (id.component != Component::layer) return;
    for (const Edit& e : edits) {
      if (e.layer != id.layer || e.slot != id.slot) continue;
      switch (e.op) {
        case Op::add:
          p.value += e.value;
          break;
        case Op::scale_rows:  // W [out, in], l [out, 1]
          p.value.array().colwise() *= e.value.col(0).array();
          break;
        case Op::scale_cols:  // W [out, in], l [1, in]
          p.value.array().rowwise() *= e.value.row(0).array();
          break;
        case Op::scale_bias:  // b [1, out], l [out, 1]
          p.value.array().rowwise() *= e.value.col(0).transpose().array();
          break;
      }
    }
  });
}

/// LoRA only (kept for its callers): merge_adapter_into() with a check that the adapter is LoRA.
template <class T>
void merge_lora_into(BertClassifier<T>& adapted, BertClassifier<T>& plain) {
  FROST_CHECK(adapted.has_lora(), "merge_lora_into: the source model has no LoRA adapter");
  merge_adapter_into(adapted, plain);
}

}  // namespace frost
