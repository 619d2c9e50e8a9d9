// frost/io/hf_names.hpp: the only place Hugging Face parameter names appear.
#pragma once

#include <string>

#include "../model/param.hpp"

namespace frost::io {

/// The BertForSequenceClassification name of a parameter, e.g.
/// "bert.encoder.layer.3.attention.self.query.weight".
inline std::string hf_name(const ParamId& id) {
  constexpr const char* emb[] = {"word_embeddings.weight", "position_embeddings.weight",
                                 "token_type_embeddings.weight", "LayerNorm.weight",
                                 "LayerNorm.bias"};
  constexpr const char* layer[] = {
      "attention.self.query.weight",     "attention.self.query.bias",
      "attention.self.key.weight",       "attention.self.key.bias",
      "attention.self.value.weight",     "attention.self.value.bias",
      "attention.output.dense.weight",   "attention.output.dense.bias",
      "attention.output.LayerNorm.weight", "attention.output.LayerNorm.bias",
      "intermediate.dense.weight",       "intermediate.dense.bias",
      "output.dense.weight",             "output.dense.bias",
      "output.LayerNorm.weight",         "output.LayerNorm.bias"};
  switch (id.component) {
    case Component::embeddings: return std::string("bert.embeddings.") + emb[id.slot];
    case Component::layer:
      return "bert.encoder.layer." + std::to_string(id.layer) + "." + layer[id.slot];
    case Component::pooler: return id.slot == 0 ? "bert.pooler.dense.weight" : "bert.pooler.dense.bias";
    default: return id.slot == 0 ? "classifier.weight" : "classifier.bias";
  }
}

}  // namespace frost::io
