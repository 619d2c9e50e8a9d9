// frost/train/tsv.hpp: GLUE-style TSV data files (text/bert_tokenizer.hpp turns them into a Dataset).
//
//   header row:  sentence<TAB>label              (single sentences)
//            or  sentence1<TAB>sentence2<TAB>label (pairs)
//   labels: integers 0..num_labels-1 (classification) or floats (regression, num_labels == 1);
//   predict files may omit the label column.
// Errors name the file and the 1-based line number. read_tsv(path, ...) reads a file,
// read_tsv(stream, name, ...) any std::istream (e.g. a std::istringstream).
#pragma once

#include <cmath>
#include <fstream>
#include <istream>
#include <string>
#include <vector>

#include "../detail/macros.hpp"

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

inline std::vector<std::string> split_tabs(const std::string& s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '\t')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

/// Sets f.pairs and f.labelled from the header row `line` (the label column is optional unless
/// `label_required`); throws naming `path` for any other header.
inline void read_tsv_header(const std::string& line, const std::string& path, bool label_required, TsvFile& f) {
  const auto header = split_tabs(line);
  if (header == std::vector<std::string>{"sentence", "label"}) {
    f.labelled = true;
  } else if (header == std::vector<std::string>{"sentence1", "sentence2", "label"}) {
    f.pairs = f.labelled = true;
  } else if (!label_required && header == std::vector<std::string>{"sentence"}) {
  } else if (!label_required && header == std::vector<std::string>{"sentence1", "sentence2"}) {
    f.pairs = true;
  } else {
    throw Error(path + ":1: header must be 'sentence<TAB>label' or 'sentence1<TAB>sentence2<TAB>label'" +
                std::string(label_required ? "" : " (label optional for predict)") + ", got '" + line + "'");
  }
}

/// The label in field `s` (`col` prefixes errors): an integer class index in [0, num_labels), or
/// any finite number when num_labels == 1 (regression).
inline double parse_tsv_label(const std::string& s, const std::string& col, int num_labels) {
  std::size_t used = 0;
  double v = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const std::string range = num_labels > 1 ? "an integer class index in [0, " + std::to_string(num_labels) + ")"
                                           : std::string("a finite number");
  FROST_CHECK(used == s.size() && !s.empty() && std::isfinite(v), col + "expected " + range + ", got '" + s + "'");
  if (num_labels > 1) {
    FROST_CHECK(v == std::floor(v), col + "expected " + range + ", got '" + s + "' (not an integer)");
    FROST_CHECK(v >= 0 && v < num_labels, col + "expected " + range + ", got " + s + " (label out of range)");
  }
  return v;
}

/// Reads a TSV data file's contents from `in`; `path` names it in errors. `label_required` is
/// false for predict. `num_labels` bounds integer labels (1 means regression: any finite float).
inline TsvFile read_tsv(std::istream& in, const std::string& path, bool label_required, int num_labels) {
  std::string line;
  FROST_CHECK(static_cast<bool>(std::getline(in, line)), path + ": empty file (expected a header row)");
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // a UTF-8 BOM (Excel, Notepad)
  if (!line.empty() && line.back() == '\r') line.pop_back();
  TsvFile f;
  read_tsv_header(line, path, label_required, f);
  const std::size_t cols = (f.pairs ? 2u : 1u) + (f.labelled ? 1u : 0u);
  long n = 1;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;  // blank lines are skipped
    const auto c = split_tabs(line);
    const std::string where = path + ":" + std::to_string(n) + ": ";
    FROST_CHECK(c.size() == cols,
                where + "expected " + std::to_string(cols) + " tab-separated columns, got " + std::to_string(c.size()));
    TsvRow r;
    r.line = n;
    r.text_a = c[0];
    if (f.pairs) r.text_b = c[1];
    FROST_CHECK(!r.text_a.empty(), where + "column 1 (" + (f.pairs ? "sentence1" : "sentence") +
                                       "): expected a sentence, got an empty field");
    if (f.labelled) {
      const std::string col = where + "column " + std::to_string(cols) + " (label): ";
      r.label = parse_tsv_label(c.back(), col, num_labels);
      r.has_label = true;
    }
    f.rows.push_back(std::move(r));
  }
  FROST_CHECK(!in.bad(), path + ": read error");
  FROST_CHECK(!f.rows.empty(), path + ": no data rows after the header");
  return f;
}

/// Reads the file `path` (see above).
inline TsvFile read_tsv(const std::string& path, bool label_required, int num_labels) {
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.good(), path + ": cannot open data file");
  return read_tsv(in, path, label_required, num_labels);
}

}  // namespace frost
