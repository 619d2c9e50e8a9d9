// tools/instances/instances_trainer.cpp: the training loop (Trainer with AdamW and SGD, checkpoints,
// evaluation) around frost's float model, explicitly instantiated (frost/instances.hpp).
#include <frost/frost.hpp>
#include <frost/instances.hpp>

FROST_INSTANTIATE_FLOAT_TRAINER()
