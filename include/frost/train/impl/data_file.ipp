// frost/train/impl/data_file.ipp: the definitions of train/data_file.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
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

#include "../data_file.hpp"

namespace frost {

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

FROST_DECL DataFile read_data_file(std::istream& in, const std::string& path, DataFormat format,
                                   const DataColumns& columns, bool label_required) {
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  FROST_CHECK(!in.bad(), path + ": read error");
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a UTF-8 BOM (Excel, Notepad)
  if (format == DataFormat::jsonl) return data_detail::read_jsonl(text, path, columns, label_required);
  return data_detail::read_delimited(text, path, format, columns, label_required);
}

FROST_DECL DataFile read_data_file(const std::string& path, DataFormat format, const DataColumns& columns,
                                   bool label_required) {
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.good(), path + ": cannot open data file");
  return read_data_file(in, path, format, columns, label_required);
}

}  // namespace frost
