#!/usr/bin/env python3
"""A model fine-tuned and saved by frost loads in Hugging Face transformers and reproduces frost's
predictions.

    /usr/bin/python3 tools/check_hf_roundtrip.py MODEL_DIR PREDICTIONS_TSV DATA_TSV

MODEL_DIR is `frost train --output`; PREDICTIONS_TSV is `frost predict --model MODEL_DIR --data
DATA_TSV` output (index, label, p_<label>...). The script loads MODEL_DIR with
BertForSequenceClassification.from_pretrained (eager attention, eval mode) and BertTokenizer, runs
the same sentences, and checks every class probability within 1e-4 and the predicted labels.
Exit status 0 on success.
"""
import csv, sys

import torch
from transformers import BertForSequenceClassification, BertTokenizer


def main():
    model_dir, pred_path, data_path = sys.argv[1:4]
    model = BertForSequenceClassification.from_pretrained(model_dir, attn_implementation="eager").eval()
    tok = BertTokenizer.from_pretrained(model_dir)
    rows = list(csv.reader(open(data_path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    header, rows = rows[0], [r for r in rows[1:] if r]
    pairs = header[0] == "sentence1"
    preds = list(csv.reader(open(pred_path, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    pheader, preds = preds[0], preds[1:]
    assert len(preds) == len(rows), (len(preds), len(rows))
    worst = 0.0
    mismatched = 0
    with torch.no_grad():
        for r, p in zip(rows, preds):
            enc = tok(r[0], r[1], truncation=True, max_length=128, return_tensors="pt") if pairs else \
                tok(r[0], truncation=True, max_length=128, return_tensors="pt")
            probs = torch.softmax(model(**enc).logits[0], dim=-1)
            got = [float(x) for x in p[2:]]
            worst = max(worst, max(abs(a - b) for a, b in zip(probs.tolist(), got)))
            label = model.config.id2label[int(probs.argmax())]
            mismatched += label != p[1]
    print(f"transformers reloaded {model_dir}: {len(rows)} examples, max |p_frost - p_hf| = {worst:.3g}, "
          f"label mismatches = {mismatched}")
    sys.exit(0 if worst <= 1e-4 and mismatched == 0 else 1)


if __name__ == "__main__":
    main()
