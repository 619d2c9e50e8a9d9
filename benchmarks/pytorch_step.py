#!/usr/bin/env python3
"""The PyTorch side of benchmarks/compare_pytorch.sh: one freeze policy per process (so that peak
RSS is that policy's), Hugging Face BertForSequenceClassification with eager attention, the same
shapes as `frost bench` (batch 8 x seq 128 of deterministic ids, fp32, random init, dropout 0.1
from the config, AdamW), 2 threads. Freezing is `requires_grad = False`, as in the seed recipes.

usage: pytorch_step.py GEOMETRY POLICY STEPS FORWARDS [PRECISION]
  GEOMETRY  bert-base | minilm
  POLICY    none | bert | bitfit | embeddings | embeddings,layers:0-K | lora-rR (PEFT LoRA r=R on
            query + value, alpha 2R, base frozen, classifier as modules_to_save)
  PRECISION fp32 (default) | bf16: forward and loss under torch.autocast("cpu", torch.bfloat16), as HF
            Trainer's --bf16 (benchmarks/bf16_step.sh)
Prints one JSON object: median ms of a training step and of an inference forward, peak RSS."""
import contextlib, json, resource, statistics, sys, time

import torch
from transformers import BertConfig, BertForSequenceClassification

GEOM = {"bert-base": dict(hidden_size=768, num_hidden_layers=12, num_attention_heads=12, intermediate_size=3072),
        "minilm": dict(hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536)}


def freeze(model, policy):
    if policy == "none":
        return model
    if policy.startswith("lora-r"):
        from peft import LoraConfig, TaskType, get_peft_model
        r = int(policy[len("lora-r"):])
        return get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_CLS, r=r, lora_alpha=2 * r,
                                                target_modules=["query", "value"]))
    if policy == "bert":  # seed recipe 1: for p in model.bert.parameters(): p.requires_grad = False
        for p in model.bert.parameters():
            p.requires_grad = False
    elif policy == "bitfit":
        for n, p in model.bert.named_parameters():
            p.requires_grad = n.endswith("bias")
    elif policy.startswith("embeddings"):  # seed recipe 2 (+ embeddings)
        model.bert.embeddings.requires_grad_(False)
        if "," in policy:
            k = int(policy.split("-")[-1])
            for p in model.bert.encoder.layer[:k].parameters():
                p.requires_grad = False
    else:
        raise SystemExit(f"unknown policy {policy}")


def main():
    geom, policy, steps, forwards = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    precision = sys.argv[5] if len(sys.argv) > 5 else "fp32"
    if precision not in ("fp32", "bf16"):
        raise SystemExit(f"unknown precision {precision}")

    def autocast():
        if precision == "bf16":
            return torch.autocast("cpu", dtype=torch.bfloat16)
        return contextlib.nullcontext()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    cfg = BertConfig(**GEOM[geom], num_labels=2, attn_implementation="eager")
    model = BertForSequenceClassification(cfg).train()
    model = freeze(model, policy) or model
    trainable = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(trainable, lr=1e-5)
    n = 8 * 128
    ids = torch.tensor([1000 + (i * 7919) % (cfg.vocab_size - 1000) for i in range(n)]).reshape(8, 128)
    labels = torch.ones(8, dtype=torch.long)
    step_ms = []
    for r in range(steps + 1):  # r == 0 warms up
        t0 = time.perf_counter()
        opt.zero_grad()
        with autocast():
            loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        opt.step()
        if r:
            step_ms.append((time.perf_counter() - t0) * 1000)
    model.eval()
    fwd_ms = []
    with torch.inference_mode():
        for r in range(forwards + 1):
            t0 = time.perf_counter()
            with autocast():
                model(input_ids=ids)
            if r:
                fwd_ms.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({
        "geometry": geom, "policy": policy, "torch": torch.__version__, "precision": precision,
        "blas": "MKL" if torch.backends.mkl.is_available() else "other",
        "threads": torch.get_num_threads(),
        "step_ms": step_ms, "step_ms_median": statistics.median(step_ms),
        "forward_ms": fwd_ms, "forward_ms_median": statistics.median(fwd_ms),
        "trainable_params": sum(p.numel() for p in trainable),
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
