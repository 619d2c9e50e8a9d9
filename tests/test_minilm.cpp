// The real pretrained all-MiniLM-L6-v2 checkpoint against transformers (BertModel, eager, fp32):
// frost's tokenizer reproduces the reference ids of 24 sentences (pairs included), and frost's
// encoder reproduces last_hidden_state and pooler_output within 1e-4. Needs the model from
// tools/fetch-minilm.sh (CI fetches it); skipped with a message when it is absent.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <frost/text/wordpiece.hpp>

#include "support.hpp"

namespace {

using namespace frost;

std::string model_dir() {
  if (const char* e = std::getenv("FROST_MINILM_DIR")) return e;
  return frost_test::fixture_dir() + "/../../../models/all-MiniLM-L6-v2";
}
std::string ref_dir() { return frost_test::fixture_dir() + "/../minilm"; }

class MiniLM : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::filesystem::exists(model_dir() + "/.complete"))
      GTEST_SKIP() << "all-MiniLM-L6-v2 not found at " << model_dir()
                   << ": run tools/fetch-minilm.sh (or set FROST_MINILM_DIR)";
  }
};

TEST_F(MiniLM, TokenizerReproducesReferenceIds) {
  const text::WordPieceTokenizer tok(model_dir() + "/vocab.txt");
  const io::SafeTensorsFile ref(ref_dir() + "/reference.safetensors");
  const auto ids = ref.ints("input.input_ids"), types = ref.ints("input.token_type_ids");
  const std::size_t S = static_cast<std::size_t>(ref.info("input.input_ids").shape[1]);
  std::ifstream in(ref_dir() + "/sentences.txt");
  std::string line;
  std::size_t row = 0;
  std::vector<text::Encoding> encs;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    encs.push_back(tab == std::string::npos ? tok.encode(line) : tok.encode(line.substr(0, tab), line.substr(tab + 1)));
  }
  tok.pad(encs, S);
  for (const auto& e : encs) {
    EXPECT_EQ(e.input_ids, std::vector<int>(ids.begin() + static_cast<long>(row * S), ids.begin() + static_cast<long>((row + 1) * S)))
        << "sentence " << row;
    EXPECT_EQ(e.token_type_ids,
              std::vector<int>(types.begin() + static_cast<long>(row * S), types.begin() + static_cast<long>((row + 1) * S)));
    ++row;
  }
  EXPECT_EQ(row, 24u);
}

TEST_F(MiniLM, HiddenStatesAndPoolerMatchTransformers) {
  const BertConfig cfg = BertConfig::from_file(model_dir() + "/config.json");
  EXPECT_EQ(cfg.num_hidden_layers, 6);
  BertForSequenceClassification<float, FreezeBert> model(cfg);
  const auto report = io::load_hf_weights(model, io::SafeTensorsFile(model_dir() + "/model.safetensors"));
  EXPECT_EQ(report.newly_initialized, (std::vector<std::string>{"classifier.weight", "classifier.bias"}));
  EXPECT_EQ(report.ignored, (std::vector<std::string>{"embeddings.position_ids"}));
  const io::SafeTensorsFile ref(ref_dir() + "/reference.safetensors");
  Batch b;
  const auto& shape = ref.info("input.input_ids").shape;
  b.batch_size = static_cast<int>(shape[0]);
  b.seq_len = static_cast<int>(shape[1]);
  auto to_int = [](const std::vector<std::int64_t>& v) { return std::vector<int>(v.begin(), v.end()); };
  b.input_ids = to_int(ref.ints("input.input_ids"));
  b.token_type_ids = to_int(ref.ints("input.token_type_ids"));
  b.attention_mask = to_int(ref.ints("input.attention_mask"));
  model.forward(b, Mode::eval);
  const auto hidden = ref.floats("output.last_hidden_state");
  const auto pooled = ref.floats("output.pooler_output");
  const auto& h = model.last_hidden_state();
  ASSERT_EQ(static_cast<std::size_t>(numel(h)), hidden.size());
  double eh = 0, ep = 0;
  for (std::size_t i = 0; i < hidden.size(); ++i) eh = std::max(eh, std::abs(static_cast<double>(h.data()[i]) - hidden[i]));
  for (std::size_t i = 0; i < pooled.size(); ++i)
    ep = std::max(ep, std::abs(static_cast<double>(model.pooled_output().data()[i]) - pooled[i]));
  std::printf("all-MiniLM-L6-v2 max abs error: last_hidden_state %.3g, pooler_output %.3g\n", eh, ep);
  EXPECT_LE(eh, 1e-4);
  EXPECT_LE(ep, 1e-4);
}

}  // namespace
