// tools/instances/instances_classifier.cpp: BertClassifier<float>, the run-time composed model, with
// its weight I/O and adapter merge, explicitly instantiated (frost/instances.hpp); how the parts
// are grouped into units: CMakeLists.txt here.
#include <frost/frost.hpp>
#include <frost/instances.hpp>

FROST_INSTANTIATE_FLOAT_CLASSIFIER()
