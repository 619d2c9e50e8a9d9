// tools/instances/instances_io.cpp: frost's non-template file I/O (config.json, adapter_config.json,
// safetensors, manifests, tokenizer and data files, labels, task metrics) compiled once for frost's
// own programs, which are built with FROST_SEPARATE_COMPILATION (frost/detail/macros.hpp,
// frost/impl/src.hpp).
#include <frost/impl/src.hpp>
