// frost/train/labels.hpp: how a data file's raw labels (data_file.hpp) become model targets, as
// Hugging Face's run_glue.py decides it. No Eigen here.
//
// A LabelScheme is chosen once, from the training file and the model's config (LabelHints:
// num_labels, whether the user forced it, problem_type, id2label), then applied to every file
// (training, evaluation, predict) so that a label means the same class everywhere:
//
//   regression    num_labels == 1 (problem_type unset) or problem_type "regression": each label
//                 a finite number; target = that number (Example::targets, one value).
//   multi_label   problem_type "multi_label_classification", or (problem_type unset) any row with
//                 several labels or labels written as lists (a JSON array, a label_separator):
//                 target = multi-hot of num_labels floats. The classes as for one label below.
//   named         one label per row, class = the label's position in `names`:
//                   - the config's id2label names when they are real (not HF's default LABEL_i):
//                     labels must be among them (an integer-labelled file keeps class indices);
//                   - else, when the labels are not all integers: the sorted set of distinct
//                     training labels (byte order, as run_glue.py's label_list.sort()), and
//                     num_labels = its size (it may differ from the config's: the classifier is
//                     then re-initialised with that many rows, as run_glue.py does).
//   class_index   one label per row, every label an integer: the class index, in [0, num_labels)
//                 (frost's TSV convention and GLUE's files as datasets writes them; 1.0 counts).
//
// infer_label_scheme(train, hints) chooses for a training file; label_scheme_for(file, hints)
// for a model whose classes are fixed (eval or predict without a training file: its config's
// names or class indices, never a new class list). label_target / apply_labels turn one row's
// labels into Example::label or Example::targets; a label outside the scheme is an error naming
// the file, line, column and label. label_names / label2id give config.json's id2label/label2id.
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

#include "../config.hpp"
#include "../detail/macros.hpp"
#include "../io/config_json.hpp"
#include "data_file.hpp"

namespace frost {

/// What the model's config says about labels.
struct LabelHints {
  int num_labels = 2;                             ///< config.json's num_labels (or the user's)
  bool num_labels_forced = false;                 ///< given by the user: string labels must be that many
  ProblemType problem_type = ProblemType::infer;  ///< config.json's problem_type (infer: unset)
  std::vector<std::string> id2label;  ///< config.json's names by id; used when num_labels many and not LABEL_i
};

/// The hints of a config (its num_labels and problem_type) with its id2label names.
inline LabelHints label_hints(const BertConfig& cfg, std::vector<std::string> id2label = {},
                              bool num_labels_forced = false) {
  return LabelHints{cfg.num_labels, num_labels_forced, cfg.problem_type, std::move(id2label)};
}

struct LabelScheme {
  enum class Kind { class_index, named, regression, multi_label };
  Kind kind = Kind::class_index;
  int num_labels = 2;
  /// Class names by id: named and multi_label by name; may be set for class_index (the config's
  /// names, kept for config.json); empty: HF's LABEL_i.
  std::vector<std::string> names;
  bool by_index = false;                        ///< multi_label: labels are integer class indices, not names
  std::map<std::string, int, std::less<>> ids;  ///< names -> id (first id of a repeated name)

  /// config.json's problem_type for this scheme.
  [[nodiscard]] ProblemType problem_type() const {
    if (kind == Kind::regression) return ProblemType::regression;
    if (kind == Kind::multi_label) return ProblemType::multi_label_classification;
    return ProblemType::single_label_classification;
  }
  /// The id of class name `label`, or -1.
  [[nodiscard]] int id_of(std::string_view label) const {
    if (ids.size() == names.size()) {
      const auto it = ids.find(label);
      return it == ids.end() ? -1 : it->second;
    }
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == label) return static_cast<int>(i);
    return -1;
  }
};

inline const char* label_kind_name(LabelScheme::Kind k) {
  switch (k) {
    case LabelScheme::Kind::named:
      return "named";
    case LabelScheme::Kind::regression:
      return "regression";
    case LabelScheme::Kind::multi_label:
      return "multi_label";
    default:
      return "class_index";
  }
}

/// An integer label: an optional sign, digits, optionally a fraction of zeros ("1.0", as pandas
/// writes an integer column with gaps); no spaces. `out` is its value.
inline bool integer_label(std::string_view s, long long& out) {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
  const std::size_t dot = s.find('.');
  if (dot != std::string_view::npos) {
    const std::string_view frac = s.substr(dot + 1);
    if (frac.empty() || frac.find_first_not_of('0') != std::string_view::npos) return false;
    s = s.substr(0, dot);
  }
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

/// A finite number label (decimal or exponent notation, an optional sign; no spaces, no hex).
inline bool number_label(std::string_view s, double& out) {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, std::chars_format::general);
  return ec == std::errc() && end == s.data() + s.size() && std::isfinite(out);
}

/// Whether `names` are HF's defaults LABEL_0, LABEL_1, ... (PretrainedConfig's id2label).
inline bool is_default_label_names(const std::vector<std::string>& names) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] != "LABEL_" + std::to_string(i)) return false;
  return true;
}

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

/// The scheme for training on `train` (labelled) with a model configured as `h`; see the top.
inline LabelScheme infer_label_scheme(const DataFile& train, const LabelHints& h) {
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

/// The scheme of a model whose classes are fixed by its config (`h`), for `file` (eval or predict
/// without a training file): regression, the config's real names when the file's labels use them,
/// else class indices. Never a new class list.
inline LabelScheme label_scheme_for(const DataFile& file, const LabelHints& h) {
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

/// One row's target: `label` (class index) for single-label, `targets` for regression (one value)
/// and multi-label (num_labels values, 1 for each label).
struct LabelTarget {
  std::int64_t label = 0;
  std::vector<double> targets;
};

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

/// The target of row `r` of file `f` under scheme `s`; errors name the file, line, column and label.
/// A row without labels (predict) gets label 0 or zero targets of the right size.
inline LabelTarget label_target(const DataFile& f, const DataRow& r, const LabelScheme& s) {
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

/// Sets `ex.label` and `ex.targets` (frost::Example, train/data.hpp) from row `r`.
template <class ExampleT>
void apply_labels(const DataFile& f, const DataRow& r, const LabelScheme& s, ExampleT& ex) {
  LabelTarget t = label_target(f, r, s);
  ex.label = t.label;
  ex.targets = std::move(t.targets);
}

/// config.json's id2label for the scheme, by id: its names, else LABEL_i.
inline std::vector<std::string> label_names(const LabelScheme& s) {
  if (static_cast<int>(s.names.size()) == s.num_labels) return s.names;
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(std::max(s.num_labels, 0)));
  for (int i = 0; i < s.num_labels; ++i) out.push_back("LABEL_" + std::to_string(i));
  return out;
}

/// config.json's label2id for the scheme (name -> id; a repeated name keeps its first id).
inline std::map<std::string, int> label2id(const LabelScheme& s) {
  std::map<std::string, int> out;
  const auto names = label_names(s);
  for (std::size_t i = 0; i < names.size(); ++i) out.emplace(names[i], static_cast<int>(i));
  return out;
}

}  // namespace frost
