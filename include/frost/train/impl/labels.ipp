// frost/train/impl/labels.ipp: the definitions of train/labels.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "../labels.hpp"

namespace frost {

namespace labels_detail {

inline bool is_regression(const LabelHints& h) {
  return h.problem_type == ProblemType::regression || (h.problem_type == ProblemType::infer && h.num_labels == 1);
}

/// Whether the config's names are real class names (num_labels many, not LABEL_i).
inline bool real_names(const LabelHints& h) {
  return !h.id2label.empty() && static_cast<int>(h.id2label.size()) == h.num_labels &&
         !is_default_label_names(h.id2label);
}

/// What a file's labels look like.
struct LabelStats {
  bool all_integer = true;
  bool any_name = false;  ///< some label equals one of the names looked for
  const DataRow* first_non_integer = nullptr;
  const std::string* first_non_integer_label = nullptr;
  const DataRow* first_multi = nullptr;  ///< the first row with more than one label
  std::set<std::string> distinct;
};

inline LabelStats label_stats(const DataFile& f, const std::vector<std::string>& names) {
  LabelStats st;
  const std::set<std::string, std::less<>> known(names.begin(), names.end());
  for (const auto& r : f.rows) {
    if (r.labels.size() > 1 && st.first_multi == nullptr) st.first_multi = &r;
    for (const auto& l : r.labels) {
      long long v = 0;
      if (!integer_label(l, v) && st.all_integer) {
        st.all_integer = false;
        st.first_non_integer = &r;
        st.first_non_integer_label = &l;
      }
      if (!st.any_name && known.contains(l)) st.any_name = true;
      st.distinct.insert(l);
    }
  }
  return st;
}

inline LabelScheme with_names(LabelScheme::Kind kind, std::vector<std::string> names) {
  LabelScheme s;
  s.kind = kind;
  s.num_labels = static_cast<int>(names.size());
  s.names = std::move(names);
  for (std::size_t i = 0; i < s.names.size(); ++i) s.ids.emplace(s.names[i], static_cast<int>(i));
  return s;
}

inline LabelScheme indexed(LabelScheme::Kind kind, const LabelHints& h) {
  LabelScheme s;
  s.kind = kind;
  s.num_labels = h.num_labels;
  s.by_index = kind == LabelScheme::Kind::multi_label;
  if (real_names(h)) s.names = h.id2label;
  return s;
}

/// The classes of string labels: the sorted set of distinct labels (run_glue.py's label_list).
inline LabelScheme from_label_set(const DataFile& f, const LabelHints& h, const LabelStats& st,
                                  LabelScheme::Kind kind) {
  std::vector<std::string> names(st.distinct.begin(), st.distinct.end());
  const std::string where = label_where(f, *st.first_non_integer);
  const std::string n = std::to_string(h.num_labels);
  const std::string count = std::to_string(names.size());
  FROST_CHECK(!h.num_labels_forced || names.size() == static_cast<std::size_t>(h.num_labels),
              where + ": expected an integer class index in [0, " + n + "), got " +
                  data_detail::show(*st.first_non_integer_label) + " (string labels name the classes, but " + f.path +
                  " has " + count + " distinct labels, not --num-labels " + n + ": " + data_detail::show_list(names) +
                  ")");
  FROST_CHECK(names.size() >= 2, where + ": expected at least 2 distinct labels (classes), got only " +
                                     data_detail::show(names.front()) + " in all of " + f.path +
                                     " (a numeric label column with num_labels 1 is regression)");
  FROST_CHECK(names.size() <= static_cast<std::size_t>(kMaxNumLabels),
              where + ": expected at most " + std::to_string(kMaxNumLabels) + " distinct labels, got " + count +
                  " (is the label column a text column?)");
  return with_names(kind, std::move(names));
}

/// The row with more than one label that breaks single-label classification, if any.
inline void check_single(const DataFile& f, const LabelStats& st, const LabelHints& h) {
  if (st.first_multi == nullptr) return;
  throw Error(label_where(f, *st.first_multi) + ": expected one label (problem_type " + to_string(h.problem_type) +
              "), got " + std::to_string(st.first_multi->labels.size()) + " (" +
              data_detail::show_list(st.first_multi->labels) + ")");
}

}  // namespace labels_detail

FROST_DECL LabelScheme infer_label_scheme(const DataFile& train, const LabelHints& h) {
  using Kind = LabelScheme::Kind;
  namespace ld = labels_detail;
  FROST_CHECK(train.labelled, train.path + ": expected a label column " + data_detail::show(train.label_column) +
                                  " in a training file, got none");
  if (ld::is_regression(h)) return LabelScheme{Kind::regression, 1, {}, false, {}};
  const bool real = ld::real_names(h);
  const ld::LabelStats st = ld::label_stats(train, real ? h.id2label : std::vector<std::string>{});
  const bool names_used = real && (!st.all_integer || st.any_name);
  const bool multi = h.problem_type == ProblemType::multi_label_classification ||
                     (h.problem_type == ProblemType::infer && (train.label_lists || st.first_multi != nullptr));
  if (!multi) ld::check_single(train, st, h);
  const Kind kind = multi ? Kind::multi_label : Kind::named;
  if (names_used) return ld::with_names(kind, h.id2label);
  if (st.all_integer) return ld::indexed(multi ? Kind::multi_label : Kind::class_index, h);
  return ld::from_label_set(train, h, st, kind);
}

FROST_DECL LabelScheme label_scheme_for(const DataFile& file, const LabelHints& h) {
  using Kind = LabelScheme::Kind;
  namespace ld = labels_detail;
  if (ld::is_regression(h)) return LabelScheme{Kind::regression, 1, {}, false, {}};
  const bool real = ld::real_names(h);
  const ld::LabelStats st = ld::label_stats(file, real ? h.id2label : std::vector<std::string>{});
  const bool multi = h.problem_type == ProblemType::multi_label_classification;
  if (real && (!st.all_integer || st.any_name))
    return ld::with_names(multi ? Kind::multi_label : Kind::named, h.id2label);
  return ld::indexed(multi ? Kind::multi_label : Kind::class_index, h);
}

namespace labels_detail {

/// The class id of label `l` of row `r`.
inline int class_id(const DataFile& f, const DataRow& r, const LabelScheme& s, const std::string& l) {
  if (s.kind == LabelScheme::Kind::named || (s.kind == LabelScheme::Kind::multi_label && !s.by_index)) {
    const int id = s.id_of(l);
    FROST_CHECK(id >= 0, label_where(f, r) + ": expected one of the " + std::to_string(s.names.size()) +
                             " known labels (" + data_detail::show_list(s.names, 8) + "), got " + data_detail::show(l) +
                             " (unknown label)");
    return id;
  }
  const std::string range = "an integer class index in [0, " + std::to_string(s.num_labels) + ")";
  long long v = 0;
  if (!integer_label(l, v)) {
    double d = 0;
    throw Error(label_where(f, r) + ": expected " + range + ", got " + data_detail::show(l) +
                (number_label(l, d) ? " (not an integer)" : ""));
  }
  FROST_CHECK(v >= 0 && v < s.num_labels, label_where(f, r) + ": expected " + range + ", got " + l +
                                              " (out of range: the model has " + std::to_string(s.num_labels) +
                                              " labels; --num-labels sets how many)");
  return static_cast<int>(v);
}

}  // namespace labels_detail

FROST_DECL LabelTarget label_target(const DataFile& f, const DataRow& r, const LabelScheme& s) {
  using Kind = LabelScheme::Kind;
  LabelTarget t;
  const auto n = static_cast<std::size_t>(s.num_labels);
  if (s.kind == Kind::regression) t.targets.assign(1, 0.0);
  if (s.kind == Kind::multi_label) t.targets.assign(n, 0.0);
  if (r.labels.empty()) {  // a predict file's row, or a multi-label row with none of the labels ([])
    FROST_CHECK(!f.labelled || s.kind == Kind::multi_label,
                label_where(f, r) +
                    ": expected a label, got an empty list (only multi-label data may have rows "
                    "without labels)");
    return t;
  }
  if (s.kind == Kind::multi_label) {
    for (const auto& l : r.labels) t.targets[static_cast<std::size_t>(labels_detail::class_id(f, r, s, l))] = 1.0;
    return t;
  }
  FROST_CHECK(r.labels.size() == 1, label_where(f, r) + ": expected one label" +
                                        (s.kind == Kind::regression ? " (a number: regression)" : "") + ", got " +
                                        std::to_string(r.labels.size()) + " (" + data_detail::show_list(r.labels) +
                                        ")");
  const std::string& l = r.labels.front();
  if (s.kind == Kind::regression) {
    FROST_CHECK(number_label(l, t.targets[0]),
                label_where(f, r) + ": expected a finite number (regression), got " + data_detail::show(l));
    return t;
  }
  t.label = labels_detail::class_id(f, r, s, l);
  return t;
}

FROST_DECL std::vector<std::string> label_names(const LabelScheme& s) {
  if (static_cast<int>(s.names.size()) == s.num_labels) return s.names;
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(std::max(s.num_labels, 0)));
  for (int i = 0; i < s.num_labels; ++i) out.push_back("LABEL_" + std::to_string(i));
  return out;
}

FROST_DECL std::map<std::string, int> label2id(const LabelScheme& s) {
  std::map<std::string, int> out;
  const auto names = label_names(s);
  for (std::size_t i = 0; i < names.size(); ++i) out.emplace(names[i], static_cast<int>(i));
  return out;
}

}  // namespace frost
