// frost/train/best_model.hpp: the Trainer's memory of its best evaluation (HF's best_metric,
// load_best_model_at_end and EarlyStoppingCallback).
//
//   after each evaluation during training, with v = metrics[metric_for_best_model]:
//     better(v, best)              = v > best if greater_is_better else v < best   (NaN never is)
//     best improves                 when there is no best yet or better(v, best)
//     early-stopping patience resets when better(v, best) and |v - best| > threshold,
//                                   else it grows by one; training stops when it reaches
//                                   early_stopping_patience (0: never)
//   HF's order: the callback compares with the previous best, then the best is updated.
//
// The snapshot holds the trainable parameters only: a frozen parameter never changes, so
// restoring the trainable ones restores the whole model, and the snapshot costs exactly the
// trainable bytes (zero for every frozen tensor, like its gradient and optimizer state).
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../core/tensor.hpp"
#include "../freeze/slots.hpp"

namespace frost {

/// The non-tensor part (saved in a checkpoint's frost.state, so a resumed run decides alike).
struct BestModelState {
  long step = -1;  ///< global step of the best evaluation (-1: none yet)
  double metric = std::numeric_limits<double>::quiet_NaN();
  long bad_evaluations = 0;  ///< evaluations since the last one better by more than the threshold
};

template <class T>
class BestModel {
 public:
  BestModel() = default;
  BestModel(std::string metric, bool greater_is_better, bool keep_weights, double threshold)
      : metric_(std::move(metric)), greater_(greater_is_better), keep_(keep_weights), threshold_(threshold) {}

  [[nodiscard]] const std::string& metric() const { return metric_; }
  [[nodiscard]] bool greater_is_better() const { return greater_; }
  [[nodiscard]] const BestModelState& state() const { return state_; }
  [[nodiscard]] const std::vector<Tensor<T>>& weights() const { return weights_; }

  /// Records an evaluation of `model` at `step` with metric value `v`; whether it is the new best.
  template <class Model>
  bool observe(Model& model, long step, double v) {
    const bool better = std::isfinite(v) && (!has_best() || (greater_ ? v > state_.metric : v < state_.metric));
    if (better && (!has_best() || std::abs(v - state_.metric) > threshold_))
      state_.bad_evaluations = 0;
    else if (has_best())
      ++state_.bad_evaluations;
    if (!better) return false;
    state_.step = step;
    state_.metric = v;
    if (keep_) {
      weights_.clear();
      model.for_each_trainable([&](const ParamId&, auto& p) { weights_.push_back(p.value); });
    }
    return true;
  }

  /// Whether early stopping with `patience` (0: off) ends training now.
  [[nodiscard]] bool patience_exhausted(int patience) const {
    return patience > 0 && state_.bad_evaluations >= patience;
  }

  /// Copies the best trainable weights back into `model` (no-op without a snapshot).
  template <class Model>
  void restore(Model& model) const {
    if (weights_.empty()) return;
    std::size_t k = 0;
    model.for_each_trainable([&](const ParamId&, auto& p) { p.value = weights_[k++]; });
  }

  /// State and snapshot as read back from a checkpoint.
  void reset(const BestModelState& s, std::vector<Tensor<T>> w) {
    state_ = s;
    weights_ = std::move(w);
  }

 private:
  [[nodiscard]] bool has_best() const { return state_.step >= 0; }

  std::string metric_ = "loss";
  bool greater_ = false;
  bool keep_ = false;
  double threshold_ = 0;
  BestModelState state_;
  std::vector<Tensor<T>> weights_;
};

}  // namespace frost
