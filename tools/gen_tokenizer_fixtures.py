#!/usr/bin/env python3
"""Generates tests/fixtures/tokenizer/: a varied corpus and what Hugging Face BertTokenizer
(the slow Python tokenizer, transformers 4.46.3) makes of it, uncased and cased.

    /usr/bin/python3 tools/gen_tokenizer_fixtures.py [--vocab models/all-MiniLM-L6-v2/vocab.txt]

Outputs (deterministic):
  vocab_uncased.txt   all-MiniLM-L6-v2's vocabulary (uncased, 30522 tokens)
  vocab_cased.txt     the same plus capitalised / accented forms of frequent words (for a cased run)
  corpus.txt          one test line per line (UTF-8)
  pairs.tsv           text_a<TAB>text_b
  expected.jsonl      per corpus line: tokens and ids for the uncased and the cased tokenizer
  pairs.jsonl         per pair and max_length in (16, 32, 128): input_ids, token_type_ids
"""
import argparse, json, os, shutil, sys

from transformers import BertTokenizer

HAND = r"""
Hello, world!
The quick brown fox jumps over the lazy dog.
Café au lait, naïve façade, Zoë's résumé and the coöperative.
Straße, STRASSE, Maß and the capital ẞ.
İstanbul, ıslak, İİİ and DİYARBAKIR.
Ελληνικά: ΟΔΟΣ, οδός, Σίσυφος.
Русский текст: Привет, как дела?
中文分词测试：我爱自然语言处理。
日本語のテキスト：ひらがな、カタカナ、漢字。
한국어 문장도 있습니다.
Emoji: 😀 😂 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️
Punctuation runs?!?! ... --- !!! ??? ;;; ***
«Guillemets» and „German quotes“ and “curly” ‘single’ quotes.
Numbers 3.14159, 1,000,000 and -42 and 1e-9.
Dates: 2026-11-26, 26/11/2026, Nov. 26th.
URL https://example.com/path?query=1&x=y#frag and email someone@example.org
Code: for (int i = 0; i < n; ++i) { sum += a[i]; }
Tabs	between	words	here.
Non-breaking spaces here and thin spaces and ideographic　space.
Zero​width​spaces and soft­hyphen and word‍joiner.
Combining marks: e\u0301 a\u0308 o\u0302 n\u0303.
Pneumonoultramicroscopicsilicovolcanoconiosis is long.
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
unbelievably unbelievable unbelief unaffable unbecoming
Repeated subwords: playing played player plays replay replaying.
[CLS] special tokens in text [SEP] stay [MASK] tokens [PAD] [UNK]
[cls] lowercase specials are not special
hello[SEP]world
Mixed CaSe WoRdS and ALL CAPS SENTENCE.
The Ångström unit, the Øresund bridge and Þórr.
Vietnamese: Tiếng Việt có dấu.
Arabic: مرحبا بالعالم
Hebrew: שלום עולם
Hindi: नमस्ते दुनिया
Thai: สวัสดีชาวโลก
Math: ∑ x² ≤ ∞, √2 ≈ 1.414, α+β=γ.
Currency: $100, €50, £20, ¥1000, ₹500.
Symbols: © ® ™ § ¶ † ‡ • … ‰
Fractions: ½ ¼ ¾ and superscripts ¹²³.
Ligatures: ﬁ ﬂ ﬀ and fullwidth ＡＢＣ１２３.
Roman numerals Ⅻ and circled ① ② ③.
   leading and trailing spaces   
a
I
.
!?
...
''
""
don't won't can't shouldn't y'all o'clock
e.g. i.e. etc. vs. Mr. Mrs. Dr.
C++ C# F# .NET node.js
#hashtag @mention $CASHTAG
😀😀😀😀😀😀😀😀😀😀
""".strip("\n").split("\n")

CONTROL = ["control\x01chars\x07here", "null\x00byte", "replacement\ufffdchar", "line\u2028separator and paragraph\u2029separator",
           "vertical\x0btab and form\x0cfeed", "next\x85line", "bidi\u202emarks\u202c", "", "   ", "\t\t"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", default="models/all-MiniLM-L6-v2/vocab.txt")
    ap.add_argument("--out", default="tests/fixtures/tokenizer")
    ap.add_argument("--sentences", default="data/sentiment/train.tsv")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    shutil.copyfile(a.vocab, os.path.join(a.out, "vocab_uncased.txt"))
    vocab = [l.rstrip("\n") for l in open(a.vocab, encoding="utf-8")]
    extra = []
    seen = set(vocab)
    for w in vocab[2000:4000]:
        if w.isalpha() and w.isascii():
            for f in (w.capitalize(), w.upper()):
                if f not in seen:
                    seen.add(f); extra.append(f)
    for f in ["Café", "Straße", "Zoë", "İstanbul", "Ελληνικά", "Ångström", "Øresund", "##É", "##Ö"]:
        if f not in seen:
            seen.add(f); extra.append(f)
    with open(os.path.join(a.out, "vocab_cased.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(vocab + extra) + "\n")

    import re
    hand = [re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), h) for h in HAND]
    rows = [l.rstrip("\n").split("\t") for l in open(a.sentences, encoding="utf-8")][1:]
    sentences = [r[0] for r in rows]
    corpus = hand + CONTROL + sentences[:240]
    assert len(corpus) >= 300, len(corpus)
    with open(os.path.join(a.out, "corpus.txt"), "w", encoding="utf-8", newline="\n") as f:
        for line in corpus:
            assert "\n" not in line and "\r" not in line
            f.write(line + "\n")
    # Re-read exactly as the C++ test will (split on \n only).
    corpus = open(os.path.join(a.out, "corpus.txt"), encoding="utf-8", newline="").read().split("\n")[:-1]

    unc = BertTokenizer(os.path.join(a.out, "vocab_uncased.txt"), do_lower_case=True)
    cas = BertTokenizer(os.path.join(a.out, "vocab_cased.txt"), do_lower_case=False)
    with open(os.path.join(a.out, "expected.jsonl"), "w", encoding="utf-8") as f:
        for line in corpus:
            rec = {"text": line}
            for name, tok in (("uncased", unc), ("cased", cas)):
                toks = tok.tokenize(line)
                rec[name] = {"tokens": toks, "ids": tok.convert_tokens_to_ids(toks)}
            f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")

    pairs = []
    for i in range(0, 120, 2):
        pairs.append((sentences[300 + i], sentences[301 + i]))
    pairs.append((sentences[0] + " " + sentences[1] + " " + sentences[2], "short"))
    pairs.append(("short", sentences[3] + " " + sentences[4] + " " + sentences[5]))
    pairs.append((sentences[6], sentences[6]))
    with open(os.path.join(a.out, "pairs.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for x, y in pairs:
            f.write(x + "\t" + y + "\n")
    with open(os.path.join(a.out, "pairs.jsonl"), "w", encoding="utf-8") as f:
        for x, y in pairs:
            for L in (16, 32, 128):
                e = unc(x, y, max_length=L, truncation="longest_first")
                f.write(json.dumps({"a": x, "b": y, "max_length": L, "input_ids": e["input_ids"],
                                    "token_type_ids": e["token_type_ids"]}, ensure_ascii=False) + "\n")
            e = unc(x, max_length=16, truncation=True)
            f.write(json.dumps({"a": x, "b": None, "max_length": 16, "input_ids": e["input_ids"],
                                "token_type_ids": e["token_type_ids"]}, ensure_ascii=False) + "\n")
    print(f"corpus {len(corpus)} lines, {len(pairs)} pairs, cased vocab +{len(extra)} tokens")


if __name__ == "__main__":
    main()
