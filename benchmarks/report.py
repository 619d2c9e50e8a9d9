#!/usr/bin/env python3
"""Tables, JSON and the freezing chart from benchmarks/compare_pytorch.sh's runs.jsonl.

usage: report.py RUNS.jsonl OUTDIR [PEAK_GFLOPS]
Targets checked (performance round two): bert-base full step >= 60% of the FMA peak and forward
>= 70%; frost >= 1.5x faster than the fastest PyTorch per policy; freezing speedup >= 95% of the
FLOP-theoretical speedup; peak RSS <= 50% of PyTorch's; body frozen: peak RSS <= 1.2 x (weights + one layer's
working set)."""
import json, os, platform, shutil, statistics, subprocess, sys

runs, out = sys.argv[1], sys.argv[2]
peak = float(sys.argv[3]) if len(sys.argv) > 3 else None
RUNS = {}
for line in open(runs):
    r = json.loads(line)
    res = r["result"]
    RUNS.setdefault((r["framework"], res["geometry"], res["policy"]), []).append(res)


def median_run(rs):
    """One cell measured in several rounds (ROUNDS): the first run with the medians of the timings and peak RSS."""
    m = dict(rs[0])
    for k in ("step_ms_median", "forward_ms_median", "peak_rss_bytes"):
        if all(k in r for r in rs):
            m[k] = statistics.median(r[k] for r in rs)
    m["rounds"] = len(rs)
    return m


R = {k: median_run(v) for k, v in RUNS.items()}


def speedup(slow, fast, g, p):
    """slow's step time over fast's: the median of the per-round ratios (the two ran back to back)."""
    a, b = RUNS[(slow, g, p)], RUNS[(fast, g, p)]
    if len(a) != len(b):
        return R[(slow, g, p)]["step_ms_median"] / R[(fast, g, p)]["step_ms_median"]
    return statistics.median(x["step_ms_median"] / y["step_ms_median"] for x, y in zip(a, b))
if peak is None:
    peak = json.load(open(os.path.join(out, "fma_peak.json")))["gflops"]
TORCHES = [fw for fw in ("torch-pypi", "torch-debian") if any(k[0] == fw for k in R)]
FROSTS = [fw for fw in ("frost-dnnl", "frost-blas", "frost-eigen") if any(k[0] == fw for k in R)]
FROST = FROSTS[0]
GEOM = {"bert-base": dict(H=768, I=3072, L=12), "minilm": dict(H=384, I=1536, L=6)}
NAMES = {"none": "nothing frozen", "bert": "whole body (model.bert)", "bitfit": "BitFit (biases train)"}


def name(p):
    return NAMES.get(p, p.replace("embeddings,layers:0-", "embeddings + layers[:") + ("]" if "layers" in p else ""))


def get(fw, g, p):
    return R.get((fw, g, p))


def ms(fw, g, p):
    r = get(fw, g, p)
    return r["step_ms_median"] if r else None


def mib(b):
    return b / 2**20


lines, rows = [], []
cpu = subprocess.run(["bash", "-c", "lscpu | sed -n 's/^Model name: *//p' | head -1"], capture_output=True, text=True).stdout.strip()
f0 = next(iter(v for k, v in R.items() if k[0] == FROST))
tv = {fw: next(v for k, v in R.items() if k[0] == fw)["torch"] for fw in TORCHES}
lines.append(f"Machine: {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
             f"measured FP32 FMA peak {peak:.0f} GFLOP/s on {f0['threads']} threads (benchmarks/fma_peak.cpp).")
lines.append(f"frost GEMM backends: " + "; ".join(f"{fw}: {next(v for k, v in R.items() if k[0] == fw)['gemm_description']}" for fw in FROSTS)
             + ". PyTorch: " + "; ".join(f"{fw} {v}" for fw, v in tv.items()) + ".")
rounds = max(len(v) for v in RUNS.values())
lines.append("Batch 8 x seq 128, fp32, AdamW, dropout 0.1, 2 threads; medians of repeated steps, one process per cell; "
             f"frameworks interleaved cell by cell, {rounds} round{'s' if rounds > 1 else ''}"
             f"{' (medians over the rounds)' if rounds > 1 else ''}.")
lines.append("")
hdr = ["geometry", "policy", "trainable"] + [f"{fw} ms" for fw in FROSTS + TORCHES] + \
      ["frost vs best PyTorch", f"{FROST} GFLOP/s (% peak)", "freezing speedup frost (FLOP theory, reached)",
       "freezing speedup PyTorch", "peak RSS frost / PyTorch"]
lines.append("| " + " | ".join(hdr) + " |")
lines.append("|" + "---|" * len(hdr))
for g, pols in (("bert-base", ["none", "embeddings,layers:0-8", "bert", "bitfit"]),
                ("minilm", ["none", "embeddings,layers:0-4", "bert", "bitfit"])):
    base = get(FROST, g, "none")
    for p in pols:
        f = get(FROST, g, p)
        if not f:
            continue
        t = {fw: ms(fw, g, p) for fw in TORCHES if ms(fw, g, p)}
        best_fw = min(t, key=t.get) if t else None
        speed = speedup(best_fw, FROST, g, p) if t else None
        gf = f["step_flops"] / f["step_ms_median"] / 1e6
        theory = base["step_flops"] / f["step_flops"]
        meas = base["step_ms_median"] / f["step_ms_median"]
        tb = ms(best_fw, g, "none") if best_fw else None
        t_speed = tb / t[best_fw] if t else None
        rss_t = get("torch-pypi", g, p)
        rss_ratio = f["peak_rss_bytes"] / rss_t["peak_rss_bytes"] if rss_t else None
        row = dict(geometry=g, policy=p, trainable=f["trainable_params"],
                   **{f"{fw}_ms": ms(fw, g, p) for fw in FROSTS + TORCHES},
                   best_torch=best_fw, speedup_vs_torch=speed, gflops=gf, pct_peak=100 * gf / peak,
                   forward_gflops=f["forward_flops"] / f["forward_ms_median"] / 1e6,
                   freeze_speedup=meas, freeze_theory=theory, freeze_reached=meas / theory,
                   torch_freeze_speedup=t_speed, peak_rss_mib=mib(f["peak_rss_bytes"]),
                   torch_peak_rss_mib=mib(rss_t["peak_rss_bytes"]) if rss_t else None, rss_ratio=rss_ratio,
                   weights_mib=mib(f["weights_bytes"]))
        rows.append(row)
        cells = [g, name(p), f"{f['trainable_params']:,}"] + \
                [f"{ms(fw, g, p):.0f}" if ms(fw, g, p) else "-" for fw in FROSTS + TORCHES] + \
                [f"{speed:.2f}x ({best_fw})" if speed else "-", f"{gf:.0f} ({100 * gf / peak:.0f}%)",
                 f"{meas:.2f}x ({theory:.2f}x, {100 * meas / theory:.0f}%)", f"{t_speed:.2f}x" if t_speed else "-",
                 f"{mib(f['peak_rss_bytes']):.0f} / {mib(rss_t['peak_rss_bytes']):.0f} MiB ({rss_ratio:.2f})" if rss_t else "-"]
        lines.append("| " + " | ".join(cells) + " |")

lines.append("")
lines.append("Targets:")
bb = get(FROST, "bert-base", "none")
if bb:
    for fw in FROSTS:
        r = get(fw, "bert-base", "none")
        st = r["step_flops"] / r["step_ms_median"] / 1e6
        fw_ = r["forward_flops"] / r["forward_ms_median"] / 1e6
        lines.append(f"- {fw}, bert-base full step: {st:.0f} GFLOP/s = {100 * st / peak:.0f}% of peak (target 60%); "
                     f"inference forward: {fw_:.0f} GFLOP/s = {100 * fw_ / peak:.0f}% (target 70%)")
sp = [r["speedup_vs_torch"] for r in rows if r["speedup_vs_torch"]]
if sp:
    lines.append(f"- frost vs the faster PyTorch per cell: {min(sp):.2f}x .. {max(sp):.2f}x (target >= 1.5x)")
fr = [r for r in rows if r["policy"] != "none"]
if fr:
    lines.append(f"- freezing speedup / FLOP theory: {min(r['freeze_reached'] for r in fr) * 100:.0f}% .. "
                 f"{max(r['freeze_reached'] for r in fr) * 100:.0f}% (target >= 95%)")
rr = [r["rss_ratio"] for r in rows if r["rss_ratio"]]
if rr:
    lines.append(f"- peak RSS frost / PyTorch (PyPI): {min(rr):.2f} .. {max(rr):.2f} (target <= 0.50)")
for g, d in GEOM.items():
    f = get(FROST, g, "bert")
    if not f:
        continue
    n = f["batch_size"] * f["seq_len"]
    # one layer's inference working set: hidden in/out, q, k, v, ctx, a, h1, o [N,H]; i, g [N,I];
    # attention scores of one (batch, head) per thread [S,S]
    ws = 4 * (9 * n * d["H"] + 2 * n * d["I"] + f["threads"] * f["seq_len"] ** 2)
    bound = f["weights_bytes"] + ws
    lines.append(f"- {g}, whole body frozen: peak RSS {mib(f['peak_rss_bytes']):.0f} MiB vs weights {mib(f['weights_bytes']):.0f} MiB "
                 f"+ one layer's working set {mib(ws):.0f} MiB = {mib(bound):.0f} MiB: {f['peak_rss_bytes'] / bound:.2f}x (target <= 1.20x)")

# ---- chart: step time vs frozen layers (bert-base) ----
sweep = [("none", 0)] + [(f"embeddings,layers:0-{k}", k) for k in (2, 4, 6, 8, 10, 12)]
pts = []
for fw in (FROST, "torch-pypi"):
    base = get(fw, "bert-base", "none")
    fb = get(FROST, "bert-base", "none")
    for p, k in sweep:
        r, fr_ = get(fw, "bert-base", p), get(FROST, "bert-base", p)
        if r and fr_ and base:
            pts.append((fw, k, r["step_ms_median"], base["step_ms_median"] * fr_["step_flops"] / fb["step_flops"]))
dat = os.path.join(out, "freezing.dat")
with open(dat, "w") as fh:
    for fw in (FROST, "torch-pypi"):
        fh.write(f"# {fw}: frozen_layers measured_ms theory_ms\n")
        for p in pts:
            if p[0] == fw:
                fh.write(f"{p[1]} {p[2]:.1f} {p[3]:.1f}\n")
        fh.write("\n\n")
lines.append("")
lines.append("Step time vs frozen encoder layers (bert-base; embeddings frozen too when layers are; theory = "
             "time with nothing frozen x FLOP ratio):")
lines.append("")
lines.append("| frozen layers | " + " | ".join(f"{fw} ms (theory)" for fw in (FROST, "torch-pypi")) + " |")
lines.append("|---|---|---|")
for p, k in sweep:
    c = [next((f"{q[2]:.0f} ({q[3]:.0f})" for q in pts if q[0] == fw and q[1] == k), "-") for fw in (FROST, "torch-pypi")]
    lines.append(f"| {k} | " + " | ".join(c) + " |")
png = os.path.join(out, "freezing.png")
if shutil.which("gnuplot") and pts:
    gp = f"""set terminal pngcairo size 900,520 font ',11' noenhanced
set output '{png}'
set title 'bert-base, batch 8 x seq 128, 2 threads: training step time vs frozen layers'
set xlabel 'encoder layers frozen (0 = nothing frozen; else embeddings + layers[:k])'
set ylabel 'ms per step (median)'
set key top right
set grid
set xrange [-0.5:12.5]
set yrange [0:*]
plot '{dat}' index 0 using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'frost ({FROST}) measured', \\
     '{dat}' index 0 using 1:3 with lines dt 2 lw 2 lc rgb '#1f77b4' title 'frost FLOP theory', \\
     '{dat}' index 1 using 1:2 with linespoints lw 2 pt 5 lc rgb '#d62728' title 'PyTorch (PyPI) measured', \\
     '{dat}' index 1 using 1:3 with lines dt 2 lw 2 lc rgb '#d62728' title 'PyTorch FLOP theory'
"""
    subprocess.run(["gnuplot"], input=gp, text=True, check=True)
# ---- profile: where the time goes (profiles.jsonl, frost bench --profile) ----
prof_file = os.path.join(out, "profiles.jsonl")
if os.path.exists(prof_file):
    P = [json.loads(l) for l in open(prof_file)]
    for g in ("bert-base", "minilm"):
        cols = [p for p in P if p["result"]["geometry"] == g]
        if not cols:
            continue
        lines.append("")
        lines.append(f"Where a full training step goes ({g}, nothing frozen, frost bench --profile; ms per step, "
                     "share of the step, GFLOP/s):")
        lines.append("")
        lines.append("| pass | op family | " + " | ".join(f"{p['backend']} ms | share | GFLOP/s" for p in cols) + " |")
        lines.append("|---|---|" + "---|---|---|" * len(cols))
        keys = []
        for p in cols:
            for r in p["result"]["profile"]["rows"]:
                if (r["pass"], r["op"]) not in keys:
                    keys.append((r["pass"], r["op"]))
        for k in keys:
            cells = []
            for p in cols:
                r = next((r for r in p["result"]["profile"]["rows"] if (r["pass"], r["op"]) == k), None)
                cells += [f"{r['ms_per_step']:.1f}", f"{100 * r['share']:.1f}%", f"{r['gflops']:.0f}" if r["gflops"] else "-"] if r else ["-"] * 3
            lines.append(f"| {k[0]} | {k[1]} | " + " | ".join(cells) + " |")
        lines.append("| step | total | " + " | ".join(
            f"{p['result']['profile']['step_ms']:.0f} | 100% | {p['result']['step_flops'] / p['result']['profile']['step_ms'] / 1e6:.0f}"
            for p in cols) + " |")
        lines.append("")
        lines.append("Non-GEMM share (everything but the GEMMs and attention; target <= 15%): " + ", ".join(
            f"{p['backend']} {100 * (1 - p['result']['profile']['gemm_and_attention_share']):.1f}%" for p in cols))
text = "\n".join(lines) + "\n"
open(os.path.join(out, "compare_pytorch.md"), "w").write(text)
json.dump({"peak_gflops": peak, "rows": rows, "sweep": pts}, open(os.path.join(out, "compare_pytorch.json"), "w"), indent=1)
print(text)
