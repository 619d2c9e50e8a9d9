// frost/frost.hpp: the whole public API of frost (CMake target frost::frost), except the tokenizer:
// add #include <frost/text/bert_tokenizer.hpp> and link frost::text (it needs utf8proc).
//
//   #include <frost/frost.hpp>
//   #include <frost/text/bert_tokenizer.hpp>
//   auto model = frost::BertClassifier<float>::from_pretrained(dir, {.freeze = "embeddings,layers:0-8"});
//   auto tok = frost::text::BertTokenizer::from_pretrained(dir);
//   const auto& logits = model.forward(tok.encode_batch({"a fine film"}, {.max_length = 128}));
//
//   // the static, zero-dispatch model of a compile-time policy:
//   using Model = frost::BertForSequenceClassification<float, frost::FreezeBert>;
//
// Header-only. A program with many translation units can compile frost's heavy parts once instead:
// the float model (frost/instances.hpp, FROST_EXTERN_INSTANCES) and the non-template file I/O
// (frost/impl/src.hpp, FROST_SEPARATE_COMPILATION), as frost's own build does (tools/instances).
#pragma once

#include "frost_fwd.hpp"
#include "config.hpp"
#include "io/config_json.hpp"
#include "freeze/freeze_policy.hpp"
#include "freeze/plan.hpp"
#include "freeze/freeze_spec.hpp"
#include "model/bert.hpp"
#include "model/bert_classifier.hpp"
#include "adapters/ia3_config.hpp"
#include "adapters/lora_config.hpp"
#include "adapters/merge.hpp"
#include "explain.hpp"
#include "io/safetensors.hpp"
#include "io/hf_checkpoint.hpp"
#include "optim/adamw.hpp"
#include "optim/sgd.hpp"
#include "optim/schedule.hpp"
#include "optim/clip.hpp"
#include "train/trainer.hpp"
#include "io/pretrained.hpp"
#include "io/peft_adapter.hpp"
#include "io/staged_dir.hpp"

// Programs that compile the float model once (frost/instances.hpp) see it as extern templates.
#if defined(FROST_EXTERN_INSTANCES)
#include "instances.hpp"
#endif
