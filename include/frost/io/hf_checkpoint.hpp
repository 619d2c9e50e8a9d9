// frost/io/hf_checkpoint.hpp: load and save BertForSequenceClassification weights by HF name.
//
// Loading accepts the usual checkpoint quirks: names with or without the "bert." prefix, legacy
// "LayerNorm.gamma"/"LayerNorm.beta", and ignores "cls.*" heads and "*.position_ids" buffers. A
// missing classifier is initialised like HF (normal(0, initializer_range), zero bias) and reported.
// Any other missing tensor or shape mismatch (every tensor must have exactly the shape config.json
// implies) throws frost::Error naming the tensor, the expected and the found shape; a non-float
// dtype throws from SafeTensorsFile::floats, naming the tensor and its dtype.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "../detail/macros.hpp"
#include "hf_names.hpp"
#include "safetensors.hpp"

namespace frost::io {

struct LoadReport {
  std::vector<std::string> newly_initialized;  ///< HF names initialised because absent
  std::vector<std::string> ignored;            ///< tensors in the file frost does not use
};

namespace detail {
inline std::string find_in_file(const SafeTensorsFile& f, const std::string& name) {
  std::vector<std::string> candidates{name};
  const std::string prefix = "bert.";
  if (name.rfind(prefix, 0) == 0) candidates.push_back(name.substr(prefix.size()));
  for (std::size_t n = candidates.size(), i = 0; i < n; ++i) {
    std::string c = candidates[i];
    for (auto [from, to] : {std::pair<std::string, std::string>{"LayerNorm.weight", "LayerNorm.gamma"},
                            {"LayerNorm.bias", "LayerNorm.beta"}}) {
      const auto pos = c.rfind(from);
      if (pos != std::string::npos && pos + from.size() == c.size()) candidates.push_back(c.substr(0, pos) + to);
    }
  }
  for (const auto& c : candidates)
    if (f.contains(c)) return c;
  return {};
}
}  // namespace detail

/// HF shape of a parameter: biases and LayerNorm parameters are 1-D in PyTorch.
template <class TensorT>
std::vector<std::int64_t> hf_shape(const ParamId& id, const TensorT& value) {
  const SlotKind kind = slot_kind(id.component, id.slot);
  if (kind == SlotKind::bias || kind == SlotKind::ln_weight || kind == SlotKind::ln_bias)
    return {static_cast<std::int64_t>(value.cols())};
  return {static_cast<std::int64_t>(value.rows()), static_cast<std::int64_t>(value.cols())};
}

/// Copies every parameter of `model` from `file` (see the header comment for accepted quirks).
template <class Model>
LoadReport load_hf_weights(Model& model, const SafeTensorsFile& file, std::uint64_t init_seed = 0) {
  using T = typename Model::scalar_type;
  LoadReport report;
  std::vector<std::string> used;
  std::mt19937_64 gen(init_seed);
  std::normal_distribution<double> normal(0.0, model.config().initializer_range);
  model.for_each_param([&](const ParamId& id, auto& p) {
    const std::string name = hf_name(id);
    const std::string found = detail::find_in_file(file, name);
    const std::vector<std::int64_t> want = hf_shape(id, p.value);
    if (found.empty()) {
      FROST_CHECK(id.component == Component::classifier, file.path() + ": missing tensor '" + name +
                                                             "' (expected shape " + nlohmann::json(want).dump() +
                                                             " from config.json, found no such tensor)");
      if (id.slot == slot::dense_w) {
        for (Eigen::Index i = 0; i < numel(p.value); ++i) p.value.data()[i] = static_cast<T>(normal(gen));
      } else {
        p.value.setZero();
      }
      report.newly_initialized.push_back(name);
      return;
    }
    const TensorInfo& info = file.info(found);
    FROST_CHECK(info.shape == want, file.path() + ": tensor '" + found + "' has shape " +
                                        nlohmann::json(info.shape).dump() + " but config.json implies " +
                                        nlohmann::json(want).dump());
    const auto values = file.floats(found);
    for (std::size_t i = 0; i < values.size(); ++i) p.value.data()[i] = static_cast<T>(values[i]);
    used.push_back(found);
  });
  for (const auto& [name, info] : file.tensors()) {
    (void)info;
    if (std::find(used.begin(), used.end(), name) == used.end()) report.ignored.push_back(name);
  }
  return report;
}

/// Adds every parameter of `model` under its HF name (as float32) to `writer`, with `prefix`.
template <class Model>
void add_hf_weights(Model& model, SafeTensorsWriter& writer, const std::string& prefix = "") {
  model.for_each_param([&](const ParamId& id, auto& p) {
    std::vector<float> v(p.value.data(), p.value.data() + numel(p.value));
    writer.add_f32(prefix + hf_name(id), hf_shape(id, p.value), v.data());
  });
}

/// Writes model.safetensors with HF BertForSequenceClassification names (atomic).
template <class Model>
void save_hf_weights(Model& model, const std::string& path) {
  SafeTensorsWriter w;
  add_hf_weights(model, w);
  w.write(path);
}

}  // namespace frost::io
