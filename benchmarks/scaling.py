#!/usr/bin/env python3
"""docs/scaling.md from benchmarks/scaling.sh's measurements: the measured table and a cost model.

    scaling.py OUT_DIR DOCS_DIR

Cost model (data parallel, weak scaling: every node keeps this machine's per-node batch of 8):
  compute(policy)  = the measured 1-process step time on this machine (2 threads, batch 8)
  allreduce(p, n)  = 2 (p - 1) alpha + 2 (p - 1) / p * n / bw     (ring allreduce of n bytes)
  step(p)          = compute + allreduce       (no overlap)
  step_overlap(p)  = max(compute, allreduce)   (every bucket overlapped with backward)
  efficiency       = compute / step
n = 4 bytes x trainable parameters (frost sends only trainable gradients: measured and tested).
"""
import json
import os
import subprocess
import sys

NETWORKS = [  # (name, alpha seconds, bytes per second): vendor line rates at 90 % efficiency
    ("25 Gb/s Ethernet", 20e-6, 0.9 * 25e9 / 8),
    ("100 Gb/s InfiniBand", 2e-6, 0.9 * 100e9 / 8),
]
NODES = [8, 64, 256]
FAST = 20  # a node this many times faster than this 2-core one (a many-core server)
NAMES = {"none": "nothing frozen", "bitfit": "BitFit", "bert": "whole body"}


def policy_name(spec):
    return NAMES.get(spec, spec.replace("layers:0-", "layers[:") + "]" if "layers:0-" in spec else spec)


def ring(p, n, alpha, bw):
    return 2 * (p - 1) * alpha + 2 * (p - 1) / p * n / bw


def main():
    out, docs = sys.argv[1], sys.argv[2]
    ar = [json.loads(l) for l in open(os.path.join(out, "allreduce.jsonl"))]
    fit = ar[-1]
    steps = [json.loads(l) for l in open(os.path.join(out, "steps.jsonl"))]
    rows = {}
    for s in steps:
        key = (s["geometry"], s["policy"])
        rows.setdefault(key, {})[s["world_size"]] = s
    md = ["# Data-parallel scaling", "",
          "Produced by `bash benchmarks/scaling.sh` (measurements in `out/scaling/`, this file and "
          "`scaling_volume.png` by `benchmarks/scaling.py`). frost averages only trainable gradients, so "
          "the bytes each rank hands to allreduce per step are 4 x trainable parameters: the freeze policy "
          "sets the communication volume at compile time.", "",
          "## Measured on this machine", "",
          f"allreduce between 2 ranks over shared memory (OpenMPI, `benchmarks/allreduce_bench`): "
          f"alpha = {fit['alpha_seconds'] * 1e6:.1f} us (4-byte message), bandwidth = "
          f"{fit['bandwidth_bytes_per_second'] / 1e9:.2f} GB/s (slope between 16 and 64 MiB).", "",
          "| bytes | seconds |", "|---:|---:|"]
    for a in ar[:-1]:
        md.append(f"| {a['bytes']:,} | {a['seconds']:.3g} |")
    md += ["", "One training step (forward, backward, gradient allreduce, AdamW), batch x 128 tokens, "
           "global batch 8: 1 process x 2 threads x batch 8 against 2 processes x 1 thread x batch 4 "
           "(`frost bench`, medians of 3 steps).", "",
           "| geometry | policy | trainable | bytes/step/rank | 1 x 2 threads ms | 2 x 1 thread ms | allreduce left after backward + wait ms | ratio |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    vols = []
    for (geo, pol), r in rows.items():
        one, two = r.get(1), r.get(2)
        if not one or not two:
            continue
        spec = pol
        md.append(f"| {geo} | {policy_name(spec)} | {one['trainable_params']:,} | {two['allreduce_bytes_per_step']:,} | "
                  f"{one['step_ms_median']:.0f} | {two['step_ms_median']:.0f} | {two['allreduce_ms_median']:.2f} | "
                  f"{one['step_ms_median'] / two['step_ms_median']:.2f}x |")
        vols.append((geo, policy_name(spec), 4 * one["trainable_params"], one["step_ms_median"] / 1e3))
    md += ["", "(ratio > 1: the two processes are faster. Both use the same 2 cores; what differs is "
           "threading inside a GEMM against two independent half-batches plus the allreduce. The allreduce "
           "column is what is left after the rank's backward (the buckets started during it), waiting "
           "for the slower rank included: on a shared 2-core machine that wait, not the transfer, "
           "dominates small volumes.)", "",
           "## Projected to clusters", "",
           "Assumptions: nodes like this one (2 cores, the compute time measured above per node and "
           "step, per-node batch 8: weak scaling); a bandwidth-optimal ring allreduce; network alpha and "
           "bandwidth from line rates at 90 % (" + "; ".join(f"{n}: alpha {a * 1e6:.0f} us, "
                                                        f"{b / 1e9:.2f} GB/s" for n, a, b in NETWORKS) +
           "); no stragglers, no contention, the optimizer step replicated on every node. frost starts "
           "each component's allreduce as soon as backward has finished it; how much of it overlaps "
           "depends on the MPI library progressing it (OpenMPI advances it inside MPI calls, which frost "
           "makes after each component), so the tables give both bounds: no overlap (the efficiencies) "
           f"and full overlap (the last column). Nodes as slow as this one hide "
           f"almost any network, so the last columns assume nodes {FAST}x faster (compute / {FAST}): "
           "there the policy's volume decides the efficiency.", ""]
    for name, alpha, bw in NETWORKS:
        md += [f"### {name}", "", "| geometry | policy | bytes/step | " +
               " | ".join(f"{p} nodes: step s (eff.)" for p in NODES) +
               f" | {FAST}x nodes, 64: eff. | {FAST}x nodes, 256: eff. | {FAST}x, 256, overlapped |",
               "|---|---|---:|" + "---:|" * (len(NODES) + 3)]
        for geo, pol, n, comp in vols:
            cells = []
            for p in NODES:
                t = comp + ring(p, n, alpha, bw)
                cells.append(f"{t:.3f} ({comp / t:.0%})")
            fast = comp / FAST
            for p in (64, 256):
                cells.append(f"{fast / (fast + ring(p, n, alpha, bw)):.0%}")
            cells.append(f"{fast / max(fast, ring(256, n, alpha, bw)):.0%}")
            md.append(f"| {geo} | {pol} | {n:,} | " + " | ".join(cells) + " |")
        md.append("")
    md += ["![bytes each rank hands to allreduce per step, by policy](scaling_volume.png)", ""]
    with open(os.path.join(docs, "scaling.md"), "w") as f:
        f.write("\n".join(md))
    # The chart: bytes per step per policy (log scale), gnuplot when installed.
    data = "\n".join(f'{i} "{geo} {pol}" {n}' for i, (geo, pol, n, _) in enumerate(vols))
    script = f"""$d << EOD
{data}
EOD
set terminal pngcairo size 1000,480
set output '{os.path.join(docs, 'scaling_volume.png')}'
set title 'gradient bytes each rank hands to allreduce per step (4 x trainable parameters)'
set logscale y
set yrange [1000:4e9]
set style fill solid 0.8 border -1
set boxwidth 0.6
set xtics rotate by -25
set grid ytics
plot $d using 1:3:xtic(2) with boxes lc rgb '#4477aa' notitle, '' using 1:3:(sprintf('%.3g MB', $3/1e6)) with labels offset 0,1 notitle
"""
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"scaling.py: no chart ({e})", file=sys.stderr)
    print(f"scaling.py: wrote {os.path.join(docs, 'scaling.md')}")


if __name__ == "__main__":
    main()
