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
// frost's own build does this with the CMake target frost_instances (tools/instances/): the CLI, the
// tests, the examples and the benchmarks link it. What is covered: every component kind of the
// run-time model (freeze/component_kinds.hpp) and BertClassifier<float> itself, and the GEMM entry
// point for float and double. The static models' layers are covered too whenever their spec equals
// a kind's (the usual policies: whole layers frozen or trainable, BitFit, LayerNorm-only).
// Member functions are defined outside their classes (so not inline), which is what lets an
// explicit instantiation declaration suppress their implicit instantiation.
#pragma once

#include "freeze/component_kinds.hpp"
#include "model/bert_classifier.hpp"

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

/// The explicit instantiation definitions, in three parts so a build can compile them in parallel
/// (frost's own build puts each in its own translation unit); a program expands each exactly once,
/// FROST_INSTANTIATE_FLOAT_MODEL() for all three in one unit.
// clang-format off
#define FROST_INSTANTIATE_FLOAT_LAYERS_A() \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 0) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 1) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 2) \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 7)
#define FROST_INSTANTIATE_FLOAT_LAYERS_B() \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 3) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 4) FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 5) \
  FROST_DETAIL_KIND_INSTANCE(Layer, EncoderLayer, 6)
#define FROST_INSTANTIATE_FLOAT_REST()                                                  \
  FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 0) FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 1)               \
  FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 2) FROST_DETAIL_KIND_INSTANCE(Embeddings, EmbeddingLayer, 3)               \
  FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 0) FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 1)                               \
  FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 2) FROST_DETAIL_KIND_INSTANCE(Pooler, PoolerHead, 3)                               \
  FROST_DETAIL_KIND_INSTANCE(Classifier, ClassifierHead, 0) FROST_DETAIL_KIND_INSTANCE(Classifier, ClassifierHead, 1)               \
  FROST_DETAIL_KIND_INSTANCE(Classifier, ClassifierHead, 2)                                                  \
  template class frost::detail::BertBase<frost::BertClassifier<float>, float>;        \
  template class frost::BertClassifier<float>;                                        \
  FROST_DETAIL_GEMM_INSTANCE(float)                                                   \
  FROST_DETAIL_GEMM_INSTANCE(double)
#define FROST_INSTANTIATE_FLOAT_MODEL() \
  FROST_INSTANTIATE_FLOAT_LAYERS_A() FROST_INSTANTIATE_FLOAT_LAYERS_B() FROST_INSTANTIATE_FLOAT_REST()
// clang-format on

#if defined(FROST_EXTERN_INSTANCES)
FROST_FOR_EACH_KIND(FROST_DETAIL_KIND_EXTERN)
extern template class frost::detail::BertBase<frost::BertClassifier<float>, float>;
extern template class frost::BertClassifier<float>;
extern FROST_DETAIL_GEMM_INSTANCE(float) extern FROST_DETAIL_GEMM_INSTANCE(double)
#endif
