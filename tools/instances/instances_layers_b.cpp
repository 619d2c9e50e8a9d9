// tools/instances/instances_layers_b.cpp: four of the eight encoder-layer kinds of frost's float
// model, explicitly instantiated (frost/instances.hpp); how the parts are grouped into units:
// CMakeLists.txt here.
#include <frost/frost.hpp>
#include <frost/instances.hpp>

FROST_INSTANTIATE_FLOAT_LAYERS_B()
