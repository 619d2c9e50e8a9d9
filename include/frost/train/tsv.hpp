// frost/train/tsv.hpp: GLUE-style TSV files as numbers, kept for compatibility: a thin layer over
// data_file.hpp (read_data_file: TSV, CSV, JSON Lines, named columns) and labels.hpp (string
// labels, multi-label), which new code uses (text::load_dataset).
//
//   header row:  sentence<TAB>label  or  sentence1<TAB>sentence2<TAB>label  (extra columns allowed)
//   labels: integers 0..num_labels-1 (classification) or finite numbers (regression, num_labels
//   == 1); predict files may omit the label column.
// Errors name the file, the 1-based line and the column. read_tsv(path, ...) reads a file,
// read_tsv(stream, name, ...) any std::istream (e.g. a std::istringstream).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "../detail/macros.hpp"
#include "data_file.hpp"
#include "labels.hpp"

namespace frost {

struct TsvRow {
  std::string text_a, text_b;
  bool has_label = false;
  double label = 0;
  long line = 0;
};

struct TsvFile {
  bool pairs = false;
  bool labelled = false;
  std::vector<TsvRow> rows;
};

/// A read data file with its labels as numbers: class indices in [0, num_labels), or any finite
/// number when num_labels == 1 (regression).
inline TsvFile to_tsv_file(const DataFile& d, int num_labels) {
  LabelScheme s;
  s.kind = num_labels == 1 ? LabelScheme::Kind::regression : LabelScheme::Kind::class_index;
  s.num_labels = num_labels;
  TsvFile f;
  f.pairs = d.pairs;
  f.labelled = d.labelled;
  f.rows.reserve(d.rows.size());
  for (const auto& r : d.rows) {
    TsvRow t{r.text_a, r.text_b, !r.labels.empty(), 0, r.line};
    if (t.has_label) {
      const LabelTarget target = label_target(d, r, s);
      t.label = num_labels == 1 ? target.targets.front() : static_cast<double>(target.label);
    }
    f.rows.push_back(std::move(t));
  }
  return f;
}

/// Reads a TSV data file's contents from `in`; `path` names it in errors. `label_required` is
/// false for predict. `num_labels` bounds integer labels (1 means regression: any finite float).
inline TsvFile read_tsv(std::istream& in, const std::string& path, bool label_required, int num_labels) {
  return to_tsv_file(read_data_file(in, path, DataFormat::tsv, {}, label_required), num_labels);
}

/// Reads the file `path` (see above).
inline TsvFile read_tsv(const std::string& path, bool label_required, int num_labels) {
  return to_tsv_file(read_data_file(path, DataFormat::tsv, {}, label_required), num_labels);
}

}  // namespace frost
