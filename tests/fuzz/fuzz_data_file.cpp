// libFuzzer target for frost's data-file readers beyond TSV (tools/run-fuzz.sh builds and runs it):
// CSV (RFC 4180 quoting) and JSON Lines, with named columns, a label separator, and the label
// schemes of labels.hpp (string labels, class indices, regression, multi-label).
//
// Input: byte 0 picks the format (TSV, CSV, JSONL) and whether labels are required and split by
// '|'; byte 1 the model's num_labels hint (1-4) and problem type; the rest is the file. What reads
// is given a label scheme (inferred, as for a training file, and the model's fixed one), turned
// into targets and tokenized with a 50-token vocabulary, as text::load_dataset does. Every call
// must succeed or throw frost::Error; anything else (another exception, a sanitizer report, rows or
// targets that break the readers' guarantees) is a finding.
#include "fuzz_support.hpp"
#include "fuzz_tiny_vocab.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <frost/text/bert_tokenizer.hpp>
#include <frost/train/data_file.hpp>
#include <frost/train/labels.hpp>
#include <sstream>
#include <string>
#include <string_view>

namespace {

[[noreturn]] void fail(const char* what) { frost_fuzz::fail("fuzz_data_file", what); }

const frost::text::WordPieceTokenizer& tokenizer() { return frost_fuzz::tiny_tokenizer(); }

void check_targets(const frost::DataFile& f, const frost::LabelScheme& s) {
  using Kind = frost::LabelScheme::Kind;
  frost::Dataset d;
  try {
    d = frost::text::tokenize_file(f, tokenizer(), 16, s);
  } catch (const frost::Error&) {
    return;  // an unknown label, a malformed number, invalid UTF-8
  }
  if (d.size() != f.rows.size()) fail("tokenize_file dropped rows");
  for (const auto& ex : d) {
    if (ex.input_ids.size() > 16 || ex.input_ids.size() < 2) fail("example length outside [2, 16]");
    if (ex.token_type_ids.size() != ex.input_ids.size()) fail("ragged example");
    if (s.kind == Kind::regression && (ex.targets.size() != 1 || !std::isfinite(ex.targets[0])))
      fail("regression target not one finite number");
    if (s.kind == Kind::multi_label) {
      if (ex.targets.size() != static_cast<std::size_t>(s.num_labels)) fail("multi-hot of the wrong width");
      for (double t : ex.targets)
        if (t != 0.0 && t != 1.0) fail("multi-hot entry other than 0/1");
    }
    if ((s.kind == Kind::named || s.kind == Kind::class_index) && (ex.label < 0 || ex.label >= s.num_labels))
      fail("class index out of range");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto mode = data[0], hint = data[1];
  const frost::DataFormat format = mode % 3 == 0   ? frost::DataFormat::tsv
                                   : mode % 3 == 1 ? frost::DataFormat::csv
                                                   : frost::DataFormat::jsonl;
  const bool label_required = (mode & 4) == 0;
  frost::DataColumns cols;
  if (mode & 8) cols.label_separator = '|';
  if (mode & 16) cols.text = "text";
  const std::string text(reinterpret_cast<const char*>(data) + 2, size - 2);
  frost::DataFile f;
  try {
    std::istringstream in(text);
    f = frost::read_data_file(in, "fuzz/data", format, cols, label_required);
  } catch (const frost::Error&) {
    return 0;  // the expected outcome for a malformed file
  }
  if (f.rows.empty()) fail("no rows read");
  if (label_required && !f.labelled) fail("a file without labels read as labelled");
  long prev = 0;
  for (const auto& r : f.rows) {
    if (r.line <= prev) fail("line numbers not increasing");
    prev = r.line;
    if (r.text_a.empty()) fail("empty text read");
    if (!f.pairs && !r.text_b.empty()) fail("second text in a single-text file");
    for (const auto& l : r.labels)
      if (l.empty()) fail("empty label read");
  }
  frost::LabelHints h;
  h.num_labels = 1 + hint % 4;
  h.problem_type = (hint & 4) ? frost::ProblemType::multi_label_classification : frost::ProblemType::infer;
  if (f.labelled) {
    try {
      check_targets(f, frost::infer_label_scheme(f, h));
    } catch (const frost::Error&) {
    }
  }
  try {
    check_targets(f, frost::label_scheme_for(f, h));
  } catch (const frost::Error&) {
  }
  return 0;
}
