// frost/io/peft_adapter.hpp: a LoRA adapter directory in Hugging Face PEFT's layout, in and out.
//
//   <dir>/adapter_config.json        PEFT's LoraConfig (peft_type LORA, task_type SEQ_CLS, r,
//                                    lora_alpha, lora_dropout, target_modules, layers_to_transform,
//                                    use_rslora, modules_to_save [classifier, score])
//   <dir>/adapter_model.safetensors  base_model.model.bert.encoder.layer.I.<module>.lora_A.weight
//                                    [r, in] and .lora_B.weight [out, r] per adapted Linear, plus
//                                    base_model.model.classifier.weight / .bias (PEFT saves
//                                    modules_to_save under the module's own name)
// `peft.PeftModel.from_pretrained(BertForSequenceClassification.from_pretrained(BASE), DIR)` loads
// what save_peft_adapter() writes with no missing or unexpected keys.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "atomic_file.hpp"
#include "hf_checkpoint.hpp"
#include "hf_names.hpp"
#include "peft_config.hpp"
#include "safetensors.hpp"

namespace frost::io {

/// The adapter tensors of `model` (LoRA A/B of every adapted layer, then the classifier) under
/// PEFT's names, added to `w`.
template <class Model>
void add_peft_adapter_weights(Model& model, SafeTensorsWriter& w) {
  model.for_each_adapter_param([&](const ParamId& id, auto& p) {
    std::vector<float> v(p.value.data(), p.value.data() + numel(p.value));
    w.add_f32(kPeftPrefix + hf_name(id), {p.value.rows(), p.value.cols()}, v.data());
  });
  model.visit_classifier([&](auto& head) {
    head.for_each_param([&](int s, auto& p) {
      const ParamId id{Component::classifier, 0, s};
      std::vector<float> v(p.value.data(), p.value.data() + numel(p.value));
      w.add_f32(kPeftPrefix + hf_name(id), hf_shape(id, p.value), v.data());
    });
  });
}

/// Writes adapter_config.json and adapter_model.safetensors into `dir` (each atomically).
template <class Model>
void save_peft_adapter(const std::string& dir, Model& model, const std::string& base_model = "") {
  SafeTensorsWriter w;
  add_peft_adapter_weights(model, w);
  w.write(dir + "/adapter_model.safetensors");
  const nlohmann::json config = model.has_ia3() ? peft_adapter_config(model.ia3_config(), base_model)
                                                : peft_adapter_config(model.lora_config(), model.depth(), base_model);
  write_file_atomic(dir + "/adapter_config.json", config.dump(2) + "\n");
}

/// Copies the adapter tensors of `file` into `model` (built with the adapter's LoraConfig): every
/// LoRA tensor must be there with its shape; the classifier is taken when present (PEFT's
/// modules_to_save) and must have the model's shape; any other tensor is an error naming it.
template <class Model>
void load_peft_adapter_weights(Model& model, const SafeTensorsFile& file) {
  std::vector<std::string> used;
  auto copy = [&](const std::string& name, auto& p, const std::vector<std::int64_t>& want) {
    const TensorInfo& info = file.info(name);
    FROST_CHECK(info.shape == want, file.path() + ": tensor '" + name + "' has shape " +
                                        nlohmann::json(info.shape).dump() + " but the model expects " +
                                        nlohmann::json(want).dump());
    const auto v = file.floats(name);
    for (std::size_t i = 0; i < v.size(); ++i) p.value.data()[i] = static_cast<typename Model::scalar_type>(v[i]);
    used.push_back(name);
  };
  model.for_each_adapter_param([&](const ParamId& id, auto& p) {
    const std::string name = kPeftPrefix + hf_name(id);
    FROST_CHECK(file.contains(name), file.path() + ": missing tensor '" + name + "' (adapter_config.json names it)");
    copy(name, p, {p.value.rows(), p.value.cols()});
  });
  model.visit_classifier([&](auto& head) {
    head.for_each_param([&](int s, auto& p) {
      const ParamId id{Component::classifier, 0, s};
      const std::string name = kPeftPrefix + hf_name(id);
      if (file.contains(name)) copy(name, p, hf_shape(id, p.value));
    });
  });
  for (const auto& [name, info] : file.tensors()) {
    (void)info;
    FROST_CHECK(std::find(used.begin(), used.end(), name) != used.end(),
                file.path() + ": unexpected tensor '" + name +
                    "' (not a LoRA tensor of the configured targets and layers, nor the classifier)");
  }
}

}  // namespace frost::io
