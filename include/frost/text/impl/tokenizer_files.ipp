// frost/text/impl/tokenizer_files.ipp: the definitions of text/tokenizer_files.hpp (the header
// includes this file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../detail/macros.hpp"
#include "../../io/atomic_file.hpp"
#include "../tokenizer_files.hpp"

namespace frost::text {

namespace detail {

/// A JSON value for an error message: ASCII, at most 80 characters.
inline std::string json_excerpt(const nlohmann::json& v) {
  std::string s = v.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

[[noreturn]] inline void field_error(const std::string& file, const std::string& field, const std::string& what) {
  throw Error(file + ": field '" + field + "': " + what);
}

/// A JSON file whose top level must be an object. A UTF-8 BOM is skipped.
inline nlohmann::json read_json_object(const std::string& path) {
  std::error_code ec;
  FROST_CHECK(!std::filesystem::is_directory(path, ec), path + ": expected a JSON file, found a directory");
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.is_open(), path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  FROST_CHECK(!in.bad(), path + ": read error");
  std::string text = std::move(ss).str();
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
  FROST_CHECK(j.is_object(), path + ": expected a JSON object at top level, got " + j.type_name());
  return j;
}

/// obj[key], or null when absent.
inline const nlohmann::json& member(const nlohmann::json& obj, const std::string& key) {
  static const nlohmann::json null_value;
  const auto it = obj.find(key);
  return it == obj.end() ? null_value : *it;
}

inline bool get_bool(const nlohmann::json& v, const std::string& file, const std::string& field) {
  if (!v.is_boolean()) field_error(file, field, "expected true or false, got " + json_excerpt(v));
  return v.get<bool>();
}
/// null (or absent): unset.
inline std::optional<bool> get_optional_bool(const nlohmann::json& v, const std::string& file,
                                             const std::string& field) {
  if (v.is_null()) return std::nullopt;
  if (!v.is_boolean()) field_error(file, field, "expected true, false or null, got " + json_excerpt(v));
  return v.get<bool>();
}
inline std::string get_string(const nlohmann::json& v, const std::string& file, const std::string& field) {
  if (!v.is_string()) field_error(file, field, "expected a string, got " + json_excerpt(v));
  return v.get<std::string>();
}
/// A non-negative integer that fits an int.
inline int get_count(const nlohmann::json& v, const std::string& file, const std::string& field) {
  if (!v.is_number_integer() || v.get<double>() < 0 || v.get<double>() > INT_MAX)
    field_error(file, field, "expected an integer in [0, " + std::to_string(INT_MAX) + "], got " + json_excerpt(v));
  return static_cast<int>(v.get<long long>());
}

inline bool is_bert_special(std::string_view t) {
  for (auto s : WordPieceTokenizer::kSpecialTokens)
    if (s == t) return true;
  return false;
}

/// A special-token argument (tokenizer_config.json, special_tokens_map.json): a string or an
/// AddedToken object {"content": ...}; its content.
inline std::string special_content(const nlohmann::json& v, const std::string& file, const std::string& field) {
  if (v.is_object()) return get_string(member(v, "content"), file, field + ".content");
  return get_string(v, file, field);
}

/// The special-token keys transformers takes from tokenizer_config.json and
/// special_tokens_map.json: each must be BERT's own (bos/eos, which BertTokenizer does not use,
/// one of the five), additional_special_tokens only those five.
inline void check_special_token_keys(const nlohmann::json& j, const std::string& file) {
  static constexpr std::pair<const char*, const char*> kNamed[] = {{"unk_token", "[UNK]"},
                                                                   {"sep_token", "[SEP]"},
                                                                   {"pad_token", "[PAD]"},
                                                                   {"cls_token", "[CLS]"},
                                                                   {"mask_token", "[MASK]"}};
  for (const auto& [key, want] : kNamed) {
    const nlohmann::json& v = member(j, key);
    if (v.is_null()) continue;
    const std::string got = special_content(v, file, key);
    if (got != want)
      field_error(file, key,
                  "expected \"" + std::string(want) + "\" (frost tokenizes with BERT's special tokens), got " +
                      json_excerpt(got));
  }
  for (const char* key : {"bos_token", "eos_token"}) {
    const nlohmann::json& v = member(j, key);
    if (v.is_null()) continue;
    const std::string got = special_content(v, file, key);
    if (!is_bert_special(got))
      field_error(file, key,
                  "expected null or one of [PAD] [UNK] [CLS] [SEP] [MASK] (transformers would split " +
                      json_excerpt(got) + " out of the text as a special token; frost cannot), got " +
                      json_excerpt(got));
  }
  const nlohmann::json& extra = member(j, "additional_special_tokens");
  if (!extra.is_null()) {
    if (!extra.is_array())
      field_error(file, "additional_special_tokens", "expected a list, got " + json_excerpt(extra));
    for (std::size_t i = 0; i < extra.size(); ++i) {
      const std::string field = "additional_special_tokens[" + std::to_string(i) + "]";
      const std::string got = special_content(extra[i], file, field);
      if (!is_bert_special(got))
        field_error(
            file, field,
            "frost supports only BERT's special tokens [PAD] [UNK] [CLS] [SEP] [MASK], got " + json_excerpt(got));
    }
  }
}

/// An added token (tokenizer.json's added_tokens[i], tokenizer_config.json's
/// added_tokens_decoder["id"]): one of BERT's five, at its vocabulary id, special, matched in the
/// raw text (normalized false) with no lstrip / rstrip / single_word.
inline void check_added_token(const nlohmann::json& t, int id, const WordPieceTokenizer& vocab, const std::string& file,
                              const std::string& field) {
  if (!t.is_object()) field_error(file, field, "expected an object, got " + json_excerpt(t));
  const std::string content = get_string(member(t, "content"), file, field + ".content");
  if (!is_bert_special(content))
    field_error(file, field + ".content",
                "frost supports only BERT's special tokens [PAD] [UNK] [CLS] [SEP] [MASK] as added tokens, got " +
                    json_excerpt(content));
  const int want = *vocab.token_to_id(content);
  if (id != want)
    field_error(file, field,
                content + " has id " + std::to_string(id) + ", but the vocabulary has it at " + std::to_string(want));
  for (const char* flag : {"lstrip", "rstrip", "single_word", "normalized"}) {
    const nlohmann::json& v = member(t, flag);
    if (v.is_null()) continue;
    if (get_bool(v, file, field + "." + flag))
      field_error(file, field + "." + flag, "expected false for " + content + " (as BERT has it), got true");
  }
  const nlohmann::json& special = member(t, "special");
  if (!special.is_null() && !get_bool(special, file, field + ".special"))
    field_error(file, field + ".special", "expected true for " + content + ", got false");
}

/// tokenizer_config.json as read (all of it optional).
struct TokenizerConfigFile {
  std::string path;
  bool present = false;
  std::optional<bool> do_lower_case;           ///< absent or null: unset
  std::optional<bool> strip_accents;           ///< absent or null: unset (follow do_lower_case)
  std::optional<bool> tokenize_chinese_chars;  ///< absent or null: unset
  std::optional<int> model_max_length;
  nlohmann::json added_tokens_decoder;  ///< checked once the vocabulary is known
};

/// tokenizer_config.json's model_max_length: absent or null, or an integer >= 1 (left unset when above
/// INT_MAX).
inline std::optional<int> read_model_max_length(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json& m = member(j, "model_max_length");
  if (m.is_null()) return std::nullopt;
  const double d = m.is_number() ? m.get<double>() : 0.0;
  if (!m.is_number() || !std::isfinite(d) || std::floor(d) != d || d < 1)
    field_error(path, "model_max_length", "expected an integer >= 1, got " + json_excerpt(m));
  if (d <= INT_MAX) return static_cast<int>(d);
  return std::nullopt;
}

/// tokenizer_config.json's tokenizer_class, when set: one of BERT's WordPiece tokenizers.
inline void check_tokenizer_class(const nlohmann::json& j, const std::string& path) {
  if (const nlohmann::json& v = member(j, "tokenizer_class"); !v.is_null()) {
    static constexpr const char* kBert[] = {"BertTokenizer",           "BertTokenizerFast", "DistilBertTokenizer",
                                            "DistilBertTokenizerFast", "ElectraTokenizer",  "ElectraTokenizerFast"};
    const std::string cls = get_string(v, path, "tokenizer_class");
    bool ok = false;
    for (const char* k : kBert) ok = ok || cls == k;
    if (!ok)
      field_error(path, "tokenizer_class",
                  "expected BERT's WordPiece tokenizer (BertTokenizer, BertTokenizerFast, DistilBertTokenizer(Fast), "
                  "ElectraTokenizer(Fast)), got " +
                      json_excerpt(v));
  }
}

/// tokenizer_config.json's keys that would make BertTokenizer split differently from frost:
/// do_basic_tokenize false, split_special_tokens true, never_split beyond BERT's special tokens.
inline void check_basic_tokenizer_keys(const nlohmann::json& j, const std::string& path) {
  if (const nlohmann::json& v = member(j, "do_basic_tokenize"); !v.is_null() && !get_bool(v, path, "do_basic_tokenize"))
    field_error(
        path, "do_basic_tokenize",
        "false is not supported (BertTokenizer would skip its basic tokenizer, BertTokenizerFast ignores the key)");
  if (const nlohmann::json& v = member(j, "split_special_tokens");
      !v.is_null() && get_bool(v, path, "split_special_tokens"))
    field_error(path, "split_special_tokens", "true is not supported (frost always keeps special tokens whole)");
  if (const nlohmann::json& v = member(j, "never_split"); !v.is_null()) {
    if (!v.is_array()) field_error(path, "never_split", "expected null or a list, got " + json_excerpt(v));
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!v[i].is_string() || !is_bert_special(v[i].get<std::string>()))
        field_error(path, "never_split[" + std::to_string(i) + "]",
                    "only BERT's special tokens are supported (BertTokenizer would keep " + json_excerpt(v[i]) +
                        " whole, BertTokenizerFast ignores never_split), got " + json_excerpt(v[i]));
  }
}

inline TokenizerConfigFile read_tokenizer_config(const std::string& path) {
  TokenizerConfigFile c;
  c.path = path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return c;
  c.present = true;
  const nlohmann::json j = read_json_object(path);
  c.do_lower_case = get_optional_bool(member(j, "do_lower_case"), path, "do_lower_case");
  c.strip_accents = get_optional_bool(member(j, "strip_accents"), path, "strip_accents");
  c.tokenize_chinese_chars = get_optional_bool(member(j, "tokenize_chinese_chars"), path, "tokenize_chinese_chars");
  c.model_max_length = read_model_max_length(j, path);
  check_tokenizer_class(j, path);
  check_basic_tokenizer_keys(j, path);
  check_special_token_keys(j, path);
  c.added_tokens_decoder = member(j, "added_tokens_decoder");
  if (!c.added_tokens_decoder.is_null() && !c.added_tokens_decoder.is_object())
    field_error(path, "added_tokens_decoder", "expected an object, got " + json_excerpt(c.added_tokens_decoder));
  return c;
}

/// tokenizer.json as read: the vocabulary (ids checked) and the settings frost uses.
struct TokenizerJsonFile {
  std::string path;
  std::vector<std::string> tokens;  ///< by id
  bool clean_text = true, handle_chinese_chars = true, lowercase = true;
  std::optional<bool> strip_accents;
  int max_input_chars_per_word = 100;
  nlohmann::json added_tokens, post_processor;  ///< checked once the vocabulary is known
};

/// `v` is {"type": want} or {"type": "Sequence", <list>: [{"type": want, ...}]}: the one
/// component object.
inline const nlohmann::json& single_component(const nlohmann::json& v, const char* want, const char* list_key,
                                              const std::string& file, const std::string& field) {
  if (!v.is_object()) field_error(file, field, std::string("expected a ") + want + " object, got " + json_excerpt(v));
  const std::string type = get_string(member(v, "type"), file, field + ".type");
  if (type == want) return v;
  if (type == "Sequence") {
    const nlohmann::json& list = member(v, list_key);
    const std::string lf = field + "." + list_key;
    if (!list.is_array()) field_error(file, lf, "expected a list, got " + json_excerpt(list));
    if (list.size() == 1 && list[0].is_object() && member(list[0], "type") == want) return list[0];
    std::string types;
    for (const auto& e : list) types += (types.empty() ? "" : ", ") + json_excerpt(member(e, "type"));
    field_error(file, lf,
                std::string("a Sequence is supported only when it holds exactly one ") + want + " (frost reproduces " +
                    want + " alone), got [" + types + "]");
  }
  field_error(file, field + ".type",
              json_excerpt(type) + " is not supported: frost reproduces BERT's " + want + " only");
}

/// tokenizer.json's top level: only the fields tokenizers knows; version a string, truncation
/// and padding null or objects.
inline void check_tokenizer_json_top_level(const nlohmann::json& j, const std::string& path) {
  static constexpr const char* kKnown[] = {"version",       "truncation",     "padding", "added_tokens", "normalizer",
                                           "pre_tokenizer", "post_processor", "decoder", "model"};
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (const char* k : kKnown) known = known || key == k;
    if (!known)
      field_error(path, key, "unknown top-level field (tokenizers refuses it too; frost cannot tell what it does)");
  }
  if (const nlohmann::json& v = member(j, "version"); !v.is_null()) (void)get_string(v, path, "version");
  for (const char* key : {"truncation", "padding"})
    if (const nlohmann::json& v = member(j, key); !v.is_null() && !v.is_object())
      field_error(path, key, "expected null or an object, got " + json_excerpt(v));
}

/// tokenizer.json's model.vocab: the tokens by id (ids 0 to n - 1, each once).
inline std::vector<std::string> read_tokenizer_json_vocab(const nlohmann::json& vocab, const std::string& path) {
  if (!vocab.is_object() || vocab.empty())
    field_error(path, "model.vocab", "expected a non-empty object of token: id, got " + json_excerpt(vocab));
  const std::size_t n = vocab.size();
  std::vector<std::string> tokens(n);
  std::vector<bool> seen(n, false);
  for (const auto& [token, id] : vocab.items()) {
    const std::string field = "model.vocab[" + json_excerpt(token) + "]";
    if (!id.is_number_integer() || id.get<double>() < 0 || id.get<double>() >= static_cast<double>(n))
      field_error(path, field,
                  "expected an id in [0, " + std::to_string(n - 1) + "] (the ids must be 0 to " +
                      std::to_string(n - 1) + ", each once), got " + json_excerpt(id));
    const auto k = static_cast<std::size_t>(id.get<long long>());
    if (seen[k])
      field_error(path, field,
                  "id " + std::to_string(k) + " is also " + json_excerpt(tokens[k]) + "'s (each id must occur once)");
    seen[k] = true;
    tokens[k] = token;
  }
  return tokens;
}

/// tokenizer.json's model: BERT's WordPiece ("[UNK]", "##"), into t's tokens and
/// max_input_chars_per_word.
inline void read_tokenizer_json_model(const nlohmann::json& j, const std::string& path, TokenizerJsonFile& t) {
  const nlohmann::json& model = member(j, "model");
  if (!model.is_object()) field_error(path, "model", "expected a WordPiece model object, got " + json_excerpt(model));
  const std::string type = get_string(member(model, "type"), path, "model.type");
  if (type != "WordPiece")
    field_error(path, "model.type", json_excerpt(type) + " is not supported: frost reproduces WordPiece only");
  if (const std::string unk = get_string(member(model, "unk_token"), path, "model.unk_token"); unk != "[UNK]")
    field_error(path, "model.unk_token", "expected \"[UNK]\", got " + json_excerpt(unk));
  if (const std::string prefix =
          get_string(member(model, "continuing_subword_prefix"), path, "model.continuing_subword_prefix");
      prefix != "##")
    field_error(path, "model.continuing_subword_prefix", "expected \"##\", got " + json_excerpt(prefix));
  t.max_input_chars_per_word =
      get_count(member(model, "max_input_chars_per_word"), path, "model.max_input_chars_per_word");
  t.tokens = read_tokenizer_json_vocab(member(model, "vocab"), path);
}

/// tokenizer.json's normalizer: a BertNormalizer (alone or the one in a Sequence), into t's
/// settings.
inline void read_tokenizer_json_normalizer(const nlohmann::json& j, const std::string& path, TokenizerJsonFile& t) {
  const nlohmann::json& norm =
      single_component(member(j, "normalizer"), "BertNormalizer", "normalizers", path, "normalizer");
  const std::string np = &norm == &member(j, "normalizer") ? "normalizer." : "normalizer.normalizers[0].";
  t.clean_text = get_bool(member(norm, "clean_text"), path, np + "clean_text");
  t.handle_chinese_chars = get_bool(member(norm, "handle_chinese_chars"), path, np + "handle_chinese_chars");
  t.strip_accents = get_optional_bool(member(norm, "strip_accents"), path, np + "strip_accents");
  t.lowercase = get_bool(member(norm, "lowercase"), path, np + "lowercase");
}

/// tokenizer.json's decoder: null or WordPiece with prefix "##".
inline void check_tokenizer_json_decoder(const nlohmann::json& j, const std::string& path) {
  const nlohmann::json& dec = member(j, "decoder");
  if (dec.is_null()) return;
  if (!dec.is_object()) field_error(path, "decoder", "expected null or a WordPiece decoder, got " + json_excerpt(dec));
  const std::string dt = get_string(member(dec, "type"), path, "decoder.type");
  if (dt != "WordPiece")
    field_error(path, "decoder.type", json_excerpt(dt) + " is not supported: frost decodes as WordPiece (\"##\")");
  if (const std::string prefix = get_string(member(dec, "prefix"), path, "decoder.prefix"); prefix != "##")
    field_error(path, "decoder.prefix", "expected \"##\", got " + json_excerpt(prefix));
}

inline TokenizerJsonFile read_tokenizer_json(const std::string& path) {
  TokenizerJsonFile t;
  t.path = path;
  const nlohmann::json j = read_json_object(path);
  check_tokenizer_json_top_level(j, path);
  read_tokenizer_json_model(j, path, t);
  read_tokenizer_json_normalizer(j, path, t);
  (void)single_component(member(j, "pre_tokenizer"), "BertPreTokenizer", "pretokenizers", path, "pre_tokenizer");
  check_tokenizer_json_decoder(j, path);
  t.added_tokens = member(j, "added_tokens");
  if (!t.added_tokens.is_array())
    field_error(path, "added_tokens",
                "expected a list (of BERT's five special tokens), got " + json_excerpt(t.added_tokens));
  t.post_processor = member(j, "post_processor");
  return t;
}

/// The post-processor BertTokenizerFast applies for [CLS] A [SEP] (B [SEP]) with these ids.
template <class json = nlohmann::json>
json bert_template_processing(int cls, int sep) {
  const auto special = [](const char* id, int type) { return json{{"SpecialToken", {{"id", id}, {"type_id", type}}}}; };
  const auto sequence = [](const char* id, int type) { return json{{"Sequence", {{"id", id}, {"type_id", type}}}}; };
  json p = json::object();
  p["type"] = "TemplateProcessing";
  p["single"] = json::array({special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0)});
  p["pair"] =
      json::array({special("[CLS]", 0), sequence("A", 0), special("[SEP]", 0), sequence("B", 1), special("[SEP]", 1)});
  p["special_tokens"] = {{"[CLS]", {{"id", "[CLS]"}, {"ids", {cls}}, {"tokens", {"[CLS]"}}}},
                         {"[SEP]", {{"id", "[SEP]"}, {"ids", {sep}}, {"tokens", {"[SEP]"}}}}};
  return p;
}

/// tokenizer.json's parts that need the vocabulary: added_tokens and post_processor.
inline void check_tokenizer_json_tokens(const TokenizerJsonFile& t, const WordPieceTokenizer& vocab) {
  std::vector<std::string> found;
  for (std::size_t i = 0; i < t.added_tokens.size(); ++i) {
    const std::string field = "added_tokens[" + std::to_string(i) + "]";
    const nlohmann::json& a = t.added_tokens[i];
    if (!a.is_object()) field_error(t.path, field, "expected an object, got " + json_excerpt(a));
    check_added_token(a, get_count(member(a, "id"), t.path, field + ".id"), vocab, t.path, field);
    found.push_back(a["content"].get<std::string>());
  }
  for (auto s : WordPieceTokenizer::kSpecialTokens)
    if (std::find(found.begin(), found.end(), s) == found.end())
      field_error(t.path, "added_tokens",
                  "has no " + std::string(s) +
                      " (tokenizers would not split it out of the text, transformers would: frost needs all five of "
                      "[PAD] [UNK] [CLS] [SEP] [MASK])");
  const nlohmann::json& p = t.post_processor;
  if (!p.is_object())
    field_error(t.path, "post_processor",
                "expected BERT's [CLS] A [SEP] (B [SEP]) post-processor, got " + json_excerpt(p));
  const std::string type = get_string(member(p, "type"), t.path, "post_processor.type");
  const int cls = vocab.cls_id(), sep = vocab.sep_id();
  if (type == "TemplateProcessing") {
    const nlohmann::json want = bert_template_processing(cls, sep);
    for (const char* key : {"single", "pair", "special_tokens"})
      if (member(p, key) != want[key])
        field_error(t.path, std::string("post_processor.") + key,
                    "expected BERT's template " + json_excerpt(want[key]) + ", got " + json_excerpt(member(p, key)));
  } else if (type == "BertProcessing") {
    const nlohmann::json want_sep = nlohmann::json::array({"[SEP]", sep}),
                         want_cls = nlohmann::json::array({"[CLS]", cls});
    if (member(p, "sep") != want_sep)
      field_error(t.path, "post_processor.sep",
                  "expected " + json_excerpt(want_sep) + ", got " + json_excerpt(member(p, "sep")));
    if (member(p, "cls") != want_cls)
      field_error(t.path, "post_processor.cls",
                  "expected " + json_excerpt(want_cls) + ", got " + json_excerpt(member(p, "cls")));
  } else {
    field_error(t.path, "post_processor.type",
                json_excerpt(type) +
                    " is not supported: frost adds [CLS] A [SEP] (B [SEP]) as TemplateProcessing or "
                    "BertProcessing do for BERT");
  }
}

/// tokenizer_config.json's added_tokens_decoder against the vocabulary.
inline void check_added_tokens_decoder(const TokenizerConfigFile& c, const WordPieceTokenizer& vocab) {
  if (c.added_tokens_decoder.is_null()) return;
  for (const auto& [key, value] : c.added_tokens_decoder.items()) {
    const std::string field = "added_tokens_decoder[" + json_excerpt(key) + "]";
    int id = -1;
    try {
      std::size_t used = 0;
      id = std::stoi(key, &used);
      if (used != key.size()) id = -1;
    } catch (const std::exception&) {
      id = -1;
    }
    if (id < 0) field_error(c.path, field, "expected a token id as the key, got " + json_excerpt(key));
    check_added_token(value, id, vocab, c.path, field);
  }
}

/// added_tokens.json (the legacy added-token file): only BERT's special tokens at their ids.
inline void check_added_tokens_file(const std::string& path, const WordPieceTokenizer& vocab) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  const nlohmann::json j = read_json_object(path);
  for (const auto& [token, id] : j.items()) {
    const std::string field = json_excerpt(token);
    if (!is_bert_special(token))
      field_error(
          path, field,
          "frost supports only BERT's special tokens [PAD] [UNK] [CLS] [SEP] [MASK] as added tokens (transformers "
          "would split this one out of the text)");
    if (!id.is_number_integer() || id != *vocab.token_to_id(token))
      field_error(
          path, field,
          "expected the vocabulary's id " + std::to_string(*vocab.token_to_id(token)) + ", got " + json_excerpt(id));
  }
}

/// The settings transformers resolves (see the header comment), tokenizer.json checked against
/// tokenizer_config.json where the latter is silent.
inline TokenizerOptions resolve_options(const TokenizerConfigFile& c, const TokenizerJsonFile* t, Flavor flavor) {
  TokenizerOptions o;
  o.flavor = flavor;
  o.do_lower_case = c.do_lower_case.value_or(true);
  o.strip_accents = c.strip_accents;
  o.tokenize_chinese_chars = c.tokenize_chinese_chars.value_or(true);
  o.model_max_length = c.model_max_length;
  if (!t) return o;
  const std::string cfg = c.present ? c.path + " sets no " : "there is no tokenizer_config.json to set ";
  const auto ambiguous = [&](const std::string& field, bool json_value, const std::string& key, bool hf_value,
                             const std::string& consequence) {
    throw Error(t->path + ": field '" + field + "' is " + (json_value ? "true" : "false") + ", but " + cfg + key +
                ", so transformers' BertTokenizerFast would use " + key + " = " + (hf_value ? "true" : "false") +
                consequence + " while tokenizers' Tokenizer.from_file would not; set \"" + key +
                "\": " + (json_value ? "true" : "false") + " (or " + (json_value ? "false" : "true") +
                ") in tokenizer_config.json to say which");
  };
  const std::string np = "normalizer.";
  if (!c.do_lower_case && !t->lowercase) ambiguous(np + "lowercase", false, "do_lower_case", true, " (its default)");
  if (!c.tokenize_chinese_chars && !t->handle_chinese_chars)
    ambiguous(np + "handle_chinese_chars", false, "tokenize_chinese_chars", true, " (its default)");
  if (!c.strip_accents && t->strip_accents && *t->strip_accents != o.do_lower_case)
    ambiguous(np + "strip_accents", *t->strip_accents, "strip_accents", o.do_lower_case,
              " (null, following do_lower_case)");
  o.clean_text = t->clean_text;
  o.max_input_chars_per_word = t->max_input_chars_per_word;
  if (flavor == Flavor::slow) {
    FROST_CHECK(o.clean_text, t->path + ": field '" + np +
                                  "clean_text': false is BertTokenizerFast's alone (BertTokenizer always cleans the "
                                  "text); load with the fast flavor");
    FROST_CHECK(o.max_input_chars_per_word == WordPieceTokenizer::kMaxInputCharsPerWord,
                t->path + ": field 'model.max_input_chars_per_word': " + std::to_string(o.max_input_chars_per_word) +
                    " is BertTokenizerFast's alone (BertTokenizer always uses 100); load with the fast flavor");
  }
  return o;
}

}  // namespace detail

FROST_DECL WordPieceTokenizer load_tokenizer(const std::string& dir, const TokenizerLoadOptions& load) {
  namespace fs = std::filesystem;
  const std::string vocab_txt = dir + "/vocab.txt", tokenizer_json = dir + "/tokenizer.json";
  std::error_code ec;
  const bool has_vocab = fs::exists(vocab_txt, ec), has_json = fs::exists(tokenizer_json, ec);
  FROST_CHECK(has_vocab || has_json,
              dir + ": no vocab.txt or tokenizer.json (expected a Hugging Face model directory)");
  const Flavor flavor = load.flavor.value_or(has_vocab ? Flavor::slow : Flavor::fast);
  const detail::TokenizerConfigFile cfg = detail::read_tokenizer_config(dir + "/tokenizer_config.json");
  if (fs::exists(dir + "/special_tokens_map.json", ec))
    detail::check_special_token_keys(detail::read_json_object(dir + "/special_tokens_map.json"),
                                     dir + "/special_tokens_map.json");
  std::optional<detail::TokenizerJsonFile> json;
  if (has_json) json = detail::read_tokenizer_json(tokenizer_json);
  const TokenizerOptions opt = detail::resolve_options(cfg, json ? &*json : nullptr, flavor);
  std::optional<WordPieceTokenizer> tok;
  if (has_vocab) {
    tok.emplace(vocab_txt, opt);
    if (json) {
      const auto& a = tok->vocabulary();
      const auto& b = json->tokens;
      FROST_CHECK(a.size() == b.size(), vocab_txt + " has " + std::to_string(a.size()) + " tokens, " + tokenizer_json +
                                            "'s model.vocab " + std::to_string(b.size()) +
                                            " (BertTokenizer reads the one, BertTokenizerFast the other)");
      for (std::size_t i = 0; i < a.size(); ++i)
        FROST_CHECK(a[i] == b[i], std::string(vocab_txt)
                                      .append(" and ")
                                      .append(tokenizer_json)
                                      .append(" disagree: id ")
                                      .append(std::to_string(i))
                                      .append(" is ")
                                      .append(detail::json_excerpt(a[i]))
                                      .append(" in vocab.txt (line ")
                                      .append(std::to_string(i + 1))
                                      .append(") and ")
                                      .append(detail::json_excerpt(b[i]))
                                      .append(" in model.vocab (BertTokenizer reads the one, BertTokenizerFast the "
                                              "other)"));
    }
  } else {
    tok.emplace(WordPieceTokenizer::from_tokens(std::move(json->tokens), tokenizer_json, opt));
  }
  if (json) detail::check_tokenizer_json_tokens(*json, *tok);
  detail::check_added_tokens_decoder(cfg, *tok);
  detail::check_added_tokens_file(dir + "/added_tokens.json", *tok);
  return std::move(*tok);
}

namespace detail {

inline nlohmann::ordered_json added_token_json(const std::string& content) {
  return {{"content", content}, {"lstrip", false},      {"normalized", false},
          {"rstrip", false},    {"single_word", false}, {"special", true}};
}

}  // namespace detail

FROST_DECL std::string tokenizer_json_text(const WordPieceTokenizer& tok) {
  using nlohmann::ordered_json;
  const TokenizerOptions& o = tok.options();
  ordered_json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  std::vector<std::pair<int, std::string>> specials;
  for (auto s : WordPieceTokenizer::kSpecialTokens) specials.emplace_back(*tok.token_to_id(s), std::string(s));
  std::sort(specials.begin(), specials.end());
  ordered_json added = ordered_json::array();
  for (const auto& [id, content] : specials)
    added.push_back({{"id", id},
                     {"content", content},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", true}});
  j["added_tokens"] = added;
  j["normalizer"] = {{"type", "BertNormalizer"},
                     {"clean_text", o.clean_text},
                     {"handle_chinese_chars", o.tokenize_chinese_chars},
                     {"strip_accents", o.strip_accents ? ordered_json(*o.strip_accents) : ordered_json(nullptr)},
                     {"lowercase", o.do_lower_case}};
  j["pre_tokenizer"] = {{"type", "BertPreTokenizer"}};
  j["post_processor"] = detail::bert_template_processing<ordered_json>(tok.cls_id(), tok.sep_id());
  j["decoder"] = {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}};
  ordered_json vocab = ordered_json::object();
  const auto& tokens = tok.vocabulary();
  for (std::size_t i = 0; i < tokens.size(); ++i) vocab[tokens[i]] = static_cast<int>(i);
  j["model"] = {{"type", "WordPiece"},
                {"unk_token", "[UNK]"},
                {"continuing_subword_prefix", "##"},
                {"max_input_chars_per_word", o.max_input_chars_per_word},
                {"vocab", std::move(vocab)}};
  return j.dump(2) + "\n";
}

FROST_DECL std::string tokenizer_config_text(const WordPieceTokenizer& tok, std::optional<int> model_max_length) {
  using nlohmann::ordered_json;
  const TokenizerOptions& o = tok.options();
  std::vector<std::pair<int, std::string>> specials;
  for (auto s : WordPieceTokenizer::kSpecialTokens) specials.emplace_back(*tok.token_to_id(s), std::string(s));
  std::sort(specials.begin(), specials.end());
  ordered_json decoder = ordered_json::object();
  for (const auto& [id, content] : specials) decoder[std::to_string(id)] = detail::added_token_json(content);
  ordered_json j;
  j["added_tokens_decoder"] = decoder;
  j["clean_up_tokenization_spaces"] = true;
  j["cls_token"] = "[CLS]";
  j["do_basic_tokenize"] = true;
  j["do_lower_case"] = o.do_lower_case;
  j["mask_token"] = "[MASK]";
  if (model_max_length) j["model_max_length"] = *model_max_length;
  j["never_split"] = nullptr;
  j["pad_token"] = "[PAD]";
  j["sep_token"] = "[SEP]";
  j["strip_accents"] = o.strip_accents ? ordered_json(*o.strip_accents) : ordered_json(nullptr);
  j["tokenize_chinese_chars"] = o.tokenize_chinese_chars;
  j["tokenizer_class"] = "BertTokenizer";
  j["unk_token"] = "[UNK]";
  return j.dump(2) + "\n";
}

FROST_DECL void save_tokenizer_files(const std::string& dir, const WordPieceTokenizer& tok,
                                     const TokenizerFileOptions& o) {
  const TokenizerOptions& opt = tok.options();
  const std::string what = "save_tokenizer_files: " + dir;
  FROST_CHECK(opt.clean_text, what +
                                  ": clean_text = false cannot be written: BertTokenizer (vocab.txt) always cleans the "
                                  "text, so it and BertTokenizerFast would tokenize the directory differently");
  FROST_CHECK(opt.max_input_chars_per_word == WordPieceTokenizer::kMaxInputCharsPerWord,
              what + ": max_input_chars_per_word = " + std::to_string(opt.max_input_chars_per_word) +
                  " cannot be written: BertTokenizer (vocab.txt) always uses 100");
  const std::optional<int> max_len = o.model_max_length ? o.model_max_length : opt.model_max_length;
  FROST_CHECK(!max_len || *max_len >= 1,
              what + ": model_max_length must be >= 1, got " + std::to_string(max_len.value_or(0)));
  const auto& tokens = tok.vocabulary();
  std::string vocab;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    FROST_CHECK(tokens[i].find_first_of("\r\n") == std::string::npos,
                what + ": token id " + std::to_string(i) + " " + detail::json_excerpt(tokens[i]) +
                    " holds a line break, which vocab.txt cannot");
    vocab += tokens[i];
    vocab += '\n';
  }
  FROST_CHECK(!vocab.starts_with("\xEF\xBB\xBF"),
              what + ": token id 0 starts with U+FEFF, which readers of vocab.txt take for a byte order mark");
  const std::string json = tokenizer_json_text(tok), config = tokenizer_config_text(tok, max_len);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  FROST_CHECK(std::filesystem::is_directory(dir, ec),
              what + ": cannot create the directory" + (ec ? " (" + ec.message() + ")" : std::string()));
  io::write_file_atomic(dir + "/vocab.txt", vocab);
  io::write_file_atomic(dir + "/tokenizer.json", json);
  io::write_file_atomic(dir + "/tokenizer_config.json", config);
}

}  // namespace frost::text
