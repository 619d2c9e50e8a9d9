// frost/frost_fwd.hpp: forward declarations of frost's public types (cheap to include).
#pragma once

#include "freeze/freeze_mask.hpp"

namespace frost {
struct BertConfig;
struct Batch;
struct Labels;
struct ComponentSpec;
template <class T, bool Trainable>
struct Param;
class FreezeSpec;
struct BackwardPlan;
struct PretrainedOptions;
template <class T>
class BertClassifier;
namespace detail {
template <class T, FreezeMask M, int Depth>
class BertModel;
}  // namespace detail
}  // namespace frost
