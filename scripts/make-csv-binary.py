#!/usr/bin/env python3
"""Writes data/csv-binary.csv: a small, deterministic binary-classification set.

2000 rows, 8 features x0..x7 and a 0/1 `label`. The label is 1 when a fixed nonlinear score
of the features (plus a little noise) is positive, so an MLP can learn it well but not
perfectly. Standard library only; the seed makes the file identical on every run.

    python3 scripts/make-csv-binary.py [--rows 2000] [--seed 7] [--out data/csv-binary.csv]
"""
import argparse
import math
import os
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "csv-binary.csv"))
    args = parser.parse_args()

    rng = random.Random(args.seed)
    weights = [rng.uniform(-1, 1) for _ in range(8)]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", newline="\n") as f:
        f.write(",".join([f"x{i}" for i in range(8)] + ["label"]) + "\n")
        for _ in range(args.rows):
            x = [rng.gauss(0, 1) * (1 + i) + i for i in range(8)]  # features on different scales
            z = [(v - i) / (1 + i) for i, v in enumerate(x)]
            score = sum(w * v for w, v in zip(weights, z)) + 0.8 * math.sin(2 * z[0]) + z[1] * z[2] - 0.3
            label = 1 if score + rng.gauss(0, 0.3) > 0 else 0
            f.write(",".join(f"{v:.5f}" for v in x) + f",{label}\n")


if __name__ == "__main__":
    main()
