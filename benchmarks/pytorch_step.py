#!/usr/bin/env python3
"""Times Hugging Face BertForSequenceClassification training steps (forward + backward + AdamW)
per freeze policy, the PyTorch side of benchmarks/compare_pytorch.sh. Same shapes as
bench_frost: batch 8 x seq 128, fp32, random init, dropout from the config (0.1), 2 threads.
Prints JSON: {name: {"ms": median ms per step, "peak_rss_mib": ...}}."""
import json, resource, statistics, sys, time

import torch
from transformers import BertConfig, BertForSequenceClassification

torch.set_num_threads(2)
GEOM = {"bert_base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
        "minilm": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)}


def freeze(model, policy, layers):
    if policy == "none":
        return
    if policy == "body":
        for p in model.bert.parameters():
            p.requires_grad = False
    elif policy.startswith("emb_layers"):
        model.bert.embeddings.requires_grad_(False)
        for p in model.bert.encoder.layer[: int(policy[len("emb_layers"):])].parameters():
            p.requires_grad = False
    elif policy == "bitfit":
        for n, p in model.bert.named_parameters():
            p.requires_grad = n.endswith("bias")


def run(geom, policy, reps):
    torch.manual_seed(0)
    cfg = BertConfig(**GEOM[geom], num_labels=2, attn_implementation="eager")
    model = BertForSequenceClassification(cfg).train()
    freeze(model, policy, cfg.num_hidden_layers)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    ids = torch.randint(1000, cfg.vocab_size, (8, 128))
    labels = torch.ones(8, dtype=torch.long)
    times = []
    for r in range(reps + 1):
        t0 = time.perf_counter()
        opt.zero_grad()
        model(input_ids=ids, labels=labels).loss.backward()
        opt.step()
        if r:
            times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    which = sys.argv[1:]  # entries geom:policy:reps
    out = {}
    for w in which:
        geom, policy, reps = w.split(":")
        out[f"{geom}_{policy}"] = {"ms": run(geom, policy, int(reps))}
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
