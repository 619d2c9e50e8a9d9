// Must NOT compile: frost/impl/src.hpp defines the separately compiled I/O, and in a header-only
// program (no FROST_SEPARATE_COMPILATION) those bodies are already inline in their headers.
#include <frost/impl/src.hpp>

int main() { return 0; }
