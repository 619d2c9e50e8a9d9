#!/usr/bin/python3
"""Generate LoRA and IA3 parity fixtures for frost with Hugging Face PEFT.

Every number written here is real output of PyTorch + transformers + PEFT (nothing
hand-computed). tests/test_lora.cpp compares frost's LoRA layer kind against it: logits,
loss, every adapter and classifier gradient, and a 5-step AdamW trajectory with Hugging Face
Trainer's parameter groups (weight decay on everything but biases and LayerNorm weights).

Usage:
    /usr/bin/python3 tools/gen_lora_fixtures.py --out tests/fixtures/lora
    /usr/bin/python3 tools/gen_lora_fixtures.py --out tests/fixtures/lora --check-only

Environment (Debian 12, Python 3.11): Debian python3-torch 1.13.1 and python3-numpy, then
    /usr/bin/python3 -m pip install --break-system-packages -r tools/requirements-fixtures.txt
    /usr/bin/python3 -m pip install --break-system-packages --no-deps peft==0.13.2 accelerate==1.1.1
(--no-deps: accelerate would otherwise pull a multi-GB torch wheel over Debian's torch).

Model: BertForSequenceClassification, 4 layers (so that layers_to_transform [2, 3] leaves a
frozen prefix), hidden 32, 4 heads, intermediate 64, vocab 50, 3 labels, single-label, dropout 0,
eager attention, float32. The base weights are re-drawn from a seeded generator with a larger
spread than HF's init so that every gradient is far from rounding noise. PEFT initialises B to
zero, which makes d(loss)/dA exactly zero at the start: the fixtures re-draw A and B (seeded)
after get_peft_model so that every adapter gradient is exercised; frost's own initialisation
(Kaiming-uniform A, zero B) is checked separately by the C++ test. IA3 vectors start at one in
PEFT; the fixture re-draws them as 1 + 0.1 N(0, 1) for the same reason.

The script is deterministic (one thread, fixed seeds, sorted JSON); after writing it reloads
every file and replays every case, asserting bit-identical logits, loss, gradients and final
weights, and that every base weight is bit-identical after training.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

import peft
import transformers
from peft import IA3Config, LoraConfig, TaskType, get_peft_model
from safetensors.numpy import load_file, save_file
from transformers import BertConfig, BertForSequenceClassification

CONFIG_KW = dict(
    vocab_size=50, hidden_size=32, num_hidden_layers=4, num_attention_heads=4, intermediate_size=64,
    max_position_embeddings=16, type_vocab_size=2, hidden_act="gelu", hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0, initializer_range=0.02, layer_norm_eps=1e-12, num_labels=3,
    problem_type="single_label_classification",
)
BATCH, SEQ, STEPS = 4, 8, 5
LR, WEIGHT_DECAY = 1e-2, 0.01

CASES = {
    # PEFT's default targets for BERT are query + value.
    "qv": dict(r=4, lora_alpha=8, target_modules=["query", "value"]),
    # PEFT refuses "all-linear" (a string) with layers_to_transform; this list selects the same six
    # Linears of a layer ("dense" matches the three dense layers; the pooler has no layer index).
    "all_linear_l2_4": dict(r=4, lora_alpha=16, target_modules=["query", "key", "value", "dense"],
                            layers_to_transform=[2, 3]),
    "rslora": dict(r=4, lora_alpha=8, target_modules=["query", "value"], use_rslora=True),
    # IA3 with PEFT's defaults for BERT: key and value outputs scaled, the inputs of both output
    # denses scaled (target_modules key, value, output.dense; feedforward_modules output.dense).
    "ia3": dict(kind="ia3"),
    # IA3 on query (output scaled) and the attention output dense (input scaled). PEFT 0.13's
    # IA3Config has no layers_to_transform: IA3 adapts every layer.
    "ia3_q_attn": dict(kind="ia3", target_modules=["query", "attention.output.dense"],
                       feedforward_modules=["attention.output.dense"]),
}


def setup():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def base_model():
    cfg = BertConfig(**CONFIG_KW)
    cfg._attn_implementation = "eager"
    torch.manual_seed(0)
    model = BertForSequenceClassification(cfg)
    gen = torch.Generator().manual_seed(1234)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "LayerNorm.weight" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
        model.bert.embeddings.word_embeddings.weight[cfg.pad_token_id].zero_()
    return model


def batches():
    rng = np.random.RandomState(20261204)
    out = []
    for _ in range(STEPS):
        ids = rng.randint(1, CONFIG_KW["vocab_size"], size=(BATCH, SEQ)).astype(np.int64)
        types = np.zeros((BATCH, SEQ), dtype=np.int64)
        mask = np.ones((BATCH, SEQ), dtype=np.int64)
        for r in range(BATCH):
            length = SEQ - (r % 3) * 2  # rows of 8, 6, 4 tokens
            ids[r, length:] = 0
            mask[r, length:] = 0
            types[r, length // 2:length] = 1
        labels = rng.randint(0, CONFIG_KW["num_labels"], size=(BATCH,)).astype(np.int64)
        out.append((ids, types, mask, labels))
    return out


def frost_name(peft_name):
    """PEFT's in-model name -> the name in adapter_model.safetensors minus base_model.model."""
    n = peft_name.replace("base_model.model.", "", 1)
    n = n.replace(".modules_to_save.default", "").replace(".default", "")
    return n


def peft_model(case):
    model = base_model()
    kw = dict(CASES[case])
    if kw.pop("kind", "lora") == "ia3":
        config = IA3Config(task_type=TaskType.SEQ_CLS, **kw)
    else:
        config = LoraConfig(task_type=TaskType.SEQ_CLS, lora_dropout=0.0, **kw)
    pm = get_peft_model(model, config)
    gen = torch.Generator().manual_seed(4321)
    with torch.no_grad():
        for name, p in pm.named_parameters():
            if "lora_A" in name or "lora_B" in name:
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))
            elif "ia3_l" in name:
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
    return pm


def run_case(case, data, out_dir=None):
    pm = peft_model(case)
    pm.train()
    trainable = [(n, p) for n, p in pm.named_parameters() if p.requires_grad]
    base_before = {n: p.detach().clone() for n, p in pm.named_parameters() if not p.requires_grad}
    init = {frost_name(n): p.detach().numpy().copy() for n, p in trainable}
    counts = pm.get_nb_trainable_parameters()

    def step_inputs(k):
        ids, types, mask, labels = data[k]
        return dict(input_ids=torch.from_numpy(ids), token_type_ids=torch.from_numpy(types),
                    attention_mask=torch.from_numpy(mask), labels=torch.from_numpy(labels))

    out = pm(**step_inputs(0))
    out.loss.backward()
    logits = out.logits.detach().numpy().copy()
    loss = out.loss.detach().numpy().reshape(1).copy()
    grads = {frost_name(n): p.grad.detach().numpy().copy() for n, p in trainable}
    assert all(np.abs(g).max() > 0 for g in grads.values()), "a gradient is exactly zero"
    pm.zero_grad(set_to_none=True)

    decay = [p for n, p in trainable if not (n.endswith("bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in trainable if n.endswith("bias") or "LayerNorm" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}], lr=LR)
    losses = []
    for k in range(STEPS):
        o = pm(**step_inputs(k))
        losses.append(float(o.loss))
        o.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
    final = {frost_name(n): p.detach().numpy().copy() for n, p in trainable}
    pm.eval()
    with torch.no_grad():
        trained_logits = pm(**{k: v for k, v in step_inputs(1).items() if k != "labels"}).logits.numpy().copy()
    if out_dir is not None:  # PEFT's own adapter directory, for frost's reader
        d = os.path.join(out_dir, f"peft_{case}")
        pm.save_pretrained(d)
        os.remove(os.path.join(d, "README.md"))  # a model card with versions and dates: not needed
    for n, p in pm.named_parameters():
        if not p.requires_grad:
            assert torch.equal(p, base_before[n]), f"base weight {n} changed"
    return dict(init=init, logits=logits, loss=loss, grads=grads, losses=np.array(losses, dtype=np.float32),
                trained_logits=trained_logits,
                final=final, counts=counts, trainable=sorted(frost_name(n) for n, _ in trainable))


GEOMETRIES = {
    # bert-base-uncased and all-MiniLM-L6-v2 (the weights do not matter for a count).
    "bert-base": dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12, num_attention_heads=12,
                      intermediate_size=3072, max_position_embeddings=512),
    "minilm": dict(vocab_size=30522, hidden_size=384, num_hidden_layers=6, num_attention_heads=12,
                   intermediate_size=1536, max_position_embeddings=512),
}


def peft_counts(kind="lora"):
    """PEFT's (trainable, all) parameter counts, 2 labels: LoRA r=8 on query + value, or IA3 with
    PEFT's defaults for BERT."""
    out = {}
    for name, geo in GEOMETRIES.items():
        torch.manual_seed(0)
        model = BertForSequenceClassification(BertConfig(num_labels=2, **geo))
        if kind == "ia3":
            pm = get_peft_model(model, IA3Config(task_type=TaskType.SEQ_CLS))
            extra = {"target_modules": sorted(pm.peft_config["default"].target_modules),
                     "feedforward_modules": sorted(pm.peft_config["default"].feedforward_modules)}
        else:
            pm = get_peft_model(model, LoraConfig(task_type=TaskType.SEQ_CLS, r=8, lora_alpha=16,
                                                  target_modules=["query", "value"]))
            extra = {"r": 8, "target_modules": ["query", "value"]}
        trainable, total = pm.get_nb_trainable_parameters()
        out[name] = dict(geometry=geo, num_labels=2, trainable_params=trainable, all_params=total, **extra)
    return out


def generate(out_dir, write):
    setup()
    data = batches()
    meta = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                         "peft": peft.__version__, "numpy": np.__version__},
            "lr": LR, "weight_decay": WEIGHT_DECAY, "steps": STEPS, "cases": {},
            "peft_counts": peft_counts(), "peft_counts_ia3": peft_counts("ia3")}
    files = {}
    base = base_model()
    files["base.safetensors"] = {n: p.detach().numpy().copy() for n, p in base.named_parameters()}
    batch_t = {}
    for k, (ids, types, mask, labels) in enumerate(data):
        batch_t[f"batch.{k}.input_ids"] = ids
        batch_t[f"batch.{k}.token_type_ids"] = types
        batch_t[f"batch.{k}.attention_mask"] = mask
        batch_t[f"batch.{k}.labels"] = labels
    files["batches.safetensors"] = batch_t
    for case in CASES:
        r = run_case(case, data, out_dir if (write and case in ("qv", "ia3")) else None)
        t = {"output.logits": r["logits"], "output.loss": r["loss"], "trajectory.loss": r["losses"],
             "trained.logits": r["trained_logits"]}
        for n, v in r["init"].items():
            t["init." + n] = v
        for n, v in r["grads"].items():
            t["grad." + n] = v
        for n, v in r["final"].items():
            t["final." + n] = v
        files[f"case_{case}.safetensors"] = t
        kw = CASES[case]
        counts = {"trainable_params": r["counts"][0], "all_params": r["counts"][1], "trainable": r["trainable"],
                  "layers_to_transform": kw.get("layers_to_transform")}
        if kw.get("kind") == "ia3":
            meta["cases"][case] = dict(kind="ia3", target_modules=kw.get("target_modules"),
                                       feedforward_modules=kw.get("feedforward_modules"), **counts)
        else:
            meta["cases"][case] = dict(kind="lora", r=kw["r"], lora_alpha=kw["lora_alpha"],
                                       target_modules=kw["target_modules"],
                                       use_rslora=kw.get("use_rslora", False), **counts)
    cfg = BertConfig(**CONFIG_KW).to_dict()
    if write:
        os.makedirs(out_dir, exist_ok=True)
        for name, tensors in files.items():
            save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, os.path.join(out_dir, name))
        with open(os.path.join(out_dir, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        with open(os.path.join(out_dir, "cases.json"), "w") as f:
            json.dump(meta, f, indent=1, sort_keys=True)
            f.write("\n")
    # Replay and compare with what is on disk (bit for bit).
    for name, tensors in files.items():
        stored = load_file(os.path.join(out_dir, name))
        assert set(stored) == set(tensors), name
        for k, v in tensors.items():
            assert np.array_equal(stored[k], v), (name, k)
    print(f"gen_lora_fixtures: {len(files)} files in {out_dir} reproduce; cases "
          + ", ".join(f"{c} ({m['trainable_params']} trainable of {m['all_params']})" for c, m in meta["cases"].items()))


def main():
    # PEFT keeps target_modules as a set: its order in adapter_config.json follows string hashing.
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable] + sys.argv, dict(os.environ, PYTHONHASHSEED="0"))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--check-only", action="store_true")
    a = ap.parse_args()
    generate(a.out, write=not a.check_only)


if __name__ == "__main__":
    sys.exit(main())
