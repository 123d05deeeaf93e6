#!/usr/bin/env python3
"""The data side of `scaling curve`, `scaling envelope` and `scaling fit --use final` done with pandas or
polars, for streaming-peers.sh to time against the CLI on the same file.

    python3 streaming-peers.py pandas|polars curve|envelope|final LOG.csv

- curve: every run's curve: mean loss per (run, tokens), sorted by tokens within each run (what
  `scaling curve` reads before it fits the one run it forecasts);
- envelope: the same, then compute C = 6*N*D and the running minimum of the loss over C (the lower
  envelope `scaling envelope` reads N*(C) from);
- final: the last logged point of each run (largest step), the runs `scaling fit --use final` fits.

Prints a one-line digest so the work cannot be skipped. The peers do not fit anything: the CLI's time
includes its fit as well, so the comparison favours the peers.
"""
import sys

engine, workload, path = sys.argv[1:4]

if engine == "pandas":
    import pandas as pd
    df = pd.read_csv(path)
    if workload in ("curve", "envelope"):
        curves = df.groupby(["run", "tokens"], sort=False, as_index=False).agg(params=("params", "first"), loss=("loss", "mean"))
        curves = curves.sort_values(["run", "tokens"], kind="stable")
        if workload == "envelope":
            curves["flops"] = 6.0 * curves["params"] * curves["tokens"]
            env = curves.sort_values("flops", kind="stable")
            env["best"] = env["loss"].cummin()
            print(len(env), env["best"].iloc[-1])
        else:
            print(len(curves), curves["loss"].sum())
    elif workload == "final":
        last = df.sort_values("step", kind="stable").groupby("run", sort=False).tail(1)
        print(len(last), last["loss"].sum())
elif engine == "polars":
    import polars as pl
    df = pl.read_csv(path)
    if workload in ("curve", "envelope"):
        curves = (df.group_by(["run", "tokens"], maintain_order=True)
                    .agg(pl.col("params").first(), pl.col("loss").mean())
                    .sort(["run", "tokens"], maintain_order=True))
        if workload == "envelope":
            env = (curves.with_columns(flops=6.0 * pl.col("params") * pl.col("tokens"))
                         .sort("flops", maintain_order=True)
                         .with_columns(best=pl.col("loss").cum_min()))
            print(env.height, env["best"][-1])
        else:
            print(curves.height, curves["loss"].sum())
    elif workload == "final":
        last = df.sort("step", maintain_order=True).group_by("run", maintain_order=True).last()
        print(last.height, last["loss"].sum())
else:
    sys.exit(f"unknown engine {engine}")
