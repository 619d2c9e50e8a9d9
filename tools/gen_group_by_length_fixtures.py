#!/usr/bin/env python3
"""Reference orders for frost's group_by_length (tests/fixtures/group_by_length.json).

transformers' get_length_grouped_indices (HF Trainer's --group_by_length) draws its permutation
with torch.randperm; here that call returns a given permutation, so frost can be fed the same one
and must produce the same order. Run: /usr/bin/python3 tools/gen_group_by_length_fixtures.py
"""
import json
import random
import sys

import torch
from transformers.trainer_pt_utils import get_length_grouped_indices


def case(rng, n, batch_size, max_len):
    lengths = [rng.randint(3, max_len) for _ in range(n)]  # small max_len: many ties
    order = list(range(n))
    rng.shuffle(order)
    real = torch.randperm
    torch.randperm = lambda m, generator=None: torch.tensor(order)
    try:
        expected = get_length_grouped_indices(lengths, batch_size)
    finally:
        torch.randperm = real
    return {"batch_size": batch_size, "lengths": lengths, "order": order, "expected": expected}


def main():
    rng = random.Random(20261204)
    cases = [case(rng, 103, 4, 60), case(rng, 1000, 4, 128), case(rng, 7, 8, 12), case(rng, 250, 16, 9),
             case(rng, 64, 8, 40)]
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/group_by_length.json"
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"generator": "transformers.trainer_pt_utils.get_length_grouped_indices", "cases": cases}, f,
                  separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
