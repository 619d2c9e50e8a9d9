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
#include <nlohmann/json.hpp>
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

namespace data_detail {

/// One record of a delimited file: its first line and its fields.
struct Record {
  long line = 0;
  std::vector<std::string> fields;
};

/// Splits tsv (no quoting) or csv (RFC 4180 quoting) text into records; blank lines are skipped.
class DelimitedReader {
 public:
  DelimitedReader(const std::string& text, const std::string& path, DataFormat format)
      : text_(text), path_(path), csv_(format == DataFormat::csv), sep_(csv_ ? ',' : '\t') {}

  /// The header's column names, for errors in later records.
  void set_header(const std::vector<std::string>* header) { header_ = header; }

  bool next(Record& r) {
    skip_blank_lines();
    if (pos_ >= text_.size()) return false;
    r.line = line_;
    r.fields.clear();
    for (;;) {
      r.fields.emplace_back();
      const std::size_t index = r.fields.size();
      if (csv_ && pos_ < text_.size() && text_[pos_] == '"')
        read_quoted(r.fields.back(), index);
      else
        read_plain(r.fields.back(), index);
      if (pos_ < text_.size() && text_[pos_] == sep_) {
        ++pos_;
        continue;
      }
      end_record();
      return true;
    }
  }

 private:
  const std::string& text_;
  const std::string& path_;
  bool csv_;
  char sep_;
  std::size_t pos_ = 0;
  long line_ = 1;
  const std::vector<std::string>* header_ = nullptr;

  [[nodiscard]] std::string where(long line, std::size_t index) const {
    std::string at = path_ + ":" + std::to_string(line) + ": column " + std::to_string(index);
    if (header_ != nullptr && index <= header_->size()) at += " (" + (*header_)[index - 1] + ")";
    return at;
  }
  /// Whether pos_ is at a record end: LF, CRLF, a CR ending the text, or the end of the text.
  [[nodiscard]] bool at_line_end(std::size_t p) const {
    if (p >= text_.size() || text_[p] == '\n') return true;
    return text_[p] == '\r' && (p + 1 == text_.size() || text_[p + 1] == '\n');
  }
  void skip_blank_lines() {
    while (pos_ < text_.size() && at_line_end(pos_)) {
      pos_ += text_[pos_] == '\r' ? 2 : 1;
      ++line_;
    }
    pos_ = std::min(pos_, text_.size());
  }
  void end_record() {
    if (pos_ >= text_.size()) return;
    pos_ += text_[pos_] == '\r' ? 2 : 1;
    pos_ = std::min(pos_, text_.size());
    ++line_;
  }
  void read_plain(std::string& out, std::size_t index) {
    const char* stops = csv_ ? ",\"\r\n" : "\t\r\n";
    for (;;) {
      const std::size_t e = text_.find_first_of(stops, pos_);
      if (e == std::string::npos) {
        out.append(text_, pos_, std::string::npos);
        pos_ = text_.size();
        return;
      }
      out.append(text_, pos_, e - pos_);
      pos_ = e;
      const char c = text_[e];
      if (c == sep_ || at_line_end(e)) return;
      if (c == '"')
        throw Error(where(line_, index) +
                    ": expected a field without quotes or one wholly in quotes (\"...\", \"\" for each quote "
                    "inside), got a quote inside an unquoted field");
      if (csv_)  // a CR not followed by LF
        throw Error(where(line_, index) +
                    ": expected LF or CRLF line ends, got a lone carriage return (CR) in an unquoted field");
      out += c;  // tsv keeps a lone CR inside a field
      ++pos_;
    }
  }
  void read_quoted(std::string& out, std::size_t index) {
    const long start = line_;
    ++pos_;  // the opening quote
    for (;;) {
      const std::size_t e = text_.find('"', pos_);
      if (e == std::string::npos)
        throw Error(where(start, index) + ": expected a closing quote, got the end of the file (the quoted field " +
                    "opened on line " + std::to_string(start) + " is never closed)");
      line_ += std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                          text_.begin() + static_cast<std::ptrdiff_t>(e), '\n');
      out.append(text_, pos_, e - pos_);
      pos_ = e + 1;
      if (pos_ < text_.size() && text_[pos_] == '"') {  // "" is one quote
        out += '"';
        ++pos_;
        continue;
      }
      break;
    }
    if (pos_ < text_.size() && text_[pos_] != sep_ && !at_line_end(pos_))
      throw Error(where(line_, index) + ": expected a comma or the end of the line after the closing quote, got " +
                  show_byte(text_[pos_]) + " (text after a closing quote)");
  }
};

/// The columns chosen: names, and whether the label column is there.
struct ColumnChoice {
  std::string text, pair, label;
  bool labelled = false;
};

/// Picks the text, second text and label columns among `present` (a header's names or the first
/// JSON object's keys); `where` is "path:line" of the header. See the rules at the top.
inline ColumnChoice choose_columns(const std::vector<std::string>& present, const DataColumns& c, bool label_required,
                                   const std::string& where, bool jsonl) {
  const auto has = [&](const std::string& n) { return std::find(present.begin(), present.end(), n) != present.end(); };
  const std::string columns = std::string(jsonl ? "keys" : "columns") + " present: " + show_list(present);
  const std::string column = jsonl ? "key" : "column";
  ColumnChoice r{c.text, c.text_pair, c.label.empty() ? std::string("label") : c.label, false};
  if (r.text.empty()) {
    if (has("sentence1") && (has("sentence2") || !r.pair.empty())) {
      r.text = "sentence1";
      if (r.pair.empty()) r.pair = "sentence2";
    } else {
      r.text = "sentence";
    }
    FROST_CHECK(has(r.text), where + ": " + (jsonl ? "expected" : "header must be column names with") + " a text " +
                                 column + " 'sentence' (or 'sentence1' and 'sentence2' for pairs) and a label " +
                                 column + " '" + r.label + "'" + (label_required ? "" : " (optional for predict)") +
                                 ", got " + columns);
  }
  FROST_CHECK(has(r.text), where + ": expected a text " + column + " " + show(r.text) + ", got " + columns);
  FROST_CHECK(r.pair.empty() || has(r.pair),
              where + ": expected a second text " + column + " " + show(r.pair) + ", got " + columns);
  r.labelled = has(r.label);
  FROST_CHECK(r.labelled || !label_required, where + ": expected a label " + column + " " + show(r.label) +
                                                 " (training and evaluation need labels), got " + columns);
  FROST_CHECK(r.text != r.pair && r.text != r.label && r.pair != r.label,
              where + ": expected different text, second text and label " + column + "s, got text " + show(r.text) +
                  (r.pair.empty() ? "" : ", second text " + show(r.pair)) + ", label " + show(r.label));
  return r;
}

/// The 1-based index of column `name` in the header (which has it); two columns of that name are
/// an error (which would be meant?).
inline int column_index(const std::vector<std::string>& header, const std::string& name, const std::string& where) {
  const auto it = std::find(header.begin(), header.end(), name);
  const auto again = std::find(it + 1, header.end(), name);
  FROST_CHECK(again == header.end(), where + ": expected one column named " + show(name) + ", got columns " +
                                         std::to_string(it - header.begin() + 1) + " and " +
                                         std::to_string(again - header.begin() + 1));
  return static_cast<int>(it - header.begin()) + 1;
}

/// A label field (tsv, csv) as labels: never empty; split at `sep` when it is not 0.
inline std::vector<std::string> split_labels(const std::string& s, char sep, const std::string& where) {
  FROST_CHECK(!s.empty(), where + ": expected a label, got an empty field");
  if (sep == 0) return {s};
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t e = s.find(sep, start);
    out.push_back(s.substr(start, e == std::string::npos ? std::string::npos : e - start));
    FROST_CHECK(!out.back().empty(), where + ": expected labels separated by '" + std::string(1, sep) +
                                         "' (none empty), got an empty label in " + show(s));
    if (e == std::string::npos) return out;
    start = e + 1;
  }
}

inline void set_columns(DataFile& f, const ColumnChoice& c) {
  f.pairs = !c.pair.empty();
  f.labelled = c.labelled;
  f.text_column = c.text;
  f.text_pair_column = c.pair;
  f.label_column = c.label;
}

/// A record has as many fields as the header.
inline void check_field_count(const Record& rec, std::size_t expected, const std::string& path, DataFormat format) {
  FROST_CHECK(rec.fields.size() == expected,
              path + ":" + std::to_string(rec.line) + ": expected " + std::to_string(expected) +
                  (format == DataFormat::csv ? " comma-separated fields" : " tab-separated columns") + ", got " +
                  std::to_string(rec.fields.size()));
}

inline DataFile read_delimited(const std::string& text, const std::string& path, DataFormat format,
                               const DataColumns& c, bool label_required) {
  DataFile f;
  f.path = path;
  f.format = format;
  DelimitedReader rd(text, path, format);
  Record header;
  FROST_CHECK(rd.next(header), path + ": empty file (expected a header row)");
  const std::string hw = path + ":" + std::to_string(header.line);
  set_columns(f, choose_columns(header.fields, c, label_required, hw, false));
  f.text_index = column_index(header.fields, f.text_column, hw);
  if (f.pairs) f.text_pair_index = column_index(header.fields, f.text_pair_column, hw);
  if (f.labelled) f.label_index = column_index(header.fields, f.label_column, hw);
  f.label_lists = f.labelled && c.label_separator != 0;
  rd.set_header(&header.fields);
  Record rec;
  while (rd.next(rec)) {
    check_field_count(rec, header.fields.size(), path, format);
    DataRow r;
    r.line = rec.line;
    r.text_a = std::move(rec.fields[static_cast<std::size_t>(f.text_index - 1)]);
    FROST_CHECK(!r.text_a.empty(), field_where(path, r.line, f.text_index, f.text_column) +
                                       ": expected a non-empty text, got an empty field");
    if (f.pairs) r.text_b = std::move(rec.fields[static_cast<std::size_t>(f.text_pair_index - 1)]);
    if (f.labelled)
      r.labels = split_labels(rec.fields[static_cast<std::size_t>(f.label_index - 1)], c.label_separator,
                              field_where(path, r.line, f.label_index, f.label_column));
    f.rows.push_back(std::move(r));
  }
  FROST_CHECK(!f.rows.empty(), path + ": no data rows after the header");
  return f;
}

/// A JSON value's kind for a message (the value itself for scalars).
inline std::string show_json(const nlohmann::json& v) {
  if (v.is_array()) return v.empty() ? "[]" : "an array";
  if (v.is_object()) return "an object";
  if (v.is_string()) return show(v.get_ref<const std::string&>());
  return show(v.dump());
}

/// One label of a JSON line: a non-empty string, an integer or a finite number (as its JSON text).
inline std::string json_label(const nlohmann::json& v, const std::string& where) {
  if (v.is_string()) {
    FROST_CHECK(!v.get_ref<const std::string&>().empty(), where + ": expected a label, got an empty string");
    return v.get<std::string>();
  }
  if (v.is_number_integer()) return v.dump();
  FROST_CHECK(v.is_number_float(), where + ": expected a label (a string or a number), got " +
                                       (v.is_null() ? std::string("null") : show_json(v)));
  FROST_CHECK(std::isfinite(v.get<double>()), where + ": expected a finite number, got " + show(v.dump()));
  return v.dump();
}

/// The labels of a JSON line's label value: one label, or an array of them (multi-label; [] is a
/// row with none of the labels, which only a multi-label scheme accepts, labels.hpp).
inline std::vector<std::string> json_labels(const nlohmann::json& v, const std::string& where, bool& list) {
  if (!v.is_array()) return {json_label(v, where)};
  list = true;
  std::vector<std::string> out;
  out.reserve(v.size());
  for (const auto& e : v) out.push_back(json_label(e, where));
  return out;
}

inline std::vector<std::string> json_keys(const nlohmann::json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

/// Text field `key` of a JSON line: a string (non-empty when `required_nonempty`).
inline std::string json_text(const nlohmann::json& j, const std::string& key, const std::string& where,
                             bool required_nonempty) {
  const auto it = j.find(key);
  FROST_CHECK(it != j.end(),
              where + ": expected a string, got no such key (keys present: " + show_list(json_keys(j)) + ")");
  FROST_CHECK(it->is_string(), where + ": expected a string, got " + show_json(*it));
  FROST_CHECK(!required_nonempty || !it->get_ref<const std::string&>().empty(),
              where + ": expected a non-empty text, got an empty string");
  return it->get<std::string>();
}

/// One JSON line parsed: an object, else an error naming the line.
inline nlohmann::json parse_json_line(std::string_view line, const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": expected a JSON object, got invalid JSON (" + e.what() + ")");
  }
  FROST_CHECK(j.is_object(), where +
                                 ": expected a JSON object per line (JSON Lines, as datasets' to_json writes), got " +
                                 (j.is_array() ? std::string("an array") : show_json(j)));
  return j;
}

inline DataRow jsonl_row(const nlohmann::json& j, long line, DataFile& f) {
  DataRow r;
  r.line = line;
  r.text_a = json_text(j, f.text_column, field_where(f.path, line, 0, f.text_column), true);
  if (f.pairs) r.text_b = json_text(j, f.text_pair_column, field_where(f.path, line, 0, f.text_pair_column), false);
  if (f.labelled) {
    const std::string where = field_where(f.path, line, 0, f.label_column);
    const auto it = j.find(f.label_column);
    FROST_CHECK(it != j.end(),
                where + ": expected a label, got no such key (keys present: " + show_list(json_keys(j)) + ")");
    r.labels = json_labels(*it, where, f.label_lists);
  }
  return r;
}

inline DataFile read_jsonl(const std::string& text, const std::string& path, const DataColumns& c,
                           bool label_required) {
  DataFile f;
  f.path = path;
  f.format = DataFormat::jsonl;
  bool chosen = false;
  long line = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    ++line;
    std::size_t e = text.find('\n', pos);
    if (e == std::string::npos) e = text.size();
    std::string_view ln(text.data() + pos, e - pos);
    pos = e + 1;
    if (ln.find_first_not_of(" \t\r") == std::string_view::npos) continue;  // blank
    const std::string where = path + ":" + std::to_string(line);
    const nlohmann::json j = parse_json_line(ln, where);
    if (!chosen) {
      set_columns(f, choose_columns(json_keys(j), c, label_required, where, true));
      chosen = true;
    }
    f.rows.push_back(jsonl_row(j, line, f));
  }
  FROST_CHECK(!f.rows.empty(), path + ": no data rows (expected one JSON object per line, got an empty file)");
  return f;
}

}  // namespace data_detail

/// Reads a data file's contents from `in` (`path` names it in errors) in `format`, with columns
/// `columns`; `label_required` false (predict) accepts a file without the label column.
inline DataFile read_data_file(std::istream& in, const std::string& path, DataFormat format,
                               const DataColumns& columns = {}, bool label_required = true) {
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  FROST_CHECK(!in.bad(), path + ": read error");
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a UTF-8 BOM (Excel, Notepad)
  if (format == DataFormat::jsonl) return data_detail::read_jsonl(text, path, columns, label_required);
  return data_detail::read_delimited(text, path, format, columns, label_required);
}

/// Reads the file `path` (see above).
inline DataFile read_data_file(const std::string& path, DataFormat format, const DataColumns& columns = {},
                               bool label_required = true) {
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.good(), path + ": cannot open data file");
  return read_data_file(in, path, format, columns, label_required);
}

}  // namespace frost
