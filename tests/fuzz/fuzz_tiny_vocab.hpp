// tests/fuzz/fuzz_tiny_vocab.hpp: the 50-token vocabulary (the size of tests/fixtures/tiny's
// vocab_size) that the data-file fuzz targets tokenize with, as load_dataset / load_tsv do.
#pragma once

#include <frost/text/wordpiece.hpp>
#include <string_view>

namespace frost_fuzz {

inline constexpr std::string_view kTinyVocab =
    "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n"
    "a\nb\nc\nd\ne\nf\ng\nh\ni\nl\nm\nn\no\nr\ns\nt\nu\nw\ny\n"
    "the\nfilm\ngood\nbad\nnot\nis\nit\nwas\nfun\nmovie\n"
    "##s\n##ing\n##ed\n##ly\n##er\n##e\n##a\n"
    ".\n,\n!\n?\n'\n-\n\xC3\xA9\n\xE4\xB8\xAD\n0\n";

inline const frost::text::WordPieceTokenizer& tiny_tokenizer() {
  static const auto tok = frost::text::WordPieceTokenizer::from_string(kTinyVocab, "fuzz/tiny_vocab.txt");
  return tok;
}

}  // namespace frost_fuzz
