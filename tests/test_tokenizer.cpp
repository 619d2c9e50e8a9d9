// WordPiece tokenizer against Hugging Face BertTokenizer (the slow Python tokenizer, transformers
// 4.46.3): a hand-written corpus (accents, ß/ẞ, İ/ı, Greek, Cyrillic, CJK, emoji ZWJ sequences,
// punctuation runs, URLs and code, Unicode spaces, invisible and control characters, combining
// marks, words over 100 characters, special tokens in text, empty lines) in five settings, sentence
// pairs with longest_first truncation, padded batches, malformed UTF-8, and reading vocab.txt
// (line endings, BOM, empty lines, one case per validation rule, vocab_size against config.json).
// Fixtures and their generator: tests/fixtures/tokenizer/, tools/gen_tokenizer_fixtures.py.
// (No Eigen here: only the text header.)
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <frost/text/bert_tokenizer.hpp>
#include <frost/text/wordpiece.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace frost_test {
// A file name no other test process uses: ctest runs each TEST as its own process, in parallel.
inline std::string unique_temp_path(const std::string& stem) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return ::testing::TempDir() + stem + "-" + (info ? info->name() : "x") + "-" + std::to_string(::getpid()) + ".txt";
}
}  // namespace frost_test

namespace {

using frost::text::Encoding;
using frost::text::Padding;
using frost::text::TokenizerOptions;
using frost::text::WordPieceTokenizer;
using json = nlohmann::json;
using Tokens = std::vector<std::string>;

std::string dir() { return FROST_FIXTURES_DIR "/../tokenizer"; }

/// Lines split at "\n" only (the corpus has "\r", U+2028, U+0085 inside lines).
std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.is_open()) << path;
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::vector<json> read_jsonl(const std::string& path) {
  std::vector<json> out;
  for (const auto& line : read_lines(path)) out.push_back(json::parse(line));
  return out;
}

struct Setting {
  const char* vocab;
  TokenizerOptions options;
};

const std::map<std::string, Setting>& settings() {
  static const std::map<std::string, Setting> s = {
      {"uncased", {"vocab_uncased.txt", TokenizerOptions::lower_case(true)}},
      {"cased", {"vocab_cased.txt", TokenizerOptions::lower_case(false)}},
      {"uncased_keep_accents", {"vocab_uncased.txt", TokenizerOptions::lower_case(true).with_strip_accents(false)}},
      {"cased_strip_accents", {"vocab_cased.txt", TokenizerOptions::lower_case(false).with_strip_accents(true)}},
      {"uncased_no_chinese",
       {"vocab_uncased.txt", TokenizerOptions::lower_case(true).with_tokenize_chinese_chars(false)}},
  };
  return s;
}

const WordPieceTokenizer& tokenizer(const std::string& setting) {
  static std::map<std::string, WordPieceTokenizer> cache;
  auto it = cache.find(setting);
  if (it == cache.end()) {
    const Setting& s = settings().at(setting);
    it = cache.emplace(setting, WordPieceTokenizer(dir() + "/" + s.vocab, s.options)).first;
  }
  return it->second;
}

std::string show(const std::string& s) { return json(s).dump(); }

// ---- the corpus, every setting -----------------------------------------------------------------

class Corpus : public ::testing::TestWithParam<std::string> {};

TEST_P(Corpus, MatchesBertTokenizer) {
  const std::string setting = GetParam();
  const WordPieceTokenizer& tok = tokenizer(setting);
  const auto lines = read_lines(dir() + "/corpus.txt");
  const auto expected = read_jsonl(dir() + "/expected.jsonl");
  ASSERT_EQ(lines.size(), expected.size());
  ASSERT_GE(lines.size(), 300u);
  int mismatches = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json& want = expected[i].at(setting);
    ASSERT_EQ(lines[i], expected[i].at("text").get<std::string>()) << "corpus line " << i + 1;
    const Tokens tokens = tok.tokenize(lines[i]);
    const std::vector<int> ids = tok.convert_tokens_to_ids(tokens);
    bool ok = ids == want.at("ids").get<std::vector<int>>();
    if (want.contains("tokens")) ok = ok && tokens == want.at("tokens").get<Tokens>();
    if (!ok) {
      ++mismatches;
      ADD_FAILURE() << setting << ", corpus line " << i + 1 << ": " << show(lines[i]) << "\n got  "
                    << json(tokens).dump() << "\n want "
                    << (want.contains("tokens") ? want.at("tokens") : want.at("ids")).dump();
      continue;
    }
    if (want.contains("decoded")) {
      EXPECT_EQ(tok.decode(ids), want.at("decoded").get<std::string>()) << setting << ", line " << i + 1;
      EXPECT_EQ(tok.decode(ids, /*skip_special_tokens=*/true),
                want.value("decoded_skip_special", want.at("decoded").get<std::string>()))
          << setting << ", line " << i + 1;
    }
    // encode() of one sentence is [CLS] ids [SEP] with type 0 (every line fits 512).
    const Encoding e = tok.encode(lines[i]);
    ASSERT_EQ(e.size(), ids.size() + 2);
    EXPECT_EQ(std::vector<int>(e.input_ids.begin() + 1, e.input_ids.end() - 1), ids);
    EXPECT_EQ(e.input_ids.front(), tok.cls_id());
    EXPECT_EQ(e.input_ids.back(), tok.sep_id());
    EXPECT_EQ(e.token_type_ids, std::vector<int>(e.size(), 0));
    EXPECT_EQ(e.attention_mask, std::vector<int>(e.size(), 1));
  }
  EXPECT_EQ(mismatches, 0) << "of " << lines.size() << " lines";
}

INSTANTIATE_TEST_SUITE_P(Tokenizer, Corpus,
                         ::testing::Values("uncased", "cased", "uncased_keep_accents", "cased_strip_accents",
                                           "uncased_no_chinese"),
                         [](const auto& info) { return info.param; });

// ---- pairs, truncation, padding ----------------------------------------------------------------

std::vector<std::pair<std::string, std::string>> read_pairs() {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& line : read_lines(dir() + "/pairs.tsv")) {
    const auto tab = line.find('\t');
    EXPECT_NE(tab, std::string::npos) << line;
    out.emplace_back(line.substr(0, tab), line.substr(tab + 1));
  }
  return out;
}

void expect_encoding(const Encoding& got, const json& want, const std::string& what) {
  EXPECT_EQ(got.input_ids, want.at("input_ids").get<std::vector<int>>()) << what;
  EXPECT_EQ(got.token_type_ids, want.at("token_type_ids").get<std::vector<int>>()) << what;
  EXPECT_EQ(got.attention_mask, want.at("attention_mask").get<std::vector<int>>()) << what;
}

TEST(Tokenizer, PairsWithLongestFirstTruncation) {
  const auto pairs = read_pairs();
  ASSERT_GE(pairs.size(), 60u);
  const auto cases = read_jsonl(dir() + "/pairs.jsonl");
  ASSERT_EQ(cases.size(), pairs.size() * 2 * 6);
  for (const auto& c : cases) {
    const WordPieceTokenizer& tok = tokenizer(c.at("vocab"));
    const auto& [a, b] = pairs.at(c.at("pair").get<std::size_t>());
    const int L = c.at("max_length");
    const std::string only = c.value("only", "");
    const Encoding e =
        only.empty() ? tok.encode(a, b, L, /*truncation=*/L > 0) : tok.encode(only == "a" ? a : b, std::nullopt, L);
    expect_encoding(e, c,
                    c.at("vocab").get<std::string>() + " pair " + c.at("pair").dump() + " " + only + " max_length " +
                        std::to_string(L) + ": " + show(a) + " | " + show(b));
  }
}

TEST(Tokenizer, PaddedBatches) {
  const auto pairs = read_pairs();
  const WordPieceTokenizer& tok = tokenizer("uncased");
  const auto cases = read_jsonl(dir() + "/batches.jsonl");
  ASSERT_GE(cases.size(), 50u);
  for (const auto& c : cases) {
    const int L = c.at("max_length");
    std::vector<Encoding> batch;
    for (std::size_t p : c.at("pairs").get<std::vector<std::size_t>>())
      batch.push_back(c.contains("only") ? tok.encode(pairs.at(p).first, std::nullopt, L, L > 0)
                                         : tok.encode(pairs.at(p).first, pairs.at(p).second, L));
    const bool to_max = c.at("padding") == "max_length";
    tok.pad(batch, to_max ? Padding::max_length : Padding::longest, L);
    ASSERT_EQ(batch.size(), c.at("input_ids").size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      json row;
      for (const char* k : {"input_ids", "token_type_ids", "attention_mask"}) row[k] = c.at(k).at(i);
      expect_encoding(batch[i], row,
                      "batch of pairs " + c.at("pairs").dump() + ", padding " + c.at("padding").get<std::string>() +
                          ", row " + std::to_string(i));
    }
  }
}

TEST(Tokenizer, LongestFirstTieRemovesFromTheSecondSequence) {
  // transformers 4.46.3 truncate_sequences: |la - lb| from the longer, the rest halved, the odd
  // token from the second sequence.
  auto cut = [](int la, int lb, int max_length) {
    std::vector<int> a(static_cast<std::size_t>(la), 1), b(static_cast<std::size_t>(lb), 2);
    WordPieceTokenizer::truncate_longest_first(a, &b, max_length);
    return std::pair<std::size_t, std::size_t>(a.size(), b.size());
  };
  EXPECT_EQ(cut(5, 5, 3 + 9), (std::pair<std::size_t, std::size_t>(5, 4)));    // tie, 1 to remove: from B
  EXPECT_EQ(cut(5, 5, 3 + 7), (std::pair<std::size_t, std::size_t>(4, 3)));    // tie, 3: B loses 2
  EXPECT_EQ(cut(10, 9, 3 + 17), (std::pair<std::size_t, std::size_t>(9, 8)));  // A down to 9, then B
  EXPECT_EQ(cut(3, 20, 3 + 10), (std::pair<std::size_t, std::size_t>(3, 7)));  // only the longer one
  EXPECT_EQ(cut(4, 4, 2), (std::pair<std::size_t, std::size_t>(0, 0)));        // nothing fits
  std::vector<int> single(5, 1);
  WordPieceTokenizer::truncate_longest_first(single, nullptr, 1);  // cannot remove 6 of 5: unchanged
  EXPECT_EQ(single.size(), 5u);
  WordPieceTokenizer::truncate_longest_first(single, nullptr, 4);
  EXPECT_EQ(single.size(), 2u);
}

TEST(Tokenizer, PaddingChecksItsArguments) {
  const WordPieceTokenizer& tok = tokenizer("uncased");
  std::vector<Encoding> b{tok.encode("a short one"), tok.encode("a somewhat longer sentence is here")};
  EXPECT_THROW(tok.pad(b, Padding::max_length, 4), frost::Error);
  EXPECT_THROW(tok.pad(b, Padding::max_length, 0), frost::Error);
  tok.pad(b, std::size_t{12});  // pad to at least 12
  EXPECT_EQ(b[0].size(), 12u);
  EXPECT_EQ(b[1].size(), 12u);
  EXPECT_EQ(b[0].input_ids.back(), tok.pad_id());
  EXPECT_EQ(b[0].attention_mask.back(), 0);
  EXPECT_EQ(b[0].token_type_ids.back(), 0);
  const Encoding untruncated = tok.encode("one two three four five six", std::nullopt, 4, /*truncation=*/false);
  EXPECT_EQ(untruncated.size(), 8u);
  EXPECT_EQ(tok.encode("one two three four five six", std::nullopt, 4).size(), 4u);
}

// ---- malformed UTF-8 ---------------------------------------------------------------------------

TEST(Tokenizer, InvalidUtf8IsAnErrorNamingTheByteOffset) {
  const auto lines = read_lines(dir() + "/invalid_utf8.txt");
  const auto expected = read_jsonl(dir() + "/invalid_utf8.jsonl");
  ASSERT_EQ(lines.size(), expected.size());
  ASSERT_GE(lines.size(), 10u);
  for (const char* setting : {"uncased", "cased"}) {
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string want =
          "invalid UTF-8 at byte offset " + std::to_string(expected[i].at("offset").get<int>()) + " (";
      try {
        (void)tokenizer(setting).tokenize(lines[i]);
        ADD_FAILURE() << "no error for invalid_utf8.txt line " << i + 1;
      } catch (const frost::Error& e) {
        EXPECT_NE(std::string(e.what()).find(want), std::string::npos)
            << "line " << i + 1 << ": " << e.what() << "\n want: " << want << " (Python: " << expected[i].at("python")
            << ")";
      }
      EXPECT_THROW((void)tokenizer(setting).encode("fine", lines[i]), frost::Error);
    }
  }
  try {
    (void)tokenizer("uncased").tokenize("ok \x80 lone continuation");
    ADD_FAILURE();
  } catch (const frost::Error& e) {
    EXPECT_STREQ(e.what(),
                 "WordPieceTokenizer: input text: invalid UTF-8 at byte offset 3 (0x80): unexpected continuation byte");
  }
}

// ---- pinned behaviours -------------------------------------------------------------------------

TEST(Tokenizer, DottedCapitalIUsesPythonsFullLowercase) {
  // Python: "İ".lower() == "i\u0307" (full mapping); utf8proc's simple mapping gives plain "i".
  EXPECT_EQ(utf8proc_tolower(0x130), 'i');
  frost::text::CodePoints lowered;
  frost::text::unicode::append_lower(0x130, lowered);
  EXPECT_EQ(lowered, (frost::text::CodePoints{'i', 0x307}));
  // Stripping accents removes the U+0307 again; keeping accents leaves "i̇", not in the vocabulary.
  EXPECT_EQ(tokenizer("uncased").tokenize("\xC4\xB0"), Tokens{"i"});
  EXPECT_EQ(tokenizer("uncased_keep_accents").tokenize("\xC4\xB0"), Tokens{"[UNK]"});
  EXPECT_EQ(tokenizer("uncased_keep_accents").tokenize("i\xCC\x87"), Tokens{"[UNK]"});
  EXPECT_EQ(tokenizer("cased").tokenize("\xC4\xB0"), Tokens{"\xC4\xB0"});  // the cased vocab has "İ"
}

TEST(Tokenizer, WordsOverOneHundredCodePointsAreUnknown) {
  const WordPieceTokenizer& tok = tokenizer("uncased");
  EXPECT_EQ(tok.tokenize(std::string(101, 'a')), Tokens{"[UNK]"});
  EXPECT_NE(tok.tokenize(std::string(100, 'a')), Tokens{"[UNK]"});
  std::string zhe_100;  // U+0436 "ж", 2 bytes each: code points count, not bytes
  for (int i = 0; i < 100; ++i) zhe_100 += "\xD0\xB6";
  const Tokens pieces = tok.tokenize(zhe_100);  // "ж" "##ж" x 99
  ASSERT_EQ(pieces.size(), 100u);
  EXPECT_EQ(pieces[0], "\xD0\xB6");
  EXPECT_EQ(pieces[99], "##\xD0\xB6");
  EXPECT_EQ(tok.tokenize(zhe_100 + "\xD0\xB6"), Tokens{"[UNK]"});
  EXPECT_EQ(tok.tokenize("x " + std::string(101, 'b') + " y"), (Tokens{"x", "[UNK]", "y"}));
}

TEST(Tokenizer, SpecialTokensInTextStayWhole) {
  const WordPieceTokenizer& unc = tokenizer("uncased");
  EXPECT_EQ(unc.tokenize("[CLS] hello [SEP]"), (Tokens{"[CLS]", "hello", "[SEP]"}));
  EXPECT_EQ(unc.tokenize("hello[SEP]world"), (Tokens{"hello", "[SEP]", "world"}));
  EXPECT_EQ(unc.tokenize("[cls]"), (Tokens{"[", "cl", "##s", "]"}));  // case-sensitive
  EXPECT_EQ(unc.encode("[CLS] hi").input_ids, (std::vector<int>{101, 101, 7632, 102}));
  // Cleaning can create a special token only when nothing lowercases it first (cased).
  EXPECT_EQ(tokenizer("cased").tokenize("[CLS\xE2\x80\x8B]"), Tokens{"[CLS]"});
  EXPECT_EQ(unc.tokenize("[CLS\xE2\x80\x8B]"), (Tokens{"[", "cl", "##s", "]"}));
  // ... or when accent stripping does (BasicTokenizer checks never_split again after it).
  EXPECT_EQ(tokenizer("cased_strip_accents").tokenize("[MAS\xCC\x81K]"), Tokens{"[MASK]"});
  EXPECT_EQ(tokenizer("cased").tokenize("[MAS\xCC\x81K]"), (Tokens{"[", "[UNK]", "]"}));
}

TEST(Tokenizer, DecodeAndIds) {
  const WordPieceTokenizer& tok = tokenizer("uncased");
  EXPECT_EQ(tok.vocab_size(), 30522u);
  EXPECT_EQ(tok.pad_id(), 0);
  EXPECT_EQ(tok.unk_id(), 100);
  EXPECT_EQ(tok.cls_id(), 101);
  EXPECT_EQ(tok.sep_id(), 102);
  EXPECT_EQ(tok.id_to_token(7592), "hello");
  EXPECT_EQ(tok.token_to_id("##ing"), std::optional<int>(2075));
  EXPECT_EQ(tok.token_to_id("not-a-token"), std::nullopt);
  EXPECT_EQ(tok.convert_tokens_to_ids({"hello", "not-a-token"}), (std::vector<int>{7592, 100}));
  EXPECT_EQ(tok.convert_ids_to_tokens({101, 7592}), (Tokens{"[CLS]", "hello"}));
  EXPECT_THROW((void)tok.id_to_token(30522), frost::Error);
  EXPECT_THROW((void)tok.id_to_token(-1), frost::Error);
  const auto e = tok.encode("Unaffable, isn't it?");
  EXPECT_EQ(tok.decode(e.input_ids), "[CLS] unaffable, isn't it? [SEP]");
  EXPECT_EQ(tok.decode(e.input_ids, true), "unaffable, isn't it?");
}

// ---- vocabulary errors -------------------------------------------------------------------------

std::string vocab_error(const std::string& content) {
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  std::ofstream(path, std::ios::binary) << content;
  std::string msg = "(no error)";
  try {
    WordPieceTokenizer t(path);
  } catch (const frost::Error& e) {
    msg = e.what();
  }
  std::remove(path.c_str());
  return msg;
}

TEST(Tokenizer, VocabularyErrorsNameTheFile) {
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  EXPECT_EQ(vocab_error(""), path + ": empty vocabulary (expected one token per line)");
  EXPECT_EQ(vocab_error("[PAD]\n[UNK]\n[CLS]\nhello\n"), path + ": vocabulary has no [SEP] token (4 tokens read)");
  EXPECT_NE(vocab_error("[PAD]\n[CLS]\n[SEP]\n").find(": vocabulary has no [UNK] token"), std::string::npos);
  EXPECT_NE(vocab_error("[UNK]\n[CLS]\n[SEP]\n").find(": vocabulary has no [PAD] token"), std::string::npos);
  EXPECT_NE(vocab_error("[UNK]\n[PAD]\n[SEP]\n").find(": vocabulary has no [CLS] token"), std::string::npos);
  EXPECT_EQ(vocab_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhi\nhi\n"), path + ":6: duplicate token 'hi' (first at line 5)");
  EXPECT_EQ(vocab_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\nbad\xFF\n"),
            path + ":5: invalid UTF-8 at byte offset 3 (0xFF): invalid byte (never appears in UTF-8)");
  EXPECT_EQ(vocab_error("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"), "(no error)");
  try {
    WordPieceTokenizer t("/nonexistent/vocab.txt");
    ADD_FAILURE();
  } catch (const frost::Error& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/vocab.txt: cannot open vocabulary file");
  }
}

TEST(Tokenizer, VocabularyLinesEndLikePythonUniversalNewlines) {
  // HF's load_vocab reads in text mode: "\r\n" and "\r" end lines too; spaces stay in the token.
  const std::string path = frost_test::unique_temp_path("frost_vocab_crlf");
  std::ofstream(path, std::ios::binary) << "[PAD]\r\n[UNK]\r[CLS]\n[SEP]\r\n[MASK]\r\nhello\r\nwith space \nlast";
  const WordPieceTokenizer tok(path);
  std::remove(path.c_str());
  EXPECT_EQ(tok.vocab_size(), 8u);
  EXPECT_EQ(tok.unk_id(), 1);
  EXPECT_EQ(tok.mask_id(), 4);
  EXPECT_EQ(tok.token_to_id("hello"), std::optional<int>(5));
  EXPECT_EQ(tok.token_to_id("with space "), std::optional<int>(6));
  EXPECT_EQ(tok.token_to_id("last"), std::optional<int>(7));
  EXPECT_EQ(tok.tokenize("Hello world"), (Tokens{"hello", "[UNK]"}));
}

// ---- vocab.txt: one case per rule ---------------------------------------------------------------

const std::string kSpecials = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";

/// A tokenizer from `content` (the file is removed again).
WordPieceTokenizer vocab_from(const std::string& content) {
  const std::string path = frost_test::unique_temp_path("frost_vocab_rule");
  std::ofstream(path, std::ios::binary) << content;
  WordPieceTokenizer tok(path);
  std::remove(path.c_str());
  return tok;
}

TEST(Vocabulary, InvalidUtf8NamesFileAndLine) {
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  // line counting goes through CRLF and CR line ends
  EXPECT_EQ(vocab_error("[PAD]\r\n[UNK]\r[CLS]\n[SEP]\r\n[MASK]\nok\n\xC3\x28\n")
                .rfind(path + ":7: invalid UTF-8 at byte offset 0 (0xC3", 0),
            0u);
  EXPECT_NE(vocab_error(kSpecials + "\xED\xA0\x80\n").find(path + ":6: invalid UTF-8 at byte offset 0"),
            std::string::npos);
}

TEST(Vocabulary, CrlfLineEndingsAccepted) {
  const WordPieceTokenizer tok = vocab_from("[PAD]\r\n[UNK]\r\n[CLS]\r\n[SEP]\r\n[MASK]\r\nhello\r\n");
  EXPECT_EQ(tok.vocab_size(), 6u);
  EXPECT_EQ(tok.token_to_id("hello"), std::optional<int>(5));
  EXPECT_EQ(tok.token_to_id("hello\r"), std::nullopt);
}

TEST(Vocabulary, Utf8BomAccepted) {
  const WordPieceTokenizer tok = vocab_from("\xEF\xBB\xBF" + kSpecials + "hello\n");
  EXPECT_EQ(tok.pad_id(), 0);
  EXPECT_EQ(tok.token_to_id("[PAD]"), std::optional<int>(0));
  EXPECT_EQ(tok.vocab_size(), 6u);
  // a BOM-only file is an empty vocabulary
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  EXPECT_EQ(vocab_error("\xEF\xBB\xBF"), path + ": empty vocabulary (expected one token per line)");
}

TEST(Vocabulary, MissingFinalNewlineAccepted) {
  const WordPieceTokenizer with = vocab_from(kSpecials + "last\n");
  const WordPieceTokenizer without = vocab_from(kSpecials + "last");
  EXPECT_EQ(with.vocab_size(), 6u);
  EXPECT_EQ(without.vocab_size(), 6u);
  EXPECT_EQ(without.token_to_id("last"), std::optional<int>(5));
}

TEST(Vocabulary, DuplicateTokenNamesBothLines) {
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  EXPECT_EQ(vocab_error("[PAD]\r\n[UNK]\r\n[CLS]\r\nhi\r\n[SEP]\r\n[MASK]\r\nhi\r\n"),
            path + ":7: duplicate token 'hi' (first at line 4)");
  EXPECT_EQ(vocab_error(kSpecials + "[UNK]\n"), path + ":6: duplicate token '[UNK]' (first at line 2)");
}

TEST(Vocabulary, EverySpecialTokenRequired) {
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  for (const char* missing : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}) {
    std::string content;
    for (const char* t : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello"})
      if (std::string(t) != missing) content += std::string(t) + "\n";
    EXPECT_EQ(vocab_error(content), path + ": vocabulary has no " + missing + " token (5 tokens read)") << missing;
  }
  // the specials may be anywhere (bert-base-cased has [PAD] at 0 and [UNK] at 100)
  const WordPieceTokenizer tok = vocab_from("a\nb\n[MASK]\n[SEP]\n[CLS]\n[UNK]\n[PAD]\n");
  EXPECT_EQ(tok.pad_id(), 6);
  EXPECT_EQ(tok.mask_id(), 2);
}

// transformers' load_vocab: `for index, token in enumerate(reader.readlines()): vocab[token.rstrip("\n")] = index`,
// so an empty line is the token "" with its own id and the ids after it count it. frost does the same
// (and, as with every token, a second "" is a duplicate).
TEST(Vocabulary, EmptyLineIsTheEmptyTokenAsInTransformers) {
  const WordPieceTokenizer tok = vocab_from(kSpecials + "\nafter\n");
  EXPECT_EQ(tok.vocab_size(), 7u);
  EXPECT_EQ(tok.token_to_id(""), std::optional<int>(5));
  EXPECT_EQ(tok.token_to_id("after"), std::optional<int>(6));
  EXPECT_EQ(tok.id_to_token(5), "");
  EXPECT_EQ(vocab_from(kSpecials + "x\r\n\r\ny").token_to_id("y"), std::optional<int>(7));  // CRLF: the same
  const std::string path = frost_test::unique_temp_path("frost_vocab_test");
  EXPECT_EQ(vocab_error(kSpecials + "\nx\n\n"), path + ":8: duplicate token '' (first at line 6)");
  // "" never matches a WordPiece (candidates are never empty)
  EXPECT_EQ(tok.tokenize("after"), Tokens{"after"});
}

/// A model directory with config.json (vocab_size `config_vocab`) and a vocab.txt of `tokens` lines.
struct VocabModelDir {
  std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("frost-vocab-dir-" + std::to_string(::getpid()));
  VocabModelDir(int config_vocab, int tokens) {
    std::filesystem::create_directories(dir);
    json cfg = {{"vocab_size", config_vocab}, {"hidden_size", 32},       {"num_hidden_layers", 1},
                {"num_attention_heads", 4},   {"intermediate_size", 64}, {"max_position_embeddings", 16}};
    std::ofstream(dir / "config.json") << cfg.dump();
    std::ofstream v(dir / "vocab.txt");
    v << kSpecials;
    for (int i = 5; i < tokens; ++i) v << "w" << i << "\n";
  }
  ~VocabModelDir() { std::filesystem::remove_all(dir); }
  [[nodiscard]] std::string str() const { return dir.string(); }
};

TEST(Vocabulary, NoMoreTokensThanTheConfigsVocabSize) {
  {
    VocabModelDir d(50, 50);  // equal: fine
    EXPECT_EQ(frost::text::BertTokenizer::from_pretrained(d.str()).vocab_size(), 50u);
  }
  {
    VocabModelDir d(50, 40);  // fewer: fine, as in transformers
    EXPECT_EQ(frost::text::BertTokenizer::from_pretrained(d.str()).vocab_size(), 40u);
  }
  {
    VocabModelDir d(50, 53);
    try {
      (void)frost::text::BertTokenizer::from_pretrained(d.str());
      ADD_FAILURE() << "no error";
    } catch (const frost::Error& e) {
      EXPECT_EQ(std::string(e.what()), d.str() + "/vocab.txt: 53 tokens, more than vocab_size 50 in " + d.str() +
                                           "/config.json (ids from 50 on have no embedding row)");
    }
    // with the config given, and directly
    frost::BertConfig cfg;
    cfg.vocab_size = 52;
    EXPECT_THROW((void)frost::text::BertTokenizer::from_pretrained(d.str(), cfg), frost::Error);
    cfg.vocab_size = 53;
    EXPECT_NO_THROW((void)frost::text::BertTokenizer::from_pretrained(d.str(), cfg));
    const WordPieceTokenizer tok(d.str() + "/vocab.txt");
    EXPECT_EQ(tok.vocab_path(), d.str() + "/vocab.txt");
    EXPECT_NO_THROW(tok.check_vocab_size(53));
    EXPECT_THROW(tok.check_vocab_size(10, "c.json"), frost::Error);
  }
  {
    VocabModelDir d(50, 50);  // a damaged config.json next to the vocabulary is reported, naming it
    std::ofstream(d.dir / "config.json") << "{\"vocab_size\": \"50\"}";
    try {
      (void)frost::text::BertTokenizer::from_pretrained(d.str());
      ADD_FAILURE() << "no error";
    } catch (const frost::Error& e) {
      EXPECT_EQ(std::string(e.what()), d.str() + "/config.json: field 'vocab_size': expected an integer, got \"50\"");
    }
    std::filesystem::remove(d.dir / "config.json");  // no config.json: nothing to check against
    EXPECT_EQ(frost::text::BertTokenizer::from_pretrained(d.str()).vocab_size(), 50u);
  }
}

}  // namespace
