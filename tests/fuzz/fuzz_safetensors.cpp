// libFuzzer target for frost's safetensors reader (tools/run-fuzz.sh builds and runs it).
//
// The input is either a whole file image, or, if it starts with '{', the header-first form: the
// header is the input up to its last '}', the data buffer is the rest, and the 8-byte length is
// synthesised (so that mutations of the JSON need not keep a binary length consistent). Every
// input must load or throw frost::Error; anything else (another exception, a sanitizer report,
// a loaded file that breaks the reader's guarantees) is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <frost/io/safetensors.hpp>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_safetensors: broken guarantee: %s\n", what);
  std::abort();
}

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
  if (size > 0 && data[0] == '{') {
    std::size_t end = size;
    while (end > 0 && data[end - 1] != '}') --end;
    std::vector<std::uint8_t> image(8 + size);
    for (int i = 0; i < 8; ++i)
      image[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((std::uint64_t{end} >> (8 * i)) & 0xFFu);
    std::copy(data, data + size, image.begin() + 8);
    check(image.data(), image.size());
  } else {
    check(data, size);
  }
  return 0;
}
