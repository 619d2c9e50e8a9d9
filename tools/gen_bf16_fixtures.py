#!/usr/bin/env python3
"""The torch.autocast("cpu", torch.bfloat16) reference for frost's bf16 mixed precision.

Reads the tiny parity fixture (tests/fixtures/tiny/case_single.safetensors: weights, inputs, labels;
written by tools/gen_parity_fixtures.py), runs HF's BertForSequenceClassification (eager attention,
nothing frozen) forward + loss.backward() once under torch.autocast("cpu", dtype=torch.bfloat16),
as HF Trainer's --bf16 does on a CPU, and writes the logits, the loss and every parameter's gradient
to tests/fixtures/bf16/autocast_single.safetensors (float32) with a meta.json of versions.

tests/test_bf16_model.cpp compares frost's bf16 run with this and with the fp32 reference in the
parity fixture. Run with the system interpreter set up by tools/setup-hf-python.sh:

    /usr/bin/python3 tools/gen_bf16_fixtures.py
"""
import json
import os
import sys

import torch
import transformers
from safetensors.numpy import load_file, save_file
from transformers import BertConfig, BertForSequenceClassification

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TINY = os.path.join(ROOT, "tests", "fixtures", "tiny")
OUT = os.path.join(ROOT, "tests", "fixtures", "bf16")


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    case = load_file(os.path.join(TINY, "case_single.safetensors"))
    with open(os.path.join(TINY, "config_single.json")) as f:
        cfg = BertConfig(**{k: v for k, v in json.load(f).items() if k != "transformers_version"})
    cfg._attn_implementation = "eager"
    model = BertForSequenceClassification(cfg)
    state = {k: torch.from_numpy(v) for k, v in case.items() if not k.startswith(("input.", "output.", "grad."))}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(m.endswith("position_ids") for m in missing), missing
    model.eval()  # the tiny config's dropout probabilities are 0 anyway
    inputs = dict(
        input_ids=torch.from_numpy(case["input.input_ids"]).long(),
        token_type_ids=torch.from_numpy(case["input.token_type_ids"]).long(),
        attention_mask=torch.from_numpy(case["input.attention_mask"]).long(),
    )
    labels = torch.from_numpy(case["input.labels"]).long()

    model.zero_grad(set_to_none=True)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(**inputs, labels=labels)
    out.loss.float().backward()
    tensors = {
        "autocast.logits": out.logits.detach().float().numpy().copy(order="C"),
        "autocast.loss": out.loss.detach().float().numpy().copy(order="C"),
    }
    for name, p in model.named_parameters():
        tensors["autocast.grad." + name] = p.grad.detach().float().numpy().copy(order="C")
    # The fp32 run of the same model, to check it reproduces the parity fixture (same weights/inputs).
    model.zero_grad(set_to_none=True)
    ref = model(**inputs, labels=labels)
    fp32_err = float((ref.logits.detach() - torch.from_numpy(case["output.logits"])).abs().max())
    assert fp32_err < 1e-5, f"fp32 logits differ from the parity fixture by {fp32_err}"

    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, "autocast_single.safetensors")
    save_file(tensors, path)
    os.chmod(path, 0o644)
    meta = {
        "generator": "tools/gen_bf16_fixtures.py",
        "source": "tests/fixtures/tiny/case_single.safetensors (weights, inputs, labels), policy none",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "autocast": "torch.autocast('cpu', dtype=torch.bfloat16) around the forward and loss; backward outside",
        "logits_scaled_error_vs_fp32": float(
            (out.logits.detach().float() - ref.logits.detach()).abs().max() / ref.logits.detach().abs().max()),
        "loss_fp32": float(ref.loss),
        "loss_autocast": float(out.loss.float()),
    }
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(meta, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
