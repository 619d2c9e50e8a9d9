// frost/model/run_state.hpp: what one forward pass shares between components.
#pragma once

#include <cstdint>
#include <type_traits>

#include "../core/flops.hpp"
#include "../core/random.hpp"
#include "../core/tensor.hpp"

namespace frost {

/// train: dropout on (HF's model.train()) and activations recorded for backward;
/// eval: dropout off, nothing recorded (torch.no_grad() + model.eval()).
enum class Mode { train, eval };

template <class T>
struct RunState {
  bool training = false;       ///< dropout active
  bool frozen_dropout = true;  ///< apply dropout in fully frozen components too (HF does)
  bool record = false;         ///< keep activations for backward
  Eigen::Index batch = 0, seq = 0;
  const int* attention_mask = nullptr;
  Tensor<T> mask_add;  ///< [B, S] additive attention mask
  RandomStream rng;    ///< this step's dropout stream; each site forks it
  FlopCounter* flops = nullptr;
};

/// The frozen prefix's output handed to BertBase::forward (see frozen_feature_rows()): `replay`
/// starts the pass at the lowest trainable component from a stored boundary tensor, `capture`
/// receives the boundary tensor of this pass. Either or both may be null.
template <class T>
struct FrozenFeatures {
  const Tensor<T>* replay = nullptr;
  Tensor<T>* capture = nullptr;
};

/// Dropout is applied in a component with spec S when training, and, for a component without
/// trainable parameters, only if frozen_dropout is set.
template <class T>
bool dropout_active(const RunState<T>& st, bool component_trains) {
  return st.training && (component_trains || st.frozen_dropout);
}

/// Scratch tensors reused by every component whose activations are *not* recorded. One set per
/// model, so layers below the backward stop own no activation memory at all.
template <class T>
struct Workspace {
  Tensor<T> q, k, v, ctx, a, h1, i, g, o, tmp;
  Tensor<T> adapter;  ///< LoRA scratch: dropout(x), dropout'(du A)
};

/// The recorded tensor when `Cache` holds one, the pass records and the tensor is `needed` (a LoRA
/// layer keeps an input only for the targets that read it), else the scratch tensor.
template <class T, class Cache>
Tensor<T>& cached_or(Cache& cache, Tensor<T>& scratch, const RunState<T>& st, bool needed = true) {
  if constexpr (std::is_same_v<Cache, Tensor<T>>) {
    if (st.record && needed) return cache;
  }
  (void)cache, (void)needed;
  return scratch;
}

/// Pointer to the recorded object when it exists and the pass records, else nullptr.
template <class V, class Cache, class T>
V* cache_ptr(Cache& cache, const RunState<T>& st) {
  if constexpr (std::is_same_v<Cache, V>) {
    if (st.record) return &cache;
  }
  (void)cache;
  return nullptr;
}

}  // namespace frost
