#!/usr/bin/python3
"""Generate tiny BertForSequenceClassification parity fixtures for frost.

Every number written by this script is real output of PyTorch + Hugging Face
transformers (nothing hand-computed).  The C++ tests compare frost's forward
(logits, loss) and backward (per-parameter gradients, which parameters get a
gradient under each freezing policy) against these files.

Usage:
    /usr/bin/python3 tools/gen_parity_fixtures.py --out tests/fixtures/tiny

Environment used to produce the committed fixtures (Debian 12, Python 3.11.2):

    # PyTorch and NumPy come from Debian (do NOT pip-install torch: huge CUDA deps)
    apt-get update
    apt-get install -y python3-torch python3-numpy     # torch 1.13.1+dfsg-4, numpy 1:1.24.2
    # transformers / safetensors from PyPI, for the system interpreter
    /usr/bin/python3 -m pip install --break-system-packages -r tools/requirements-fixtures.txt
    #   (= transformers==4.46.3 safetensors==0.8.0 tokenizers==0.20.3 huggingface_hub==0.36.2)

Note: use /usr/bin/python3 explicitly (a pyenv python3 may shadow it on PATH).

The script is deterministic: running it twice produces byte-identical files
(single-threaded CPU, fixed seeds, deterministic algorithms, sorted JSON).
After writing, it reloads every file and re-runs HF on the stored weights and
inputs to assert the stored logits / loss / gradients / policies reproduce.
"""

import argparse
import copy
import json
import os
import sys

import numpy as np
import torch

import transformers
from transformers import BertConfig, BertForSequenceClassification
import safetensors
from safetensors.numpy import save_file, load_file

# ---------------------------------------------------------------------------
# Fixed definitions
# ---------------------------------------------------------------------------

BODY_SEED = 1234        # generator for re-initialising model.bert.* (shared by all cases)
CLASSIFIER_SEED = 4321  # generator for re-initialising classifier.* (shape depends on case)
CONSTRUCT_SEED = 0      # torch.manual_seed before constructing the HF model

CONFIG_KW = dict(
    vocab_size=50,
    hidden_size=32,
    num_hidden_layers=3,
    num_attention_heads=4,
    intermediate_size=64,
    max_position_embeddings=16,
    type_vocab_size=2,
    hidden_act="gelu",
    hidden_dropout_prob=0.0,
    attention_probs_dropout_prob=0.0,
    layer_norm_eps=1e-12,
    pad_token_id=0,
    initializer_range=0.02,
)

CASES = {
    "single": dict(num_labels=3, problem_type="single_label_classification"),
    "multi": dict(num_labels=3, problem_type="multi_label_classification"),
    "regression": dict(num_labels=1, problem_type="regression"),
}

BATCH, SEQ = 4, 8
LENGTHS = [8, 6, 5, 3]
# Real tokens in [1, 50); pad id 0 only in padding positions.
# Token 7 repeats within row 0 and across rows 0..3; token 12 repeats within
# row 1 and in row 2; token 3 repeats in rows 0 and 2 (scatter-add must accumulate).
INPUT_IDS = [
    [2, 7, 15, 7, 3, 41, 7, 49],
    [2, 12, 7, 12, 33, 1, 0, 0],
    [2, 3, 12, 7, 48, 0, 0, 0],
    [2, 7, 25, 0, 0, 0, 0, 0],
]
# First segment 0, second segment 1 (pair-like) inside the real tokens; 0 on padding.
TOKEN_TYPE_IDS = [
    [0, 0, 0, 0, 1, 1, 1, 1],
    [0, 0, 0, 1, 1, 1, 0, 0],
    [0, 0, 1, 1, 1, 0, 0, 0],
    [0, 0, 1, 0, 0, 0, 0, 0],
]
ATTENTION_MASK = [[1 if j < n else 0 for j in range(SEQ)] for n in LENGTHS]

LABELS = {
    # int64 [4]; row 1 uses the ignore index -100
    "single": torch.tensor([2, -100, 0, 1], dtype=torch.int64),
    # float32 [4, 3] of 0/1
    "multi": torch.tensor(
        [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0]],
        dtype=torch.float32,
    ),
    # float32 [4]
    "regression": torch.tensor([0.75, -1.5, 0.25, 2.0], dtype=torch.float32),
}

POLICIES = [
    "none",
    "embeddings",
    "layers_0_2",
    "embeddings_layers_0_2",
    "body",
    "classifier_only",
    "bitfit",
    "layernorm_only",
    "pooler",
]


def apply_policy(model, policy):
    """Freeze parameters via requires_grad=False, exactly like the seed recipes."""
    if policy == "none":
        pass
    elif policy == "embeddings":
        model.bert.embeddings.requires_grad_(False)
    elif policy == "layers_0_2":
        for layer in model.bert.encoder.layer[:2]:
            layer.requires_grad_(False)
    elif policy == "embeddings_layers_0_2":
        model.bert.embeddings.requires_grad_(False)
        for layer in model.bert.encoder.layer[:2]:
            layer.requires_grad_(False)
    elif policy == "body":  # seed Example 1
        for p in model.bert.parameters():
            p.requires_grad = False
    elif policy == "classifier_only":  # seed Example 3
        model.bert.requires_grad_(False)
        model.classifier.requires_grad_(True)
    elif policy == "bitfit":
        for name, p in model.bert.named_parameters():
            if not name.endswith("bias"):
                p.requires_grad = False
    elif policy == "layernorm_only":
        for name, p in model.bert.named_parameters():
            if "LayerNorm" not in name:
                p.requires_grad = False
    elif policy == "pooler":
        model.bert.pooler.requires_grad_(False)
    else:
        raise ValueError(policy)


# ---------------------------------------------------------------------------
# Model construction
# ---------------------------------------------------------------------------

def setup_determinism():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def make_config(case):
    cfg = BertConfig(**CONFIG_KW, **CASES[case])
    cfg._attn_implementation = "eager"
    return cfg


def reinit_(named_params, gen):
    """Re-initialise every parameter randomly (strong test, no zero biases / unit LN)."""
    with torch.no_grad():
        for name, p in named_params:
            noise = torch.empty(p.shape, dtype=torch.float32)
            if name.endswith("LayerNorm.weight"):
                noise.normal_(0.0, 0.1, generator=gen)
                p.copy_(1.0 + noise)
            elif name.endswith("bias"):  # includes LayerNorm.bias
                noise.normal_(0.0, 0.1, generator=gen)
                p.copy_(noise)
            else:  # weights and embeddings
                noise.normal_(0.0, 0.2, generator=gen)
                p.copy_(noise)


def build_model(case):
    cfg = make_config(case)
    torch.manual_seed(CONSTRUCT_SEED)
    model = BertForSequenceClassification(cfg).to(torch.float32)
    # make sure the eager attention implementation is really in use
    for layer in model.bert.encoder.layer:
        assert type(layer.attention.self).__name__ == "BertSelfAttention", type(layer.attention.self)
    reinit_(model.bert.named_parameters(), torch.Generator().manual_seed(BODY_SEED))
    reinit_(model.classifier.named_parameters(), torch.Generator().manual_seed(CLASSIFIER_SEED))
    model.train()  # dropout probabilities are 0 anyway
    return model


def inputs():
    return dict(
        input_ids=torch.tensor(INPUT_IDS, dtype=torch.int64),
        token_type_ids=torch.tensor(TOKEN_TYPE_IDS, dtype=torch.int64),
        attention_mask=torch.tensor(ATTENTION_MASK, dtype=torch.int64),
    )


def run(model, inp, labels):
    """forward with labels + loss.backward(); returns (logits, loss, {name: grad or None})."""
    model.zero_grad(set_to_none=True)
    out = model(**inp, labels=labels)
    out.loss.backward()
    grads = {n: (None if p.grad is None else p.grad.detach().clone()) for n, p in model.named_parameters()}
    return out.logits.detach().clone(), out.loss.detach().clone(), grads


def to_np(t):
    # .copy() (not np.ascontiguousarray, which would turn a 0-d loss into shape [1])
    return t.detach().cpu().numpy().copy(order="C")


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------

def generate(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    policies = {p: {} for p in POLICIES}
    meta = {
        "generator": "tools/gen_parity_fixtures.py",
        "versions": {
            "python": sys.version.split()[0],
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "safetensors": safetensors.__version__,
            "numpy": np.__version__,
        },
        "seeds": {"construct": CONSTRUCT_SEED, "body": BODY_SEED, "classifier": CLASSIFIER_SEED},
        "loss_shape": [],
        "cases": {},
    }
    body_ref = None
    for case in CASES:
        model = build_model(case)
        pristine = copy.deepcopy(model.state_dict())
        inp = inputs()
        labels = LABELS[case]
        logits, loss, grads = run(model, inp, labels)

        # body weights must be identical across the three cases
        body = {n: t.clone() for n, t in pristine.items() if n.startswith("bert.")}
        if body_ref is None:
            body_ref = body
        else:
            assert body.keys() == body_ref.keys()
            for n in body:
                assert torch.equal(body[n], body_ref[n]), n

        # ---- safetensors
        tensors = {}
        for n, p in model.named_parameters():
            tensors[n] = to_np(pristine[n])
            assert grads[n] is not None, n
            tensors["grad." + n] = to_np(grads[n])
        for k, v in inp.items():
            tensors["input." + k] = to_np(v)
        tensors["input.labels"] = to_np(labels)
        tensors["output.logits"] = to_np(logits)
        tensors["output.loss"] = to_np(loss)  # shape [] (0-d scalar)
        st_path = os.path.join(out_dir, f"case_{case}.safetensors")
        save_file(tensors, st_path)
        os.chmod(st_path, 0o644)  # safetensors creates files 0600

        # ---- config.json (what save_pretrained writes, full dict, sorted keys)
        with open(os.path.join(out_dir, f"config_{case}.json"), "w") as f:
            f.write(model.config.to_json_string(use_diff=False))

        # ---- float64 reference, to tell C++ tests how much fp32 noise to expect
        m64 = build_model(case)
        m64.load_state_dict(pristine)
        m64 = m64.double()
        l64, s64, g64 = run(m64, inp, labels.double() if labels.is_floating_point() else labels)
        meta["cases"][case] = {
            "num_labels": CASES[case]["num_labels"],
            "problem_type": CASES[case]["problem_type"],
            "loss": float(loss),
            "fp32_vs_fp64": {
                "max_abs_logits": float((logits.double() - l64).abs().max()),
                "abs_loss": float((loss.double() - s64).abs()),
                "max_abs_grad": max(float((grads[n].double() - g64[n]).abs().max()) for n in grads),
            },
            "max_abs_grad": {n: float(grads[n].abs().max()) for n in sorted(grads)},
        }

        # ---- freezing policies, each on a fresh copy of the same weights
        for pol in POLICIES:
            m = build_model(case)
            m.load_state_dict(pristine)
            apply_policy(m, pol)
            pl, ps, pg = run(m, inp, labels)
            trainable = sorted(n for n, g in pg.items() if g is not None)
            # sanity: non-None grad <=> requires_grad
            assert trainable == sorted(n for n, p in m.named_parameters() if p.requires_grad), pol
            diff = max((float((pg[n] - grads[n]).abs().max()) for n in trainable), default=0.0)
            policies[pol][case] = {
                "trainable": trainable,
                "num_trainable": len(trainable),
                "max_abs_grad_diff_vs_none": diff,
                "loss": float(ps),
                "abs_loss_diff_vs_none": float((ps - loss).abs()),
                "max_abs_logits_diff_vs_none": float((pl - logits).abs().max()),
            }

    with open(os.path.join(out_dir, "policies.json"), "w") as f:
        json.dump(policies, f, indent=1, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------------------
# Self-check: reload files, rebuild HF model from them, reproduce everything
# ---------------------------------------------------------------------------

def self_check(out_dir):
    with open(os.path.join(out_dir, "policies.json")) as f:
        policies = json.load(f)
    for case in CASES:
        with open(os.path.join(out_dir, f"config_{case}.json")) as f:
            cfg_dict = json.load(f)
        cfg = BertConfig.from_dict(cfg_dict)
        cfg._attn_implementation = "eager"
        assert cfg.num_labels == CASES[case]["num_labels"]
        assert cfg.problem_type == CASES[case]["problem_type"]
        t = load_file(os.path.join(out_dir, f"case_{case}.safetensors"))

        torch.manual_seed(12345)  # different init; everything must come from the file
        model = BertForSequenceClassification(cfg).to(torch.float32)
        names = [n for n, _ in model.named_parameters()]
        expected_keys = set(names) | {"grad." + n for n in names} | {
            "input.input_ids", "input.token_type_ids", "input.attention_mask",
            "input.labels", "output.logits", "output.loss"}
        assert set(t.keys()) == expected_keys, set(t.keys()) ^ expected_keys
        sd = {n: torch.from_numpy(t[n].copy()) for n in names}
        missing, unexpected = model.load_state_dict(sd, strict=False)
        assert not unexpected and all("position_ids" in k or "token_type_ids" in k for k in missing), (missing, unexpected)
        model.train()

        for k in ("input.input_ids", "input.token_type_ids", "input.attention_mask"):
            assert t[k].dtype == np.int64 and t[k].shape == (BATCH, SEQ), k
        inp = {k[len("input."):]: torch.from_numpy(t[k].copy())
               for k in ("input.input_ids", "input.token_type_ids", "input.attention_mask")}
        labels = torch.from_numpy(t["input.labels"].copy())
        if case == "single":
            assert labels.dtype == torch.int64 and tuple(labels.shape) == (BATCH,)
        elif case == "multi":
            assert labels.dtype == torch.float32 and tuple(labels.shape) == (BATCH, 3)
        else:
            assert labels.dtype == torch.float32 and tuple(labels.shape) == (BATCH,)
        assert t["output.loss"].shape == () and t["output.loss"].dtype == np.float32
        assert t["output.logits"].shape == (BATCH, cfg.num_labels)

        logits, loss, grads = run(model, inp, labels)
        assert np.array_equal(to_np(logits), t["output.logits"]), case
        assert np.array_equal(to_np(loss), t["output.loss"]), case
        for n in names:
            g = t["grad." + n]
            assert g.dtype == np.float32 and g.shape == tuple(model.get_parameter(n).shape), n
            assert np.array_equal(to_np(grads[n]), g), (case, n)
        # padding_idx row of word embeddings gets zero grad in HF
        assert not t["grad.bert.embeddings.word_embeddings.weight"][0].any()

        # policies reproduce
        pristine = {n: v.clone() for n, v in model.state_dict().items()}
        for pol in POLICIES:
            m = BertForSequenceClassification(cfg).to(torch.float32)
            m.load_state_dict(pristine)
            m.train()
            apply_policy(m, pol)
            pl, ps, pg = run(m, inp, labels)
            rec = policies[pol][case]
            trainable = sorted(n for n, g in pg.items() if g is not None)
            assert trainable == rec["trainable"], (pol, case)
            for n in trainable:
                assert np.array_equal(to_np(pg[n]), t["grad." + n]), (pol, case, n)
            assert rec["max_abs_grad_diff_vs_none"] == 0.0, (pol, case)
            assert float(ps) == rec["loss"] == float(t["output.loss"]), (pol, case)
    print("self-check OK:", out_dir)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="tests/fixtures/tiny", help="output directory")
    ap.add_argument("--check-only", action="store_true", help="only verify existing files")
    args = ap.parse_args()
    setup_determinism()
    if not args.check_only:
        generate(args.out)
    self_check(args.out)


if __name__ == "__main__":
    main()
