// frost/optim/optimizer_state.hpp: per-parameter optimizer state keyed by ParamId.
//
// An optimizer's state is a list of slots, one per *trainable* parameter, in the model's
// for_each_trainable() order. rebind() moves the state to a model with another freeze policy
// (gradual unfreezing): parameters trainable in both keep their state, newly trainable ones start
// fresh, newly frozen ones drop theirs.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/tensor.hpp"
#include "../detail/macros.hpp"
#include "../model/param.hpp"

namespace frost {

template <class T, int NBuffers>
struct ParamState {
  ParamId id{Component::embeddings, 0, 0};
  std::int64_t step = 0;                ///< updates this parameter has received (torch: state['step'])
  std::array<Tensor<T>, NBuffers> buf;  ///< zero-sized until first used
};

template <class T, int NBuffers>
class OptimizerState {
 public:
  using Slot = ParamState<T, NBuffers>;

  template <class Model>
  void bind(Model& model) {
    std::vector<Slot> next;
    model.for_each_trainable([&](const ParamId& id, auto&) {
      auto it = std::find_if(slots_.begin(), slots_.end(), [&](const Slot& s) { return s.id == id; });
      if (it != slots_.end()) {
        next.push_back(std::move(*it));
      } else {
        Slot fresh;
        fresh.id = id;
        next.push_back(std::move(fresh));
      }
    });
    slots_ = std::move(next);
  }

  /// The slot for the k-th trainable parameter; checks the model still matches.
  Slot& at(std::size_t k, const ParamId& id) {
    FROST_CHECK(k < slots_.size() && slots_[k].id == id,
                "optimizer: the model's trainable parameters changed; call rebind(model)");
    return slots_[k];
  }
  [[nodiscard]] const std::vector<Slot>& slots() const { return slots_; }
  std::vector<Slot>& slots() { return slots_; }

  [[nodiscard]] std::int64_t bytes() const {
    std::int64_t b = 0;
    for (const auto& s : slots_)
      for (const auto& t : s.buf) b += numel(t) * static_cast<std::int64_t>(sizeof(T));
    return b;
  }

 private:
  std::vector<Slot> slots_;
};

}  // namespace frost
