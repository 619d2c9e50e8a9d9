// tools/instances/instances_heads.cpp: the embeddings, pooler and classifier kinds and the GEMM entry
// points of frost's float model, explicitly instantiated (frost/instances.hpp); how the parts are
// grouped into units: CMakeLists.txt here.
#include <frost/frost.hpp>
#include <frost/instances.hpp>

FROST_INSTANTIATE_FLOAT_HEADS()
