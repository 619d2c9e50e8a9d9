// tools/instances/frost_instances.cpp: the one translation unit that compiles frost's float model
// (every component kind, BertClassifier<float>, the GEMM entry points) for frost's own programs;
// they see it as `extern template` (see frost/instances.hpp).
#include <frost/frost.hpp>
#include <frost/instances.hpp>

FROST_INSTANTIATE_FLOAT_MODEL()
