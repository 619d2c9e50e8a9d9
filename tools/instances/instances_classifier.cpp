// tools/instances/instances_classifier.cpp: BertClassifier<float>, the run-time composed model,
// explicitly instantiated
// (frost/instances.hpp); the five parts compile in parallel.
#include <frost/frost.hpp>
#include <frost/instances.hpp>

FROST_INSTANTIATE_FLOAT_CLASSIFIER()
