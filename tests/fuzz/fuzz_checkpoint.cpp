// libFuzzer target for frost's training checkpoint reader (tools/run-fuzz.sh builds and runs it).
//
// The input is a checkpoint file image (safetensors) or, if it starts with '{', the header-first
// form of fuzz_safetensors (the header is the input up to its last '}', the data buffer the
// rest, the 8-byte length synthesised). It is read with SafeTensorsFile::from_memory and
// load_checkpoint(file, model, optimizer) (the file version's code without the I/O) into two
// fixed micro models (the shape of tests/fixtures/tiny's config, smaller so that a whole
// checkpoint is a ~10 KB seed): AdamW with layer 0 frozen, and SGD with momentum, all trainable.
// Every load must succeed or throw frost::Error; anything else (another exception, a sanitizer
// report) is a finding. A load that succeeds must leave a state the trainer can use: a
// non-negative position, optimizer buffers of their parameter's shape or empty, and an
// optimizer step and a forward pass on it must run clean.
#include <algorithm>
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <frost/freeze/freeze_policy.hpp>
#include <frost/model/bert.hpp>
#include <frost/optim/adamw.hpp>
#include <frost/optim/sgd.hpp>
#include <frost/train/checkpoint.hpp>
#include <optional>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) { frost_fuzz::fail("fuzz_checkpoint", what); }

/// The micro model the seeds were written for.
frost::BertConfig micro_config() {
  frost::BertConfig c;
  c.vocab_size = 12;
  c.hidden_size = 4;
  c.num_hidden_layers = 1;
  c.num_attention_heads = 2;
  c.intermediate_size = 8;
  c.max_position_embeddings = 8;
  c.num_labels = 3;
  c.hidden_dropout_prob = 0.1;
  c.attention_probs_dropout_prob = 0.0;
  c.problem_type = frost::ProblemType::single_label_classification;
  c.validate();
  return c;
}

using AdamModel = frost::BertForSequenceClassification<float, frost::FreezeLowerLayers<1>>;
using SgdModel = frost::BertForSequenceClassification<float, frost::NoFreeze>;

template <class Model, class Optimizer>
void check_loaded(Model& model, Optimizer& opt, const frost::RunPosition& pos) {
  if (pos.global_step < 0 || pos.epoch < 0 || pos.next_batch < 0) fail("negative run position");
  std::size_t k = 0;
  model.for_each_trainable([&](const frost::ParamId&, auto& p) {
    if (k >= opt.state().slots().size()) fail("fewer optimizer slots than trainable parameters");
    const auto& s = opt.state().slots()[k++];
    if (s.step < 0) fail("negative optimizer step count");
    for (const auto& b : s.buf)
      if (b.size() != 0 && (b.rows() != p.value.rows() || b.cols() != p.value.cols()))
        fail("optimizer buffer of another shape than its parameter");
    p.grad.setConstant(0.25f);
  });
  if (k != opt.state().slots().size()) fail("more optimizer slots than trainable parameters");
  opt.step(model);  // what the trainer does next: must not touch memory outside the buffers
  frost::Batch b;
  b.batch_size = 1;
  b.seq_len = 3;
  b.input_ids = {2, 5, 3};
  b.token_type_ids = {0, 0, 0};
  b.attention_mask = {1, 1, 1};
  (void)model.forward(b);
}

template <class Model, class Optimizer>
void try_load(const frost::io::SafeTensorsFile& f, Model& model, Optimizer& opt) {
  frost::RunPosition pos;
  try {
    pos = frost::load_checkpoint(f, model, opt);
  } catch (const frost::Error&) {
    return;  // the expected outcome for a damaged or foreign checkpoint
  }
  check_loaded(model, opt, pos);
}

void check(const std::uint8_t* data, std::size_t size) {
  static AdamModel adam_model(micro_config());
  static auto adam = frost::AdamW<float>(adam_model, {1e-3, 0.9, 0.999, 1e-8, 0.01, false});
  static SgdModel sgd_model(micro_config());
  static auto sgd = frost::SGD<float>(sgd_model, {0.1, 0.9, 0.0, 0.0, false});
  std::optional<frost::io::SafeTensorsFile> f;
  try {
    f.emplace(frost::io::SafeTensorsFile::from_memory(data, size, "fuzz/checkpoint.safetensors"));
  } catch (const frost::Error&) {
    return;  // not safetensors (fuzz_safetensors covers that reader)
  }
  try_load(*f, adam_model, adam);
  try_load(*f, sgd_model, sgd);
}

/// `FROST_FUZZ_WRITE_SEEDS=<dir> fuzz_checkpoint` writes the valid seeds (adamw, sgd, sgd_step0
/// .safetensors) into <dir> and exits: regenerate them when the checkpoint format changes. The
/// corpus's .header-first files are the same with the 8-byte length removed, the header's padding
/// spaces trimmed and data bytes '}' (0x7D) turned into '|'; invalid_* and regression-* are
/// header-first files with one metadata value or tensor changed.
void write_seeds(const std::string& dir) {
  frost::RunPosition pos;
  pos.global_step = 3;
  pos.epoch = 1;
  pos.next_batch = 1;
  pos.data_order = {2, 0, 1, 3};
  auto train = [](auto& model, auto& opt, int steps) {
    for (int s = 1; s <= steps; ++s) {
      model.for_each_trainable(
          [&](const frost::ParamId&, auto& p) { p.grad.setConstant(0.125f * static_cast<float>(s)); });
      opt.step(model);
    }
  };
  AdamModel a(micro_config());
  a.init_weights(1);
  a.dropout_seed = 7;
  auto adam = frost::AdamW<float>(a, {1e-3, 0.9, 0.999, 1e-8, 0.01, false});
  train(a, adam, 3);
  frost::save_checkpoint(dir + "/adamw.safetensors", a, adam, pos);
  SgdModel s(micro_config());
  s.init_weights(2);
  auto sgd = frost::SGD<float>(s, {0.1, 0.9, 0.0, 0.0, false});
  frost::save_checkpoint(dir + "/sgd_step0.safetensors", s, sgd, frost::RunPosition{});
  train(s, sgd, 2);
  frost::save_checkpoint(dir + "/sgd.safetensors", s, sgd, pos);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (const char* dir = std::getenv("FROST_FUZZ_WRITE_SEEDS")) {
    write_seeds(dir);
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  frost_fuzz::with_safetensors_image(data, size, [](const std::uint8_t* d, std::size_t n) { check(d, n); });
  return 0;
}
