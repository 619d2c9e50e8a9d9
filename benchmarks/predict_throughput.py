#!/usr/bin/env python3
"""Inference throughput of a BertForSequenceClassification directory in PyTorch eager and ONNX
Runtime, on the batches `frost predict` forms (file order, --batch-size, padding to the longest
example of each batch, truncation at --max-len), for benchmarks/predict_throughput.sh.

  python3 predict_throughput.py MODEL_DIR DATA.csv|tsv --frost-predictions P.tsv [--threads 2]
         [--batch 32] [--max-len 128] [--repeats 3] [--workdir DIR]

Prints one JSON object: per framework the median over --repeats of examples/s in the model
(tokenization excluded, as for frost's model_examples_per_second) and the largest probability
difference from frost's predictions (P.tsv: `frost predict` output) so that a fast wrong answer
cannot pass unnoticed.
  torch-eager   transformers' default attention (SDPA) under torch.inference_mode()
  ort           the model exported by torch.onnx.export (opset 17), ORT_ENABLE_ALL
  ort-bert      the same after onnxruntime.transformers' BERT optimizer (fused attention,
                LayerNorm, GELU): ONNX Runtime's recommended path for BERT
"""
import argparse
import csv
import json
import os
import statistics
import time

import numpy as np
import torch
from transformers import AutoTokenizer, BertForSequenceClassification


def read_texts(path):
    delim = "\t" if path.endswith(".tsv") else ","
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter=delim))
    return [r["sentence"] for r in rows]


def frost_probs(path):
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        cols = [i for i, h in enumerate(header) if h.startswith("p_")]
        return np.array([[float(line.rstrip("\n").split("\t")[i]) for i in cols] for line in f])


def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def timed(run, batches, repeats, n):
    run(batches[0])  # warm-up (allocations, ORT's first-run planning)
    rates, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = [run(b) for b in batches]
        rates.append(n / (time.perf_counter() - t0))
    return statistics.median(rates), np.concatenate(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("data")
    ap.add_argument("--frost-predictions", required=True)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workdir", default="out/bench/predict")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    os.makedirs(a.workdir, exist_ok=True)
    texts = read_texts(a.data)
    n = len(texts)
    tok = AutoTokenizer.from_pretrained(a.model_dir)
    batches = [tok(texts[i:i + a.batch], padding="longest", truncation=True, max_length=a.max_len, return_tensors="np")
               for i in range(0, n, a.batch)]
    batches = [{k: b[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")} for b in batches]
    tokens = sum(int(b["input_ids"].size) for b in batches)
    want = frost_probs(a.frost_predictions)
    result = {"examples": n, "batch_size": a.batch, "padded_tokens": tokens, "threads": a.threads,
              "torch": torch.__version__}

    model = BertForSequenceClassification.from_pretrained(a.model_dir).eval()

    def torch_run(b):
        with torch.inference_mode():
            return model(**{k: torch.from_numpy(v) for k, v in b.items()}).logits.numpy()

    rate, logits = timed(torch_run, batches, a.repeats, n)
    result["torch-eager"] = {"examples_per_second": rate,
                             "max_prob_diff_vs_frost": float(np.abs(softmax(logits) - want).max())}

    import onnxruntime as ort
    result["onnxruntime"] = ort.__version__
    onnx_path = os.path.join(a.workdir, os.path.basename(os.path.normpath(a.model_dir)) + ".onnx")
    b0 = batches[0]
    axes = {"input_ids": {0: "batch", 1: "seq"}, "attention_mask": {0: "batch", 1: "seq"},
            "token_type_ids": {0: "batch", 1: "seq"}, "logits": {0: "batch"}}
    eager = BertForSequenceClassification.from_pretrained(a.model_dir, attn_implementation="eager").eval()
    with torch.no_grad():
        torch.onnx.export(eager, ({k: torch.from_numpy(v) for k, v in b0.items()},), onnx_path,
                          input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["logits"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)
    variants = {"ort": onnx_path}
    try:
        from onnxruntime.transformers import optimizer
        cfg = eager.config
        opt = optimizer.optimize_model(onnx_path, model_type="bert", num_heads=cfg.num_attention_heads,
                                       hidden_size=cfg.hidden_size)
        opt_path = onnx_path.replace(".onnx", ".bert-opt.onnx")
        opt.save_model_to_file(opt_path)
        variants["ort-bert"] = opt_path
    except Exception as e:  # the plain export still gives a number
        result["ort-bert"] = {"error": str(e)}
    for name, path in variants.items():
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        names = {i.name for i in sess.get_inputs()}

        def ort_run(b, sess=sess, names=names):
            return sess.run(["logits"], {k: v for k, v in b.items() if k in names})[0]

        rate, logits = timed(ort_run, batches, a.repeats, n)
        result[name] = {"examples_per_second": rate,
                        "max_prob_diff_vs_frost": float(np.abs(softmax(logits) - want).max())}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
