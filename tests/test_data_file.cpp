// Data files (frost/train/data_file.hpp) and label schemes (frost/train/labels.hpp): TSV, CSV
// (RFC 4180) and JSON Lines read into rows, every error with its file, line and column; the CSV
// and JSONL readers against Python's csv and json modules on tests/fixtures/data
// (tools/gen_data_fixtures.py); how labels become targets (run_glue.py's rules); load_dataset,
// tokenize_file and the load_tsv / read_tsv compatibility layer; the TSV error messages the CLI's
// malformed-input corpus (tests/cli/malformed_cli.sh) expects.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "frost/text/bert_tokenizer.hpp"
#include "frost/train/data_file.hpp"
#include "frost/train/labels.hpp"
#include "frost/train/tsv.hpp"

namespace {

using frost::DataColumns;
using frost::DataFile;
using frost::DataFormat;
using frost::Error;
using frost::LabelHints;
using frost::LabelScheme;
using frost::ProblemType;
using Kind = frost::LabelScheme::Kind;
using Strings = std::vector<std::string>;
namespace fs = std::filesystem;

DataFile read(const std::string& text, DataFormat format, const DataColumns& c = {}, bool label_required = true,
              const std::string& name = "") {
  std::istringstream in(text);
  const std::string path = !name.empty()                 ? name
                           : format == DataFormat::csv   ? "data.csv"
                           : format == DataFormat::jsonl ? "data.jsonl"
                                                         : "data.tsv";
  return frost::read_data_file(in, path, format, c, label_required);
}
DataFile csv(const std::string& text, const DataColumns& c = {}) { return read(text, DataFormat::csv, c); }
DataFile tsv(const std::string& text, const DataColumns& c = {}) { return read(text, DataFormat::tsv, c); }
DataFile jsonl(const std::string& text, const DataColumns& c = {}) { return read(text, DataFormat::jsonl, c); }

/// The frost::Error message of `f`, or "<no error>".
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}
#define EXPECT_ERROR(stmt, fragment)                                          \
  do {                                                                        \
    const std::string msg_ = error_of([&] { (void)(stmt); });                 \
    EXPECT_NE(msg_.find(fragment), std::string::npos) << "message: " << msg_; \
  } while (0)

Strings texts(const DataFile& f) {
  Strings out;
  for (const auto& r : f.rows) out.push_back(r.text_a);
  return out;
}
std::vector<long> lines(const DataFile& f) {
  std::vector<long> out;
  for (const auto& r : f.rows) out.push_back(r.line);
  return out;
}

// ---- formats -------------------------------------------------------------------------------

TEST(DataFormat, ByExtensionOrName) {
  EXPECT_EQ(frost::data_format_of("a/train.tsv"), DataFormat::tsv);
  EXPECT_EQ(frost::data_format_of("train.csv"), DataFormat::csv);
  EXPECT_EQ(frost::data_format_of("TRAIN.CSV"), DataFormat::csv);
  EXPECT_EQ(frost::data_format_of("train.jsonl"), DataFormat::jsonl);
  EXPECT_EQ(frost::data_format_of("train.json"), DataFormat::jsonl);
  EXPECT_EQ(frost::data_format_of("train.txt", "csv"), DataFormat::csv);
  EXPECT_EQ(frost::data_format_of("train.csv", "tsv"), DataFormat::tsv);
  EXPECT_EQ(frost::data_format_of("x", "jsonl"), DataFormat::jsonl);
  EXPECT_ERROR(frost::data_format_of("train.txt"),
               "train.txt: data format: expected a .tsv, .csv, .jsonl or .json file (or the format named: tsv, csv or "
               "jsonl), got the extension '.txt'");
  EXPECT_ERROR(frost::data_format_of("data/train"), "data/train: data format: expected a .tsv");
  EXPECT_ERROR(frost::data_format_of("data/train"), "got no extension");
  EXPECT_ERROR(frost::data_format_of("t.csv", "parquet"),
               "t.csv: data format: expected tsv, csv or jsonl, got 'parquet'");
  EXPECT_STREQ(frost::data_format_name(DataFormat::jsonl), "jsonl");
}

// ---- CSV -----------------------------------------------------------------------------------

TEST(Csv, QuotedCommasAndEscapedQuotes) {
  const DataFile f = csv("sentence,label\n\"a, b\",1\n\"say \"\"hi\"\"\",0\nplain,\"2\"\n\"\"\"\",\"a,b\"\n");
  EXPECT_EQ(f.format, DataFormat::csv);
  EXPECT_FALSE(f.pairs);
  EXPECT_TRUE(f.labelled);
  EXPECT_EQ(texts(f), (Strings{"a, b", "say \"hi\"", "plain", "\""}));
  EXPECT_EQ(f.rows[2].labels, Strings{"2"});
  EXPECT_EQ(f.rows[3].labels, Strings{"a,b"});
  EXPECT_EQ(lines(f), (std::vector<long>{2, 3, 4, 5}));
  EXPECT_EQ(f.text_column, "sentence");
  EXPECT_EQ(f.label_column, "label");
  EXPECT_EQ(f.text_index, 1);
  EXPECT_EQ(f.label_index, 2);
}

TEST(Csv, NewlinesInsideQuotesKeepLineNumbers) {
  // LF and CRLF inside quoted fields are kept verbatim; a row's line is the line it starts on.
  const DataFile f = csv("sentence,label\r\n\"one\ntwo\",1\r\n\"x\r\ny\r\n\",0\r\nnext,1\r\n\"\n\",2\r\nlast,3");
  EXPECT_EQ(texts(f), (Strings{"one\ntwo", "x\r\ny\r\n", "next", "\n", "last"}));
  EXPECT_EQ(lines(f), (std::vector<long>{2, 4, 7, 8, 10}));
  EXPECT_EQ(f.rows.back().labels, Strings{"3"});
}

TEST(Csv, BomCrlfBlankLinesAndNoFinalNewline) {
  for (const std::string eol : {"\n", "\r\n"}) {
    const std::string text = "\xEF\xBB\xBFsentence,label" + eol + "good,1" + eol + eol + eol + "bad,0" + eol + eol;
    const DataFile f = csv(text);
    EXPECT_EQ(texts(f), (Strings{"good", "bad"}));
    EXPECT_EQ(lines(f), (std::vector<long>{2, 5}));
    EXPECT_EQ(f.rows[1].labels, Strings{"0"});  // no CR left on the last field
    const DataFile g = csv("\xEF\xBB\xBFsentence,label" + eol + "good,1");
    ASSERT_EQ(g.rows.size(), 1u);
    EXPECT_EQ(g.rows[0].labels, Strings{"1"});
  }
  // A quoted header, pairs, an empty (quoted) second text, extra columns.
  const DataFile p = csv("\"idx\",\"sentence1\",\"sentence2\",\"label\"\n0,a,\"\",1\n1,b,c,0\n");
  EXPECT_TRUE(p.pairs);
  EXPECT_EQ(p.text_index, 2);
  EXPECT_EQ(p.text_pair_index, 3);
  EXPECT_EQ(p.label_index, 4);
  EXPECT_EQ(p.rows[0].text_b, "");
  EXPECT_EQ(p.rows[1].text_b, "c");
  // Spaces and other bytes are the field's own (no trimming); a CR at the very end ends the record.
  const DataFile s = csv("sentence,label\n caf\xC3\xA9 ,' x '\r");
  EXPECT_EQ(s.rows[0].text_a, " caf\xC3\xA9 ");
  EXPECT_EQ(s.rows[0].labels, Strings{"' x '"});
}

TEST(Csv, UnterminatedQuoteNamesTheLineItOpened) {
  EXPECT_ERROR(csv("sentence,label\ngood,1\n\"never closed,1\nmore,0\n\n"),
               "data.csv:3: column 1 (sentence): expected a closing quote, got the end of the file (the quoted "
               "field opened on line 3 is never closed)");
  EXPECT_ERROR(csv("sentence,label\ngood,\"1"), "data.csv:2: column 2 (label): expected a closing quote");
  EXPECT_ERROR(csv("\"sentence,label\ngood,1\n"), "data.csv:1: column 1: expected a closing quote");
}

TEST(Csv, QuoteInsideUnquotedFieldAndTextAfterClosingQuote) {
  EXPECT_ERROR(csv("sentence,label\nsay \"hi\",1\n"),
               "data.csv:2: column 1 (sentence): expected a field without quotes or one wholly in quotes");
  EXPECT_ERROR(csv("sentence,label\nsay \"hi\",1\n"), "got a quote inside an unquoted field");
  EXPECT_ERROR(csv("sentence,label\ngood,1\"\n"), "data.csv:2: column 2 (label): expected a field without quotes");
  EXPECT_ERROR(csv("sentence,label\n\"a\"b,1\n"),
               "data.csv:2: column 1 (sentence): expected a comma or the end of the line after the closing quote, "
               "got 'b' (text after a closing quote)");
  EXPECT_ERROR(csv("sentence,label\n\"a\" ,1\n"), "data.csv:2: column 1 (sentence): expected a comma");
  // After a field spanning lines, the line where the closing quote is.
  EXPECT_ERROR(csv("sentence,label\ngood,1\n\"a\nb\nc\"x,1\n"), "data.csv:5: column 1 (sentence): expected a comma");
  EXPECT_ERROR(csv("sentence,label\ngood,\"1\"\t\n"),
               "data.csv:2: column 2 (label): expected a comma or the end of "
               "the line after the closing quote, got byte 0x09");
  EXPECT_ERROR(csv("sentence,label\ngood\rbad,1\n"),
               "data.csv:2: column 1 (sentence): expected LF or CRLF line ends, got a lone carriage return");
}

TEST(Csv, FieldCountEmptyFieldsAndNoRows) {
  EXPECT_ERROR(csv("sentence,label\ngood,1\nbad,0,extra\n"), "data.csv:3: expected 2 comma-separated fields, got 3");
  EXPECT_ERROR(csv("sentence,label\ngood,1,\n"), "data.csv:2: expected 2 comma-separated fields, got 3");
  EXPECT_ERROR(csv("sentence,label\n\"multi\nline\"\n"), "data.csv:2: expected 2 comma-separated fields, got 1");
  EXPECT_ERROR(csv("sentence,label\n,1\n"),
               "data.csv:2: column 1 (sentence): expected a non-empty text, got an "
               "empty field");
  EXPECT_ERROR(csv("sentence,label\n\"\",1\n"), "data.csv:2: column 1 (sentence): expected a non-empty text");
  EXPECT_ERROR(csv("idx,sentence,label\n0,good,\n"),
               "data.csv:2: column 3 (label): expected a label, got an empty field");
  EXPECT_ERROR(csv("idx,sentence,label\n0,good,\"\"\n"),
               "data.csv:2: column 3 (label): expected a label, got an empty "
               "field");
  EXPECT_ERROR(csv(""), "data.csv: empty file (expected a header row)");
  EXPECT_ERROR(csv("\xEF\xBB\xBF\r\n\n"), "data.csv: empty file");
  EXPECT_ERROR(csv("sentence,label\r\n\r\n"), "data.csv: no data rows after the header");
  // A one-column predict file: a quoted empty field is a row (an error), not a blank line.
  const DataFile p = read("sentence\ngood\n\nbad\n", DataFormat::csv, {}, false);
  EXPECT_EQ(texts(p), (Strings{"good", "bad"}));
  EXPECT_FALSE(p.labelled);
  EXPECT_TRUE(p.rows[0].labels.empty());
  EXPECT_ERROR(read("sentence\ngood\n\"\"\n", DataFormat::csv, {}, false), "data.csv:3: column 1 (sentence)");
}

// ---- TSV -----------------------------------------------------------------------------------

TEST(Tsv, GlueFilesWithExtraColumnsAndAnyOrder) {
  const DataFile f = tsv("sentence\tlabel\ngood film\t1\nbad\t0\n");
  EXPECT_EQ(texts(f), (Strings{"good film", "bad"}));
  EXPECT_EQ(f.rows[0].labels, Strings{"1"});
  // GLUE's files (idx first); columns in any order; pairs detected from sentence1 + sentence2.
  const DataFile g = tsv("idx\tlabel\tsentence2\tsentence1\n0\t1\tb\ta\n1\t0\t\tc\n");
  EXPECT_TRUE(g.pairs);
  EXPECT_EQ(g.rows[0].text_a, "a");
  EXPECT_EQ(g.rows[0].text_b, "b");
  EXPECT_EQ(g.rows[1].text_b, "");
  EXPECT_EQ(g.rows[1].labels, Strings{"0"});
  EXPECT_EQ(g.text_index, 4);
  EXPECT_EQ(g.label_index, 2);
  // No quoting in TSV: quotes and commas are text; a lone CR inside a field is kept.
  const DataFile q = tsv("sentence\tlabel\r\n\"a, b\"\tx\"y\r\nc\rd\t1\r\n");
  EXPECT_EQ(texts(q), (Strings{"\"a, b\"", "c\rd"}));
  EXPECT_EQ(q.rows[0].labels, Strings{"x\"y"});
  // Predict: no label column.
  const DataFile p = read("sentence1\tsentence2\nx\ty\n", DataFormat::tsv, {}, false);
  EXPECT_TRUE(p.pairs);
  EXPECT_FALSE(p.labelled);
  EXPECT_TRUE(p.rows[0].labels.empty());
  // A predict file may still carry labels.
  EXPECT_TRUE(read("sentence\tlabel\nx\t1\n", DataFormat::tsv, {}, false).labelled);
}

TEST(Tsv, Errors) {
  EXPECT_ERROR(tsv("sentence\tlabel\ngood\t1\nthis line has no label\n"),
               "data.tsv:3: expected 2 tab-separated columns, got 1");
  EXPECT_ERROR(tsv("sentence\tlabel\n\t1\n"), "data.tsv:2: column 1 (sentence): expected a non-empty text");
  EXPECT_ERROR(tsv("sentence\tlabel\ngood\t\n"), "data.tsv:2: column 2 (label): expected a label, got an empty field");
  EXPECT_ERROR(tsv("text\tlabel\ngood\t1\n"),
               "data.tsv:1: header must be column names with a text column 'sentence' (or 'sentence1' and "
               "'sentence2' for pairs) and a label column 'label', got columns present: 'text', 'label'");
  EXPECT_ERROR(tsv("sentence\nx\n"),
               "data.tsv:1: expected a label column 'label' (training and evaluation need "
               "labels), got columns present: 'sentence'");
  EXPECT_ERROR(tsv("sentence\tlabel\tsentence\nx\t1\ty\n"),
               "data.tsv:1: expected one column named 'sentence', got columns 1 and 3");
  EXPECT_ERROR(tsv(""), "data.tsv: empty file (expected a header row)");
  EXPECT_ERROR(tsv("sentence\tlabel\n"), "data.tsv: no data rows after the header");
}

// ---- JSON Lines ----------------------------------------------------------------------------

TEST(Jsonl, LabelsAsStringsNumbersAndArrays) {
  const DataFile f = jsonl(
      "{\"sentence\": \"a\", \"label\": \"pos\"}\n"
      "{\"sentence\": \"b\", \"label\": 3}\n"
      "\n"
      "{\"label\": 0.25, \"sentence\": \"c\", \"idx\": 7}\r\n"
      "{\"sentence\": \"d\", \"label\": [\"x\", 2, -1.5e3]}\n"
      "   \n"
      "{\"sentence\": \"caf\\u00e9 \\ud83d\\ude00\", \"label\": -4}");
  EXPECT_EQ(f.format, DataFormat::jsonl);
  EXPECT_EQ(texts(f), (Strings{"a", "b", "c", "d", "caf\xC3\xA9 \xF0\x9F\x98\x80"}));
  EXPECT_EQ(lines(f), (std::vector<long>{1, 2, 4, 5, 7}));
  EXPECT_EQ(f.rows[0].labels, Strings{"pos"});
  EXPECT_EQ(f.rows[1].labels, Strings{"3"});
  EXPECT_EQ(f.rows[2].labels, Strings{"0.25"});
  EXPECT_EQ(f.rows[3].labels, (Strings{"x", "2", "-1500.0"}));
  EXPECT_EQ(f.rows[4].labels, Strings{"-4"});
  EXPECT_TRUE(f.label_lists);
  EXPECT_EQ(f.label_index, 0);
  EXPECT_FALSE(jsonl("{\"sentence\": \"a\", \"label\": 1}").label_lists);
  // BOM, pairs, an empty second text.
  const DataFile p = jsonl("\xEF\xBB\xBF{\"sentence1\": \"a\", \"sentence2\": \"\", \"label\": 1}\n");
  EXPECT_TRUE(p.pairs);
  EXPECT_EQ(p.rows[0].text_b, "");
  // Predict: the first object decides whether there are labels.
  const DataFile q = read("{\"sentence\": \"a\"}\n{\"sentence\": \"b\", \"label\": 1}\n", DataFormat::jsonl, {}, false);
  EXPECT_FALSE(q.labelled);
  EXPECT_TRUE(q.rows[1].labels.empty());
}

TEST(Jsonl, Errors) {
  const std::string ok = "{\"sentence\": \"a\", \"label\": 1}\n";
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": 1\n"),
               "data.jsonl:2: expected a JSON object, got invalid JSON ([json.exception.parse_error.101] parse error");
  EXPECT_ERROR(jsonl(ok + "[1, 2]\n"),
               "data.jsonl:2: expected a JSON object per line (JSON Lines, as datasets' "
               "to_json writes), got an array");
  EXPECT_ERROR(jsonl("[{\"sentence\": \"a\", \"label\": 1}]"), "data.jsonl:1: expected a JSON object per line");
  EXPECT_ERROR(jsonl(ok + "\"text\"\n"),
               "data.jsonl:2: expected a JSON object per line (JSON Lines, as datasets' "
               "to_json writes), got 'text'");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": 5, \"label\": 1}\n"),
               "data.jsonl:2: key 'sentence': expected a string, got '5'");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"\", \"label\": 1}\n"),
               "data.jsonl:2: key 'sentence': expected a non-empty text, got an empty string");
  EXPECT_ERROR(jsonl(ok + "{\"text\": \"b\", \"label\": 1}\n"),
               "data.jsonl:2: key 'sentence': expected a string, got no such key (keys present: 'label', 'text')");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": null}\n"),
               "data.jsonl:2: key 'label': expected a label (a string or a number), got null");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": \"\"}\n"),
               "data.jsonl:2: key 'label': expected a label, got an empty string");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\"}\n"),
               "data.jsonl:2: key 'label': expected a label, got no such key (keys present: 'sentence')");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": true}\n"),
               "data.jsonl:2: key 'label': expected a label (a string or a number), got 'true'");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": [[1]]}\n"),
               "data.jsonl:2: key 'label': expected a label (a string or a number), got an array");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": [\"a\", null]}\n"),
               "data.jsonl:2: key 'label': expected a label (a string or a number), got null");
  EXPECT_ERROR(jsonl(ok + "{\"sentence\": \"b\", \"label\": {\"a\": 1}}\n"), "got an object");
  // nlohmann refuses numbers beyond double's range while parsing: the line is named.
  EXPECT_ERROR(jsonl("{\"sentence\": \"b\", \"label\": 1e400}\n"),
               "data.jsonl:1: expected a JSON object, got invalid JSON ([json.exception.out_of_range.406] number "
               "overflow parsing '1e400')");
  EXPECT_ERROR(jsonl("{\"review\": \"b\", \"label\": 1}\n"),
               "data.jsonl:1: expected a text key 'sentence' (or 'sentence1' and 'sentence2' for pairs) and a label "
               "key 'label', got keys present: 'label', 'review'");
  EXPECT_ERROR(jsonl("{\"sentence\": \"b\"}\n"), "data.jsonl:1: expected a label key 'label'");
  EXPECT_ERROR(jsonl("\n\r\n"), "data.jsonl: no data rows (expected one JSON object per line, got an empty file)");
  EXPECT_ERROR(jsonl("{\"sentence\": \"b\", \"label\": \"\xFF\"}\n"),
               "data.jsonl:1: expected a JSON object, got "
               "invalid JSON");
}

// ---- columns -------------------------------------------------------------------------------

TEST(Columns, NamedColumnsAndSeparator) {
  const DataColumns c{"premise", "hypothesis", "gold", 0};
  const DataFile f = csv("gold,hypothesis,premise\nyes,h1,p1\nno,h2,p2\n", c);
  EXPECT_TRUE(f.pairs);
  EXPECT_EQ(f.rows[1].text_a, "p2");
  EXPECT_EQ(f.rows[1].text_b, "h2");
  EXPECT_EQ(f.rows[1].labels, Strings{"no"});
  EXPECT_EQ(f.text_pair_column, "hypothesis");
  const DataFile j = jsonl("{\"premise\": \"p\", \"hypothesis\": \"h\", \"gold\": \"yes\"}", c);
  EXPECT_EQ(j.rows[0].text_b, "h");
  // A text column alone: single texts even when sentence1/sentence2 exist.
  const DataFile s = tsv("sentence1\tsentence2\treview\tlabel\na\tb\tgreat\t1\n", {"review", "", "", 0});
  EXPECT_FALSE(s.pairs);
  EXPECT_EQ(s.rows[0].text_a, "great");
  // A label separator: several labels per field (multi-label).
  const DataFile m = csv("sentence,tags\na,sports|politics\nb,sports\n", {"", "", "tags", '|'});
  EXPECT_TRUE(m.label_lists);
  EXPECT_EQ(m.rows[0].labels, (Strings{"sports", "politics"}));
  EXPECT_EQ(m.rows[1].labels, Strings{"sports"});
}

TEST(Columns, MissingDuplicateAndClashingColumns) {
  EXPECT_ERROR(csv("text,label\na,1\n", {"review", "", "", 0}),
               "data.csv:1: expected a text column 'review', got columns present: 'text', 'label'");
  EXPECT_ERROR(csv("sentence1,label\na,1\n", {"", "hypothesis", "", 0}),
               "data.csv:1: expected a second text column 'hypothesis', got columns present: 'sentence1', 'label'");
  EXPECT_ERROR(csv("sentence,label\na,1\n", {"", "", "gold", 0}),
               "data.csv:1: expected a label column 'gold' (training and evaluation need labels), got columns "
               "present: 'sentence', 'label'");
  EXPECT_ERROR(jsonl("{\"sentence\": \"a\", \"label\": 1}", {"", "", "gold", 0}),
               "data.jsonl:1: expected a label key 'gold'");
  EXPECT_ERROR(csv("sentence,label\na,1\n", {"sentence", "", "sentence", 0}),
               "data.csv:1: expected different text, second text and label columns, got text 'sentence', label "
               "'sentence'");
  EXPECT_ERROR(csv("sentence,label,label\na,1,2\n"),
               "data.csv:1: expected one column named 'label', got columns 2 "
               "and 3");
  EXPECT_ERROR(csv("sentence,tags\na,sports||politics\n", {"", "", "tags", '|'}),
               "data.csv:2: column 2 (tags): expected labels separated by '|' (none empty), got an empty label in "
               "'sports||politics'");
  EXPECT_ERROR(csv("sentence,tags\na,sports|\n", {"", "", "tags", '|'}),
               "data.csv:2: column 2 (tags): expected "
               "labels separated by '|'");
  // A named label column is optional for predict.
  EXPECT_FALSE(read("sentence\nx\n", DataFormat::csv, {"", "", "gold", 0}, false).labelled);
  // Many columns: the list is cut.
  std::string header = "a0";
  for (int i = 1; i < 20; ++i) header += ",a" + std::to_string(i);
  EXPECT_ERROR(csv(header + "\n" + std::string(19, ',') + "\n"), "'a11', ... (20 in all)");
}

// ---- Python's csv and json modules on committed fixtures -------------------------------------

TEST(Fixtures, ReadersAgreeWithPython) {
  const fs::path dir = fs::path(FROST_TEST_FIXTURES) / "data";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".expected.json")) continue;
    std::ifstream ej(entry.path().string() + ".expected.json");
    ASSERT_TRUE(ej.good()) << name << ": no expected file (run tools/gen_data_fixtures.py)";
    const nlohmann::json expected = nlohmann::json::parse(ej);
    const auto& col = expected.at("columns");
    const DataColumns c{col.at("text").get<std::string>(), col.at("text_pair").get<std::string>(),
                        col.at("label").get<std::string>(), 0};
    const std::string path = entry.path().string();
    const DataFile f = frost::read_data_file(path, frost::data_format_of(path), c);
    const auto& rows = expected.at("rows");
    ASSERT_EQ(f.rows.size(), rows.size()) << name;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(f.rows[i].line, rows[i].at("line").get<long>()) << name << " row " << i;
      EXPECT_EQ(f.rows[i].text_a, rows[i].at("text_a").get<std::string>()) << name << " row " << i;
      EXPECT_EQ(f.rows[i].text_b, rows[i].at("text_b").get<std::string>()) << name << " row " << i;
      EXPECT_EQ(f.rows[i].labels, rows[i].at("labels").get<Strings>()) << name << " row " << i;
    }
    ++files;
  }
  EXPECT_EQ(files, 6);
}

// ---- label schemes ---------------------------------------------------------------------------

LabelHints hints(int num_labels, ProblemType pt = ProblemType::infer, Strings id2label = {}, bool forced = false) {
  return LabelHints{num_labels, forced, pt, std::move(id2label)};
}
frost::LabelTarget target(const DataFile& f, std::size_t row, const LabelScheme& s) {
  return frost::label_target(f, f.rows.at(row), s);
}

TEST(Labels, StringLabelsAreTheSortedSetOfTrainingLabels) {
  const DataFile f = csv("sentence,label\na,pos\nb,neg\nc,neutral\nd,pos\ne,Zed\nf,\xC3\xA9t\xC3\xA9\n");
  const LabelScheme s = frost::infer_label_scheme(f, hints(2));
  EXPECT_EQ(s.kind, Kind::named);
  EXPECT_EQ(s.num_labels, 5);  // not the config's 2
  // Byte order, as Python's sorted() of str: upper case first, UTF-8 after ASCII.
  EXPECT_EQ(s.names, (Strings{"Zed", "neg", "neutral", "pos", "\xC3\xA9t\xC3\xA9"}));
  EXPECT_EQ(target(f, 0, s).label, 3);
  EXPECT_EQ(target(f, 1, s).label, 1);
  EXPECT_EQ(target(f, 5, s).label, 4);
  EXPECT_TRUE(target(f, 0, s).targets.empty());
  EXPECT_EQ(s.problem_type(), ProblemType::single_label_classification);
  EXPECT_EQ(frost::label_names(s), s.names);
  EXPECT_EQ(frost::label2id(s).at("neutral"), 2);
  // Mixed integer and string labels are all strings ("10" sorts before "9").
  const LabelScheme m = frost::infer_label_scheme(csv("sentence,label\na,9\nb,10\nc,x\n"), hints(2));
  EXPECT_EQ(m.names, (Strings{"10", "9", "x"}));
}

TEST(Labels, StringLabelErrors) {
  const DataFile f = csv("sentence,label\na,pos\nb,neg\nc,neutral\n");
  EXPECT_ERROR(frost::infer_label_scheme(f, hints(2, ProblemType::infer, {}, true)),
               "data.csv:2: column 2 (label): expected an integer class index in [0, 2), got 'pos' (string labels "
               "name the classes, but data.csv has 3 distinct labels, not --num-labels 2: 'neg', 'neutral', 'pos')");
  EXPECT_EQ(frost::infer_label_scheme(f, hints(3, ProblemType::infer, {}, true)).num_labels, 3);
  EXPECT_ERROR(frost::infer_label_scheme(csv("sentence,label\na,pos\nb,pos\n"), hints(2)),
               "data.csv:2: column 2 (label): expected at least 2 distinct labels (classes), got only 'pos'");
  // An evaluation file with a label the training file did not have.
  const LabelScheme s = frost::infer_label_scheme(f, hints(2));
  const DataFile dev = read("idx,sentence,label\n0,x,neg\n1,y,mixed\n", DataFormat::csv, {}, true, "dev.csv");
  EXPECT_EQ(target(dev, 0, s).label, 0);
  EXPECT_ERROR(target(dev, 1, s),
               "dev.csv:3: column 3 (label): expected one of the 3 known labels ('neg', "
               "'neutral', 'pos'), got 'mixed' (unknown label)");
  const DataFile two =
      read("{\"sentence\": \"x\", \"label\": [\"neg\", \"pos\"]}", DataFormat::jsonl, {}, true, "dev.jsonl");
  EXPECT_ERROR(target(two, 0, s), "dev.jsonl:1: key 'label': expected one label, got 2 ('neg', 'pos')");
}

TEST(Labels, IntegerLabelsAreClassIndices) {
  const DataFile f = tsv("sentence\tlabel\na\t0\nb\t2\nc\t1.0\nd\t-0\n");
  const LabelScheme s = frost::infer_label_scheme(f, hints(3));
  EXPECT_EQ(s.kind, Kind::class_index);
  EXPECT_EQ(s.num_labels, 3);
  EXPECT_TRUE(s.names.empty());
  EXPECT_EQ(target(f, 1, s).label, 2);
  EXPECT_EQ(target(f, 2, s).label, 1);  // pandas writes 1.0 for integers in a column with gaps
  EXPECT_EQ(target(f, 3, s).label, 0);
  EXPECT_EQ(frost::label_names(s), (Strings{"LABEL_0", "LABEL_1", "LABEL_2"}));
  // Out of range: the message suggests --num-labels.
  EXPECT_ERROR(frost::label_target(f, f.rows[1], frost::infer_label_scheme(f, hints(2))),
               "data.tsv:3: column 2 (label): expected an integer class index in [0, 2), got 2 (out of range: the "
               "model has 2 labels; --num-labels sets how many)");
  const DataFile neg = tsv("sentence\tlabel\na\t-1\nb\t1\n");
  EXPECT_ERROR(frost::label_target(neg, neg.rows[0], frost::infer_label_scheme(neg, hints(2))),
               "data.tsv:2: column 2 (label): expected an integer class index in [0, 2), got -1 (out of range");
  // Integer syntax only: no spaces, no exponents (those are string labels).
  long long v = 0;
  EXPECT_TRUE(frost::integer_label("+7", v));
  EXPECT_EQ(v, 7);
  for (const char* bad : {" 1", "1 ", "1e0", "1.5", "1.", ".0", "+-1", "", "0x1", "99999999999999999999"})
    EXPECT_FALSE(frost::integer_label(bad, v)) << bad;
}

TEST(Labels, Regression) {
  const DataFile f = csv("sentence,label\na,0.5\nb,-3\nc,1e2\nd,+4.25\n");
  for (const LabelHints& h : {hints(1), hints(1, ProblemType::regression)}) {
    const LabelScheme s = frost::infer_label_scheme(f, h);
    EXPECT_EQ(s.kind, Kind::regression);
    EXPECT_EQ(s.num_labels, 1);
    EXPECT_EQ(target(f, 0, s).targets, std::vector<double>{0.5});
    EXPECT_EQ(target(f, 1, s).targets, std::vector<double>{-3});
    EXPECT_EQ(target(f, 2, s).targets, std::vector<double>{100});
    EXPECT_EQ(target(f, 3, s).targets, std::vector<double>{4.25});
    EXPECT_EQ(s.problem_type(), ProblemType::regression);
  }
  const LabelScheme s = frost::infer_label_scheme(f, hints(1));
  for (const char* bad : {"nan", "inf", "-infinity", "1e400", "0x1p1", " 1", "one", "1,5"}) {
    const DataFile b = read("sentence\tlabel\nx\t" + std::string(bad) + "\n", DataFormat::tsv);
    EXPECT_ERROR(target(b, 0, s),
                 "data.tsv:2: column 2 (label): expected a finite number (regression), got '" + std::string(bad) + "'");
  }
  const DataFile two = jsonl("{\"sentence\": \"x\", \"label\": [1, 2]}");
  EXPECT_ERROR(target(two, 0, s), "data.jsonl:1: key 'label': expected one label (a number: regression), got 2");
}

TEST(Labels, MultiLabelMultiHot) {
  // JSON arrays: the sorted union of the labels.
  const DataFile f = jsonl(
      "{\"sentence\": \"a\", \"label\": [\"sports\", \"politics\"]}\n"
      "{\"sentence\": \"b\", \"label\": [\"tech\"]}\n"
      "{\"sentence\": \"c\", \"label\": \"sports\"}\n");
  const LabelScheme s = frost::infer_label_scheme(f, hints(2));
  EXPECT_EQ(s.kind, Kind::multi_label);
  EXPECT_EQ(s.names, (Strings{"politics", "sports", "tech"}));
  EXPECT_EQ(s.num_labels, 3);
  EXPECT_EQ(target(f, 0, s).targets, (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(target(f, 1, s).targets, (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(target(f, 2, s).targets, (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(s.problem_type(), ProblemType::multi_label_classification);
  // Any row with several labels (a separator) makes it multi-label; integer labels stay indices.
  const DataFile g = csv("sentence,labels\na,0|3\nb,1\n", {"", "", "labels", '|'});
  const LabelScheme gi = frost::infer_label_scheme(g, hints(4));
  EXPECT_EQ(gi.kind, Kind::multi_label);
  EXPECT_TRUE(gi.by_index);
  EXPECT_EQ(target(g, 0, gi).targets, (std::vector<double>{1, 0, 0, 1}));
  EXPECT_ERROR(target(g, 0, frost::infer_label_scheme(g, hints(2))),
               "data.csv:2: column 2 (labels): expected an integer class index in [0, 2), got 3 (out of range");
  // problem_type multi_label with one label per row.
  const DataFile one = csv("sentence,label\na,x\nb,y\n");
  const LabelScheme m = frost::infer_label_scheme(one, hints(2, ProblemType::multi_label_classification));
  EXPECT_EQ(m.kind, Kind::multi_label);
  EXPECT_EQ(target(one, 1, m).targets, (std::vector<double>{0, 1}));
  // problem_type single_label with a row of several labels.
  EXPECT_ERROR(frost::infer_label_scheme(g, hints(4, ProblemType::single_label_classification)),
               "data.csv:2: column 2 (labels): expected one label (problem_type single_label_classification), got 2 "
               "('0', '3')");
  // An unknown label in an evaluation file; unlabelled rows keep the target's size.
  const DataFile dev =
      read("{\"sentence\": \"x\", \"label\": [\"tech\", \"art\"]}\n", DataFormat::jsonl, {}, true, "dev.jsonl");
  EXPECT_ERROR(target(dev, 0, s),
               "dev.jsonl:1: key 'label': expected one of the 3 known labels ('politics', "
               "'sports', 'tech'), got 'art' (unknown label)");
  const DataFile pred = read("sentence\nx\n", DataFormat::csv, {}, false);
  EXPECT_EQ(target(pred, 0, s).targets, (std::vector<double>{0, 0, 0}));
  // [] is a multi-label row with none of the labels (most rows of a toxicity corpus), and an
  // error under a single-label scheme.
  const DataFile none = jsonl(
      "{\"sentence\": \"a\", \"label\": [\"toxic\"]}\n"
      "{\"sentence\": \"b\", \"label\": []}\n"
      "{\"sentence\": \"c\", \"label\": [\"insult\", \"toxic\"]}\n");
  const LabelScheme ns = frost::infer_label_scheme(none, hints(2));
  EXPECT_EQ(ns.kind, Kind::multi_label);
  EXPECT_EQ(ns.names, (Strings{"insult", "toxic"}));
  EXPECT_EQ(target(none, 1, ns).targets, (std::vector<double>{0, 0}));
  EXPECT_EQ(target(none, 2, ns).targets, (std::vector<double>{1, 1}));
  LabelScheme single = ns;
  single.kind = Kind::named;
  EXPECT_ERROR(target(none, 1, single),
               "data.jsonl:2: key 'label': expected a label, got an empty list (only multi-label data may have rows "
               "without labels)");
}

TEST(Labels, ConfigId2LabelNames) {
  const Strings names{"negative", "positive"};
  const DataFile f = csv("sentence,label\na,positive\nb,negative\n");
  const LabelScheme s = frost::infer_label_scheme(f, hints(2, ProblemType::infer, names));
  EXPECT_EQ(s.kind, Kind::named);
  EXPECT_EQ(s.names, names);  // the config's order, not sorted
  EXPECT_EQ(target(f, 0, s).label, 1);
  const DataFile bad = csv("sentence,label\na,positive\nb,neutral\n");
  EXPECT_ERROR(frost::infer_label_scheme(bad, hints(2, ProblemType::infer, names)),
               "<no error>");  // chosen from the config; the row is checked when applied
  EXPECT_ERROR(target(bad, 1, frost::infer_label_scheme(bad, hints(2, ProblemType::infer, names))),
               "data.csv:3: column 2 (label): expected one of the 2 known labels ('negative', 'positive'), got "
               "'neutral' (unknown label)");
  // A file of integer labels keeps class indices (and the names for config.json).
  const DataFile ints = csv("sentence,label\na,1\nb,0\n");
  const LabelScheme i = frost::infer_label_scheme(ints, hints(2, ProblemType::infer, names));
  EXPECT_EQ(i.kind, Kind::class_index);
  EXPECT_EQ(frost::label_names(i), names);
  EXPECT_EQ(target(ints, 0, i).label, 1);
  // HF's default names (LABEL_i) or names not num_labels many are no names.
  const DataFile zeta = csv("sentence,label\na,zeta\nb,alpha\n");
  const LabelScheme d = frost::infer_label_scheme(zeta, hints(2, ProblemType::infer, {"LABEL_0", "LABEL_1"}));
  EXPECT_EQ(d.names, (Strings{"alpha", "zeta"}));
  EXPECT_TRUE(frost::is_default_label_names({"LABEL_0", "LABEL_1"}));
  EXPECT_FALSE(frost::is_default_label_names({"LABEL_1", "LABEL_0"}));
  const LabelScheme w = frost::infer_label_scheme(ints, hints(3, ProblemType::infer, names));
  EXPECT_EQ(w.kind, Kind::class_index);
  EXPECT_TRUE(w.names.empty());
  // Names with multi-label.
  const DataFile ml = jsonl("{\"sentence\": \"a\", \"label\": [\"positive\", \"negative\"]}");
  const LabelScheme m = frost::infer_label_scheme(ml, hints(2, ProblemType::infer, names));
  EXPECT_EQ(m.kind, Kind::multi_label);
  EXPECT_FALSE(m.by_index);
  EXPECT_EQ(target(ml, 0, m).targets, (std::vector<double>{1, 1}));
}

TEST(Labels, FixedSchemeOfATrainedModel) {
  // label_scheme_for never builds a new class list: string labels without config names are errors.
  const DataFile words = tsv("sentence\tlabel\ngood\tpositive\n");
  const LabelScheme s = frost::label_scheme_for(words, hints(3, ProblemType::single_label_classification, {}, true));
  EXPECT_EQ(s.kind, Kind::class_index);
  EXPECT_ERROR(target(words, 0, s),
               "data.tsv:2: column 2 (label): expected an integer class index in [0, 3), got 'positive'");
  const LabelScheme n = frost::label_scheme_for(words, hints(2, ProblemType::infer, {"negative", "positive"}));
  EXPECT_EQ(n.kind, Kind::named);
  EXPECT_EQ(target(words, 0, n).label, 1);
  EXPECT_EQ(frost::label_scheme_for(words, hints(1)).kind, Kind::regression);
  const LabelScheme m = frost::label_scheme_for(words, hints(4, ProblemType::multi_label_classification));
  EXPECT_EQ(m.kind, Kind::multi_label);
  EXPECT_TRUE(m.by_index);
  // A file without labels (predict).
  const DataFile pred = read("sentence\nx\n", DataFormat::tsv, {}, false);
  EXPECT_EQ(frost::label_scheme_for(pred, hints(3)).kind, Kind::class_index);
  EXPECT_EQ(target(pred, 0, frost::label_scheme_for(pred, hints(1))).targets, std::vector<double>{0});
  EXPECT_ERROR(frost::infer_label_scheme(pred, hints(2)),
               "data.tsv: expected a label column 'label' in a training file, got none");
}

// ---- tokenizing: load_dataset, tokenize_file, load_tsv, read_tsv ------------------------------

const frost::text::WordPieceTokenizer& tokenizer() {
  static const auto tok = frost::text::WordPieceTokenizer::from_string(
      "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ngood\nbad\nfilm\nthe\nwas\n", "vocab.txt");
  return tok;
}

struct TempDir {
  fs::path dir;
  TempDir()
      : dir(fs::temp_directory_path() /
            ("frost_data_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() { fs::remove_all(dir); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(dir / name, std::ios::binary) << text;
    return (dir / name).string();
  }
};

/// DatasetOptions with the fields `set` assigns (designated initializers that skip fields trip
/// g++ 12's -Wmissing-field-initializers).
template <class F>
frost::text::DatasetOptions options(F set) {
  frost::text::DatasetOptions o;
  set(o);
  return o;
}

TEST(LoadDataset, TrainAndEvalShareTheScheme) {
  TempDir t;
  const std::string train = t.write("train.csv", "sentence,label\n\"good film\",pos\nbad,neg\n\"the, film\",pos\n");
  const std::string dev = t.write("dev.jsonl", "{\"sentence\": \"good\", \"label\": \"neg\"}\n");
  const auto tr = frost::text::load_dataset(train, tokenizer(), options([](auto& o) { o.max_length = 16; }));
  ASSERT_EQ(tr.examples.size(), 3u);
  EXPECT_EQ(tr.examples[0].input_ids, (std::vector<int>{2, 5, 7, 3}));
  EXPECT_EQ(tr.examples[0].label, 1);
  EXPECT_EQ(tr.examples[1].label, 0);
  EXPECT_EQ(tr.examples[2].input_ids, (std::vector<int>{2, 8, 1, 7, 3}));  // ',' is [UNK] here
  EXPECT_EQ(tr.labels.names, (Strings{"neg", "pos"}));
  EXPECT_EQ(tr.file.format, DataFormat::csv);
  EXPECT_TRUE(tr.file.rows.empty());
  const auto ev = frost::text::load_dataset(dev, tokenizer(), options([&](auto& o) { o.labels = tr.labels; }));
  ASSERT_EQ(ev.examples.size(), 1u);
  EXPECT_EQ(ev.examples[0].label, 0);
  const std::string bad = t.write("bad.tsv", "sentence\tlabel\ngood\tneutral\n");
  EXPECT_ERROR(frost::text::load_dataset(bad, tokenizer(), options([&](auto& o) { o.labels = tr.labels; })),
               "bad.tsv:2: column 2 (label): expected one of the 2 known labels ('neg', 'pos'), got 'neutral'");
  // Pairs: token types; an explicit format overrides the extension.
  const std::string pairs =
      t.write("pairs.txt", "{\"sentence1\": \"good\", \"sentence2\": \"bad film\", \"label\": 1}");
  const auto p = frost::text::load_dataset(pairs, tokenizer(), options([](auto& o) {
                                             o.format = "jsonl";
                                             o.hints.num_labels = 2;
                                           }));
  EXPECT_EQ(p.examples[0].input_ids, (std::vector<int>{2, 5, 3, 6, 7, 3}));
  EXPECT_EQ(p.examples[0].token_type_ids, (std::vector<int>{0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(p.examples[0].label, 1);
  EXPECT_ERROR(frost::text::load_dataset(pairs, tokenizer()), "pairs.txt: data format: expected a .tsv");
  // Multi-label and regression targets reach the examples.
  const std::string ml = t.write("ml.jsonl",
                                 "{\"sentence\": \"good\", \"label\": [\"b\", \"a\"]}\n"
                                 "{\"sentence\": \"bad\", \"label\": [\"c\"]}\n");
  EXPECT_EQ(frost::text::load_dataset(ml, tokenizer()).examples[0].targets, (std::vector<double>{1, 1, 0}));
  const std::string reg = t.write("reg.csv", "sentence,label\ngood,0.75\n");
  EXPECT_EQ(
      frost::text::load_dataset(reg, tokenizer(), options([](auto& o) { o.hints.num_labels = 1; })).examples[0].targets,
      std::vector<double>{0.75});
  EXPECT_ERROR(frost::text::load_dataset(t.dir.string() + "/none.csv", tokenizer()), "none.csv: cannot open data file");
}

TEST(LoadDataset, InvalidUtf8NamesTheColumn) {
  TempDir t;
  const std::string a = t.write("a.tsv", "sentence1\tsentence2\tlabel\ngood\tbad\t1\nbad \xFF\tgood\t0\n");
  EXPECT_ERROR(frost::text::load_dataset(a, tokenizer()), "a.tsv:3: column 1 (sentence1): ");
  const std::string b = t.write("b.tsv", "sentence1\tsentence2\tlabel\ngood\tbad \xC3\t1\n");
  EXPECT_ERROR(frost::text::load_dataset(b, tokenizer()), "b.tsv:2: column 2 (sentence2): ");
  EXPECT_ERROR(frost::text::load_dataset(b, tokenizer()), "invalid UTF-8");
}

TEST(LoadDataset, LoadTsvAndReadTsvKeepTheirBehaviour) {
  TempDir t;
  const std::string f = t.write("train.tsv", "sentence\tlabel\ngood film\t1\nbad\t0\n");
  const frost::Dataset ds = frost::text::load_tsv(f, tokenizer(), {.max_length = 3, .num_labels = 2});
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].input_ids, (std::vector<int>{2, 5, 3}));  // truncated
  EXPECT_EQ(ds[0].label, 1);
  const std::string words = t.write("w.tsv", "sentence\tlabel\ngood\tpos\nbad\tneg\n");
  EXPECT_ERROR(frost::text::load_tsv(words, tokenizer(), {.num_labels = 2}),
               "w.tsv:2: column 2 (label): expected an integer class index in [0, 2), got 'pos'");
  const frost::Dataset r =
      frost::text::load_tsv(t.write("r.tsv", "sentence\tlabel\ngood\t-0.5\n"), tokenizer(), {.num_labels = 1});
  EXPECT_EQ(r[0].targets, std::vector<double>{-0.5});
  std::istringstream in("sentence1\tsentence2\tlabel\nx\ty\t2\n");
  const frost::TsvFile tf = frost::read_tsv(in, "p.tsv", true, 3);
  EXPECT_TRUE(tf.pairs);
  EXPECT_TRUE(tf.rows[0].has_label);
  EXPECT_EQ(tf.rows[0].label, 2.0);
  EXPECT_EQ(tf.rows[0].line, 2);
  std::istringstream in2("sentence\tlabel\nx\t3\n");
  EXPECT_ERROR(frost::read_tsv(in2, "p.tsv", true, 3), "p.tsv:2: column 2 (label): expected an integer class index");
  const frost::Dataset old = frost::text::tokenize_file(tf, tokenizer(), 8, false, "p.tsv");
  EXPECT_EQ(old[0].label, 2);
}

// The data-row cases of tests/cli/malformed_cli.sh, through the reader the CLI's read_data uses
// (read_data_file + label_scheme_for with the model's num_labels, forced): the same fragments.
TEST(LoadDataset, MalformedCliFragments) {
  const auto cli = [](const std::string& name, const std::string& text, int num_labels, bool label_required = true) {
    std::istringstream in(text);
    const DataFile f = frost::read_data_file(in, name, DataFormat::tsv, {}, label_required);
    LabelHints h;
    h.num_labels = num_labels;
    h.num_labels_forced = true;
    h.problem_type = num_labels == 1 ? ProblemType::regression : ProblemType::single_label_classification;
    return frost::text::tokenize_file(f, tokenizer(), 16, frost::label_scheme_for(f, h));
  };
  EXPECT_ERROR(cli("cols.tsv", "sentence\tlabel\ngood\t1\nthis line has no label\n", 3),
               "cols.tsv:3: expected 2 tab-separated columns, got 1");
  EXPECT_ERROR(cli("label_nan.tsv", "sentence\tlabel\ngood\tnan\n", 3),
               "label_nan.tsv:2: column 2 (label): expected an integer class index in [0, 3), got 'nan'");
  EXPECT_ERROR(cli("label_range.tsv", "sentence\tlabel\ngood\t7\n", 3), "label_range.tsv:2: column 2 (label)");
  EXPECT_ERROR(cli("label_frac.tsv", "sentence\tlabel\ngood\t1.5\n", 3), "label_frac.tsv:2: column 2 (label)");
  EXPECT_ERROR(cli("label_frac.tsv", "sentence\tlabel\ngood\t1.5\n", 3), "(not an integer)");
  EXPECT_ERROR(cli("label_word.tsv", "sentence\tlabel\ngood\tpositive\n", 3), "label_word.tsv:2: column 2 (label)");
  EXPECT_ERROR(cli("label_nan.tsv", "sentence\tlabel\ngood\tnan\n", 1),
               "label_nan.tsv:2: column 2 (label): expected a finite number");
  EXPECT_ERROR(cli("empty_sentence.tsv", "sentence\tlabel\n\t1\n", 3), "empty_sentence.tsv:2: column 1 (sentence)");
  EXPECT_ERROR(cli("header.tsv", "text\tlabel\ngood\t1\n", 3), "header.tsv:1: header must be");
  EXPECT_ERROR(cli("empty.tsv", "", 3), "empty.tsv: empty file");
  EXPECT_ERROR(cli("header_only.tsv", "sentence\tlabel\n", 3), "header_only.tsv: no data rows");
  EXPECT_ERROR(cli("utf8.tsv", "sentence\tlabel\nbad utf8 \xFF here\t1\n", 3), "utf8.tsv:2: ");
  EXPECT_ERROR(cli("pairs_cols.tsv", "sentence1\tsentence2\tlabel\nthe room\t2\n", 3),
               "pairs_cols.tsv:2: expected 3 tab-separated columns, got 2");
  // The inputs that must keep working: BOM + CRLF + no final newline, trailing blank lines,
  // predict with BOM, CRLF and no label column.
  EXPECT_EQ(cli("bom_crlf.tsv", "\xEF\xBB\xBFsentence\tlabel\r\ngood\t1\r\nbad\t0", 3).size(), 2u);
  EXPECT_EQ(cli("crlf_blank.tsv", "sentence\tlabel\r\ngood\t1\r\nbad\t0\r\n\r\n\r\n", 3).size(), 2u);
  EXPECT_EQ(cli("predict_bom.tsv", "\xEF\xBB\xBFsentence\r\ngood food\r\nawful\r\n", 3, false).size(), 2u);
}

}  // namespace
