// frost/instances.hpp: compile frost's float model once, not in every translation unit.
//
// frost is header-only: every translation unit that runs a model instantiates (and optimises) its
// layers, heads and GEMMs itself. A program with several such units can instead compile them once:
//
//   one .cpp:   #include <frost/frost.hpp>
//               #include <frost/instances.hpp>
//               FROST_INSTANTIATE_FLOAT_MODEL()
//   elsewhere:  compile with -DFROST_EXTERN_INSTANCES (frost.hpp then declares them `extern template`)
//
// frost's own build does this with the CMake targets frost_instances and frost_instances_train
// (tools/instances/): the CLI, the tests, the examples and the benchmarks link them. What is
// covered: every component kind of the run-time model (freeze/component_kinds.hpp),
// BertClassifier<float> itself, its weights in and out (safetensors, PEFT adapters,
// save_pretrained, the adapter merge) and the GEMM entry point for float and double (frost_instances);
// Trainer<BertClassifier<float>, AdamW<float> | SGD<float>>, their checkpoints and evaluate()
// (frost_instances_train). The static models' layers are covered too whenever their spec equals
// a kind's (the usual policies: whole layers frozen or trainable, BitFit, LayerNorm-only).
// Member functions are defined outside their classes (so not inline), which is what lets an
// explicit instantiation declaration suppress their implicit instantiation.
#pragma once

#include "freeze/component_kinds.hpp"
#include "adapters/merge.hpp"
#include "io/hf_checkpoint.hpp"
#include "io/peft_adapter.hpp"
#include "io/pretrained.hpp"
#include "model/bert_classifier.hpp"
#include "optim/adamw.hpp"
#include "optim/sgd.hpp"
#include "train/checkpoint.hpp"
#include "train/metrics.hpp"
#include "train/trainer.hpp"

// X(list, class, i) for every kind of every component list (the static_assert keeps it complete;
// FROST_INSTANTIATE_FLOAT_* below list the same kinds).
// clang-format off
#define FROST_FOR_EACH_KIND(X)                                                                    \
  X(Layer, EncoderLayer, 0) X(Layer, EncoderLayer, 1) X(Layer, EncoderLayer, 2)                   \
  X(Layer, EncoderLayer, 3) X(Layer, EncoderLayer, 4) X(Layer, EncoderLayer, 5) X(Layer, EncoderLayer, 6) \
  X(Layer, EncoderLayer, 7)                                                                       \
  X(Embeddings, EmbeddingLayer, 0) X(Embeddings, EmbeddingLayer, 1)                               \
  X(Embeddings, EmbeddingLayer, 2) X(Embeddings, EmbeddingLayer, 3)                               \
  X(Pooler, PoolerHead, 0) X(Pooler, PoolerHead, 1) X(Pooler, PoolerHead, 2) X(Pooler, PoolerHead, 3) \
  X(Classifier, ClassifierHead, 0) X(Classifier, ClassifierHead, 1) X(Classifier, ClassifierHead, 2)
// clang-format on
static_assert(frost::kinds::Layer::size == 8 && frost::kinds::Embeddings::size == 4 &&
                  frost::kinds::Pooler::size == 4 && frost::kinds::Classifier::size == 3,
              "frost/instances.hpp: update FROST_FOR_EACH_KIND to freeze/component_kinds.hpp");

#define FROST_DETAIL_KIND_INSTANCE(List, Class, I) template class frost::Class<float, frost::kinds::List::specs[I]>;
#define FROST_DETAIL_KIND_EXTERN(List, Class, I) extern FROST_DETAIL_KIND_INSTANCE(List, Class, I)

#define FROST_DETAIL_GEMM_INSTANCE(T)                                                                              \
  template void frost::gemm::run<frost::gemm::DefaultBackend, T>(frost::gemm::Trans, frost::gemm::Trans,           \
                                                                 const frost::Tensor<T>&, const frost::Tensor<T>&, \
                                                                 frost::Tensor<T>&, bool);

/// The explicit instantiation definitions, in five parts so a build can spread them over units
/// (frost's own: tools/instances/CMakeLists.txt); a program expands each exactly once,
/// FROST_INSTANTIATE_FLOAT_MODEL() for all five in one unit.
// clang-format off
#define FROST_INSTANTIATE_FLOAT_LAYERS_A() \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 0) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 1) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 2) \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 7)
#define FROST_INSTANTIATE_FLOAT_LAYERS_B() \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 3) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 4) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 5) \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 6)
#define FROST_INSTANTIATE_FLOAT_HEADS()                                                 \
  FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 0) FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 1)               \
  FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 2) FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 3)               \
  FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 0) FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 1)                               \
  FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 2) FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 3)                               \
  FROST_DETAIL_KIND_INSTANCE(Classifier, ClassifierHead, 0) FROST_DETAIL_KIND_INSTANCE(Classifier, ClassifierHead, 1)               \
  FROST_DETAIL_KIND_INSTANCE(Classifier, ClassifierHead, 2) \
  FROST_DETAIL_GEMM_INSTANCE(float) FROST_DETAIL_GEMM_INSTANCE(double)
#define FROST_INSTANTIATE_FLOAT_CLASSIFIER()                                            \
  template class frost::detail::BertBase<frost::BertClassifier<float>, float>;        \
  template class frost::BertClassifier<float>;                                        \
  FROST_DETAIL_IO_INSTANCES()
// BertClassifier<float>'s weights in and out (HF safetensors, PEFT adapters, save_pretrained) and
// the adapter merge: the parameter visitors these walk are the largest templates a program that
// loads and saves models instantiates. EXTERN is empty or `extern`.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define FROST_DETAIL_IO_INSTANCES(EXTERN)                                                                            \
  EXTERN template frost::io::LoadReport frost::io::load_hf_weights<frost::BertClassifier<float>>(                   \
      frost::BertClassifier<float>&, const frost::io::SafeTensorsFile&, std::uint64_t);                             \
  EXTERN template void frost::io::add_hf_weights<frost::BertClassifier<float>>(                                     \
      frost::BertClassifier<float>&, frost::io::SafeTensorsWriter&, const std::string&);                            \
  EXTERN template void frost::io::save_hf_weights<frost::BertClassifier<float>>(frost::BertClassifier<float>&,      \
                                                                              const std::string&);                \
  EXTERN template void frost::io::save_pretrained<frost::BertClassifier<float>>(                                    \
      const std::string&, frost::BertClassifier<float>&, const std::string&, const nlohmann::json&,                 \
      const std::vector<std::string>&);                                                                              \
  EXTERN template void frost::io::save_peft_adapter<frost::BertClassifier<float>>(                                  \
      const std::string&, frost::BertClassifier<float>&, const std::string&);                                       \
  EXTERN template void frost::io::load_peft_adapter_weights<frost::BertClassifier<float>>(                          \
      frost::BertClassifier<float>&, const frost::io::SafeTensorsFile&);                                            \
  EXTERN template void frost::merge_adapter_into<float>(frost::BertClassifier<float>&, frost::BertClassifier<float>&);
// NOLINTEND(bugprone-macro-parentheses)
// The training loop around the run-time model, with either optimizer: Trainer, its checkpoints and
// evaluation (the orchestration every program that trains repeats; its member functions are
// defined outside the class for the same reason as the layers'). EXTERN is empty or `extern`, Opt a
// type: neither can take the parentheses bugprone-macro-parentheses asks for.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define FROST_DETAIL_TRAINER_INSTANCES(EXTERN, Opt)                                                                  \
  EXTERN template class frost::Trainer<frost::BertClassifier<float>, Opt>;                                          \
  EXTERN template void frost::save_checkpoint<frost::BertClassifier<float>, Opt>(                                   \
      const std::string&, frost::BertClassifier<float>&, const Opt&, const frost::RunPosition&,                     \
      const std::vector<frost::Tensor<float>>&);                                                                     \
  EXTERN template frost::RunPosition frost::load_checkpoint<frost::BertClassifier<float>, Opt>(                     \
      const frost::io::SafeTensorsFile&, frost::BertClassifier<float>&, Opt&, std::vector<frost::Tensor<float>>*);
#define FROST_DETAIL_EVALUATE_INSTANCE(EXTERN)                                                                      \
  EXTERN template frost::EvalResult frost::evaluate<frost::BertClassifier<float>>(                                 \
      frost::BertClassifier<float>&, const frost::Dataset&, int, const std::vector<std::string>&,                   \
      frost::dist::Communicator&);
// NOLINTEND(bugprone-macro-parentheses)
#define FROST_INSTANTIATE_FLOAT_TRAINER()                                \
  FROST_DETAIL_TRAINER_INSTANCES(, frost::AdamW<float>)                 \
  FROST_DETAIL_TRAINER_INSTANCES(, frost::SGD<float>)                   \
  FROST_DETAIL_EVALUATE_INSTANCE()
#define FROST_INSTANTIATE_FLOAT_MODEL() \
  FROST_INSTANTIATE_FLOAT_LAYERS_A() FROST_INSTANTIATE_FLOAT_LAYERS_B() FROST_INSTANTIATE_FLOAT_HEADS() \
  FROST_INSTANTIATE_FLOAT_CLASSIFIER() FROST_INSTANTIATE_FLOAT_TRAINER()
// clang-format on

#if defined(FROST_EXTERN_INSTANCES)
// clang-format off
FROST_FOR_EACH_KIND(FROST_DETAIL_KIND_EXTERN)
extern template class frost::detail::BertBase<frost::BertClassifier<float>, float>;
extern template class frost::BertClassifier<float>;
FROST_DETAIL_IO_INSTANCES(extern)
extern FROST_DETAIL_GEMM_INSTANCE(float)
extern FROST_DETAIL_GEMM_INSTANCE(double)
FROST_DETAIL_TRAINER_INSTANCES(extern, frost::AdamW<float>)
FROST_DETAIL_TRAINER_INSTANCES(extern, frost::SGD<float>)
FROST_DETAIL_EVALUATE_INSTANCE(extern)
// clang-format on
#endif
