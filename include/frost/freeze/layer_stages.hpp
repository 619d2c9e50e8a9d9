// frost/freeze/layer_stages.hpp: which backward stages an encoder layer runs, from its spec.
//
// Backward through a post-LN BERT layer is a chain of stages, top-down (see
// model/encoder_layer.hpp). A stage runs iff something at or below it needs a gradient: a
// trainable slot further down in the layer, or the layer's own input gradient.
#pragma once

#include "plan.hpp"

namespace frost {

struct LayerStages {
  bool dz2, dg, dh1, dz1, dctx;
};

constexpr std::uint32_t kQKVSlots =
    bit(slot::q_w) | bit(slot::q_b) | bit(slot::k_w) | bit(slot::k_b) | bit(slot::v_w) | bit(slot::v_b);
constexpr std::uint32_t kAttnOutSlots = bit(slot::attn_out_w) | bit(slot::attn_out_b);
constexpr std::uint32_t kAttnLnSlots = bit(slot::attn_ln_w) | bit(slot::attn_ln_b);
constexpr std::uint32_t kInterSlots = bit(slot::inter_w) | bit(slot::inter_b);
constexpr std::uint32_t kOutSlots = bit(slot::out_w) | bit(slot::out_b);

constexpr LayerStages layer_stages(ComponentSpec s) {
  LayerStages st{};
  // An adapter kind runs every stage: its targets are a run-time set that may include query,
  // key or value (adapters/lora_config.hpp says why).
  st.dctx = s.input_grad || s.trains_any(kQKVSlots) || s.has_adapter();
  st.dz1 = st.dctx || s.trains_any(kAttnOutSlots);
  st.dh1 = st.dz1 || s.trains_any(kAttnLnSlots);
  st.dg = st.dh1 || s.trains_any(kInterSlots);
  st.dz2 = st.dg || s.trains_any(kOutSlots);
  return st;
}

}  // namespace frost
