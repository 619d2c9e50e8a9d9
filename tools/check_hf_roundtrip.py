#!/usr/bin/env python3
"""A model fine-tuned and saved by frost loads in Hugging Face transformers and reproduces frost's
predictions.

    /usr/bin/python3 tools/check_hf_roundtrip.py MODEL_DIR PREDICTIONS_TSV DATA_FILE
        [--text-column NAME] [--labels NAME,NAME,...]

MODEL_DIR is `frost train --output`; PREDICTIONS_TSV is `frost predict --model MODEL_DIR --data
DATA_FILE` output (index, label, p_<label>...); DATA_FILE a .tsv or .csv with a header (text in
`sentence`, or `sentence1` and `sentence2`, or --text-column). The script loads MODEL_DIR with
BertForSequenceClassification.from_pretrained (eager attention, eval mode) and its tokenizer with
AutoTokenizer, both classes (BertTokenizer from vocab.txt, BertTokenizerFast from tokenizer.json),
which must agree on every text; runs the same texts and checks every class probability within 1e-4
and the predicted label names. With --labels, config.json's id2label must be exactly those names
(string labels written by frost). Exit status 0 on success.

With --adapter DIR (a LoRA run of `frost train --lora-r ...`), MODEL_DIR is the base model and DIR
frost's PEFT adapter directory: the base is loaded with the adapter classifier's label count,
`peft.PeftModel.from_pretrained(base, DIR)` must load every adapter tensor with no missing or
unexpected key, and the predictions (`frost predict --model MODEL_DIR --adapter DIR`) must match.
"""
import argparse
import csv
import sys

import torch
from transformers import AutoTokenizer, BertForSequenceClassification


def read_rows(path, text_column):
    delim = "," if path.endswith(".csv") else "\t"
    quoting = csv.QUOTE_MINIMAL if path.endswith(".csv") else csv.QUOTE_NONE
    rows = list(csv.reader(open(path, encoding="utf-8", newline=""), delimiter=delim, quoting=quoting))
    header, rows = rows[0], [r for r in rows[1:] if r]
    if text_column:
        return [(r[header.index(text_column)], None) for r in rows]
    if "sentence1" in header:
        a, b = header.index("sentence1"), header.index("sentence2")
        return [(r[a], r[b]) for r in rows]
    a = header.index("sentence")
    return [(r[a], None) for r in rows]


def load_with_adapter(base_dir, adapter_dir):
    """The base model + frost's LoRA adapter through PEFT; fails on a missing or unexpected key."""
    import json
    import os

    from peft import PeftConfig, PeftModel, get_peft_model, set_peft_model_state_dict
    from peft.utils import load_peft_weights
    from safetensors.numpy import load_file

    cls = load_file(os.path.join(adapter_dir, "adapter_model.safetensors"))["base_model.model.classifier.weight"]
    kw = dict(num_labels=cls.shape[0], attn_implementation="eager")
    cfg_path = os.path.join(adapter_dir, "config.json")
    if os.path.exists(cfg_path):
        id2label = json.load(open(cfg_path)).get("id2label")
        if id2label:
            kw["id2label"] = {int(k): v for k, v in id2label.items()}
            kw["label2id"] = {v: int(k) for k, v in id2label.items()}
    # Every key: load the weights into a fresh PEFT model and look at what was left out.
    probe = get_peft_model(BertForSequenceClassification.from_pretrained(base_dir, **kw),
                           PeftConfig.from_pretrained(adapter_dir))
    res = set_peft_model_state_dict(probe, load_peft_weights(adapter_dir))
    missing = [k for k in res.missing_keys if "lora_" in k or "modules_to_save" in k]
    if missing or res.unexpected_keys:
        print(f"PEFT: missing adapter keys {missing[:5]}, unexpected keys {res.unexpected_keys[:5]}")
        sys.exit(1)
    # The user's path.
    base = BertForSequenceClassification.from_pretrained(base_dir, **kw)
    model = PeftModel.from_pretrained(base, adapter_dir).eval()
    model.config = base.config
    print(f"PEFT loaded {adapter_dir}: {len(load_peft_weights(adapter_dir))} tensors, none missing or unexpected")
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("predictions")
    ap.add_argument("data")
    ap.add_argument("--text-column", default="")
    ap.add_argument("--labels", default="")
    ap.add_argument("--adapter", default="")
    a = ap.parse_args()
    if a.adapter:
        model = load_with_adapter(a.model_dir, a.adapter)
        tok_dir = a.adapter
    else:
        model = BertForSequenceClassification.from_pretrained(a.model_dir, attn_implementation="eager").eval()
        tok_dir = a.model_dir
    slow = AutoTokenizer.from_pretrained(tok_dir, use_fast=False)
    fast = AutoTokenizer.from_pretrained(tok_dir, use_fast=True)
    assert type(slow).__name__ == "BertTokenizer" and type(fast).__name__ == "BertTokenizerFast", (slow, fast)
    if a.labels:
        want = a.labels.split(",")
        got = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if got != want:
            print(f"id2label: expected {want}, got {got}")
            sys.exit(1)
    rows = read_rows(a.data, a.text_column)
    preds = list(csv.reader(open(a.predictions, encoding="utf-8"), delimiter="\t", quoting=csv.QUOTE_NONE))
    preds = preds[1:]
    assert len(preds) == len(rows), (len(preds), len(rows))
    worst = 0.0
    mismatched = 0
    tok_mismatch = 0
    with torch.no_grad():
        for (t1, t2), p in zip(rows, preds):
            enc = slow(t1, t2, truncation=True, max_length=128, return_tensors="pt")
            tok_mismatch += fast(t1, t2, truncation=True, max_length=128)["input_ids"] != enc["input_ids"][0].tolist()
            probs = torch.softmax(model(**enc).logits[0], dim=-1)
            got = [float(x) for x in p[2:]]
            worst = max(worst, max(abs(x - y) for x, y in zip(probs.tolist(), got)))
            label = model.config.id2label[int(probs.argmax())]
            mismatched += label != p[1]
    print(f"transformers reloaded {a.model_dir}: {len(rows)} examples, max |p_frost - p_hf| = {worst:.3g}, "
          f"label mismatches = {mismatched}, slow/fast tokenizer mismatches = {tok_mismatch}, "
          f"id2label = {[model.config.id2label[i] for i in range(model.config.num_labels)]}")
    sys.exit(0 if worst <= 1e-4 and mismatched == 0 and tok_mismatch == 0 else 1)


if __name__ == "__main__":
    main()
