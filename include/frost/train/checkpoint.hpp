// frost/train/checkpoint.hpp: save and restore a training run, bit-exactly.
//
// A checkpoint is one safetensors file (written atomically) holding:
//   model.<hf name>            every parameter (F32 / F64 as the scalar type... stored as F32 for
//                              float models; double models are not checkpointed)
//   optim.<k>.<hf name>        optimizer buffer k of each trainable parameter (AdamW: 0 exp_avg,
//                              1 exp_avg_sq, 2 max_exp_avg_sq; SGD: 0 momentum_buffer)
//   trainer.data_order         the current epoch's example order (I64)
//   best.<hf name>             the best evaluation's trainable weights (load_best_model_at_end;
//                              trainable parameters only, present once there is a best)
// and in __metadata__ (strings): frost.format, frost.config (config JSON), frost.policy (frozen
// mask), frost.optimizer (name + options JSON), frost.state (global step, epoch, batch, dropout
// seed and step, per-parameter optimizer steps).
// Loading checks all of it against the live model, optimizer and arguments and refuses a
// mismatch with a message; nothing is modified unless every check passes.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../freeze/freeze_mask.hpp"
#include "../io/config_json.hpp"
#include "../io/hf_checkpoint.hpp"
#include "../io/safetensors.hpp"
#include "../optim/adamw.hpp"
#include "../optim/sgd.hpp"
#include "best_model.hpp"

namespace frost {

inline constexpr const char* kCheckpointFormat = "frost-checkpoint-1";

inline std::string mask_string(const FreezeMask& m) {
  std::ostringstream os;
  os << std::hex << m.embeddings;
  for (auto l : m.layers) os << '.' << l;
  os << '.' << m.pooler << '.' << m.classifier;
  return os.str();
}

template <class T>
nlohmann::json optimizer_json(const AdamW<T>& o) {
  const auto& p = o.options();
  const auto& g = o.groups();
  return {{"name", "adamw"},
          {"lr", p.lr},
          {"beta1", p.beta1},
          {"beta2", p.beta2},
          {"eps", p.eps},
          {"weight_decay", p.weight_decay},
          {"amsgrad", p.amsgrad},
          {"hf_no_decay", g.hf_no_decay},
          {"layer_lr_decay", g.layer_lr_decay}};
}
template <class T>
nlohmann::json optimizer_json(const SGD<T>& o) {
  const auto& p = o.options();
  return {{"name", "sgd"},
          {"lr", p.lr},
          {"momentum", p.momentum},
          {"dampening", p.dampening},
          {"weight_decay", p.weight_decay},
          {"nesterov", p.nesterov}};
}

/// How many of an optimizer's state buffers every trainable parameter has (allocated eagerly, so
/// in every checkpoint): AdamW's moments; SGD's momentum buffer appears with the first step.
template <class T>
std::size_t required_buffers(const AdamW<T>& o) {
  return o.options().amsgrad ? 3 : 2;
}
template <class T>
std::size_t required_buffers(const SGD<T>&) {
  return 0;
}

/// Where a run stands (what the Trainer needs besides model and optimizer).
struct RunPosition {
  long global_step = 0;  ///< optimizer updates done
  long epoch = 0;        ///< current epoch (0-based)
  long next_batch = 0;   ///< index of the next micro-batch in this epoch's order
  std::vector<std::int64_t> data_order;
  double log_loss_sum = 0;  ///< training loss summed since the last log line (logging_steps)
  long log_steps = 0;       ///< optimizer steps since the last log line
  BestModelState best;      ///< the best evaluation so far (its weights travel separately)
};

/// Writes the checkpoint `path` (atomically); `best` is the best evaluation's snapshot of the
/// trainable weights (empty: none).
template <class Model, class Optimizer>
void save_checkpoint(const std::string& path, Model& model, const Optimizer& opt, const RunPosition& pos,
                     const std::vector<Tensor<float>>& best = {}) {
  static_assert(std::is_same_v<typename Model::scalar_type, float>, "checkpoints store float32 models");
  io::SafeTensorsWriter w;
  io::add_hf_weights(model, w, "model.");
  model.for_each_adapter_param([&](const ParamId& id, auto& p) {  // LoRA A and B (none without adapters)
    w.add_f32("model." + io::hf_name(id),
              {static_cast<std::int64_t>(p.value.rows()), static_cast<std::int64_t>(p.value.cols())}, p.value.data());
  });
  nlohmann::json steps = nlohmann::json::object();
  for (const auto& s : opt.state().slots()) {
    const std::string name = io::hf_name(s.id);
    steps[name] = s.step;
    for (std::size_t b = 0; b < s.buf.size(); ++b) {
      if (s.buf[b].size() == 0) continue;
      w.add_f32("optim." + std::to_string(b) + "." + name,
                {static_cast<std::int64_t>(s.buf[b].rows()), static_cast<std::int64_t>(s.buf[b].cols())},
                s.buf[b].data());
    }
  }
  w.add_i64("trainer.data_order", {static_cast<std::int64_t>(pos.data_order.size())}, pos.data_order.data());
  std::size_t b = 0;
  if (!best.empty())
    model.for_each_trainable([&](const ParamId& id, auto&) {
      const Tensor<float>& v = best[b++];
      w.add_f32("best." + io::hf_name(id), {static_cast<std::int64_t>(v.rows()), static_cast<std::int64_t>(v.cols())},
                v.data());
    });
  w.set_metadata("frost.format", kCheckpointFormat);
  w.set_metadata("frost.config", config_to_json(model.config()).dump());
  w.set_metadata("frost.policy", mask_string(model.frozen_mask()));
  w.set_metadata("frost.optimizer", optimizer_json(opt).dump());
  const nlohmann::json state = {
      {"global_step", pos.global_step},
      {"epoch", pos.epoch},
      {"next_batch", pos.next_batch},
      {"dropout_seed", std::to_string(model.dropout_seed)},
      {"dropout_step", std::to_string(model.dropout_step())},
      {"param_steps", steps},
      {"log_loss_sum", pos.log_loss_sum},
      {"log_steps", pos.log_steps},
      {"best_step", pos.best.step},
      {"best_metric", std::isfinite(pos.best.metric) ? nlohmann::json(pos.best.metric) : nullptr},
      {"bad_evaluations", pos.best.bad_evaluations}};
  w.set_metadata("frost.state", state.dump());
  w.write(path);
}

namespace detail {

/// Stages optimizer buffer `b` of parameter `name` (value `value`) from tensor "optim.<b>.<name>"
/// of `f` into `buf`: of the parameter's shape, or empty when absent, which only a buffer the
/// optimizer allocates lazily (b >= required) may be.
template <class Value, class Buffer>
void load_optimizer_buffer(const io::SafeTensorsFile& f, std::size_t b, std::size_t required, const std::string& name,
                           const Value& value, Buffer& buf) {
  const std::string& path = f.path();
  const std::string key = "optim." + std::to_string(b) + "." + name;
  if (!f.contains(key)) {
    FROST_CHECK(b >= required, path + ": missing tensor '" + key + "' (optimizer state of '" + name + "')");
    buf.resize(0, 0);
    return;
  }
  const std::vector<std::int64_t> want = {static_cast<std::int64_t>(value.rows()),
                                          static_cast<std::int64_t>(value.cols())};
  const auto& info = f.info(key);
  FROST_CHECK(info.shape == want, path + ": tensor '" + key + "' has shape " + nlohmann::json(info.shape).dump() +
                                      ", expected " + nlohmann::json(want).dump() + " (the shape of '" + name + "')");
  const auto v = f.floats(key);
  buf.resize(value.rows(), value.cols());
  std::copy(v.begin(), v.end(), buf.data());
}

/// The trainer's logging and best-model progress from frost.state (absent in checkpoints written
/// before they existed: defaults then).
inline void read_trainer_progress(const nlohmann::json& state, const std::string& path, RunPosition& pos) {
  auto number = [&](const char* key, double fallback) {
    const auto it = state.find(key);
    if (it == state.end() || it->is_null()) return fallback;
    FROST_CHECK(it->is_number() && std::isfinite(it->get<double>()),
                path + ": metadata 'frost.state': " + key + " must be a finite number or null");
    return it->get<double>();
  };
  auto integer = [&](const char* key, long lo) {
    const double v = number(key, static_cast<double>(lo));
    FROST_CHECK(v == std::floor(v) && v >= static_cast<double>(lo) && v <= 9007199254740992.0,
                path + ": metadata 'frost.state': " + key + " must be an integer >= " + std::to_string(lo));
    return static_cast<long>(v);
  };
  pos.log_loss_sum = number("log_loss_sum", 0);
  pos.log_steps = integer("log_steps", 0);
  pos.best.step = integer("best_step", -1);
  pos.best.metric = number("best_metric", std::numeric_limits<double>::quiet_NaN());
  pos.best.bad_evaluations = integer("bad_evaluations", 0);
}

}  // namespace detail

/// Restores model, optimizer and position from the checkpoint `f` (already read and validated as
/// safetensors, e.g. SafeTensorsFile::from_memory; its path() names it in errors). Throws
/// frost::Error (naming the file and what differs) if the file is damaged or belongs to another
/// config, policy or optimizer; in that case model and optimizer are unchanged.
template <class Model, class Optimizer>
RunPosition load_checkpoint(const io::SafeTensorsFile& f, Model& model, Optimizer& opt,
                            std::vector<Tensor<float>>* best = nullptr) {
  const std::string& path = f.path();
  const auto& md = f.metadata();
  auto meta = [&](const std::string& key) -> const std::string& {
    auto it = md.find(key);
    FROST_CHECK(it != md.end(), path + ": not a frost checkpoint (missing metadata '" + key + "')");
    return it->second;
  };
  FROST_CHECK(meta("frost.format") == kCheckpointFormat,
              path + ": unsupported checkpoint format '" + meta("frost.format") + "'");
  auto parse = [&](const std::string& key) {
    try {
      return nlohmann::json::parse(meta(key));
    } catch (const nlohmann::json::exception&) {
      throw Error(path + ": metadata '" + key + "' is not valid JSON");
    }
  };
  FROST_CHECK(parse("frost.config") == config_to_json(model.config()),
              path + ": checkpoint was written for another model config: " + meta("frost.config"));
  FROST_CHECK(meta("frost.policy") == mask_string(model.frozen_mask()),
              path + ": checkpoint was written under another freeze policy (frozen mask " + meta("frost.policy") +
                  ", this model " + mask_string(model.frozen_mask()) + ")");
  FROST_CHECK(parse("frost.optimizer") == optimizer_json(opt),
              path + ": checkpoint was written with another optimizer or options: " + meta("frost.optimizer"));
  const nlohmann::json state = parse("frost.state");
  FROST_CHECK(state.is_object(), path + ": metadata 'frost.state' is not a JSON object");
  // A value in a message: numbers and strings as JSON, containers by type (dump() recurses).
  auto show = [](const nlohmann::json& j) {
    return j.is_primitive() ? j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 80)
                            : std::string("an ") + j.type_name();
  };
  // A count the trainer increments: a non-negative integer, at most 2^53 (the JSON-safe range,
  // far from overflow).
  auto count = [&](const nlohmann::json& j, const std::string& field) -> std::int64_t {
    constexpr std::int64_t kMax = std::int64_t{1} << 53;
    const bool ok = j.is_number_unsigned()
                        ? j.get<std::uint64_t>() <= static_cast<std::uint64_t>(kMax)
                        : j.is_number_integer() && j.get<std::int64_t>() >= 0 && j.get<std::int64_t>() <= kMax;
    FROST_CHECK(ok, path + ": metadata 'frost.state': " + field + " must be an integer in [0, 2^53], got " + show(j));
    return j.get<std::int64_t>();
  };
  auto field = [&](const char* key) -> const nlohmann::json& {
    const auto it = state.find(key);
    FROST_CHECK(it != state.end(), path + ": metadata 'frost.state' is incomplete (no '" + key + "')");
    return *it;
  };
  // A std::uint64_t written as a decimal string (JSON numbers lose precision past 2^53).
  auto u64 = [&](const char* key) -> std::uint64_t {
    const nlohmann::json& j = field(key);
    const std::string* s = j.is_string() ? j.get_ptr<const std::string*>() : nullptr;
    bool ok = s != nullptr && !s->empty() && s->size() <= 20 && s->find_first_not_of("0123456789") == std::string::npos;
    std::uint64_t v = 0;
    if (ok) {
      try {
        v = std::stoull(*s);
      } catch (const std::out_of_range&) {
        ok = false;
      }
    }
    FROST_CHECK(ok, path + ": metadata 'frost.state': " + key +
                        " must be a decimal string of a 64-bit unsigned "
                        "integer, got " +
                        show(j));
    return v;
  };
  RunPosition pos;
  pos.global_step = static_cast<long>(count(field("global_step"), "global_step"));
  pos.epoch = static_cast<long>(count(field("epoch"), "epoch"));
  pos.next_batch = static_cast<long>(count(field("next_batch"), "next_batch"));
  const std::uint64_t dropout_seed = u64("dropout_seed"), dropout_step = u64("dropout_step");
  const nlohmann::json& param_steps = field("param_steps");
  FROST_CHECK(param_steps.is_object(), path + ": metadata 'frost.state': param_steps must be an object");
  pos.data_order = f.ints("trainer.data_order");
  detail::read_trainer_progress(state, path, pos);

  // Stage everything, then commit.
  std::vector<std::vector<float>> values;
  auto stage = [&](const ParamId& id, const auto& p, const std::string& missing_hint, const std::string& shape_hint) {
    const std::string name = "model." + io::hf_name(id);
    FROST_CHECK(f.contains(name), path + ": missing tensor '" + name + "'" + missing_hint);
    FROST_CHECK(f.info(name).shape == io::hf_shape(id, p.value),
                path + ": tensor '" + name + "' has the wrong shape" + shape_hint);
    values.push_back(f.floats(name));
  };
  model.for_each_param([&](const ParamId& id, auto& p) { stage(id, p, "", ""); });
  model.for_each_adapter_param(
      [&](const ParamId& id, auto& p) { stage(id, p, " (the model has this LoRA adapter)", " (another LoRA rank?)"); });
  // The optimizer's slots follow for_each_trainable; a buffer is of its parameter's shape, or
  // absent from the file where the optimizer allocates it lazily (SGD's, before the first step).
  const std::size_t required = required_buffers(opt);
  auto staged = opt.state().slots();
  std::size_t slot = 0;
  model.for_each_trainable([&](const ParamId& id, auto& p) {
    FROST_CHECK(slot < staged.size() && staged[slot].id == id,
                path + ": the optimizer does not match the model's trainable parameters");
    auto& s = staged[slot++];
    const std::string name = io::hf_name(id);
    const auto step = param_steps.find(name);
    FROST_CHECK(step != param_steps.end(), path + ": no optimizer step count for '" + name + "'");
    s.step = count(*step, "param_steps['" + name + "']");
    for (std::size_t b = 0; b < s.buf.size(); ++b)
      detail::load_optimizer_buffer(f, b, required, name, p.value, s.buf[b]);
  });
  FROST_CHECK(slot == staged.size(), path + ": the optimizer does not match the model's trainable parameters");
  std::vector<Tensor<float>> best_weights;
  if (pos.best.step >= 0 && !staged.empty() && f.contains("best." + io::hf_name(staged.front().id)))
    model.for_each_trainable([&](const ParamId& id, auto& p) {
      const std::string name = "best." + io::hf_name(id);
      FROST_CHECK(f.contains(name), path + ": missing tensor '" + name + "' (the best evaluation's weights)");
      const std::vector<std::int64_t> shape{static_cast<std::int64_t>(p.value.rows()),
                                            static_cast<std::int64_t>(p.value.cols())};
      FROST_CHECK(f.info(name).shape == shape, path + ": tensor '" + name + "' has the wrong shape");
      const auto v = f.floats(name);
      best_weights.emplace_back(p.value.rows(), p.value.cols());
      std::copy(v.begin(), v.end(), best_weights.back().data());
    });
  std::size_t k = 0;
  auto commit = [&](const ParamId&, auto& p) {
    std::copy(values[k].begin(), values[k].end(), p.value.data());
    ++k;
  };
  model.for_each_param(commit);
  model.for_each_adapter_param(commit);
  opt.state().slots() = std::move(staged);
  model.dropout_seed = dropout_seed;
  model.set_dropout_step(dropout_step);
  if (best) *best = std::move(best_weights);
  return pos;
}

/// The checkpoint file `path` (see above).
template <class Model, class Optimizer>
RunPosition load_checkpoint(const std::string& path, Model& model, Optimizer& opt,
                            std::vector<Tensor<float>>* best = nullptr) {
  return load_checkpoint(io::SafeTensorsFile(path), model, opt, best);
}

}  // namespace frost
