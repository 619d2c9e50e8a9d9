// The PyTorch-like library API: BertClassifier::from_pretrained / save_pretrained with a run-time
// freeze spec, named_parameters(), BertTokenizer::from_pretrained + encode_batch, load_tsv, AdamW's
// deduced scalar type. References: the PyTorch fixtures (logits, trainable sets) and the static model.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <frost/text/bert_tokenizer.hpp>

#include "support.hpp"

namespace {

using namespace frost;
namespace fs = std::filesystem;

/// A Hugging Face model directory made of the tiny fixture (config, weights) and a 50-token vocab.
struct TinyModelDir {
  fs::path dir = fs::temp_directory_path() / ("frost-api-" + std::to_string(::getpid()));
  TinyModelDir() {
    fs::create_directories(dir);
    fs::copy_file(frost_test::fixture_dir() + "/config_single.json", dir / "config.json",
                  fs::copy_options::overwrite_existing);
    fs::copy_file(frost_test::fixture_dir() + "/case_single.safetensors", dir / "model.safetensors",
                  fs::copy_options::overwrite_existing);
    std::ofstream v(dir / "vocab.txt");
    v << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    for (const char* w : {"good", "bad", "film", "a", "the", "was", "very", "not"}) v << w << "\n";
    for (int i = 0; i < 37; ++i) v << "w" << i << "\n";
  }
  ~TinyModelDir() { fs::remove_all(dir); }
  [[nodiscard]] std::string str() const { return dir.string(); }
};

TEST(PretrainedApi, FromPretrainedIsTheFixtureModelUnderTheSpec) {
  TinyModelDir d;
  frost_test::Case c("single");
  auto model = BertClassifier<float>::from_pretrained(d.str(), {.freeze = "embeddings,layers[:2]"});
  EXPECT_TRUE(model.newly_initialized().empty());
  // PyTorch's logits for this checkpoint and batch.
  const auto& logits = model.forward(c.batch);
  const auto want = c.file.floats("output.logits");
  EXPECT_LE(frost_test::scaled_error(logits, want, 1e-3), 1e-5);
  // named_parameters(): HF names and shapes; requires_grad as in PyTorch's embeddings_layers_0_2 run.
  const auto params = model.named_parameters();
  std::set<std::string> trainable;
  std::int64_t total = 0;
  for (const auto& p : params) {
    if (p.trainable) trainable.insert(p.name);
    total += p.numel();
    if (p.name == "bert.embeddings.LayerNorm.weight") {
      EXPECT_EQ(p.shape, (std::vector<std::int64_t>{c.cfg.hidden_size}));
    }
    if (p.name == "classifier.weight") {
      EXPECT_EQ(p.shape, (std::vector<std::int64_t>{c.cfg.num_labels, c.cfg.hidden_size}));
    }
  }
  const auto policies = frost_test::policies_json();
  const auto& js = policies.at("embeddings_layers_0_2").at("single").at("trainable");
  EXPECT_EQ(trainable, std::set<std::string>(js.begin(), js.end()));
  EXPECT_EQ(total, plan_report(model.backward_plan(), model.config()).total_params());
  // The deduction guide: AdamW's scalar type is the model's.
  AdamW opt(model, {.lr = 1e-3});
  static_assert(std::is_same_v<decltype(opt), AdamW<float>>);
}

TEST(PretrainedApi, SavePretrainedRoundTrips) {
  TinyModelDir d;
  frost_test::Case c("single");
  auto model = BertClassifier<float>::from_pretrained(d.str(), {.freeze = "bitfit"});
  model.forward_backward(c.batch, c.labels);
  AdamW opt(model, {.lr = 1e-2});
  opt.step(model);  // the weights differ from the checkpoint now
  const fs::path out = d.dir / "saved";
  model.save_pretrained(out.string(), {"neg", "neu", "pos"});
  for (const char* f : {"config.json", "model.safetensors", "vocab.txt"}) EXPECT_TRUE(fs::exists(out / f)) << f;
  auto back = BertClassifier<float>::from_pretrained(out.string());
  std::vector<Tensor<float>> a, b;
  model.for_each_param([&](const ParamId&, auto& p) { a.push_back(p.value); });
  back.for_each_param([&](const ParamId&, auto& p) { b.push_back(p.value); });
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i] == b[i]) << i;
  std::ifstream in(out / "config.json");
  const auto j = nlohmann::json::parse(in);
  EXPECT_EQ(j.at("id2label").at("2"), "pos");
}

TEST(PretrainedApi, FromPretrainedErrorsNameTheProblem) {
  TinyModelDir d;
  EXPECT_THROW((void)BertClassifier<float>::from_pretrained((d.dir / "nope").string()), Error);
  try {
    (void)BertClassifier<float>::from_pretrained(d.str(), {.freeze = "layers:0-7"});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the model has 3 encoder layers"), std::string::npos) << e.what();
  }
}

TEST(PretrainedApi, TokenizerEncodeBatchPadsLikeHf) {
  TinyModelDir d;
  const auto tok = text::BertTokenizer::from_pretrained(d.str());
  Batch b = tok.encode_batch({"a good film", "bad"}, {.max_length = 16});
  ASSERT_EQ(b.batch_size, 2);
  ASSERT_EQ(b.seq_len, 5);  // [CLS] a good film [SEP], the second padded to it
  EXPECT_EQ(b.input_ids, (std::vector<int>{2, 8, 5, 7, 3, 2, 6, 3, 0, 0}));
  EXPECT_EQ(b.attention_mask, (std::vector<int>{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}));
  EXPECT_EQ(b.token_type_ids, std::vector<int>(10, 0));
  Batch p = tok.encode_pairs({"the film"}, {"was very good"}, {.max_length = 16, .pad_to_max_length = true});
  ASSERT_EQ(p.seq_len, 16);
  EXPECT_EQ(std::vector<int>(p.input_ids.begin(), p.input_ids.begin() + 8),
            (std::vector<int>{2, 9, 7, 3, 10, 11, 5, 3}));
  EXPECT_EQ(std::vector<int>(p.token_type_ids.begin(), p.token_type_ids.begin() + 9),
            (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 1, 0}));
  Batch t = tok.encode_batch({"a good film film film"}, {.max_length = 4});  // truncation
  EXPECT_EQ(t.input_ids, (std::vector<int>{2, 8, 5, 3}));
  // A batch straight into the model.
  auto model = BertClassifier<float>::from_pretrained(d.str());
  EXPECT_EQ(model.forward(tok.encode_batch({"a good film", "bad"})).rows(), 2);
  EXPECT_THROW((void)tok.encode_pairs({"a"}, {"b", "c"}), Error);
}

TEST(PretrainedApi, LoadTsvNamesFileAndLine) {
  TinyModelDir d;
  const auto tok = text::BertTokenizer::from_pretrained(d.str());
  const fs::path f = d.dir / "train.tsv";
  std::ofstream(f) << "sentence\tlabel\na good film\t1\nbad\t0\n";
  const Dataset ds = text::load_tsv(f.string(), tok, {.max_length = 8, .num_labels = 2});
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].input_ids, (std::vector<int>{2, 8, 5, 7, 3}));
  EXPECT_EQ(ds[1].label, 0);
  std::ofstream(f) << "sentence\tlabel\na good film\t1\nbad\t5\n";
  try {
    (void)text::load_tsv(f.string(), tok, {.num_labels = 2});
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("train.tsv:3"), std::string::npos) << e.what();
  }
}

}  // namespace
