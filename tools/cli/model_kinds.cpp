// tools/cli/model_kinds.cpp: explicit instantiations of every component kind and of
// BertClassifier<float>'s forward/backward sequence (see model_instances.hpp).
#include "model_instances.hpp"

FROST_CLI_KINDS(FROST_CLI_INSTANTIATE_KIND)
template class frost::detail::BertBase<frost::BertClassifier<float>, float>;
