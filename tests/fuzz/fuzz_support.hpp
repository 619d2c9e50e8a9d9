// tests/fuzz/fuzz_support.hpp: what the fuzz targets share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace frost_fuzz {

/// A guarantee of the reader under test did not hold: report it and abort (a libFuzzer finding).
[[noreturn]] inline void fail(const char* target, const char* what) {
  std::fprintf(stderr, "%s: broken guarantee: %s\n", target, what);
  std::abort();
}

/// Feeds a safetensors-style input to `check`. An input starting with '{' is taken as a bare JSON
/// header followed by data: the 8-byte little-endian header length (up to the last '}') is put in
/// front, so mutations of the JSON keep a consistent length; any other input is passed unchanged.
template <class Check>
void with_safetensors_image(const std::uint8_t* data, std::size_t size, Check check) {
  if (size == 0 || data[0] != '{') {
    check(data, size);
    return;
  }
  std::size_t end = size;
  while (end > 0 && data[end - 1] != '}') --end;
  std::vector<std::uint8_t> image(8 + size);
  for (int i = 0; i < 8; ++i)
    image[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>((std::uint64_t{end} >> (8 * i)) & 0xFFu);
  std::copy(data, data + size, image.begin() + 8);
  check(image.data(), image.size());
}

}  // namespace frost_fuzz
