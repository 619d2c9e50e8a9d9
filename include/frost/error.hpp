// frost/error.hpp: the one exception type frost throws for bad input.
#pragma once

#include <stdexcept>

namespace frost {
/// Bad input (a file, tensor, field, flag or spec); `what()` names it and what was expected.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Training produced a non-finite loss, gradient norm or weight (a learning rate far too large, a
/// NaN in the data or the checkpoint). `what()` names the step and the first non-finite tensor; the
/// Trainer throws it before the faulty values reach a checkpoint or an output file.
class NumericalFault : public Error {
 public:
  using Error::Error;
};
}  // namespace frost
