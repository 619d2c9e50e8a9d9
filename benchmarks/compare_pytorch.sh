#!/usr/bin/env bash
# frost vs PyTorch (Debian python3-torch 1.13 + transformers), same shapes, same 2 threads, one run:
# median ms per training step for each freeze policy, bert-base and MiniLM geometry.
# Prints a table and writes out/bench/compare_pytorch.json. Needs tools/setup-hf-python.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out/bench
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DFROST_BUILD_BENCHMARKS=ON -DFROST_BUILD_TESTS=OFF \
      -DFROST_BUILD_EXAMPLES=OFF -DFROST_BUILD_CLI=OFF >/dev/null
cmake --build build-bench --target bench_frost -j"$(nproc)" >/dev/null
export OMP_NUM_THREADS=2
./build-bench/benchmarks/bench_frost --benchmark_filter=Step --benchmark_format=json > out/bench/frost.json
/usr/bin/python3 benchmarks/pytorch_step.py bert_base:none:3 bert_base:emb_layers8:3 bert_base:bitfit:3 bert_base:body:3 \
  minilm:none:5 minilm:emb_layers4:5 minilm:bitfit:5 minilm:body:5 > out/bench/pytorch.json
/usr/bin/python3 - <<'PY'
import json
f = {b["name"].split("/")[0].replace("BM_Step_", ""): b["real_time"] for b in json.load(open("out/bench/frost.json"))["benchmarks"]}
t = json.load(open("out/bench/pytorch.json"))
rows = []
print(f"{'geometry/policy':28} {'frost ms':>9} {'torch ms':>9} {'speedup':>8}  frost/torch freezing speedup")
for key in ["bert_base_none", "bert_base_emb_layers8", "bert_base_bitfit", "bert_base_body",
            "minilm_none", "minilm_emb_layers4", "minilm_bitfit", "minilm_body"]:
    g = key.split("_")[0] + ("_base" if key.startswith("bert") else "")
    base = g + "_none"
    r = {"case": key, "frost_ms": f[key], "torch_ms": t[key]["ms"], "speedup": t[key]["ms"] / f[key],
         "frost_freeze_speedup": f[base] / f[key], "torch_freeze_speedup": t[base]["ms"] / t[key]["ms"]}
    rows.append(r)
    print(f"{key:28} {r['frost_ms']:9.0f} {r['torch_ms']:9.0f} {r['speedup']:7.2f}x  {r['frost_freeze_speedup']:.2f}x / {r['torch_freeze_speedup']:.2f}x")
json.dump(rows, open("out/bench/compare_pytorch.json", "w"), indent=2)
PY
