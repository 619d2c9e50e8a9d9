#!/usr/bin/env python3
"""Writes tests/fixtures/data/: CSV and JSON Lines data files and, beside each, what Python reads
from it (<name>.expected.json), for tests/test_data_file.cpp to compare frost's readers against.

CSV files are written with the csv module (the way pandas' and datasets' to_csv quote: commas,
quotes and newlines inside quoted fields, "" for a quote) and read back with csv.reader (strict);
JSON Lines files with json.dumps and read back with json.loads. Each expected file holds the
columns to select and, per data row, its first line (1-based, blank lines skipped as frost
skips them), its texts and its label. Standard library only:

    python3 tools/gen_data_fixtures.py [OUT_DIR]   (default: tests/fixtures/data)
"""
import csv
import io
import json
import os
import sys

TEXTS = [
    "plain text",
    "a, comma",
    'say "hi"',
    '"quoted at both ends"',
    "line one\nline two",
    "crlf one\r\ncrlf two",
    "trailing newline\n",
    " spaces around ",
    "caf\u00e9 \u4e2d\u6587 \U0001F600",
    "tab\tinside",
    "semi;colon|pipe",
    "'single' quotes",
    "ends with a quote\"",
    "many\n\n\nblank lines inside",
]


def csv_text(rows, header, lineterminator, quoting, bom=False, final_newline=True, blank_after=()):
    """Rows written by csv.writer, optionally with blank lines after the given row numbers."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator=lineterminator, quoting=quoting)
    w.writerow(header)
    for i, r in enumerate(rows):
        w.writerow(r)
        if i in blank_after:
            buf.write(lineterminator)
    text = buf.getvalue()
    if not final_newline:
        text = text[: -len(lineterminator)]
    return ("\ufeff" if bom else "") + text


def read_csv_expected(text, text_col, pair_col, label_col):
    """What csv.reader reads: each non-blank record's first line and its selected fields."""
    r = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), strict=True)
    header = next(r)
    rows = []
    prev = r.line_num
    for rec in r:
        start = prev + 1
        prev = r.line_num
        if not rec:  # a blank line
            continue
        assert len(rec) == len(header), rec
        d = dict(zip(header, rec))
        rows.append(
            {
                "line": start,
                "text_a": d[text_col],
                "text_b": d[pair_col] if pair_col else "",
                "labels": [d[label_col]],
            }
        )
    return rows


def write(out, name, text, expected):
    with open(os.path.join(out, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)
    with open(os.path.join(out, name + ".expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=True, indent=1)
        f.write("\n")


def csv_cases(out):
    pairs = []
    for i, t in enumerate(TEXTS):
        pairs.append([str(i), t, TEXTS[(i + 3) % len(TEXTS)], ["neg", "pos", "a,b", 'x"y'][i % 4]])
    header = ["idx", "sentence1", "sentence2", "label"]
    cases = [
        # name, kwargs for csv_text
        ("minimal_crlf.csv", dict(lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)),
        ("minimal_lf.csv", dict(lineterminator="\n", quoting=csv.QUOTE_MINIMAL)),
        ("all_lf_bom_no_final_newline.csv",
         dict(lineterminator="\n", quoting=csv.QUOTE_ALL, bom=True, final_newline=False)),
        ("nonnumeric_crlf_blank_lines.csv",
         dict(lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC, blank_after=(0, 5, 6))),
    ]
    for name, kw in cases:
        text = csv_text(pairs, header, **kw)
        expected = {
            "columns": {"text": "sentence1", "text_pair": "sentence2", "label": "label"},
            "rows": read_csv_expected(text, "sentence1", "sentence2", "label"),
        }
        write(out, name, text, expected)
    # pandas' to_csv with its index: an empty first column name; single sentences.
    single = [[str(i), t, str(i % 3)] for i, t in enumerate(TEXTS)]
    text = csv_text(single, ["", "sentence", "label"], lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    write(out, "pandas_index.csv", text,
          {"columns": {"text": "", "text_pair": "", "label": ""},
           "rows": read_csv_expected(text, "sentence", None, "label")})


def jsonl_cases(out):
    lines = []
    expected = []
    for i, t in enumerate(TEXTS):
        obj = {"idx": i, "premise": t, "hypothesis": TEXTS[-1 - i], "gold": ["entailment", "neutral", 2, -1][i % 4]}
        lines.append(json.dumps(obj, ensure_ascii=(i % 2 == 0)))
        if i == 4:
            lines.append("")  # a blank line
        label = obj["gold"]
        expected.append({"text_a": t, "text_b": TEXTS[-1 - i],
                         "labels": [label if isinstance(label, str) else str(label)]})
    text = "\r\n".join(lines)  # CRLF, no final newline
    line = 0
    for i, raw in enumerate(text.split("\n")):
        if raw.strip():
            expected[line]["line"] = i + 1
            line += 1
    for e, raw in zip(expected, [l for l in lines if l]):
        assert json.loads(raw)["premise"] == e["text_a"]
    write(out, "escapes_crlf.jsonl", text,
          {"columns": {"text": "premise", "text_pair": "hypothesis", "label": "gold"}, "rows": expected})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "data")
    os.makedirs(out, exist_ok=True)
    csv_cases(out)
    jsonl_cases(out)


if __name__ == "__main__":
    main()
