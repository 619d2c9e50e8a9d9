// frost/train/numerical_guard.hpp: the Trainer's stop on a non-finite loss, gradient norm or weight.
//
// Checked on every optimizer step, in this order (each check costs what the step computes anyway,
// except the last, one pass over the trainable weights):
//   loss of a micro-batch       not finite -> NumericalFault before its gradients are used
//   global gradient norm        not finite -> NumericalFault before the optimizer runs
//   trainable weights after the update  not finite -> NumericalFault (the run stops; no checkpoint
//                               or output holds them, since saving happens only after the check)
// The message names the step and the first non-finite tensor (weights in parameter order first,
// then gradients), so "a NaN in the checkpoint" and "the learning rate is too large" read apart.
#pragma once

#include <cmath>
#include <string>

#include "../error.hpp"
#include "../io/hf_names.hpp"

namespace frost {

/// The first non-finite tensor of `model`: "weight <hf name>" (any parameter, frozen or not), else
/// "gradient of <hf name>" (trainable parameters), else "" when every value is finite.
template <class Model>
std::string first_non_finite_tensor(Model& model) {
  std::string found;
  model.for_each_param([&](const ParamId& id, auto& p) {
    if (found.empty() && !p.value.allFinite()) found = "weight " + io::hf_name(id);
  });
  if (!found.empty()) return found;
  model.for_each_trainable([&](const ParamId& id, auto& p) {
    if (found.empty() && !p.grad.allFinite()) found = "gradient of " + io::hf_name(id);
  });
  return found;
}

/// The first trainable weight holding a non-finite value ("" if none): what an update can break.
template <class Model>
std::string first_non_finite_trainable_weight(Model& model) {
  std::string found;
  model.for_each_trainable([&](const ParamId& id, auto& p) {
    if (found.empty() && !p.value.allFinite()) found = io::hf_name(id);
  });
  return found;
}

namespace detail {
inline std::string show_value(double v) { return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"); }
}  // namespace detail

/// Throws NumericalFault when `value` (the loss or the gradient norm of optimizer step `step`,
/// 1-based) is not finite, naming the first non-finite tensor of `model`.
template <class Model>
void check_finite(double value, const char* what, long step, Model& model) {
  if (std::isfinite(value)) return;
  const std::string tensor = first_non_finite_tensor(model);
  throw NumericalFault(
      "training stopped at step " + std::to_string(step) + ": the " + what + " is " + detail::show_value(value) +
      " (first non-finite tensor: " + (tensor.empty() ? std::string("none; the activations overflowed") : tensor) +
      "); the weights were not updated by this step and nothing non-finite was saved");
}

/// Throws NumericalFault when the update of step `step` left a trainable weight non-finite.
template <class Model>
void check_finite_update(long step, double learning_rate, Model& model) {
  const std::string name = first_non_finite_trainable_weight(model);
  if (name.empty()) return;
  throw NumericalFault("training stopped at step " + std::to_string(step) + ": the update made weight " + name +
                       " non-finite (learning rate " + std::to_string(learning_rate) +
                       "; try a smaller --lr); nothing non-finite was saved");
}

}  // namespace frost
