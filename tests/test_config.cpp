// BertConfig::from_json / from_file: parsing a real Hugging Face config.json and rejecting bad
// ones with messages that name the file and the field. This translation unit does not include
// Eigen (fast to build).
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <frost/config.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#ifdef EIGEN_WORLD_VERSION
#error "test_config.cpp must not include Eigen"
#endif

namespace {

using frost::BertConfig;
using frost::ProblemType;
using nlohmann::json;

std::string fixture(const std::string& name) {
  return std::string(FROST_FIXTURES_DIR) + "/" + name;
}

json load_fixture_json(const std::string& name) {
  std::ifstream in(fixture(name));
  EXPECT_TRUE(in.good()) << fixture(name);
  return json::parse(in);
}

/// The smallest valid HF-style config: only the required geometry fields.
json minimal() {
  return json{{"vocab_size", 50},        {"hidden_size", 32},
              {"num_hidden_layers", 3},  {"num_attention_heads", 4},
              {"intermediate_size", 64}, {"max_position_embeddings", 16}};
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
  return error_of([&] { (void)BertConfig::from_json(j, where); });
}

/// `haystack` is evaluated once (it may be a call that opens a file).
#define EXPECT_HAS(haystack, needle)                                                  \
  do {                                                                                \
    const std::string haystack_ = (haystack);                                         \
    EXPECT_NE(haystack_.find(needle), std::string::npos) << "message: " << haystack_; \
  } while (0)

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
  const BertConfig c = BertConfig::from_file(fixture("config_single.json"));
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
  const BertConfig multi = BertConfig::from_file(fixture("config_multi.json"));
  EXPECT_EQ(multi.num_labels, 3);
  EXPECT_EQ(multi.problem_type, ProblemType::multi_label_classification);
  const BertConfig reg = BertConfig::from_file(fixture("config_regression.json"));
  EXPECT_EQ(reg.num_labels, 1);
  EXPECT_EQ(reg.problem_type, ProblemType::regression);
}

TEST(ConfigFromJson, FromJsonMatchesFromFile) {
  const BertConfig a = BertConfig::from_json(load_fixture_json("config_single.json"));
  const BertConfig b = BertConfig::from_file(fixture("config_single.json"));
  EXPECT_EQ(a.num_labels, b.num_labels);
  EXPECT_EQ(a.hidden_size, b.hidden_size);
  EXPECT_EQ(a.problem_type, b.problem_type);
}

TEST(ConfigFromJson, MinimalUsesHfDefaults) {
  const BertConfig c = BertConfig::from_json(minimal());
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
  EXPECT_EQ(BertConfig::from_json(j).num_labels, 5);
  // a num_labels that agrees with id2label
  j["num_labels"] = 5;
  EXPECT_EQ(BertConfig::from_json(j).num_labels, 5);
  // num_labels alone
  json k = minimal();
  k["num_labels"] = 7;
  EXPECT_EQ(BertConfig::from_json(k).num_labels, 7);
  // an empty id2label means zero labels, which is rejected
  json empty = minimal();
  empty["id2label"] = json::object();
  const std::string msg = json_error(empty);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "num_labels");
}

TEST(ConfigFromJson, ProblemTypes) {
  const std::pair<const char*, ProblemType> cases[] = {
      {"single_label_classification", ProblemType::single_label_classification},
      {"multi_label_classification", ProblemType::multi_label_classification},
  };
  for (const auto& [name, pt] : cases) {
    json j = minimal();
    j["problem_type"] = name;
    const BertConfig c = BertConfig::from_json(j);
    EXPECT_EQ(c.problem_type, pt) << name;
    EXPECT_STREQ(frost::to_string(c.problem_type), name);
  }
  json reg = minimal();
  reg["problem_type"] = "regression";
  reg["num_labels"] = 1;
  EXPECT_EQ(BertConfig::from_json(reg).problem_type, ProblemType::regression);
  json null_pt = minimal();
  null_pt["problem_type"] = nullptr;  // HF writes null when unset
  EXPECT_EQ(BertConfig::from_json(null_pt).problem_type, ProblemType::infer);
  EXPECT_STREQ(frost::to_string(ProblemType::infer), "infer");

  json bad = minimal();
  bad["problem_type"] = "ranking";
  const std::string msg = json_error(bad);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "problem_type 'ranking'");
}

TEST(ConfigFromJson, ClassifierDropoutNullVsNumber) {
  json j = minimal();
  j["hidden_dropout_prob"] = 0.2;
  j["classifier_dropout"] = nullptr;
  BertConfig c = BertConfig::from_json(j);
  EXPECT_FALSE(c.classifier_dropout.has_value());
  EXPECT_EQ(c.classifier_dropout_prob(), 0.2);

  j["classifier_dropout"] = 0.3;
  c = BertConfig::from_json(j);
  ASSERT_TRUE(c.classifier_dropout.has_value());
  EXPECT_EQ(*c.classifier_dropout, 0.3);
  EXPECT_EQ(c.classifier_dropout_prob(), 0.3);

  j["classifier_dropout"] = 0;  // an integer is a number too
  c = BertConfig::from_json(j);
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
  EXPECT_NO_THROW((void)BertConfig::from_json(j));
  EXPECT_EQ(BertConfig::from_json(j).hidden_size, 32);
}

TEST(ConfigFromJson, NullOptionalFieldsKeepDefaults) {
  json j = minimal();
  j["hidden_dropout_prob"] = nullptr;
  j["layer_norm_eps"] = nullptr;
  j["pad_token_id"] = nullptr;
  j["model_type"] = nullptr;
  const BertConfig c = BertConfig::from_json(j);
  EXPECT_EQ(c.hidden_dropout_prob, 0.1);
  EXPECT_EQ(c.layer_norm_eps, 1e-12);
  EXPECT_EQ(c.pad_token_id, 0);
}

// ---- errors ---------------------------------------------------------------------------------

TEST(ConfigErrors, TopLevelNotAnObject) {
  const std::string msg = json_error(json::array({1, 2}));
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "JSON object");
}

TEST(ConfigErrors, MissingRequiredFieldNamesFieldAndFile) {
  for (const char* field : {"vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
                            "intermediate_size", "max_position_embeddings"}) {
    json j = minimal();
    j.erase(field);
    const std::string msg = json_error(j);
    EXPECT_HAS(msg, "my/config.json");
    EXPECT_HAS(msg, std::string("missing required field '") + field + "'");
    // null counts as missing
    j[field] = nullptr;
    EXPECT_HAS(json_error(j), std::string("missing required field '") + field + "'");
  }
}

TEST(ConfigErrors, MissingRequiredFieldInFileNamesThePath) {
  TempDir dir;
  json j = load_fixture_json("config_single.json");
  j.erase("num_attention_heads");
  const std::string path = dir.write("config.json", j.dump(2));
  const std::string msg = error_of([&] { (void)BertConfig::from_file(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "missing required field 'num_attention_heads'");
}

TEST(ConfigErrors, WrongTypes) {
  {
    json j = minimal();
    j["hidden_size"] = "32";  // string where an int is expected
    const std::string msg = json_error(j);
    EXPECT_HAS(msg, "my/config.json");
    EXPECT_HAS(msg, "field 'hidden_size' must be an integer");
    EXPECT_HAS(msg, "\"32\"");  // shows what it got
  }
  {
    json j = minimal();
    j["num_hidden_layers"] = 3.5;  // a float where an int is expected
    EXPECT_HAS(json_error(j), "field 'num_hidden_layers' must be an integer, got 3.5");
  }
  {
    json j = minimal();
    j["hidden_dropout_prob"] = "0.1";
    EXPECT_HAS(json_error(j), "field 'hidden_dropout_prob' must be a number");
  }
  {
    json j = minimal();
    j["hidden_act"] = 7;
    EXPECT_HAS(json_error(j), "field 'hidden_act' must be a string");
  }
  {
    json j = minimal();
    j["num_labels"] = true;
    EXPECT_HAS(json_error(j), "field 'num_labels' must be an integer");
  }
}

TEST(ConfigErrors, NonPositiveGeometry) {
  json j = minimal();
  j["num_hidden_layers"] = 0;
  std::string msg = json_error(j);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "'num_hidden_layers' must be a positive integer, got 0");
  j = minimal();
  j["vocab_size"] = -5;
  EXPECT_HAS(json_error(j), "'vocab_size' must be a positive integer, got -5");
}

TEST(ConfigErrors, HiddenSizeNotDivisibleByHeads) {
  json j = minimal();
  j["hidden_size"] = 30;
  j["num_attention_heads"] = 4;
  const std::string msg = json_error(j);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "divisible");
  EXPECT_HAS(msg, "hidden_size (30)");
  EXPECT_HAS(msg, "num_attention_heads (4)");
}

TEST(ConfigErrors, DropoutOutOfRange) {
  for (const char* field :
       {"hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout"}) {
    for (double p : {1.0, -0.1, 1.5}) {
      json j = minimal();
      j[field] = p;
      const std::string msg = json_error(j);
      EXPECT_HAS(msg, "my/config.json");
      EXPECT_HAS(msg, std::string("field '") + field + "' must be a probability in [0, 1)");
    }
    json ok = minimal();
    ok[field] = 0.0;
    EXPECT_NO_THROW((void)BertConfig::from_json(ok)) << field;
  }
}

TEST(ConfigErrors, HiddenActNotGelu) {
  for (const char* act : {"relu", "gelu_new", "gelu_pytorch_tanh"}) {
    json j = minimal();
    j["hidden_act"] = act;
    const std::string msg = json_error(j);
    EXPECT_HAS(msg, "my/config.json");
    EXPECT_HAS(msg, std::string("hidden_act '") + act + "' is not supported");
  }
}

TEST(ConfigErrors, PositionEmbeddingNotAbsolute) {
  json j = minimal();
  j["position_embedding_type"] = "relative_key";
  const std::string msg = json_error(j);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "position_embedding_type 'relative_key' is not supported");
}

TEST(ConfigErrors, ModelTypeNotBert) {
  json j = minimal();
  j["model_type"] = "roberta";
  const std::string msg = json_error(j);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "model_type must be 'bert', got 'roberta'");
}

TEST(ConfigErrors, RegressionNeedsOneLabel) {
  json j = minimal();
  j["problem_type"] = "regression";
  j["num_labels"] = 3;
  std::string msg = json_error(j);
  EXPECT_HAS(msg, "my/config.json");
  EXPECT_HAS(msg, "regression");
  EXPECT_HAS(msg, "num_labels == 1, got 3");
  // no num_labels and no id2label: default 2 is rejected too
  j.erase("num_labels");
  EXPECT_HAS(json_error(j), "num_labels == 1, got 2");
}

TEST(ConfigErrors, PadTokenOutsideVocab) {
  json j = minimal();
  j["pad_token_id"] = 50;
  const std::string msg = json_error(j);
  EXPECT_HAS(msg, "pad_token_id (50)");
  EXPECT_HAS(msg, "vocab_size");
}

TEST(ConfigErrors, LayerNormEpsNotPositive) {
  json j = minimal();
  j["layer_norm_eps"] = 0.0;
  EXPECT_HAS(json_error(j), "'layer_norm_eps' must be > 0");
}

TEST(ConfigErrors, InvalidJsonFile) {
  TempDir dir;
  const std::string path = dir.write("config.json", "{\"hidden_size\": 32,, }");
  const std::string msg = error_of([&] { (void)BertConfig::from_file(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "not valid JSON");
  const std::string empty = dir.write("empty.json", "");
  EXPECT_HAS(error_of([&] { (void)BertConfig::from_file(empty); }), "not valid JSON");
}

TEST(ConfigErrors, ValidJsonButNotAnObjectFile) {
  TempDir dir;
  const std::string path = dir.write("config.json", "[1, 2, 3]");
  const std::string msg = error_of([&] { (void)BertConfig::from_file(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "JSON object");
}

TEST(ConfigErrors, MissingFile) {
  TempDir dir;
  const std::string path = (dir.path / "does_not_exist.json").string();
  const std::string msg = error_of([&] { (void)BertConfig::from_file(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "cannot open");
}

TEST(ConfigErrors, ValidateDirectlyUsesWhere) {
  BertConfig c;
  c.num_attention_heads = 5;  // 768 % 5 != 0
  const std::string msg = error_of([&] { c.validate("custom-source"); });
  EXPECT_HAS(msg, "custom-source");
  EXPECT_HAS(msg, "hidden_size (768) must be divisible by num_attention_heads (5)");
  EXPECT_NO_THROW(BertConfig::bert_base().validate());
  EXPECT_NO_THROW(BertConfig::minilm_l6(3).validate());
}

// ---- regressions: bugs these tests found in config.hpp (now fixed) -------------------------

// get_int() uses v.get<int>() on any JSON integer: 4294967346 silently becomes 50, and
// 18446744073709551615 is reported as "got -1".
TEST(ConfigErrors, IntegerOutOfIntRangeRejected) {
  json j = minimal();
  j["vocab_size"] = 4294967346LL;
  std::string msg = json_error(j);
  EXPECT_HAS(msg, "vocab_size");
  EXPECT_HAS(msg, "4294967346");
  j["vocab_size"] = 18446744073709551615ULL;
  msg = json_error(j);
  EXPECT_HAS(msg, "18446744073709551615");
}

// `in >> j` stops after the first JSON value: trailing garbage in config.json is ignored.
TEST(ConfigErrors, TrailingGarbageRejected) {
  TempDir dir;
  const std::string path = dir.write("config.json", minimal().dump() + " trailing");
  const std::string msg = error_of([&] { (void)BertConfig::from_file(path); });
  EXPECT_HAS(msg, path);
  EXPECT_HAS(msg, "not valid JSON");
}

// A directory opens as an ifstream; reading it throws std::ios_base::failure out of from_file.
TEST(ConfigErrors, DirectoryPathIsFrostError) {
  TempDir dir;
  const std::string msg = error_of([&] { (void)BertConfig::from_file(dir.path.string()); });
  EXPECT_HAS(msg, dir.path.string());
}

// HF gives id2label precedence (PretrainedConfig warns and ignores a conflicting num_labels);
// frost lets num_labels win silently. A conflict should at least be an error.
TEST(ConfigErrors, NumLabelsConflictingWithId2Label) {
  json j = minimal();
  j["id2label"] = {{"0", "a"}, {"1", "b"}};
  j["num_labels"] = 5;
  const std::string msg = json_error(j);
  EXPECT_HAS(msg, "num_labels");
  EXPECT_HAS(msg, "id2label");
}

}  // namespace
