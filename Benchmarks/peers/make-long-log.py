#!/usr/bin/env python3
"""Writes a synthetic long-format training log for the streaming benchmarks (never committed: files of
1M-10M rows are made on demand, in a temporary directory).

    python3 make-long-log.py ROWS OUT.csv [--runs R] [--seed S]

Columns: run,params,step,tokens,loss. The runs form an isoFLOP grid: 5 budgets C from 1e18 to 1e20 FLOPs,
R/5 model sizes N per budget (log-spaced around the Chinchilla optimum), each trained to D = C/(6N)
tokens; every run logs ROWS/R evenly spaced points (step 1..S, tokens = D*step/S) of the Hoffmann et al.
(2022) law L = E + A/N^alpha + B/D^beta (their fitted values) with 0.5% log-normal noise, written with six
decimals as metric loggers do. Rows are grouped by run (as W&B and TensorBoard exports are) unless
--interleave writes them step by step across runs.
"""
import argparse
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("rows", type=int)
parser.add_argument("out")
parser.add_argument("--runs", type=int, default=200)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--interleave", action="store_true")
args = parser.parse_args()

E, A, B, alpha, beta = 1.69, 406.4, 410.7, 0.34, 0.28
rng = np.random.default_rng(args.seed)
budgets = np.logspace(18, 20, 5)
per_budget = max(args.runs // len(budgets), 1)
runs = []
for c in budgets:
    n_opt = 0.6 * (c / 6) ** 0.5
    for n in np.logspace(np.log10(n_opt) - 1, np.log10(n_opt) + 1, per_budget):
        n = float(round(n))
        runs.append((n, c / (6 * n)))
steps = max(args.rows // len(runs), 2)
step = np.arange(1, steps + 1)
with open(args.out, "w") as f:
    f.write("run,params,step,tokens,loss\n")
    blocks = []
    for i, (n, d) in enumerate(runs):
        tokens = np.round(d * step / steps)
        loss = (E + A / n ** alpha + B / tokens ** beta) * np.exp(rng.normal(0, 0.005, steps))
        blocks.append((f"run{i:04d}", int(n), tokens, loss))
    if not args.interleave:
        for name, n, tokens, loss in blocks:
            f.writelines(f"{name},{n},{s},{int(t)},{l:.6f}\n" for s, t, l in zip(step, tokens, loss))
    else:
        for k in range(steps):
            f.writelines(f"{name},{n},{k + 1},{int(tokens[k])},{loss[k]:.6f}\n" for name, n, tokens, loss in blocks)
