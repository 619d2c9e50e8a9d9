#!/usr/bin/env python3
"""Compare the float32 tensors of two safetensors files (standard library only).

    compare_safetensors.py A B --init INIT [--per-tensor TOL | --global TOL | --bitwise] [--exclude S]

A tensor equal to INIT in A (bit for bit) did not train: B must hold it bit for bit too.
A tensor that trained must agree within TOL relative to its own update (--per-tensor: max|A-B| <=
TOL * max|A-INIT| for each tensor), or to the largest update of the run (--global). --bitwise
requires every tensor to be identical. --exclude S (repeatable) leaves tensors whose name contains S
out of the tolerance (they are reported, and must still have trained or stayed frozen alike). Prints
the worst ratio; exit 1 on a violation. The difference of a trained tensor is counted beyond one
float32 ulp of the weight itself: an update far smaller than the weight rounds differently in the last
place whatever the order of the sums.
"""
import argparse
import json
import math
import struct
import sys
from array import array


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            continue
        a = array("f")
        b, e = info["data_offsets"]
        a.frombytes(raw[base + b:base + e])
        if sys.byteorder != "little":
            a.byteswap()
        out[name] = a
    return out


def ulp(x):
    """The spacing of float32 numbers at x."""
    _, e = math.frexp(abs(x) if x else 1e-38)
    return 2.0 ** (e - 24)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--init")
    ap.add_argument("--exclude", action="append", default=[])
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--per-tensor", type=float)
    g.add_argument("--global", dest="global_", type=float)
    g.add_argument("--bitwise", action="store_true")
    args = ap.parse_args()
    A, B = load(args.a), load(args.b)
    if set(A) != set(B):
        print(f"tensor names differ: {sorted(set(A) ^ set(B))[:5]}")
        return 1
    if args.bitwise:
        diff = [n for n in A if A[n].tobytes() != B[n].tobytes()]
        print(f"bitwise: {len(A)} tensors, {len(diff)} differ {diff[:3]}")
        return 1 if diff else 0
    init = load(args.init)
    bad, worst, trained, largest, err = [], 0.0, 0, 0.0, 0.0
    excluded, worst_tensors = [], []
    # A base checkpoint may name the encoder without the "bert." prefix (sentence-transformers' MiniLM).
    for n in A:
        if n not in init and n.startswith("bert.") and n[5:] in init:
            init[n] = init[n[5:]]
    rows = []
    for n in sorted(A):
        a, b = A[n], B[n]
        if n in init and init[n].tobytes() == a.tobytes() and a.tobytes() == b.tobytes():
            continue  # frozen: bit-identical in both runs
        trained += 1
        # A tensor unchanged in A but not in B is either frozen and wrongly updated (a large change)
        # or one whose gradient is zero up to rounding (the attention key bias), which one run's
        # rounding happened to leave exactly in place: the update is the larger of the two runs'.
        if n in init:
            upd = max(max(abs(x - y) for x, y in zip(a, init[n])), max(abs(x - y) for x, y in zip(b, init[n])))
        else:
            upd = max(abs(x) for x in a)
        d = max(max(0.0, abs(x - y) - ulp(x)) for x, y in zip(a, b))
        if any(e in n for e in args.exclude):
            excluded.append(f"{n} (excluded): max|A-B| {d:.3g}, its update {upd:.3g}")
            continue
        largest, err = max(largest, upd), max(err, d)
        worst_tensors.append((d, n))
        rows.append((n, d, upd))
    for n, d, upd in rows:
        if args.per_tensor is None:
            break
        if upd < 1e-6 * largest:
            # A tensor whose gradient is zero up to rounding (the attention key bias: softmax ignores
            # it): both runs move it by noise; it must stay at that scale.
            if d > 1e-6 * largest:
                bad.append(f"{n}: a zero-gradient tensor moved by {d:.3g} (largest update {largest:.3g})")
            continue
        r = d / upd
        worst = max(worst, r)
        if r > args.per_tensor:
            bad.append(f"{n}: max|A-B| {d:.3g} is {r:.3g} of its update {upd:.3g}")
    if args.global_ is not None:
        worst = err / largest if largest > 0 else 0.0
        if worst > args.global_:
            top = ", ".join(f"{n} {d:.3g}" for d, n in sorted(worst_tensors, reverse=True)[:3])
            bad.append(f"max|A-B| {err:.3g} is {worst:.3g} of the largest update {largest:.3g} ({top})")
    print(f"{trained} trained tensors of {len(A)}; worst difference {worst:.3g} "
          f"({'per tensor' if args.per_tensor is not None else 'of the largest update'}); frozen ones bit-identical")
    for line in bad[:10] + excluded[:4]:
        print("  " + line)
    return 1 if bad or trained == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
