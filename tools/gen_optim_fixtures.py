#!/usr/bin/python3
"""Generate optimizer-trajectory fixtures for frost (5 optimizer steps, HF Trainer semantics).

Every number written by this script is real output of PyTorch + Hugging Face transformers.
Starting from the exact weights of tests/fixtures/tiny/case_single.safetensors (config
tests/fixtures/tiny/config_single.json: BertForSequenceClassification, 3 labels,
single_label_classification, eager attention, float32, dropout 0), it runs 5 optimizer steps
of torch.optim.AdamW / torch.optim.SGD with HF-Trainer parameter groups, HF schedulers and
torch.nn.utils.clip_grad_norm_, and records losses, learning rates, grad norms, the final
weights and the final optimizer state.  See tests/fixtures/optim/README.md.

Usage:
    /usr/bin/python3 tools/gen_optim_fixtures.py --out tests/fixtures/optim
    /usr/bin/python3 tools/gen_optim_fixtures.py --out tests/fixtures/optim --check-only

Environment: the same as tools/gen_parity_fixtures.py (Debian 12 python3-torch 1.13.1,
numpy 1.24.2, transformers 4.46.3, safetensors; use /usr/bin/python3 explicitly).

Deterministic: one CPU thread, torch.use_deterministic_algorithms(True), numpy
RandomState with a fixed seed, sorted JSON.  Two runs give byte-identical files.
After writing, the files are reloaded: a model is rebuilt from the tiny fixture, every run is
replayed from runs.json + batches.safetensors and must reproduce every recorded number,
final weight and state tensor bit for bit; frozen parameters must equal the initial weights.
"""

import argparse
import json
import os
import sys

import numpy as np
import torch

import transformers
from transformers import BertConfig, BertForSequenceClassification
from transformers import get_constant_schedule, get_cosine_schedule_with_warmup, get_linear_schedule_with_warmup
from transformers.pytorch_utils import ALL_LAYERNORM_LAYERS
from transformers.trainer_pt_utils import get_parameter_names
import safetensors
from safetensors.numpy import save_file, load_file

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_TINY = os.path.normpath(os.path.join(HERE, "..", "tests", "fixtures", "tiny"))

# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

DATA_SEED = 20240607     # numpy.random.RandomState seed for the micro-batches
NUM_BATCHES = 10
BATCH, SEQ, VOCAB, NUM_LABELS = 4, 8, 50, 3
IGNORE_PROB = 0.15       # probability that a row's label is -100
NUM_STEPS = 5


def make_batches():
    """10 micro-batches of 4 x 8 from numpy's legacy RandomState (stable stream)."""
    rs = np.random.RandomState(DATA_SEED)
    batches = []
    for _ in range(NUM_BATCHES):
        lengths = rs.randint(3, SEQ + 1, size=BATCH)            # real length in [3, 8]
        ids = rs.randint(1, VOCAB, size=(BATCH, SEQ))            # real ids in [1, 50)
        split = np.array([rs.randint(1, n + 1) for n in lengths])  # 2nd segment starts here (== n: none)
        labels = rs.randint(0, NUM_LABELS, size=BATCH)
        ignore = rs.rand(BATCH) < IGNORE_PROB
        pos = np.arange(SEQ)[None, :]
        real = pos < lengths[:, None]
        input_ids = np.where(real, ids, 0).astype(np.int64)
        attention_mask = real.astype(np.int64)
        token_type_ids = (real & (pos >= split[:, None])).astype(np.int64)
        labels = np.where(ignore, -100, labels).astype(np.int64)
        batches.append(dict(input_ids=input_ids, token_type_ids=token_type_ids,
                            attention_mask=attention_mask, labels=labels))
    # properties the fixtures rely on (the seed was chosen so that they hold)
    assert all((b["labels"] != -100).any() for b in batches), "a batch with every label ignored"
    assert sum(int((b["labels"] == -100).sum()) for b in batches) >= 2
    lens = np.concatenate([b["attention_mask"].sum(1) for b in batches])
    assert lens.min() == 3 and lens.max() == SEQ
    assert all((b["token_type_ids"] == 1).any() for b in batches)
    return batches


def torch_batch(b):
    return {k: torch.from_numpy(np.ascontiguousarray(v).copy()) for k, v in b.items()}


# ---------------------------------------------------------------------------
# Model and freezing
# ---------------------------------------------------------------------------

def setup_determinism():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def load_initial(tiny_dir):
    """(config, {name: float32 tensor}) from tests/fixtures/tiny (case single)."""
    with open(os.path.join(tiny_dir, "config_single.json")) as f:
        cfg = BertConfig.from_dict(json.load(f))
    cfg._attn_implementation = "eager"
    assert cfg.num_labels == NUM_LABELS and cfg.problem_type == "single_label_classification"
    t = load_file(os.path.join(tiny_dir, "case_single.safetensors"))
    init = {k: torch.from_numpy(v.copy()) for k, v in t.items()
            if not k.startswith(("input.", "output.", "grad."))}
    return cfg, init


def build_model(cfg, init, dtype=torch.float32):
    torch.manual_seed(777)  # irrelevant: every parameter is overwritten from `init`
    model = BertForSequenceClassification(cfg).to(torch.float32)
    for layer in model.bert.encoder.layer:
        assert type(layer.attention.self).__name__ == "BertSelfAttention", type(layer.attention.self)
    names = [n for n, _ in model.named_parameters()]
    assert sorted(names) == sorted(init), set(names) ^ set(init)
    missing, unexpected = model.load_state_dict(init, strict=False)
    assert not unexpected and all("position_ids" in k or "token_type_ids" in k for k in missing), (missing, unexpected)
    for n, p in model.named_parameters():
        assert torch.equal(p.detach(), init[n]), n
    model = model.to(dtype)
    model.train()
    return model


def apply_policy(model, policy):
    """Freezing via requires_grad=False (same definitions as tools/gen_parity_fixtures.py)."""
    if policy == "none":
        pass
    elif policy == "embeddings_layers_0_2":
        model.bert.embeddings.requires_grad_(False)
        for layer in model.bert.encoder.layer[:2]:
            layer.requires_grad_(False)
    elif policy == "body":
        for p in model.bert.parameters():
            p.requires_grad = False
    elif policy == "bitfit":
        for name, p in model.bert.named_parameters():
            if not name.endswith("bias"):
                p.requires_grad = False
    else:
        raise ValueError(policy)


def unfreeze_modules(model, modules):
    for m in modules:
        model.get_submodule(m).requires_grad_(True)


def decay_parameter_names(model):
    """Exactly HF Trainer.get_decay_parameter_names (transformers 4.46.3)."""
    return [n for n in get_parameter_names(model, ALL_LAYERNORM_LAYERS) if "bias" not in n]


def llrd_lr(name, base, decay, num_layers):
    """Layer-wise lr: embeddings base*decay^L, layer l base*decay^(L-1-l), pooler/classifier base."""
    if name.startswith("bert.embeddings."):
        return base * decay ** num_layers
    if name.startswith("bert.encoder.layer."):
        layer = int(name.split(".")[3])
        return base * decay ** (num_layers - 1 - layer)
    assert name.startswith(("bert.pooler.", "classifier.")), name
    return base


def build_groups(model, names, spec):
    """HF Trainer groups (decay / no decay) over `names` (which all have requires_grad).

    Returns a list of {"names": [...], "weight_decay": float, "lr": float} in optimizer order."""
    decay = set(decay_parameter_names(model))
    order = [n for n, _ in model.named_parameters() if n in names]
    wd = spec["optimizer"]["weight_decay"]
    lr = spec["optimizer"]["lr"]
    if spec.get("llrd") is None:
        return [
            {"names": [n for n in order if n in decay], "weight_decay": wd, "lr": lr},
            {"names": [n for n in order if n not in decay], "weight_decay": 0.0, "lr": lr},
        ]
    ll = spec["llrd"]
    assert ll["base_lr"] == lr
    lrs = {n: llrd_lr(n, ll["base_lr"], ll["decay"], ll["num_layers"]) for n in order}
    groups = []
    for g_lr in sorted(set(lrs.values())):  # one group per (lr, decay) pair; lr ascending, decay first
        for is_decay in (True, False):
            g = [n for n in order if lrs[n] == g_lr and (n in decay) == is_decay]
            if g:
                groups.append({"names": g, "weight_decay": wd if is_decay else 0.0, "lr": g_lr})
    return groups


def make_optimizer(spec, torch_groups):
    o = spec["optimizer"]
    if o["type"] == "AdamW":
        return torch.optim.AdamW(torch_groups, lr=o["lr"], betas=tuple(o["betas"]), eps=o["eps"],
                                 weight_decay=o["weight_decay"], amsgrad=o["amsgrad"])
    if o["type"] == "SGD":
        return torch.optim.SGD(torch_groups, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                               weight_decay=o["weight_decay"], nesterov=o["nesterov"])
    raise ValueError(o["type"])


def make_scheduler(spec, opt):
    s = spec["schedule"]
    if s["type"] == "linear_with_warmup":
        return get_linear_schedule_with_warmup(opt, s["num_warmup_steps"], s["num_training_steps"])
    if s["type"] == "cosine_with_warmup":
        return get_cosine_schedule_with_warmup(opt, s["num_warmup_steps"], s["num_training_steps"],
                                               num_cycles=s["num_cycles"])
    if s["type"] == "constant":
        return get_constant_schedule(opt)
    if s["type"] == "none":
        return None
    raise ValueError(s["type"])


# ---------------------------------------------------------------------------
# Run definitions
# ---------------------------------------------------------------------------

# max_norm per freezing policy, chosen so that every run has >= 2 clipped and >= 1 unclipped step
# (asserted in generate()); the grad norm scales with the number of trainable tensors.
MAX_NORM = {"none": 4.4, "embeddings_layers_0_2": 3.0, "body": 1.3, "bitfit": 2.0}
# SGD moves the weights so that later norms are smaller: some runs need their own value.
MAX_NORM_OVERRIDE = {"sgd_embeddings_layers_0_2": 2.5, "sgd_bitfit": 1.5, "sgd_nesterov_none": 2.7,
                     "adamw_accum2_none": 4.0, "adamw_llrd_none": 4.2}
CLIP_MARGIN = 0.02  # every recorded grad norm differs from max_norm by more than 2 %
NOISE_FRACTION = 0.1      # fp64 replay: tensor is "noise_dominated" if max |update| in fp64 < 0.1 x in fp32
NOISE_ABS = 1e-9          # ... or max |update| in fp64 < 1e-9
OUTLIER_FRACTION = 1e-4   # fp64 replay: element is an "outlier" if |fp32 - fp64| > 1e-4 x max |update|
POLICIES = ["none", "embeddings_layers_0_2", "body", "bitfit"]
LINEAR = {"type": "linear_with_warmup", "num_warmup_steps": 2, "num_training_steps": NUM_STEPS}
COSINE = {"type": "cosine_with_warmup", "num_warmup_steps": 1, "num_training_steps": NUM_STEPS, "num_cycles": 0.5}
CONSTANT = {"type": "constant"}


def adamw(**kw):
    o = {"type": "AdamW", "lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False}
    o.update(kw)
    return o


def sgd(**kw):
    o = {"type": "SGD", "lr": 0.05, "momentum": 0.9, "dampening": 0.0, "nesterov": False, "weight_decay": 0.01}
    o.update(kw)
    return o


def run_specs():
    base = {"max_norm": MAX_NORM["none"], "grad_accum": 1, "llrd": None, "unfreeze": None}
    runs = {}
    for pol in POLICIES:
        runs[f"adamw_{pol}"] = dict(base, optimizer=adamw(), schedule=LINEAR, policy=pol, max_norm=MAX_NORM[pol])
        runs[f"sgd_{pol}"] = dict(base, optimizer=sgd(), schedule=LINEAR, policy=pol, max_norm=MAX_NORM[pol])
    runs["sgd_nesterov_none"] = dict(base, optimizer=sgd(nesterov=True), schedule=CONSTANT, policy="none")
    runs["sgd_dampening_none"] = dict(base, optimizer=sgd(dampening=0.5), schedule=COSINE, policy="none")
    runs["adamw_amsgrad_none"] = dict(base, optimizer=adamw(amsgrad=True), schedule=COSINE, policy="none")
    runs["adamw_accum2_none"] = dict(base, optimizer=adamw(), schedule=LINEAR, policy="none", grad_accum=2)
    runs["adamw_eps_bitfit"] = dict(base, optimizer=adamw(eps=1e-3), schedule=LINEAR, policy="bitfit",
                                    max_norm=MAX_NORM["bitfit"])
    runs["adamw_llrd_none"] = dict(base, optimizer=adamw(), schedule=LINEAR, policy="none",
                                   llrd={"base_lr": 1e-3, "decay": 0.8, "num_layers": 3})
    runs["unfreeze_adamw"] = dict(base, optimizer=adamw(), schedule={"type": "none"}, policy="body",
                                  max_norm=MAX_NORM["body"],
                                  unfreeze={"after_step": 3, "modules": ["bert.encoder.layer.2", "bert.pooler"]})
    for name, v in MAX_NORM_OVERRIDE.items():
        runs[name]["max_norm"] = v
    return runs


# Optimizer state tensors are stored (size budget, see README) for the parameters trainable at
# some point in the run that are 1-D (every bias and LayerNorm tensor) or belong to bert.pooler /
# classifier; i.e. NOT for the 2-D tensors of bert.embeddings and bert.encoder.
STATE_RULE = "ndim == 1 or name starts with 'bert.pooler.' or 'classifier.'"


def state_stored(name, shape):
    return len(shape) == 1 or name.startswith(("bert.pooler.", "classifier."))


def f32(x):
    """A float32 value as the shortest decimal that reads back (as float32) to the same float32."""
    v = np.float32(x)
    out = float(repr(v))
    assert np.float32(out) == v
    return out


def sig3(x):
    return float(f"{x:.3g}")


def state_keys(opt_type, amsgrad):
    if opt_type == "SGD":
        return ["momentum_buffer"]
    return ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if amsgrad else [])


# ---------------------------------------------------------------------------
# One training run (HF Trainer order)
# ---------------------------------------------------------------------------

def train(spec, cfg, init, batches, dtype=torch.float32):
    """Returns (record dict, final {name: tensor}, state {key: tensor}, model)."""
    model = build_model(cfg, init, dtype)
    apply_policy(model, spec["policy"])
    params = dict(model.named_parameters())
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    groups = build_groups(model, set(trainable), spec)
    for g in groups:
        g["added_before_step"] = 1
    torch_groups = [{"params": [params[n] for n in g["names"]], "weight_decay": g["weight_decay"], "lr": g["lr"]}
                    for g in groups]
    opt = make_optimizer(spec, torch_groups)
    sched = make_scheduler(spec, opt)
    phases = [{"first_step": 1, "trainable": sorted(trainable)}]
    accum = spec["grad_accum"]
    max_norm = spec["max_norm"]
    steps = []
    for step in range(1, NUM_STEPS + 1):
        uf = spec.get("unfreeze")
        if uf is not None and step == uf["after_step"] + 1:
            assert sched is None  # new groups just use their own constant lr
            before = set(n for n, p in model.named_parameters() if p.requires_grad)
            unfreeze_modules(model, uf["modules"])
            new = [n for n, p in model.named_parameters() if p.requires_grad and n not in before]
            assert all(params[n].grad is None for n in new)
            for g in build_groups(model, set(new), spec):
                opt.add_param_group({"params": [params[n] for n in g["names"]],
                                     "weight_decay": g["weight_decay"], "lr": g["lr"]})
                g["added_before_step"] = step
                groups.append(g)
            trainable = [n for n, p in model.named_parameters() if p.requires_grad]
            phases.append({"first_step": step, "trainable": sorted(trainable)})
        assert len(opt.param_groups) == len(groups)
        model.train()
        opt.zero_grad()  # torch 1.13 default set_to_none=False (zeroes grads in place)
        micro = []
        logged = None
        idx = list(range((step - 1) * accum, step * accum))
        for k in idx:
            b = torch_batch(batches[k])
            loss = model(**b).loss
            micro.append(loss.detach().clone())
            scaled = loss / accum if accum > 1 else loss
            scaled.backward()
            part = loss.detach() / accum
            logged = part if logged is None else logged + part  # HF: tr_loss += loss.detach() / accum
        clip_params = [p for p in model.parameters() if p.requires_grad]
        assert all(p.grad is not None for p in clip_params)
        norm = torch.nn.utils.clip_grad_norm_(clip_params, max_norm)
        coef = torch.clamp(max_norm / (norm + 1e-6), max=1.0)  # what clip_grad_norm_ multiplied by
        if sched is not None:
            lrs = list(sched.get_last_lr())
            assert lrs == [g["lr"] for g in opt.param_groups]
        else:
            lrs = [g["lr"] for g in opt.param_groups]
        opt.step()
        if sched is not None:
            sched.step()
        steps.append({
            "step": step,
            "batches": idx,
            "micro_losses": [f32(m) for m in micro],
            "loss": f32(logged),
            "lr": [float(x) for x in lrs],
            "grad_norm": f32(norm),
            "clip_coef": f32(coef),
            "clipped": bool(float(norm) > max_norm),
        })
    # final weights / state
    ever = [n for n, _ in model.named_parameters() if any(n in ph["trainable"] for ph in phases)]
    final = {n: params[n].detach().clone() for n in ever}
    o = spec["optimizer"]
    skeys = state_keys(o["type"], o.get("amsgrad", False))
    state = {}
    for n in ever:
        st = opt.state[params[n]]
        if o["type"] == "AdamW":
            first = next(ph["first_step"] for ph in phases if n in ph["trainable"])
            assert float(st["step"]) == NUM_STEPS - first + 1, (n, float(st["step"]))
        if state_stored(n, tuple(params[n].shape)):
            for k in skeys:
                state[f"state.{k}.{n}"] = st[k].detach().clone()
    for n, p in model.named_parameters():
        if n not in ever:
            assert p.grad is None and torch.equal(p.detach(), init[n].to(dtype)), n
    record = {
        "phases": phases if spec.get("unfreeze") is not None else None,
        "trainable": sorted(ever),
        "param_groups": [{"names": g["names"], "weight_decay": g["weight_decay"], "initial_lr": g["lr"],
                          "added_before_step": g["added_before_step"]} for g in groups],
        "steps": steps,
        "state_keys": skeys,
    }
    state_names = sorted(n for n in ever if state_stored(n, tuple(params[n].shape)))
    assert set(state) == {f"state.{k}.{n}" for k in skeys for n in state_names}
    return record, final, state, model


def to_np(t):
    return t.detach().cpu().numpy().copy(order="C")


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------

def batch_tensors(batches):
    out = {}
    for k, b in enumerate(batches):
        for key in ("input_ids", "token_type_ids", "attention_mask", "labels"):
            out[f"batch.{k}.{key}"] = np.ascontiguousarray(b[key], dtype=np.int64)
    return out


def save(tensors, path):
    save_file(tensors, path)
    os.chmod(path, 0o644)  # safetensors creates files 0600


def generate(out_dir, tiny_dir):
    os.makedirs(out_dir, exist_ok=True)
    cfg, init = load_initial(tiny_dir)
    batches = make_batches()
    save(batch_tensors(batches), os.path.join(out_dir, "batches.safetensors"))

    runs = {}
    key_bias = {}
    for name, spec in run_specs().items():
        rec, final, state, _ = train(spec, cfg, init, batches)
        # float64 replay of the same run: how much of each update is float32 rounding noise
        rec64, final64, _, _ = train(spec, cfg, init, batches, torch.float64)
        clipped = [s["clipped"] for s in rec["steps"]]
        assert sum(clipped) >= 2 and not all(clipped), (name, clipped)
        assert clipped == [s["clipped"] for s in rec64["steps"]], name
        assert all(abs(s["grad_norm"] / spec["max_norm"] - 1) > CLIP_MARGIN for s in rec["steps"]), name
        upd_raw = {n: float((final[n] - init[n]).abs().max()) for n in final}
        dev_raw = {n: float((final[n].double() - final64[n]).abs().max()) for n in final}
        upd = {n: f32(v) for n, v in upd_raw.items()}
        dev = {n: sig3(v) for n, v in dev_raw.items()}
        # tensors whose true update is ~0: the float64 replay moves them by < 10 % of what
        # float32 does or by < 1e-9, so the float32 update is rounding noise (attention key biases)
        upd64 = {n: float((final64[n] - init[n].double()).abs().max()) for n in final}
        noise = sorted(n for n in final if upd64[n] < NOISE_FRACTION * upd_raw[n] or upd64[n] < NOISE_ABS)
        # single elements of the other tensors where float32 and float64 differ by > 1e-4 x update
        outliers = []
        for n in final:
            if n in noise:
                continue
            d = (final[n].double() - final64[n]).abs().flatten()
            for i in torch.nonzero(d > OUTLIER_FRACTION * upd_raw[n]).flatten().tolist():
                outliers.append({"name": n, "index": i, "abs_diff_fp64": sig3(float(d[i])),
                                 "abs_update": f32((final[n] - init[n]).flatten()[i].abs())})
        entry = dict(spec)
        entry.update(rec)
        entry["max_abs_update"] = upd
        entry["fp64"] = {
            "max_abs_final_diff": dev,
            "noise_dominated": noise,
            "outliers": outliers,
            "grad_norm": [sig3(s["grad_norm"]) for s in rec64["steps"]],
            "clipped": [s["clipped"] for s in rec64["steps"]],
        }
        runs[name] = entry
        tensors = {"final." + n: to_np(t) for n, t in final.items()}
        tensors.update({k: to_np(v) for k, v in state.items()})
        for v in tensors.values():
            assert v.dtype == np.float32
        save(tensors, os.path.join(out_dir, f"{name}.safetensors"))
        kb = {n: u for n, u in upd.items() if n.endswith("bias") and n.startswith("bert.encoder.")}
        if kb:
            key_bias[name] = {
                "max_key_bias_update": max(u for n, u in kb.items() if "attention.self.key.bias" in n),
                "median_other_encoder_bias_update": sig3(np.median([u for n, u in kb.items()
                                                                    if "attention.self.key.bias" not in n])),
                "max_key_bias_update_fp64": sig3(max(
                    float((final64[n] - init[n].double()).abs().max()) for n in kb if "attention.self.key.bias" in n)),
            }
        print(f"{name:24s} norms " + " ".join(f"{s['grad_norm']:.4f}{'*' if s['clipped'] else ''}"
                                              for s in rec["steps"]))

    doc = {
        "generator": "tools/gen_optim_fixtures.py",
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "safetensors": safetensors.__version__,
            "numpy": np.__version__,
        },
        "initial_weights": "tests/fixtures/tiny/case_single.safetensors (config tests/fixtures/tiny/config_single.json)",
        "data": {"seed": DATA_SEED, "rng": "numpy.random.RandomState", "num_batches": NUM_BATCHES,
                 "batch_size": BATCH, "seq_len": SEQ, "ignore_prob": IGNORE_PROB},
        "num_steps": NUM_STEPS,
        "state_stored_for": STATE_RULE,
        "fp64_thresholds": {"noise_dominated_rel": NOISE_FRACTION, "noise_dominated_abs": NOISE_ABS,
                            "outliers_rel": OUTLIER_FRACTION},
        "key_bias_observation": key_bias,
        "runs": runs,
    }
    with open(os.path.join(out_dir, "runs.json"), "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------
# Self-check: reload everything, replay every run from the files, compare bit for bit
# ---------------------------------------------------------------------------

SPEC_KEYS = ("optimizer", "schedule", "max_norm", "grad_accum", "policy", "llrd", "unfreeze")


def self_check(out_dir, tiny_dir):
    with open(os.path.join(out_dir, "runs.json")) as f:
        doc = json.load(f)
    cfg, init = load_initial(tiny_dir)
    bt = load_file(os.path.join(out_dir, "batches.safetensors"))
    assert len(bt) == 4 * NUM_BATCHES
    batches = []
    for k in range(NUM_BATCHES):
        b = {}
        for key in ("input_ids", "token_type_ids", "attention_mask", "labels"):
            v = bt[f"batch.{k}.{key}"]
            assert v.dtype == np.int64 and v.shape == ((BATCH,) if key == "labels" else (BATCH, SEQ)), (k, key)
            b[key] = v
        am = b["attention_mask"]
        assert ((b["input_ids"] == 0) == (am == 0)).all() and (b["token_type_ids"][am == 0] == 0).all()
        batches.append(b)
    # stored batches are exactly what the seed gives
    for b, g in zip(batches, make_batches()):
        for key in b:
            assert np.array_equal(b[key], g[key]), key
    assert sorted(doc["runs"]) == sorted(run_specs())
    for name, entry in doc["runs"].items():
        spec = {k: entry[k] for k in SPEC_KEYS}
        assert json.loads(json.dumps(run_specs()[name])) == spec, name
        rec, final, state, model = train(spec, cfg, init, batches)
        for key in ("phases", "trainable", "param_groups", "steps", "state_keys"):
            assert rec[key] == entry[key], (name, key)
        t = load_file(os.path.join(out_dir, f"{name}.safetensors"))
        state_names = [n for n in entry["trainable"] if state_stored(n, tuple(init[n].shape))]
        expect = {"final." + n for n in entry["trainable"]} | {
            f"state.{k}.{n}" for k in entry["state_keys"] for n in state_names}
        assert set(t) == expect, (name, set(t) ^ expect)
        for n in entry["trainable"]:
            assert t["final." + n].dtype == np.float32
            assert np.array_equal(t["final." + n], to_np(final[n])), (name, n)
            assert np.abs(t["final." + n] - init[n].numpy()).max() == np.float32(entry["max_abs_update"][n]), (name, n)
        for k, v in state.items():
            assert np.array_equal(t[k], to_np(v)), (name, k)
        # frozen parameters never moved
        for n, p in model.named_parameters():
            if n not in entry["trainable"]:
                assert torch.equal(p.detach(), init[n]), (name, n)
        # sanity on the recorded semantics
        for s in entry["steps"]:
            assert s["clipped"] == (s["clip_coef"] < 1.0), (name, s["step"])
            assert len(s["lr"]) == sum(g["added_before_step"] <= s["step"] for g in entry["param_groups"])
    print("self-check OK:", out_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="tests/fixtures/optim", help="output directory")
    ap.add_argument("--tiny", default=DEFAULT_TINY, help="directory of the tiny parity fixtures (initial weights)")
    ap.add_argument("--check-only", action="store_true", help="only verify existing files")
    args = ap.parse_args()
    setup_determinism()
    if not args.check_only:
        generate(args.out, args.tiny)
    self_check(args.out, args.tiny)


if __name__ == "__main__":
    main()
