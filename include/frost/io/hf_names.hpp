// frost/io/hf_names.hpp: Hugging Face parameter names, from the slot table (freeze/slots.hpp).
#pragma once

#include <string>

#include "../model/param.hpp"

namespace frost::io {

/// The BertForSequenceClassification name of a parameter, e.g.
/// "bert.encoder.layer.3.attention.self.query.weight".
inline std::string hf_name(const ParamId& id) {
  const char* leaf = slot_info(id.component, id.slot).hf_name;
  switch (id.component) {
    case Component::embeddings:
      return std::string("bert.embeddings.") + leaf;
    case Component::layer:
      return "bert.encoder.layer." + std::to_string(id.layer) + "." + leaf;
    case Component::pooler:
      return std::string("bert.pooler.") + leaf;
    default:
      return std::string("classifier.") + leaf;
  }
}

}  // namespace frost::io
