// tools/cli/model_instances.hpp: the CLI's one model type, BertClassifier<float>, compiled once.
//
// The commands' translation unit sees the component kinds and the model's forward/backward as
// `extern template` (their member functions are defined outside their classes, so not inline,
// so the declaration suppresses their instantiation); model_kinds.cpp instantiates them.
#pragma once

#include <frost/frost.hpp>

// X(list, class, i) for every kind of every component list (the static_assert keeps the counts honest).
#define FROST_CLI_KINDS(X)                                                                                   \
  X(Layer, EncoderLayer, 0) X(Layer, EncoderLayer, 1) X(Layer, EncoderLayer, 2) X(Layer, EncoderLayer, 3)    \
  X(Layer, EncoderLayer, 4) X(Layer, EncoderLayer, 5) X(Embeddings, EmbeddingLayer, 0)                       \
  X(Embeddings, EmbeddingLayer, 1) X(Embeddings, EmbeddingLayer, 2) X(Embeddings, EmbeddingLayer, 3)         \
  X(Pooler, PoolerHead, 0) X(Pooler, PoolerHead, 1) X(Pooler, PoolerHead, 2) X(Pooler, PoolerHead, 3)        \
  X(Classifier, ClassifierHead, 0) X(Classifier, ClassifierHead, 1) X(Classifier, ClassifierHead, 2)
static_assert(frost::kinds::Layer::size == 6 && frost::kinds::Embeddings::size == 4 && frost::kinds::Pooler::size == 4 &&
                  frost::kinds::Classifier::size == 3,
              "tools/cli/model_instances.hpp: update FROST_CLI_KINDS to frost/freeze/component_kinds.hpp");

#define FROST_CLI_EXTERN_KIND(List, Class, I) extern template class frost::Class<float, frost::kinds::List::specs[I]>;
#define FROST_CLI_INSTANTIATE_KIND(List, Class, I) template class frost::Class<float, frost::kinds::List::specs[I]>;

FROST_CLI_KINDS(FROST_CLI_EXTERN_KIND)
extern template class frost::detail::BertBase<frost::BertClassifier<float>, float>;
