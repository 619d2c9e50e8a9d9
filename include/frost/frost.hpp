// frost/frost.hpp: the whole public API of frost.
//
//   #include <frost/frost.hpp>
//   using Model = frost::BertForSequenceClassification<float, frost::FreezeBert>;
//   Model model(frost::BertConfig::from_file("config.json"));
//   std::cout << frost::explain<Model>(model.config());
#pragma once

#include "frost_fwd.hpp"
#include "config.hpp"
#include "freeze/freeze_policy.hpp"
#include "freeze/plan.hpp"
#include "freeze/freeze_spec.hpp"
#include "model/bert.hpp"
#include "model/bert_classifier.hpp"
#include "explain.hpp"
#include "io/safetensors.hpp"
#include "io/hf_checkpoint.hpp"
#include "optim/adamw.hpp"
#include "optim/sgd.hpp"
#include "optim/schedule.hpp"
#include "optim/clip.hpp"
#include "train/trainer.hpp"
#include "io/pretrained.hpp"
