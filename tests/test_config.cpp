// Reading and writing config.json (frost/io/config_json.hpp): a real Hugging Face config.json,
// one case per type/range rule with the field named in the message, the writers (config.json for
// transformers, the compact checkpoint form) and their round trip. This translation unit does not
// include Eigen (fast to build).
#include <gtest/gtest.h>
#include <unistd.h>

#include <frost/config.hpp>  // first: it alone must not pull nlohmann/json
#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "frost/config.hpp must not include nlohmann/json (that is frost/io/config_json.hpp)"
#endif

#include <atomic>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <frost/io/config_json.hpp>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#ifdef EIGEN_WORLD_VERSION
#error "test_config.cpp must not include Eigen"
#endif

namespace {

using frost::BertConfig;
using frost::ProblemType;
using nlohmann::json;

std::string fixture(const std::string& name) { return std::string(FROST_FIXTURES_DIR) + "/" + name; }

json load_fixture_json(const std::string& name) {
  std::ifstream in(fixture(name));
  EXPECT_TRUE(in.good()) << fixture(name);
  return json::parse(in);
}

/// The smallest valid HF-style config: only the required geometry fields.
json minimal() {
  return json{{"vocab_size", 50},         {"hidden_size", 32},       {"num_hidden_layers", 3},
              {"num_attention_heads", 4}, {"intermediate_size", 64}, {"max_position_embeddings", 16}};
}

/// Runs `f`, expects a frost::Error, returns its message ("" and a test failure otherwise).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const frost::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected frost::Error, got another std::exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "expected frost::Error, nothing was thrown";
  return "";
}

std::string json_error(const json& j, const std::string& where = "my/config.json") {
  return error_of([&] { (void)frost::config_from_json(j, where); });
}

/// `haystack` is evaluated once (it may be a call that opens a file).
#define EXPECT_HAS(haystack, needle)                                                  \
  do {                                                                                \
    const std::string haystack_ = (haystack);                                         \
    EXPECT_NE(haystack_.find(needle), std::string::npos) << "message: " << haystack_; \
  } while (0)

/// `msg` is exactly "<where>: field '<field>': expected <...`expected`...>, got <got>".
void expect_field_error(const std::string& msg, const std::string& where, const std::string& field,
                        const std::string& expected, const std::string& got) {
  const std::string head = where + ": field '" + field + "': expected ";
  EXPECT_EQ(msg.rfind(head, 0), 0u) << "message: " << msg << "\n want it to start with: " << head;
  const std::size_t got_at = msg.rfind(", got ");
  ASSERT_NE(got_at, std::string::npos) << "message: " << msg;
  EXPECT_NE(msg.substr(0, got_at).find(expected), std::string::npos) << "message: " << msg << "\n want: " << expected;
  EXPECT_EQ(msg.substr(got_at + 6), got) << "message: " << msg;
}

/// The error of `j` (parsed as my/config.json) is about `field`.
void expect_json_field_error(const json& j, const std::string& field, const std::string& expected,
                             const std::string& got) {
  expect_field_error(json_error(j), "my/config.json", field, expected, got);
}

/// A temporary directory, removed with its contents at scope exit.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("frost_test_config_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::ofstream out(p, std::ios::binary);
    out << text;
    return p.string();
  }
};

// ---- good configs ---------------------------------------------------------------------------

TEST(ConfigFromFile, RealHfConfigEveryField) {
  const BertConfig c = frost::read_config(fixture("config_single.json"));
  EXPECT_EQ(c.vocab_size, 50);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.num_hidden_layers, 3);
  EXPECT_EQ(c.num_attention_heads, 4);
  EXPECT_EQ(c.intermediate_size, 64);
  EXPECT_EQ(c.max_position_embeddings, 16);
  EXPECT_EQ(c.type_vocab_size, 2);
  EXPECT_EQ(c.hidden_dropout_prob, 0.0);
  EXPECT_EQ(c.attention_probs_dropout_prob, 0.0);
  EXPECT_FALSE(c.classifier_dropout.has_value());  // null in the file
  EXPECT_EQ(c.classifier_dropout_prob(), 0.0);     // falls back to hidden_dropout_prob
  EXPECT_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.initializer_range, 0.02);
  EXPECT_EQ(c.pad_token_id, 0);
  EXPECT_EQ(c.num_labels, 3);  // no num_labels key: the size of id2label
  EXPECT_EQ(c.problem_type, ProblemType::single_label_classification);
  EXPECT_EQ(c.head_dim(), 8);
}

TEST(ConfigFromFile, OtherFixtureCases) {
  const BertConfig multi = frost::read_config(fixture("config_multi.json"));
  EXPECT_EQ(multi.num_labels, 3);
  EXPECT_EQ(multi.problem_type, ProblemType::multi_label_classification);
  const BertConfig reg = frost::read_config(fixture("config_regression.json"));
  EXPECT_EQ(reg.num_labels, 1);
  EXPECT_EQ(reg.problem_type, ProblemType::regression);
}

TEST(ConfigFromJson, FromJsonMatchesFromFile) {
  const BertConfig a = frost::config_from_json(load_fixture_json("config_single.json"));
  const BertConfig b = frost::read_config(fixture("config_single.json"));
  EXPECT_EQ(a.num_labels, b.num_labels);
  EXPECT_EQ(a.hidden_size, b.hidden_size);
  EXPECT_EQ(a.problem_type, b.problem_type);
}

TEST(ConfigFromJson, MinimalUsesHfDefaults) {
  const BertConfig c = frost::config_from_json(minimal());
  const BertConfig d;  // struct defaults = HF defaults
  EXPECT_EQ(c.vocab_size, 50);
  EXPECT_EQ(c.hidden_size, 32);
  EXPECT_EQ(c.type_vocab_size, d.type_vocab_size);
  EXPECT_EQ(c.hidden_dropout_prob, 0.1);
  EXPECT_EQ(c.attention_probs_dropout_prob, 0.1);
  EXPECT_FALSE(c.classifier_dropout.has_value());
  EXPECT_EQ(c.classifier_dropout_prob(), 0.1);
  EXPECT_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.initializer_range, 0.02);
  EXPECT_EQ(c.pad_token_id, 0);
  EXPECT_EQ(c.num_labels, 2);  // neither num_labels nor id2label
  EXPECT_EQ(c.problem_type, ProblemType::infer);
}

TEST(ConfigFromJson, NumLabelsFromId2Label) {
  json j = minimal();
  j["id2label"] = {{"0", "neg"}, {"1", "neu"}, {"2", "pos"}, {"3", "mixed"}, {"4", "other"}};
  EXPECT_EQ(frost::config_from_json(j).num_labels, 5);
  // a num_labels that agrees with id2label
  j["num_labels"] = 5;
  EXPECT_EQ(frost::config_from_json(j).num_labels, 5);
  // num_labels alone
  json k = minimal();
  k["num_labels"] = 7;
  EXPECT_EQ(frost::config_from_json(k).num_labels, 7);
  // an empty id2label means zero labels, which is rejected
  json empty = minimal();
  empty["id2label"] = json::object();
  expect_json_field_error(empty, "id2label", "at least one label", "{}");
}

TEST(ConfigFromJson, ProblemTypes) {
  const std::pair<const char*, ProblemType> cases[] = {
      {"single_label_classification", ProblemType::single_label_classification},
      {"multi_label_classification", ProblemType::multi_label_classification},
  };
  for (const auto& [name, pt] : cases) {
    json j = minimal();
    j["problem_type"] = name;
    const BertConfig c = frost::config_from_json(j);
    EXPECT_EQ(c.problem_type, pt) << name;
    EXPECT_STREQ(frost::to_string(c.problem_type), name);
  }
  json reg = minimal();
  reg["problem_type"] = "regression";
  reg["num_labels"] = 1;
  EXPECT_EQ(frost::config_from_json(reg).problem_type, ProblemType::regression);
  json null_pt = minimal();
  null_pt["problem_type"] = nullptr;  // HF writes null when unset
  EXPECT_EQ(frost::config_from_json(null_pt).problem_type, ProblemType::infer);
  EXPECT_STREQ(frost::to_string(ProblemType::infer), "infer");

  json bad = minimal();
  bad["problem_type"] = "ranking";
  expect_json_field_error(
      bad, "problem_type",
      "one of \"single_label_classification\", \"multi_label_classification\", \"regression\", or null", "\"ranking\"");
  bad["problem_type"] = 1;
  expect_json_field_error(bad, "problem_type", "one of", "1");
}

TEST(ConfigFromJson, ClassifierDropoutNullVsNumber) {
  json j = minimal();
  j["hidden_dropout_prob"] = 0.2;
  j["classifier_dropout"] = nullptr;
  BertConfig c = frost::config_from_json(j);
  EXPECT_FALSE(c.classifier_dropout.has_value());
  EXPECT_EQ(c.classifier_dropout_prob(), 0.2);

  j["classifier_dropout"] = 0.3;
  c = frost::config_from_json(j);
  ASSERT_TRUE(c.classifier_dropout.has_value());
  EXPECT_EQ(*c.classifier_dropout, 0.3);
  EXPECT_EQ(c.classifier_dropout_prob(), 0.3);

  j["classifier_dropout"] = 0;  // an integer is a number too
  c = frost::config_from_json(j);
  ASSERT_TRUE(c.classifier_dropout.has_value());
  EXPECT_EQ(c.classifier_dropout_prob(), 0.0);
}

TEST(ConfigFromJson, UnknownKeysIgnored) {
  json j = minimal();
  j["some_future_key"] = {{"nested", {1, 2, 3}}};
  j["architectures"] = {"BertForSequenceClassification"};
  j["torch_dtype"] = "float32";
  j["use_cache"] = true;
  j["num_beams"] = "not even an int";
  EXPECT_NO_THROW((void)frost::config_from_json(j));
  EXPECT_EQ(frost::config_from_json(j).hidden_size, 32);
}

TEST(ConfigFromJson, NullOptionalFieldsKeepDefaults) {
  json j = minimal();
  j["hidden_dropout_prob"] = nullptr;
  j["layer_norm_eps"] = nullptr;
  j["pad_token_id"] = nullptr;
  j["model_type"] = nullptr;
  const BertConfig c = frost::config_from_json(j);
  EXPECT_EQ(c.hidden_dropout_prob, 0.1);
  EXPECT_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.pad_token_id, 0);
}

TEST(ConfigFromJson, KeysHuggingFaceWritesAndFrostDoesNotUse) {
  json j = minimal();
  j["use_cache"] = true;
  j["gradient_checkpointing"] = false;
  j["transformers_version"] = "4.46.3";
  j["torch_dtype"] = "float32";
  j["architectures"] = {"BertModel"};
  j["_name_or_path"] = "nreimers/MiniLM-L6-H384-uncased";
  j["is_decoder"] = false;
  j["chunk_size_feed_forward"] = 0;
  j["bos_token_id"] = nullptr;
  j["pruned_heads"] = json::object();
  j["tie_word_embeddings"] = true;
  EXPECT_EQ(frost::config_from_json(j).hidden_size, 32);
  // the repository's real checkpoint config (architectures BertModel, gradient_checkpointing, ...)
  const std::string real = std::string(FROST_FIXTURES_DIR) + "/../../../models/all-MiniLM-L6-v2/config.json";
  if (!std::filesystem::exists(real)) GTEST_SKIP() << "all-MiniLM-L6-v2 not found (tools/fetch-minilm.sh): " << real;
  const BertConfig m = frost::read_config(real);
  EXPECT_EQ(m.hidden_size, 384);
  EXPECT_EQ(m.num_labels, 2);
}

// ---- errors: every rule names the file and the field ------------------------------------------

TEST(ConfigErrors, TopLevelNotAnObject) {
  const std::string msg = json_error(json::array({1, 2}));
  EXPECT_EQ(msg, "my/config.json: expected a JSON object at top level, got [1,2]");
}

TEST(ConfigErrors, MissingRequiredField) {
  for (const char* field : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                            "intermediate_size", "max_position_embeddings"}) {
    json j = minimal();
    j.erase(field);
    expect_json_field_error(j, field, "an integer (a required field)", "nothing (no such key)");
    j[field] = nullptr;  // null counts as missing
    expect_json_field_error(j, field, "an integer (a required field)", "null");
  }
}

TEST(ConfigErrors, MissingRequiredFieldInFileNamesThePath) {
  TempDir dir;
  json j = load_fixture_json("config_single.json");
  j.erase("num_attention_heads");
  const std::string path = dir.write("config.json", j.dump(2));
  expect_field_error(error_of([&] { (void)frost::read_config(path); }), path, "num_attention_heads", "an integer",
                     "nothing (no such key)");
}

TEST(ConfigErrors, IntegerFieldsRejectOtherTypes) {
  for (const char* field :
       {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
        "max_position_embeddings", "type_vocab_size", "pad_token_id", "num_labels"}) {
    const std::pair<json, std::string> bad[] = {
        {"32", "\"32\""},          {3.5, "3.5"},          {32.0, "32.0"}, {true, "true"},
        {json::array({1}), "[1]"}, {json::object(), "{}"}};
    for (const auto& [v, shown] : bad) {
      json j = minimal();
      j[field] = v;
      expect_json_field_error(j, field, "an integer", shown);
    }
  }
}

TEST(ConfigErrors, NumberFieldsRejectOtherTypes) {
  for (const char* field : {"hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout",
                            "layer_norm_eps", "initializer_range"}) {
    json j = minimal();
    j[field] = "0.1";
    expect_json_field_error(j, field, "a number", "\"0.1\"");
    j[field] = false;
    expect_json_field_error(j, field, "a number", "false");
  }
}

TEST(ConfigErrors, SizesMustBePositive) {
  for (const char* field : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                            "intermediate_size", "max_position_embeddings", "type_vocab_size", "num_labels"}) {
    for (int v : {0, -5}) {
      json j = minimal();
      j[field] = v;
      expect_json_field_error(j, field, "a positive integer", std::to_string(v));
    }
  }
}

TEST(ConfigErrors, HiddenSizeNotDivisibleByHeads) {
  json j = minimal();
  j["hidden_size"] = 30;
  j["num_attention_heads"] = 4;
  expect_json_field_error(j, "num_attention_heads", "a divisor of hidden_size (30)", "4");
}

TEST(ConfigErrors, DropoutOutOfRange) {
  for (const char* field : {"hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout"}) {
    for (const auto& [p, shown] : {std::pair<double, const char*>{1.0, "1"}, {-0.1, "-0.1"}, {1.5, "1.5"}}) {
      json j = minimal();
      j[field] = p;
      expect_json_field_error(j, field, "a probability in [0, 1)", shown);
    }
    json ok = minimal();
    ok[field] = 0.0;
    EXPECT_NO_THROW((void)frost::config_from_json(ok)) << field;
    ok[field] = 0.999;
    EXPECT_NO_THROW((void)frost::config_from_json(ok)) << field;
  }
}

TEST(ConfigErrors, HiddenActOnlyExactGelu) {
  for (const char* act : {"relu", "gelu_new", "gelu_pytorch_tanh", "gelu_fast", "silu", "GELU", ""}) {
    json j = minimal();
    j["hidden_act"] = act;
    expect_json_field_error(j, "hidden_act", "\"gelu\" (the exact erf GELU, the only activation frost implements",
                            json(act).dump());
  }
  json j = minimal();
  j["hidden_act"] = 7;
  expect_json_field_error(j, "hidden_act", "\"gelu\"", "7");
  j["hidden_act"] = "gelu";
  EXPECT_NO_THROW((void)frost::config_from_json(j));
}

TEST(ConfigErrors, PositionEmbeddingNotAbsolute) {
  json j = minimal();
  j["position_embedding_type"] = "relative_key";
  expect_json_field_error(j, "position_embedding_type", "\"absolute\"", "\"relative_key\"");
}

TEST(ConfigErrors, ModelTypeBertWhenPresent) {
  json j = minimal();
  j["model_type"] = "roberta";
  expect_json_field_error(j, "model_type", "\"bert\"", "\"roberta\"");
  j["model_type"] = nullptr;  // absent or null: fine
  EXPECT_NO_THROW((void)frost::config_from_json(j));
}

TEST(ConfigErrors, LayerNormEpsPositiveAndFinite) {
  for (const auto& [v, shown] : {std::pair<double, const char*>{0.0, "0"},
                                 {-1e-5, "-1e-05"},
                                 {std::numeric_limits<double>::infinity(), "Infinity"}}) {
    json j = minimal();
    j["layer_norm_eps"] = v;
    expect_json_field_error(j, "layer_norm_eps", "a finite number > 0", shown);
  }
}

TEST(ConfigErrors, InitializerRangeNonNegativeAndFinite) {
  for (const auto& [v, shown] :
       {std::pair<double, const char*>{-0.02, "-0.02"}, {std::numeric_limits<double>::infinity(), "Infinity"}}) {
    json j = minimal();
    j["initializer_range"] = v;
    expect_json_field_error(j, "initializer_range", "a finite number >= 0", shown);
  }
  json ok = minimal();
  ok["initializer_range"] = 0;
  EXPECT_NO_THROW((void)frost::config_from_json(ok));
}

TEST(ConfigErrors, PadTokenInsideVocab) {
  for (int v : {50, 51, -1}) {
    json j = minimal();  // vocab_size 50
    j["pad_token_id"] = v;
    expect_json_field_error(j, "pad_token_id", "an id in [0, vocab_size) = [0, 50)", std::to_string(v));
  }
  json ok = minimal();
  ok["pad_token_id"] = 49;
  EXPECT_EQ(frost::config_from_json(ok).pad_token_id, 49);
}

TEST(ConfigErrors, Id2LabelKeysAreTheIdsZeroToNMinusOne) {
  const std::pair<json, std::string> bad[] = {
      {{{"1", "a"}, {"2", "b"}}, "key \"2\""},    // no "0"
      {{{"0", "a"}, {"2", "b"}}, "key \"2\""},    // gap
      {{{"0", "a"}, {"x", "b"}}, "key \"x\""},    // not a number
      {{{"0", "a"}, {"01", "b"}}, "key \"01\""},  // not canonical
      {{{"-1", "a"}, {"0", "b"}}, "key \"-1\""}, {{{"0", "a"}, {" 1", "b"}}, "key \" 1\""},
  };
  for (const auto& [id2label, got] : bad) {
    json j = minimal();
    j["id2label"] = id2label;
    expect_json_field_error(j, "id2label", "the keys \"0\" ... \"1\" (2 labels", got);
  }
}

TEST(ConfigErrors, Id2LabelValuesAreStrings) {
  json j = minimal();
  j["id2label"] = {{"0", "neg"}, {"1", 5}};
  expect_json_field_error(j, "id2label", "a label name (a string) for id 1", "5");
  j["id2label"] = json::array({"neg", "pos"});
  expect_json_field_error(j, "id2label", "an object", "[\"neg\",\"pos\"]");
}

TEST(ConfigErrors, Label2IdInverseOfId2Label) {
  json j = minimal();
  j["id2label"] = {{"0", "neg"}, {"1", "pos"}};
  j["label2id"] = {{"neg", 0}, {"pos", 1}};
  EXPECT_EQ(frost::config_from_json(j).num_labels, 2);
  j["label2id"] = {{"neg", 1}, {"pos", 0}};  // swapped
  expect_json_field_error(j, "label2id", "the inverse of id2label", "\"neg\": 1");
  j["label2id"] = {{"neg", 0}};  // "pos" missing
  expect_json_field_error(j, "label2id", "an entry for every id2label name", "no entry for \"pos\" (id2label[\"1\"])");
  j["label2id"] = {{"neg", 0}, {"pos", 2}};  // out of range
  expect_json_field_error(j, "label2id", "an id in [0, 2) for label \"pos\"", "2");
  j["label2id"] = {{"neg", 0}, {"pos", "1"}};  // not an integer
  expect_json_field_error(j, "label2id", "an id in [0, 2)", "\"1\"");
  j["label2id"] = json::array();
  expect_json_field_error(j, "label2id", "an object", "[]");
  // a name id2label repeats: label2id (a dict) holds it once, for one of its ids, as in transformers
  j["id2label"] = {{"0", "same"}, {"1", "same"}};
  j["label2id"] = {{"same", 1}};
  EXPECT_EQ(frost::config_from_json(j).num_labels, 2);
}

TEST(ConfigErrors, Label2IdWithoutId2LabelCoversNumLabels) {
  json j = minimal();
  j["num_labels"] = 2;
  j["label2id"] = {{"a", 0}, {"b", 1}};
  EXPECT_EQ(frost::config_from_json(j).num_labels, 2);
  j["label2id"] = {{"a", 0}, {"b", 0}};
  expect_json_field_error(j, "label2id", "one label per id", "a second label for id 0");
  j["label2id"] = {{"a", 1}};
  expect_json_field_error(j, "label2id", "an entry for every id < num_labels", "no label with id 0");
}

// HF gives id2label precedence (PretrainedConfig warns and ignores a conflicting num_labels);
// frost refuses the conflict.
TEST(ConfigErrors, NumLabelsConsistentWithId2Label) {
  json j = minimal();
  j["id2label"] = {{"0", "a"}, {"1", "b"}};
  j["num_labels"] = 5;
  expect_json_field_error(j, "num_labels", "2 (the size of id2label)", "5");
}

TEST(ConfigErrors, RegressionNeedsOneLabel) {
  json j = minimal();
  j["problem_type"] = "regression";
  j["num_labels"] = 3;
  expect_json_field_error(j, "num_labels", "1 (problem_type is 'regression')", "3");
  j.erase("num_labels");  // no num_labels and no id2label: the default 2 is rejected too
  expect_json_field_error(j, "num_labels", "1 (problem_type is 'regression')", "2");
}

// get<int>() on any JSON integer would turn 4294967346 into 50 and 2^64-1 into -1.
TEST(ConfigErrors, IntegerOutOfIntRangeRejected) {
  json j = minimal();
  j["vocab_size"] = 4294967346LL;
  expect_json_field_error(j, "vocab_size", "a 32-bit integer", "4294967346");
  j["vocab_size"] = 18446744073709551615ULL;
  expect_json_field_error(j, "vocab_size", "a 32-bit integer", "18446744073709551615");
  j["vocab_size"] = -2147483649LL;
  expect_json_field_error(j, "vocab_size", "a 32-bit integer", "-2147483649");
}

TEST(ConfigErrors, LongValuesAreShortenedInTheMessage) {
  json j = minimal();
  j["hidden_size"] = std::string(500, 'x');
  const std::string msg = json_error(j);
  EXPECT_LT(msg.size(), 200u) << msg;
  EXPECT_HAS(msg, "field 'hidden_size': expected an integer, got \"xxx");
}

// ---- files ------------------------------------------------------------------------------------

TEST(ConfigFile, Utf8BomAccepted) {
  TempDir dir;
  const std::string text = load_fixture_json("config_single.json").dump(2);
  const std::string path = dir.write("config.json", "\xEF\xBB\xBF" + text);
  EXPECT_EQ(frost::read_config(path).num_labels, 3);
  EXPECT_EQ(frost::read_config_json(path).at("vocab_size"), 50);
  // only at the very start: a BOM after whitespace is not JSON
  const std::string late = dir.write("late.json", " \xEF\xBB\xBF" + text);
  EXPECT_HAS(error_of([&] { (void)frost::read_config(late); }), "not valid JSON");
  // nlohmann itself (3.11) skips a leading BOM in parse(); frost strips it before, either way
  EXPECT_EQ(json::parse("\xEF\xBB\xBF{}"), json::object());
}

TEST(ConfigFile, InvalidJson) {
  TempDir dir;
  const std::string path = dir.write("config.json", "{\"hidden_size\": 32,, }");
  const std::string msg = error_of([&] { (void)frost::read_config(path); });
  EXPECT_EQ(msg.rfind(path + ": not valid JSON (", 0), 0u) << msg;
  const std::string empty = dir.write("empty.json", "");
  EXPECT_HAS(error_of([&] { (void)frost::read_config(empty); }), "not valid JSON");
  const std::string bom_only = dir.write("bom.json", "\xEF\xBB\xBF");
  EXPECT_HAS(error_of([&] { (void)frost::read_config(bom_only); }), "not valid JSON");
  // a number too large for a double ("1e999") and NaN (Python's json.dump writes it) are not JSON
  const std::string huge = dir.write("huge.json", "{\"layer_norm_eps\": 1e999}");
  EXPECT_HAS(error_of([&] { (void)frost::read_config(huge); }), "not valid JSON");
  const std::string nan = dir.write("nan.json", "{\"layer_norm_eps\": NaN}");
  EXPECT_HAS(error_of([&] { (void)frost::read_config(nan); }), "not valid JSON");
}

TEST(ConfigFile, ValidJsonButNotAnObject) {
  TempDir dir;
  const std::string path = dir.write("config.json", "[1, 2, 3]");
  EXPECT_EQ(error_of([&] { (void)frost::read_config(path); }),
            path + ": expected a JSON object at top level, got [1,2,3]");
}

TEST(ConfigFile, MissingFile) {
  TempDir dir;
  const std::string path = (dir.path / "does_not_exist.json").string();
  EXPECT_EQ(error_of([&] { (void)frost::read_config(path); }), path + ": cannot open config file");
}

// `in >> j` would stop after the first JSON value: trailing garbage must be an error.
TEST(ConfigFile, TrailingGarbageRejected) {
  TempDir dir;
  const std::string path = dir.write("config.json", minimal().dump() + " trailing");
  const std::string msg = error_of([&] { (void)frost::read_config(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "not valid JSON");
}

// A directory opens as an ifstream; reading it would throw std::ios_base::failure.
TEST(ConfigFile, DirectoryPathIsFrostError) {
  TempDir dir;
  const std::string msg = error_of([&] { (void)frost::read_config(dir.path.string()); });
  EXPECT_HAS(msg, dir.path.string());
}

TEST(ConfigFile, FieldErrorsNameThePath) {
  TempDir dir;
  json j = minimal();
  j["hidden_act"] = "relu";
  const std::string path = dir.write("config.json", j.dump());
  expect_field_error(error_of([&] { (void)frost::read_config(path); }), path, "hidden_act", "\"gelu\"", "\"relu\"");
}

// ---- validate() on a BertConfig built in code --------------------------------------------------

TEST(ConfigValidate, UsesWhereAndTheSameFormat) {
  BertConfig c;
  c.num_attention_heads = 5;  // 768 % 5 != 0
  expect_field_error(error_of([&] { c.validate("custom-source"); }), "custom-source", "num_attention_heads",
                     "a divisor of hidden_size (768)", "5");
  c = BertConfig{};
  c.layer_norm_eps = std::nan("");
  expect_field_error(error_of([&] { c.validate(); }), "BertConfig", "layer_norm_eps", "a finite number > 0", "NaN");
  c = BertConfig{};
  c.hidden_dropout_prob = std::nan("");
  expect_field_error(error_of([&] { c.validate(); }), "BertConfig", "hidden_dropout_prob", "[0, 1)", "NaN");
  c = BertConfig{};
  c.classifier_dropout = 1.0;
  expect_field_error(error_of([&] { c.validate(); }), "BertConfig", "classifier_dropout", "null or a probability", "1");
  EXPECT_NO_THROW(BertConfig::bert_base().validate());
  EXPECT_NO_THROW(BertConfig::minilm_l6(3).validate());
}

// ---- the table and the writers -----------------------------------------------------------------

/// Every field of kConfigFields, plus problem_type, equal.
void expect_same_config(const BertConfig& a, const BertConfig& b) {
  for (const auto& f : frost::kConfigFields)
    EXPECT_EQ(frost::detail::write_config_field(f, a), frost::detail::write_config_field(f, b)) << f.name;
  EXPECT_EQ(a.problem_type, b.problem_type);
}

TEST(ConfigTable, HfDefaultsAreBertConfigDefaults) {
  const BertConfig d;
  for (const auto& f : frost::kConfigFields) {
    const json want = f.hf_default ? json(*f.hf_default) : json();
    const json got = frost::detail::write_config_field(f, d);
    if (want.is_null())
      EXPECT_TRUE(got.is_null()) << f.name;
    else
      EXPECT_EQ(got.get<double>(), want.get<double>()) << f.name;
  }
  // each BertConfig member once (14 numeric fields + problem_type)
  EXPECT_EQ(std::size(frost::kConfigFields), 14u);
}

TEST(ConfigWriters, CompactFormIsTheCheckpointFormat) {
  // Checkpoints written before the move embed exactly this; load_checkpoint compares with ==.
  BertConfig c = BertConfig::minilm_l6(3);
  c.classifier_dropout = 0.25;
  c.problem_type = ProblemType::multi_label_classification;
  const json before = {{"vocab_size", c.vocab_size},
                       {"hidden_size", c.hidden_size},
                       {"num_hidden_layers", c.num_hidden_layers},
                       {"num_attention_heads", c.num_attention_heads},
                       {"intermediate_size", c.intermediate_size},
                       {"max_position_embeddings", c.max_position_embeddings},
                       {"type_vocab_size", c.type_vocab_size},
                       {"hidden_dropout_prob", c.hidden_dropout_prob},
                       {"attention_probs_dropout_prob", c.attention_probs_dropout_prob},
                       {"classifier_dropout", *c.classifier_dropout},
                       {"layer_norm_eps", c.layer_norm_eps},
                       {"pad_token_id", c.pad_token_id},
                       {"num_labels", c.num_labels},
                       {"problem_type", "multi_label_classification"}};
  EXPECT_EQ(frost::config_to_json(c), before);
  EXPECT_EQ(frost::config_to_json(BertConfig{}).at("problem_type"), "infer");
  EXPECT_TRUE(frost::config_to_json(BertConfig{}).at("classifier_dropout").is_null());
  // the compact form reads back too
  expect_same_config(frost::config_from_json(frost::config_to_json(c)), [&] {
    BertConfig d = c;
    d.initializer_range = 0.02;  // not in the compact form
    return d;
  }());
}

TEST(ConfigWriters, HfConfigJsonRoundTrips) {
  BertConfig c = BertConfig::minilm_l6(3);
  c.vocab_size = 1000;
  c.hidden_dropout_prob = 0.0;
  c.attention_probs_dropout_prob = 0.05;
  c.classifier_dropout = 0.3;
  c.layer_norm_eps = 1e-7;
  c.initializer_range = 0.05;
  c.pad_token_id = 3;
  c.type_vocab_size = 1;
  c.problem_type = ProblemType::single_label_classification;
  const json hf = frost::hf_config_json(c, json::object(), {"neg", "neu", "pos"});
  EXPECT_EQ(hf.at("model_type"), "bert");
  EXPECT_EQ(hf.at("hidden_act"), "gelu");
  EXPECT_EQ(hf.at("position_embedding_type"), "absolute");
  EXPECT_EQ(hf.at("architectures"), json::array({"BertForSequenceClassification"}));
  EXPECT_EQ(hf.at("id2label"), (json{{"0", "neg"}, {"1", "neu"}, {"2", "pos"}}));
  EXPECT_EQ(hf.at("label2id"), (json{{"neg", 0}, {"neu", 1}, {"pos", 2}}));
  EXPECT_EQ(hf.at("num_labels"), 3);
  EXPECT_EQ(hf.at("problem_type"), "single_label_classification");
  for (const auto& f : frost::kConfigFields) EXPECT_TRUE(hf.contains(f.name)) << f.name;
  expect_same_config(frost::config_from_json(hf), c);
  // through a file, as transformers would write and frost read it
  TempDir dir;
  expect_same_config(frost::read_config(dir.write("config.json", hf.dump(2))), c);
  // default labels and a regression head
  BertConfig r = c;
  r.num_labels = 1;
  r.problem_type = ProblemType::regression;
  const json hr = frost::hf_config_json(r);
  EXPECT_EQ(hr.at("id2label"), (json{{"0", "LABEL_0"}}));
  expect_same_config(frost::config_from_json(hr), r);
}

TEST(ConfigWriters, HfConfigJsonKeepsTheBaseKeysFrostDoesNotUse) {
  json base = load_fixture_json("config_single.json");  // 3 labels, single_label_classification
  base["custom_key"] = {1, 2};
  BertConfig c = frost::config_from_json(base);
  c.num_labels = 5;
  c.problem_type = ProblemType::infer;  // as from_pretrained(dir, {.num_labels = 5}) leaves it
  const json out = frost::hf_config_json(c, base);
  EXPECT_EQ(out.at("custom_key"), json({1, 2}));
  EXPECT_EQ(out.at("transformers_version"), "4.46.3");
  EXPECT_EQ(out.at("id2label").size(), 5u);
  EXPECT_FALSE(out.contains("problem_type"));  // the base's no longer applies
  expect_same_config(frost::config_from_json(out), c);
  EXPECT_EQ(frost::hf_config_json(c, json::array()).at("num_labels"), 5);  // a non-object base is replaced
}

}  // namespace
