// libFuzzer target for frost's config.json reader (tools/run-fuzz.sh builds and runs it).
//
// The input is a config.json's text: parse_config_json (what read_config does after reading the
// file) then config_from_json. Every input must yield a BertConfig or throw frost::Error; anything
// else (another exception, a sanitizer report, a config that breaks the reader's guarantees) is a
// finding. Guarantees checked on success: the config validates, and hf_config_json of it (with
// the input as the base, as export does) reads back to the same config.
#include "fuzz_support.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <frost/io/config_json.hpp>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) { frost_fuzz::fail("fuzz_config", what); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  frost::BertConfig c;
  nlohmann::json j;
  try {
    j = frost::parse_config_json(text, "fuzz/config.json");
    c = frost::config_from_json(j, "fuzz/config.json");
  } catch (const frost::Error&) {
    return 0;  // the expected outcome for malformed input
  }
  try {
    c.validate("fuzz");
  } catch (const frost::Error&) {
    fail("config_from_json returned a config that does not validate");
  }
  frost::BertConfig back;
  try {
    back = frost::config_from_json(frost::hf_config_json(c, j), "fuzz/exported.json");
  } catch (const frost::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    fail("hf_config_json of a read config does not read back");
  }
  if (frost::config_to_json(back) != frost::config_to_json(c) || back.initializer_range != c.initializer_range)
    fail("hf_config_json round trip changed the config");
  return 0;
}
