// frost/error.hpp: the one exception type frost throws for bad input.
#pragma once

#include <stdexcept>

namespace frost {
/// Bad input (a file, tensor, field, flag or spec); `what()` names it and what was expected.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
}  // namespace frost
