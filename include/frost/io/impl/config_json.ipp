// frost/io/impl/config_json.ipp: the definitions of io/config_json.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <ios>
#include <limits>
#include <sstream>
#include <type_traits>
#include <variant>

#include "../config_json.hpp"

namespace frost {

namespace detail {

inline std::string show_json(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

/// The value of `key` in `j`, or null when absent ("got nothing" vs "got null" in messages).
inline const nlohmann::json* field_value(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

/// The int in `v`, or nullopt when it is not a JSON integer that fits 32 bits.
inline std::optional<int> json_int(const nlohmann::json& v) {
  if (!v.is_number_integer()) return std::nullopt;
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) return std::nullopt;
    return static_cast<int>(u);
  }
  const auto s = v.get<std::int64_t>();
  if (s < std::numeric_limits<int>::min() || s > std::numeric_limits<int>::max()) return std::nullopt;
  return static_cast<int>(s);
}

/// What a field of member type V expects, as its errors say.
template <class V>
constexpr const char* config_field_expected() {
  if constexpr (std::is_same_v<V, int>)
    return "an integer";
  else if constexpr (std::is_same_v<V, std::optional<double>>)
    return "a number or null";
  else
    return "a number";
}

/// An absent (`v` null) or null field: transformers' default, or an error when it is required.
template <class V>
void read_config_default(const ConfigField& f, V& out, const nlohmann::json* v, const std::string& where) {
  if (f.required)
    throw config_field_error(where, f.name, std::string(config_field_expected<V>()) + " (a required field)",
                             v == nullptr ? "nothing (no such key)" : "null");
  if constexpr (std::is_same_v<V, std::optional<double>>)
    out = f.hf_default;
  else
    out = static_cast<V>(*f.hf_default);
}

/// A present, non-null field: a 32-bit integer for an int member, else a number.
template <class V>
void read_config_value(const ConfigField& f, V& out, const nlohmann::json& v, const std::string& where) {
  if constexpr (std::is_same_v<V, int>) {
    if (!v.is_number_integer()) throw config_field_error(where, f.name, config_field_expected<V>(), show_json(v));
    const auto i = json_int(v);
    if (!i) throw config_field_error(where, f.name, "a 32-bit integer", show_json(v));
    out = *i;
  } else {
    if (!v.is_number()) throw config_field_error(where, f.name, config_field_expected<V>(), show_json(v));
    out = v.get<double>();
  }
}

inline void read_config_field(const nlohmann::json& j, const ConfigField& f, BertConfig& c, const std::string& where) {
  const nlohmann::json* v = field_value(j, f.name);
  std::visit(
      [&](auto BertConfig::*m) {
        if (v == nullptr || v->is_null())
          read_config_default(f, c.*m, v, where);
        else
          read_config_value(f, c.*m, *v, where);
      },
      f.member);
}

FROST_DECL nlohmann::json write_config_field(const ConfigField& f, const BertConfig& c) {
  return std::visit(
      [&](auto BertConfig::*m) -> nlohmann::json {
        const auto& v = c.*m;
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v)>, std::optional<double>>)
          return v ? nlohmann::json(*v) : nlohmann::json();
        else
          return v;
      },
      f.member);
}

inline std::optional<std::string> config_string(const nlohmann::json& j, const char* key, const std::string& expected,
                                                const std::string& where) {
  const nlohmann::json* v = field_value(j, key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) throw config_field_error(where, key, expected, show_json(*v));
  return v->get<std::string>();
}

/// The id an id2label key names: a decimal string without leading zeros below `n`, else `n`.
inline std::size_t id2label_key_id(const std::string& key, std::size_t n) {
  const bool digits = !key.empty() && key.size() <= 9 && key.find_first_not_of("0123456789") == std::string::npos &&
                      (key.size() == 1 || key[0] != '0');
  return digits ? static_cast<std::size_t>(std::stoul(key)) : n;
}

/// The label names of a non-null id2label, by id (keys "0" ... "n-1", each once; string values).
inline std::vector<std::string> read_id2label(const nlohmann::json& id2label, const std::string& where) {
  if (!id2label.is_object())
    throw config_field_error(where, "id2label", "an object {\"0\": name, \"1\": name, ...}", show_json(id2label));
  const std::size_t n = id2label.size();
  if (n > static_cast<std::size_t>(kMaxNumLabels))
    throw config_field_error(where, "id2label", "at most " + std::to_string(kMaxNumLabels) + " labels",
                             std::to_string(n));
  std::vector<std::string> names(n);
  std::vector<bool> seen(n, false);
  for (auto it = id2label.begin(); it != id2label.end(); ++it) {
    const std::string& key = it.key();
    const std::size_t id = id2label_key_id(key, n);
    if (id >= n || seen[id])
      throw config_field_error(where, "id2label",
                               "the keys \"0\" ... \"" + std::to_string(n == 0 ? 0 : n - 1) + "\" (" +
                                   std::to_string(n) + " labels, ids as decimal strings)",
                               "key " + show_json(key));
    if (!it.value().is_string())
      throw config_field_error(where, "id2label", "a label name (a string) for id " + key, show_json(it.value()));
    seen[id] = true;
    names[id] = it.value().get<std::string>();
  }
  if (n == 0) throw config_field_error(where, "id2label", "at least one label", "{}");
  return names;
}

/// Checks each label2id entry (an id below n; the inverse of id2label when there is one, else one
/// label per id) and returns which ids have an entry.
inline std::vector<bool> read_label2id_entries(const nlohmann::json& label2id, const std::vector<std::string>& names,
                                               bool has_id2label, std::size_t n, const std::string& where) {
  std::vector<bool> covered(n, false);
  for (auto it = label2id.begin(); it != label2id.end(); ++it) {
    const auto id = json_int(it.value());
    if (!id || *id < 0 || static_cast<std::size_t>(*id) >= n)
      throw config_field_error(where, "label2id",
                               "an id in [0, " + std::to_string(n) + ") for label " + show_json(it.key()),
                               show_json(it.value()));
    const auto i = static_cast<std::size_t>(*id);
    if (has_id2label && names[i] != it.key())
      throw config_field_error(
          where, "label2id",
          "the inverse of id2label (id2label[\"" + std::to_string(i) + "\"] is " + show_json(names[i]) + ")",
          show_json(it.key()) + ": " + std::to_string(i));
    if (!has_id2label && covered[i])
      throw config_field_error(where, "label2id", "one label per id", "a second label for id " + std::to_string(i));
    covered[i] = true;
  }
  return covered;
}

/// Checks that label2id covers every id (every id2label name when there is an id2label).
inline void check_label2id_coverage(const nlohmann::json& label2id, const std::vector<std::string>& names,
                                    bool has_id2label, const std::vector<bool>& covered, const std::string& where) {
  for (std::size_t i = 0; i < covered.size(); ++i) {
    // With id2label, every name needs an entry (a name id2label repeats has one, for one of its ids).
    if (has_id2label ? label2id.contains(names[i]) : covered[i]) continue;
    throw config_field_error(
        where, "label2id", has_id2label ? "an entry for every id2label name" : "an entry for every id < num_labels",
        has_id2label ? "no entry for " + show_json(names[i]) + " (id2label[\"" + std::to_string(i) + "\"])"
                     : "no label with id " + std::to_string(i));
  }
}

/// id2label, label2id and num_labels: `num_labels_given` says whether config.json had num_labels
/// (already read into c.num_labels).
inline void read_config_labels(const nlohmann::json& j, BertConfig& c, bool num_labels_given,
                               const std::string& where) {
  const nlohmann::json* id2label = field_value(j, "id2label");
  std::vector<std::string> names;
  const bool has_id2label = id2label != nullptr && !id2label->is_null();
  if (has_id2label) {
    names = read_id2label(*id2label, where);
    const std::size_t n = names.size();
    if (num_labels_given && c.num_labels != static_cast<int>(n))
      throw config_field_error(where, "num_labels", std::to_string(n) + " (the size of id2label)",
                               std::to_string(c.num_labels));
    c.num_labels = static_cast<int>(n);
  }
  const nlohmann::json* label2id = field_value(j, "label2id");
  if (label2id == nullptr || label2id->is_null()) return;
  if (!label2id->is_object())
    throw config_field_error(where, "label2id", "an object {name: id, ...}", show_json(*label2id));
  if (c.num_labels <= 0) return;  // validate() reports num_labels
  const auto n = static_cast<std::size_t>(c.num_labels);
  const std::vector<bool> covered = read_label2id_entries(*label2id, names, has_id2label, n, where);
  check_label2id_coverage(*label2id, names, has_id2label, covered, where);
}

FROST_DECL std::string read_config_text(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(path + ": cannot open config file (a directory)");
  std::ifstream in(path, std::ios::binary);
  if (!in.good()) throw Error(path + ": cannot open config file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw Error(path + ": read error");
  return std::move(ss).str();
}

}  // namespace detail

FROST_DECL BertConfig config_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw Error(where + ": expected a JSON object at top level, got " + detail::show_json(j));
  BertConfig c;
  for (const ConfigField& f : kConfigFields) detail::read_config_field(j, f, c, where);
  if (c.num_labels > kMaxNumLabels)
    throw detail::config_field_error(where, "num_labels", "at most " + std::to_string(kMaxNumLabels) + " labels",
                                     std::to_string(c.num_labels));
  for (const ConfigConstant& k : kConfigConstants) {
    const std::string expected = "\"" + std::string(k.value) + "\" (" + k.why + ")";
    const auto v = detail::config_string(j, k.name, expected, where);
    if (v && *v != k.value) throw detail::config_field_error(where, k.name, expected, detail::show_json(*v));
  }
  std::string expected_pt = "one of";
  for (ProblemType p : kProblemTypes) expected_pt += std::string(" \"") + to_string(p) + "\",";
  expected_pt += " or null";
  if (const auto pt = detail::config_string(j, "problem_type", expected_pt, where)) {
    bool known = false;
    for (ProblemType p : kProblemTypes) {
      if (*pt != to_string(p)) continue;
      c.problem_type = p;
      known = true;
    }
    if (!known) throw detail::config_field_error(where, "problem_type", expected_pt, detail::show_json(*pt));
  }
  const nlohmann::json* nl = detail::field_value(j, "num_labels");
  detail::read_config_labels(j, c, nl != nullptr && !nl->is_null(), where);
  c.validate(where);
  return c;
}

FROST_DECL nlohmann::json parse_config_json(std::string_view text, const std::string& where) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  // depth: the number of objects/arrays around the one that starts (0 for the top level)
  const auto depth_limit = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start || event == nlohmann::json::parse_event_t::array_start) &&
        depth >= kMaxConfigJsonDepth)
      throw Error(where + ": JSON nested deeper than " + std::to_string(kMaxConfigJsonDepth) +
                  " levels of objects and arrays");
    return true;
  };
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text, depth_limit);
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": not valid JSON (" + e.what() + ")");
  }
  if (!j.is_object()) throw Error(where + ": expected a JSON object at top level, got " + detail::show_json(j));
  return j;
}

FROST_DECL nlohmann::json read_config_json(const std::string& path) {
  return parse_config_json(detail::read_config_text(path), path);
}

FROST_DECL BertConfig read_config(const std::string& path) { return config_from_json(read_config_json(path), path); }

FROST_DECL nlohmann::json config_to_json(const BertConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const ConfigField& f : kConfigFields)
    if (f.in_checkpoint) j[f.name] = detail::write_config_field(f, c);
  j["problem_type"] = to_string(c.problem_type);
  return j;
}

FROST_DECL nlohmann::json hf_config_json(const BertConfig& cfg, nlohmann::json base,
                                         const std::vector<std::string>& label_names) {
  if (!base.is_object()) base = nlohmann::json::object();
  for (const ConfigConstant& k : kConfigConstants) base[k.name] = k.value;
  base["architectures"] = {"BertForSequenceClassification"};
  for (const ConfigField& f : kConfigFields) base[f.name] = detail::write_config_field(f, cfg);
  nlohmann::json id2label = nlohmann::json::object(), label2id = nlohmann::json::object();
  for (int i = 0; i < cfg.num_labels; ++i) {
    const std::string name = static_cast<std::size_t>(i) < label_names.size() ? label_names[static_cast<std::size_t>(i)]
                                                                              : "LABEL_" + std::to_string(i);
    id2label[std::to_string(i)] = name;
    label2id[name] = i;
  }
  base["id2label"] = id2label;
  base["label2id"] = label2id;
  if (cfg.problem_type != ProblemType::infer)
    base["problem_type"] = to_string(cfg.problem_type);
  else
    base.erase("problem_type");  // the base's may not fit a changed num_labels
  return base;
}

}  // namespace frost
