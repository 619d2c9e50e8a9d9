// WordPiece tokenizer against Hugging Face BertTokenizer (transformers 4.46.3): a 305-line corpus
// (accents, CJK, emoji, punctuation runs, long words, control characters, special tokens, empty
// lines) uncased and cased, and sentence pairs with longest_first truncation. Fixtures and their
// generator: tests/fixtures/tokenizer, tools/gen_tokenizer_fixtures.py.
#include <gtest/gtest.h>

#include <fstream>
#include <frost/text/wordpiece.hpp>
#include <nlohmann/json.hpp>

namespace {

using frost::text::WordPieceTokenizer;

std::string dir() { return FROST_FIXTURES_DIR "/../tokenizer"; }

std::vector<nlohmann::json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

void check_corpus(const WordPieceTokenizer& tok, const char* setting) {
  const auto expected = read_jsonl(dir() + "/expected.jsonl");
  const auto lines = read_lines(dir() + "/corpus.txt");
  ASSERT_EQ(expected.size(), lines.size());
  ASSERT_GE(lines.size(), 300u);
  int mismatches = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    ASSERT_EQ(lines[i], expected[i].at("text").get<std::string>()) << "line " << i + 1;
    const auto tokens = tok.tokenize(lines[i]);
    const auto want = expected[i].at(setting).at("tokens").get<std::vector<std::string>>();
    if (tokens != want) {
      ++mismatches;
      ADD_FAILURE() << setting << " line " << i + 1 << ": '" << lines[i] << "'\n got  " << nlohmann::json(tokens).dump()
                    << "\n want " << nlohmann::json(want).dump();
    }
    EXPECT_EQ(tok.convert_tokens_to_ids(tokens), expected[i].at(setting).at("ids").get<std::vector<int>>());
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(Tokenizer, UncasedCorpusMatchesBertTokenizer) {
  check_corpus(WordPieceTokenizer(dir() + "/vocab_uncased.txt", frost::text::TokenizerOptions::lower_case(true)), "uncased");
}

TEST(Tokenizer, CasedCorpusMatchesBertTokenizer) {
  check_corpus(WordPieceTokenizer(dir() + "/vocab_cased.txt", frost::text::TokenizerOptions::lower_case(false)), "cased");
}

TEST(Tokenizer, PairsWithLongestFirstTruncation) {
  const WordPieceTokenizer tok(dir() + "/vocab_uncased.txt");
  const auto cases = read_jsonl(dir() + "/pairs.jsonl");
  ASSERT_GE(cases.size(), 200u);
  for (const auto& c : cases) {
    const std::string a = c.at("a");
    const int L = c.at("max_length");
    const auto e = c.at("b").is_null() ? tok.encode(a, std::nullopt, L) : tok.encode(a, c.at("b").get<std::string>(), L);
    EXPECT_EQ(e.input_ids, c.at("input_ids").get<std::vector<int>>()) << a << " | max_length " << L;
    EXPECT_EQ(e.token_type_ids, c.at("token_type_ids").get<std::vector<int>>()) << a;
    EXPECT_EQ(e.attention_mask, std::vector<int>(e.input_ids.size(), 1));
  }
}

TEST(Tokenizer, PaddingUsesPadIdAndMask) {
  const WordPieceTokenizer tok(dir() + "/vocab_uncased.txt");
  std::vector<frost::text::Encoding> b{tok.encode("a short one"), tok.encode("a somewhat longer sentence here")};
  tok.pad(b);
  ASSERT_EQ(b[0].input_ids.size(), b[1].input_ids.size());
  EXPECT_EQ(b[0].input_ids.back(), tok.pad_id());
  EXPECT_EQ(b[0].attention_mask.back(), 0);
  EXPECT_EQ(b[1].attention_mask.back(), 1);
}

TEST(Tokenizer, InvalidUtf8IsAnErrorWithTheOffset) {
  const WordPieceTokenizer tok(dir() + "/vocab_uncased.txt");
  const std::vector<std::pair<std::string, std::size_t>> bad = {
      {std::string("ok \x80 lone continuation"), 3},
      {std::string("truncated \xE2\x82"), 10},
      {std::string("overlong \xC0\xAF"), 9},
      {std::string("surrogate \xED\xA0\x80"), 10},
      {std::string("byte \xFF"), 5},
      {std::string("[CLS] after special \xFE"), 20}};
  for (const auto& [text, offset] : bad) {
    try {
      (void)tok.tokenize(text);
      ADD_FAILURE() << "no error for " << offset;
    } catch (const frost::Error& e) {
      EXPECT_NE(std::string(e.what()).find("invalid UTF-8 at byte offset " + std::to_string(offset)), std::string::npos)
          << e.what();
    }
  }
}

TEST(Tokenizer, LongWordsAndDottedCapitalI) {
  const WordPieceTokenizer unc(dir() + "/vocab_uncased.txt");
  EXPECT_EQ(unc.tokenize(std::string(101, 'a')), std::vector<std::string>{"[UNK]"});
  EXPECT_NE(unc.tokenize(std::string(100, 'a')), std::vector<std::string>{"[UNK]"});
  // Python: "İ".lower() == "i̇" (i + U+0307); accent stripping then leaves "i".
  EXPECT_EQ(unc.tokenize("\xC4\xB0"), std::vector<std::string>{"i"});
  const WordPieceTokenizer keep_accents(dir() + "/vocab_uncased.txt", frost::text::TokenizerOptions::lower_case(true).with_strip_accents(false));
  EXPECT_EQ(keep_accents.tokenize("\xC4\xB0").size(), 1u);
  EXPECT_EQ(keep_accents.tokenize("\xC4\xB0")[0], "[UNK]");  // "i̇" is not in the vocabulary
}

TEST(Tokenizer, VocabularyErrors) {
  const auto tmp = std::string(::testing::TempDir()) + "/frost_vocab_test.txt";
  auto msg = [&](const std::string& content) {
    std::ofstream(tmp, std::ios::binary) << content;
    try {
      WordPieceTokenizer t(tmp);
    } catch (const frost::Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_NE(msg("").find("empty vocabulary"), std::string::npos);
  EXPECT_NE(msg("[PAD]\n[UNK]\n[CLS]\nhello\n").find("no [SEP] token"), std::string::npos);
  EXPECT_NE(msg("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhi\nhi\n").find(":6: duplicate token 'hi'"), std::string::npos);
  std::remove(tmp.c_str());
  try {
    WordPieceTokenizer t("/nonexistent/vocab.txt");
    ADD_FAILURE();
  } catch (const frost::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/vocab.txt: cannot open"), std::string::npos);
  }
}

}  // namespace
