// frost/dist/data_parallel.hpp: PyTorch DistributedDataParallel's semantics on a Communicator.
//
//   shard_order       DistributedSampler(drop_last=False): the epoch's (seeded) order, padded by
//                     wrapping to a multiple of the world size, rank r takes positions r, r + p,
//                     r + 2p, ... So N ranks x batch b see, step by step, the examples one process
//                     with batch N b sees (up to the wrapped padding of the last step).
//   allreduce_grads   every *trainable* gradient summed over ranks and scaled by 1 / p (DDP's
//                     average), in place after backward; frozen parameters have no gradient,
//                     so they cost nothing on the wire (whole body frozen on bert-base: the
//                     classifier's 1,538 floats, 6,152 bytes, instead of 438 MB).
//   GradientReducer   the same average, overlapped with backward (DDP's Reducer): as soon as
//                     backward has finished a component (model.on_grads_ready: classifier, pooler,
//                     top layer first), the non-blocking allreduce of each of its trainable
//                     gradients starts, in place (gradient_as_bucket_view); finish() waits, scales.
//   broadcast_params  rank 0's trainable parameters to every rank (DDP's construction-time
//                     broadcast; frozen ones come from the same checkpoint file on every rank).
//   parameter_digest  a hash of every parameter's bytes: equal on all ranks after every step.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../core/tensor.hpp"
#include "../freeze/slots.hpp"
#include "communicator.hpp"

namespace frost::dist {

/// This rank's share of `order` (DistributedSampler, drop_last = False).
inline std::vector<std::int64_t> shard_order(const std::vector<std::int64_t>& order, int rank, int world) {
  if (world <= 1) return order;
  const std::size_t n = order.size(), w = static_cast<std::size_t>(world);
  const std::size_t per_rank = (n + w - 1) / w;
  std::vector<std::int64_t> mine;
  mine.reserve(per_rank);
  for (std::size_t i = static_cast<std::size_t>(rank); i < per_rank * w; i += w) mine.push_back(order[i % n]);
  return mine;
}

/// Examples per rank per epoch for `n` examples (DistributedSampler's num_samples).
inline std::size_t examples_per_rank(std::size_t n, int world) {
  return world <= 1 ? n : (n + static_cast<std::size_t>(world) - 1) / static_cast<std::size_t>(world);
}

/// Averages every trainable gradient of `model` over the ranks of `comm`, each in place (no copy).
/// Returns the bytes handed to allreduce (4 x trainable parameters); 0 for one rank.
template <class Model>
std::uint64_t allreduce_grads(Model& model, Communicator& comm) {
  if (comm.size() <= 1) return 0;
  static_assert(std::is_same_v<typename Model::scalar_type, float>,
                "data-parallel training communicates float gradients");
  std::uint64_t bytes = 0;
  const float scale = 1.0f / static_cast<float>(comm.size());
  model.for_each_trainable([&](const auto&, auto& p) {
    comm.allreduce_sum(p.grad.data(), static_cast<std::size_t>(p.grad.size()));
    p.grad *= scale;
    bytes += static_cast<std::uint64_t>(p.grad.size()) * sizeof(float);
  });
  return bytes;
}

/// allreduce_grads overlapped with backward: arm() before the step's last backward, finish() after.
/// Each gradient tensor is reduced in place (PyTorch's gradient_as_bucket_view: no copy, no extra
/// memory), its non-blocking allreduce started as soon as backward has finished its component.
template <class Model>
class GradientReducer {
 public:
  GradientReducer(Model& model, Communicator& comm) : model_(model), comm_(comm) {}
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;
  ~GradientReducer() { disarm(); }

  /// The next backward starts the allreduces of each component with trainable gradients.
  void arm() {
    if (comm_.size() <= 1) return;
    started_.clear();
    model_.on_grads_ready = [this](Component c, int layer) { launch(c, layer); };
  }
  /// Waits for every started allreduce and scales the sums to averages; the bytes handed to
  /// allreduce (4 x trainable parameters; 0 for one rank).
  std::uint64_t finish() {
    disarm();
    if (comm_.size() <= 1) return 0;
    comm_.wait_all();
    std::uint64_t bytes = 0;
    const float scale = 1.0f / static_cast<float>(comm_.size());
    for (Tensor<float>* g : started_) {
      *g *= scale;
      bytes += static_cast<std::uint64_t>(g->size()) * sizeof(float);
    }
    started_.clear();
    return bytes;
  }
  void disarm() { model_.on_grads_ready = nullptr; }

 private:
  void launch(Component c, int layer) {
    model_.for_each_trainable([&](const auto& id, auto& p) {
      if (id.component != c || (c == Component::layer && id.layer != layer)) return;
      comm_.start_allreduce_sum(p.grad.data(), static_cast<std::size_t>(p.grad.size()));
      started_.push_back(&p.grad);
    });
    comm_.progress();
  }

  Model& model_;
  Communicator& comm_;
  std::vector<Tensor<float>*> started_;  // this step's gradients, in the order their allreduce started
};

/// Rank `root`'s trainable parameters (adapters included) into every rank's model.
template <class Model>
void broadcast_params(Model& model, Communicator& comm, int root = 0) {
  if (comm.size() <= 1) return;
  model.for_each_trainable([&](const auto&, auto& p) {
    comm.broadcast(p.value.data(), static_cast<std::size_t>(p.value.size()) * sizeof(*p.value.data()), root);
  });
}

/// FNV-1a over the bytes of every parameter value (base and adapters), in a fixed order.
template <class Model>
std::uint64_t parameter_digest(Model& model) {
  std::uint64_t h = 1469598103934665603ull;
  auto eat = [&](const auto& v) {
    const auto* b = reinterpret_cast<const unsigned char*>(v.data());
    for (std::size_t i = 0, n = static_cast<std::size_t>(v.size()) * sizeof(*v.data()); i < n; ++i)
      h = (h ^ b[i]) * 1099511628211ull;
  };
  model.for_each_param([&](const auto&, auto& p) { eat(p.value); });
  model.for_each_adapter_param([&](const auto&, auto& p) { eat(p.value); });
  return h;
}

/// Whether every rank's parameters are bitwise equal (two collectives over a digest).
template <class Model>
bool parameters_in_sync(Model& model, Communicator& comm) {
  if (comm.size() <= 1) return true;
  const std::uint64_t d = parameter_digest(model);
  std::uint64_t v[2] = {d, ~d};
  comm.allreduce_min(v, 2);  // min of d and min of ~d (= ~max of d): equal iff all are
  return v[0] == d && ~v[1] == d;
}

}  // namespace frost::dist
