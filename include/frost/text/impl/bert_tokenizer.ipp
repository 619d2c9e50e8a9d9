// frost/text/impl/bert_tokenizer.ipp: the definitions of text/bert_tokenizer.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "../bert_tokenizer.hpp"

namespace frost::text {

namespace detail {

/// Row `r` of `f` encoded; a tokenizer error (invalid UTF-8) names the file, line and column.
inline Encoding encode_row(const DataFile& f, const DataRow& r, const WordPieceTokenizer& tok, int max_len) {
  try {
    return f.pairs ? tok.encode(r.text_a, r.text_b, max_len) : tok.encode(r.text_a, std::nullopt, max_len);
  } catch (const Error& e) {
    bool first = true;
    if (f.pairs) {
      try {
        (void)tok.encode(r.text_a, std::nullopt, max_len);
        first = false;
      } catch (const Error&) {
      }
    }
    throw Error(data_detail::field_where(f.path, r.line, first ? f.text_index : f.text_pair_index,
                                         first ? f.text_column : f.text_pair_column) +
                ": " + e.what());
  }
}

}  // namespace detail

FROST_DECL Dataset tokenize_file(const DataFile& f, const WordPieceTokenizer& tok, int max_len,
                                 const LabelScheme& labels) {
  Dataset d;
  d.reserve(f.rows.size());
  for (const auto& r : f.rows) {
    Example ex;
    apply_labels(f, r, labels, ex);
    Encoding enc = detail::encode_row(f, r, tok, max_len);
    ex.input_ids = std::move(enc.input_ids);
    ex.token_type_ids = std::move(enc.token_type_ids);
    d.push_back(std::move(ex));
  }
  return d;
}

FROST_DECL Dataset tokenize_file(const TsvFile& f, const WordPieceTokenizer& tok, int max_len, bool regression,
                                 const std::string& path) {
  Dataset d;
  d.reserve(f.rows.size());
  for (const auto& r : f.rows) {
    Encoding enc;
    try {
      enc = f.pairs ? tok.encode(r.text_a, r.text_b, max_len) : tok.encode(r.text_a, std::nullopt, max_len);
    } catch (const Error& e) {
      throw Error(path + ":" + std::to_string(r.line) + ": " + e.what());
    }
    Example ex;
    ex.input_ids = std::move(enc.input_ids);
    ex.token_type_ids = std::move(enc.token_type_ids);
    if (regression)
      ex.targets = {r.label};
    else
      ex.label = static_cast<std::int64_t>(r.label);
    d.push_back(std::move(ex));
  }
  return d;
}

FROST_DECL LoadedDataset load_dataset(const std::string& path, const WordPieceTokenizer& tok, const DatasetOptions& o) {
  LoadedDataset out;
  out.file = read_data_file(path, data_format_of(path, o.format), o.columns, o.label_required);
  if (o.labels)
    out.labels = *o.labels;
  else if (o.infer_labels && out.file.labelled)
    out.labels = infer_label_scheme(out.file, o.hints);
  else
    out.labels = label_scheme_for(out.file, o.hints);
  out.examples = tokenize_file(out.file, tok, o.max_length, out.labels);
  out.file.rows.clear();
  out.file.rows.shrink_to_fit();
  return out;
}

FROST_DECL Dataset load_tsv(const std::string& path, const WordPieceTokenizer& tok, const TsvOptions& o) {
  DatasetOptions d;
  d.format = "tsv";
  d.max_length = o.max_length;
  d.label_required = o.label_required;
  d.hints.num_labels = o.num_labels;
  d.hints.num_labels_forced = true;
  d.infer_labels = false;
  return load_dataset(path, tok, d).examples;
}

}  // namespace frost::text
