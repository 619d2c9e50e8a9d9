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

/// The scheme for training on `train` (labelled) with a model configured as `h`; see the top.
FROST_DECL LabelScheme infer_label_scheme(const DataFile& train, const LabelHints& h);

/// The scheme of a model whose classes are fixed by its config (`h`), for `file` (eval or predict
/// without a training file): regression, the config's real names when the file's labels use them,
/// else class indices. Never a new class list.
FROST_DECL LabelScheme label_scheme_for(const DataFile& file, const LabelHints& h);

/// One row's target: `label` (class index) for single-label, `targets` for regression (one value)
/// and multi-label (num_labels values, 1 for each label).
struct LabelTarget {
  std::int64_t label = 0;
  std::vector<double> targets;
};

/// The target of row `r` of file `f` under scheme `s`; errors name the file, line, column and label.
/// A row without labels (predict) gets label 0 or zero targets of the right size.
FROST_DECL LabelTarget label_target(const DataFile& f, const DataRow& r, const LabelScheme& s);

/// Sets `ex.label` and `ex.targets` (frost::Example, train/data.hpp) from row `r`.
template <class ExampleT>
void apply_labels(const DataFile& f, const DataRow& r, const LabelScheme& s, ExampleT& ex) {
  LabelTarget t = label_target(f, r, s);
  ex.label = t.label;
  ex.targets = std::move(t.targets);
}

/// config.json's id2label for the scheme, by id: its names, else LABEL_i.
FROST_DECL std::vector<std::string> label_names(const LabelScheme& s);

/// config.json's label2id for the scheme (name -> id; a repeated name keeps its first id).
FROST_DECL std::map<std::string, int> label2id(const LabelScheme& s);

}  // namespace frost

#if !defined(FROST_SEPARATE_COMPILATION)
#include "impl/labels.ipp"
#endif
