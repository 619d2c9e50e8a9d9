// frost/train/data_file.hpp: labelled text data files in three formats, read into raw rows.
// labels.hpp turns the rows' labels into model targets; text/bert_tokenizer.hpp (load_dataset)
// tokenizes the texts. No Eigen here.
//
//   tsv    a header row, then one row per line, fields separated by tabs, no quoting (GLUE's files)
//   csv    RFC 4180 (pandas' to_csv, datasets' to_csv, Excel): comma-separated fields, each
//          optionally in double quotes ("" inside is one quote; commas, quotes and LF or CRLF
//          newlines allowed inside); records end in LF or CRLF; the first record is the header
//   jsonl  one JSON object per line (datasets' to_json, pandas' to_json(orient="records",
//          lines=True)); .jsonl and .json files
//
// All three: a UTF-8 BOM and CRLF line ends are accepted, the last line may lack its newline,
// blank lines are skipped. A row's `line` is the 1-based line it starts on.
//
// Columns (DataColumns; JSON keys for jsonl), extra columns allowed (GLUE files carry `idx`):
//   text       default: `sentence1` when the header also has `sentence2` (pairs), else `sentence`
//   text_pair  default: `sentence2` with `sentence1`, else none (single texts)
//   label      default: `label`; optional when label_required is false (predict files)
// The text is non-empty; the second text may be empty. A label is raw text (labels.hpp decides
// what it means): never empty; with label_separator (tsv, csv) a field holds several labels
// (multi-label), e.g. `sports|politics`. jsonl labels are strings, integers or finite numbers
// (kept as their JSON text: 3, 0.25), or a non-empty array of those (multi-label).
//
// Every error throws frost::Error naming the file, the line and the column (number and name, or
// JSON key), then what was expected and what was found:
//   data.csv:7: column 3 (label): expected a label, got an empty field
// The whole file is read and checked before read_data_file returns; a bad row is never skipped.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <istream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/macros.hpp"

namespace frost {

enum class DataFormat { tsv, csv, jsonl };

inline const char* data_format_name(DataFormat f) {
  switch (f) {
    case DataFormat::csv:
      return "csv";
    case DataFormat::jsonl:
      return "jsonl";
    default:
      return "tsv";
  }
}

/// The format of the data file `path`: `format` ("tsv", "csv" or "jsonl") when given, else by the
/// file's extension (.tsv, .csv, .jsonl, .json; any case). Anything else is an error naming the
/// file and the choices.
inline DataFormat data_format_of(const std::string& path, const std::string& format = "") {
  if (!format.empty()) {
    if (format == "tsv") return DataFormat::tsv;
    if (format == "csv") return DataFormat::csv;
    if (format == "jsonl") return DataFormat::jsonl;
    throw Error(path + ": data format: expected tsv, csv or jsonl, got '" + format + "'");
  }
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  if (ext == ".tsv") return DataFormat::tsv;
  if (ext == ".csv") return DataFormat::csv;
  if (ext == ".jsonl" || ext == ".json") return DataFormat::jsonl;
  throw Error(path + ": data format: expected a .tsv, .csv, .jsonl or .json file (or the format named: tsv, csv or " +
              "jsonl), got " + (ext.empty() ? std::string("no extension") : "the extension '" + ext + "'"));
}

/// Which columns (JSON keys) hold the texts and the label; empty names take the defaults above.
struct DataColumns {
  std::string text, text_pair, label;
  char label_separator = 0;  ///< tsv/csv: splits a label field into several labels (multi-label); 0: none
};

/// One data row as read: texts and raw labels (empty: a row without a label, predict files).
struct DataRow {
  std::string text_a, text_b;
  std::vector<std::string> labels;
  long line = 0;
};

struct DataFile {
  std::string path;
  DataFormat format = DataFormat::tsv;
  bool pairs = false;     ///< rows carry a second text
  bool labelled = false;  ///< rows carry labels (always, unless label_required was false)
  std::string text_column, text_pair_column, label_column;
  int text_index = 0, text_pair_index = 0, label_index = 0;  ///< 1-based column numbers (tsv, csv); 0 (jsonl)
  bool label_lists = false;  ///< labels written as lists (label_separator given, or a JSON array): multi-label
  std::vector<DataRow> rows;
};

namespace data_detail {

/// `s` in single quotes for a message, cut (at a UTF-8 boundary) after 60 bytes.
inline std::string show(std::string_view s) {
  constexpr std::size_t kMax = 60;
  if (s.size() <= kMax) return "'" + std::string(s) + "'";
  std::size_t cut = kMax;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0U) == 0x80U) --cut;
  return "'" + std::string(s.substr(0, cut)) + "...' (" + std::to_string(s.size()) + " bytes)";
}

/// Names in quotes, comma-separated, at most `max` of them.
inline std::string show_list(const std::vector<std::string>& names, std::size_t max = 12) {
  if (names.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max; ++i) {
    if (i > 0) out += ", ";
    out += show(names[i]);
  }
  if (names.size() > max) out += ", ... (" + std::to_string(names.size()) + " in all)";
  return out;
}

/// One byte for a message: 'x' when printable ASCII, else its hex value.
inline std::string show_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7F) return "'" + std::string(1, c) + "'";
  constexpr std::string_view kHex = "0123456789abcdef";
  return std::string("byte 0x") + kHex[u >> 4U] + kHex[u & 0xFU];
}

/// "path:line: column 3 (label)" (tsv, csv) or "path:line: key 'label'" (jsonl).
inline std::string field_where(const std::string& path, long line, int index, const std::string& name) {
  const std::string at = path + ":" + std::to_string(line) + ": ";
  if (index <= 0) return at + "key " + show(name);
  return at + "column " + std::to_string(index) + " (" + name + ")";
}

}  // namespace data_detail

/// Where a row's label is: "path:line: column 3 (label)" or "path:line: key 'label'".
inline std::string label_where(const DataFile& f, const DataRow& r) {
  return data_detail::field_where(f.path, r.line, f.label_index, f.label_column);
}

/// Reads a data file's contents from `in` (`path` names it in errors) in `format`, with columns
/// `columns`; `label_required` false (predict) accepts a file without the label column.
FROST_DECL DataFile read_data_file(std::istream& in, const std::string& path, DataFormat format,
                                   const DataColumns& columns = {}, bool label_required = true);

/// Reads the file `path` (see above).
FROST_DECL DataFile read_data_file(const std::string& path, DataFormat format, const DataColumns& columns = {},
                                   bool label_required = true);

}  // namespace frost

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/data_file.ipp"
#endif
