// libFuzzer target for frost's safetensors reader (tools/run-fuzz.sh builds and runs it).
//
// The input is either a whole file image, or, if it starts with '{', the header-first form: the
// header is the input up to its last '}', the data buffer is the rest, and the 8-byte length is
// synthesised (so that mutations of the JSON need not keep a binary length consistent). Every
// input must load or throw frost::Error; anything else (another exception, a sanitizer report,
// a loaded file that breaks the reader's guarantees) is a finding.
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <frost/io/safetensors.hpp>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) { frost_fuzz::fail("fuzz_safetensors", what); }

void check(const std::uint8_t* data, std::size_t size) {
  using namespace frost::io;
  try {
    const SafeTensorsFile f = SafeTensorsFile::from_memory(data, size, "fuzz");
    const SafeTensorsHeader h = parse_safetensors_header(data, size, "fuzz");
    if (h.tensors.size() != f.tensors().size()) fail("two entry points disagree");
    std::uint64_t covered = 0;
    for (const auto& [name, t] : f.tensors()) {
      if (t.begin > t.end || t.end > h.data_size) fail("offsets outside the data buffer");
      if (t.end - t.begin != static_cast<std::uint64_t>(t.numel()) * dtype_size(t.dtype))
        fail("span != numel x dtype size");
      covered += t.end - t.begin;
      const std::size_t n = is_float_dtype(t.dtype) ? f.floats(name).size() : f.ints(name).size();
      if (n != static_cast<std::size_t>(t.numel())) fail("read a wrong element count");
    }
    if (covered != h.data_size) fail("tensors do not cover the data buffer");
  } catch (const frost::Error&) {
    // the expected outcome for malformed input
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  frost_fuzz::with_safetensors_image(data, size, [](const std::uint8_t* d, std::size_t n) { check(d, n); });
  return 0;
}
