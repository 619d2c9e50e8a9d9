// frost/impl/src.hpp: the definitions of frost's non-template file I/O, for a program built with
// FROST_SEPARATE_COMPILATION (detail/macros.hpp): include this header in exactly one .cpp of it,
// and link that unit with frost::text (the tokenizer's files need utf8proc). frost's own build:
// tools/instances/instances_io.cpp.
#pragma once

#if !defined(FROST_SEPARATE_COMPILATION)
#error \
    "frost/impl/src.hpp: define FROST_SEPARATE_COMPILATION for the whole program (header-only builds need no such unit)"
#endif

#include "../io/impl/config_json.ipp"
#include "../io/impl/peft_config.ipp"
#include "../io/impl/safetensors.ipp"
#include "../io/impl/staged_dir.ipp"
#include "../text/impl/bert_tokenizer.ipp"
#include "../text/impl/tokenizer_files.ipp"
#include "../train/impl/data_file.ipp"
#include "../train/impl/labels.ipp"
#include "../train/impl/task_metrics.ipp"
