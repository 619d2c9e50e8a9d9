// frost/optim/param_groups.hpp: which learning rate and weight decay each parameter gets.
//
// Hugging Face Trainer's groups: weight decay for every parameter except biases and LayerNorm
// weights (LayerNorm biases are biases). Layer-wise learning-rate decay (LLRD), which HF users get
// by subclassing Trainer, is a multiplier per component:
//     classifier, pooler:   1
//     encoder layer l:      decay^(L - 1 - l)      (top layer 1, layer 0 decay^(L-1))
//     embeddings:           decay^L                 (lowest)
// ParamGroups is a plain value; optimizers ask it per ParamId.
#pragma once

#include <cmath>

#include "../model/param.hpp"

namespace frost {

struct ParamGroups {
  double weight_decay = 0.0;    ///< applied to the "decay" group
  bool hf_no_decay = true;      ///< biases and LayerNorm weights get no weight decay (HF Trainer)
  double layer_lr_decay = 1.0;  ///< LLRD factor; 1 = off
  int num_layers = 0;           ///< L, needed for LLRD

  [[nodiscard]] bool decays(const ParamId& id) const {
    if (!hf_no_decay) return true;
    const SlotKind k = slot_kind(id.component, id.slot);
    return k == SlotKind::weight || k == SlotKind::embedding;
  }
  [[nodiscard]] double weight_decay_of(const ParamId& id) const { return decays(id) ? weight_decay : 0.0; }
  [[nodiscard]] double lr_multiplier(const ParamId& id) const {
    if (layer_lr_decay == 1.0) return 1.0;
    switch (id.component) {
      case Component::embeddings:
        return std::pow(layer_lr_decay, num_layers);
      case Component::layer:
        return std::pow(layer_lr_decay, num_layers - 1 - id.layer);
      default:
        return 1.0;
    }
  }
};

}  // namespace frost
