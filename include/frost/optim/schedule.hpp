// frost/optim/schedule.hpp: learning-rate schedules, as transformers' LambdaLR factories.
//
// factor(k) multiplies the base lr for the update after k earlier updates (k = 0 for the first):
//   linear   (get_linear_schedule_with_warmup):  k < W: k / W;  else max(0, (T - k) / (T - W))
//   cosine   (get_cosine_schedule_with_warmup, num_cycles 0.5):
//            k < W: k / W;  else max(0, 0.5 (1 + cos(pi * 2 * 0.5 * (k - W) / (T - W))))
//   constant (get_constant_schedule_with_warmup): k < W: k / W;  else 1
// With W > 0 the first update uses lr 0, as in transformers.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "../detail/macros.hpp"

namespace frost {

enum class ScheduleKind { linear, cosine, constant };

inline ScheduleKind parse_schedule(const std::string& s) {
  if (s == "linear") return ScheduleKind::linear;
  if (s == "cosine") return ScheduleKind::cosine;
  if (s == "constant") return ScheduleKind::constant;
  throw Error("unknown scheduler '" + s + "' (expected linear, cosine or constant)");
}

struct LrSchedule {
  ScheduleKind kind = ScheduleKind::linear;
  long warmup_steps = 0;
  long total_steps = 1;

  [[nodiscard]] double factor(long k) const {
    if (k < warmup_steps) return static_cast<double>(k) / static_cast<double>(std::max(1L, warmup_steps));
    switch (kind) {
      case ScheduleKind::linear:
        return std::max(
            0.0, static_cast<double>(total_steps - k) / static_cast<double>(std::max(1L, total_steps - warmup_steps)));
      case ScheduleKind::cosine: {
        const double progress =
            static_cast<double>(k - warmup_steps) / static_cast<double>(std::max(1L, total_steps - warmup_steps));
        return std::max(0.0, 0.5 * (1.0 + std::cos(std::numbers::pi * 2.0 * 0.5 * progress)));
      }
      default:
        return 1.0;
    }
  }
};

}  // namespace frost
