// libFuzzer target for frost's TSV data file reader (tools/run-fuzz.sh builds and runs it).
//
// The input is a data file's contents, read with read_tsv(std::istream&, ...) (the file
// version's code without the I/O) for training (labels required; 2 or 3 classes, or regression)
// and for predict (labels optional); what reads is then tokenized (tokenize_file) with a tiny
// fixed 50-token vocabulary, as load_tsv does. Every call must succeed or throw frost::Error;
// anything else (another exception, a sanitizer report, rows that break the reader's
// guarantees) is a finding.
#include <cmath>
#include "fuzz_support.hpp"
#include "fuzz_tiny_vocab.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <frost/text/bert_tokenizer.hpp>
#include <frost/train/tsv.hpp>
#include <sstream>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) { frost_fuzz::fail("fuzz_tsv", what); }

const frost::text::WordPieceTokenizer& tokenizer() { return frost_fuzz::tiny_tokenizer(); }

void check(std::string_view text, bool label_required, int num_labels) {
  const std::string where = "fuzz/data.tsv";
  frost::TsvFile f;
  try {
    std::istringstream in{std::string(text)};
    f = frost::read_tsv(in, where, label_required, num_labels);
  } catch (const frost::Error&) {
    return;  // the expected outcome for a malformed file
  }
  if (f.rows.empty()) fail("no rows read");
  if (label_required && !f.labelled) fail("a file without labels read as labelled");
  long prev = 1;
  for (const auto& r : f.rows) {
    if (r.line <= prev) fail("line numbers not increasing past the header");
    prev = r.line;
    if (r.text_a.empty()) fail("empty sentence read");
    if (!f.pairs && !r.text_b.empty()) fail("second sentence in a single-sentence file");
    if (r.has_label != f.labelled) fail("label presence differs from the header");
    if (r.has_label && !std::isfinite(r.label)) fail("non-finite label");
    if (r.has_label && num_labels > 1 && (r.label < 0 || r.label >= num_labels || r.label != std::floor(r.label)))
      fail("class label out of range");
  }
  frost::Dataset d;
  try {
    d = frost::text::tokenize_file(f, tokenizer(), 16, num_labels == 1, where);
  } catch (const frost::Error&) {
    return;  // invalid UTF-8 in a sentence
  }
  if (d.size() != f.rows.size()) fail("tokenize_file dropped rows");
  for (const auto& ex : d) {
    if (ex.input_ids.size() > 16 || ex.input_ids.size() < 2) fail("example length outside [2, 16]");
    if (ex.token_type_ids.size() != ex.input_ids.size()) fail("ragged example");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int num_labels : {2, 3, 1}) check(text, true, num_labels);
  check(text, false, 2);
  return 0;
}
