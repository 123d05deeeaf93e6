#!/usr/bin/env python3
"""Coverage of `scaling fit --use checkpoints` parameter intervals on simulated checkpoint logs.

    python3 Scripts/coverage/checkpoint-intervals.py DATASETS [extra scaling fit flags...]
    SCALING=.build/release/scaling PB=5 NB=3 python3 Scripts/coverage/checkpoint-intervals.py 60
    python3 Scripts/coverage/checkpoint-intervals.py 40 --bootstrap 200

Each data set is an isoFLOP-like ladder (NB budgets from 1e18 to 1e20 FLOPs, PB model sizes per budget
within 10^±0.8 of the Chinchilla optimum) of runs of the Hoffmann et al. (2022) law, PTS checkpoints per
run from 10% to 100% of its tokens. Errors in log loss: a per-run offset (sd OFF), an AR(1) drift along
the run (sd AR, correlation 0.95 between checkpoints) and white noise (sd WHITE). The true parameters are
known, so the script prints, per parameter, the fraction of data sets whose 95% interval holds the truth
and the median relative width. Seeds SEED0, SEED0+1, ... make the data sets reproducible. The numbers
quoted in the DocC article LongFormatLogs came from this script.
"""
import json, os, subprocess, sys, tempfile
import numpy as np

S = os.environ.get("SCALING", os.path.join(os.path.dirname(__file__), "../../.build/release/scaling"))
E, A, B, AL, BE = 1.69, 406.4, 410.7, 0.34, 0.28
TRUTH = dict(E=E, A=A, B=B, alpha=AL, beta=BE)
PB, NB, PTS = int(os.environ.get("PB", 8)), int(os.environ.get("NB", 5)), int(os.environ.get("PTS", 60))
OFF, AR, WHITE = float(os.environ.get("OFF", 0.01)), float(os.environ.get("AR", 0.004)), float(os.environ.get("WHITE", 0.002))
SEED0, RHO = int(os.environ.get("SEED0", 0)), 0.95


def make(seed, path):
    rng = np.random.default_rng(seed)
    rows, k = ["run,params,step,tokens,loss"], 0
    for c in np.logspace(18, 20, NB):
        nopt = 0.6 * (c / 6) ** 0.5
        for n in np.logspace(np.log10(nopt) - 0.8, np.log10(nopt) + 0.8, PB):
            n = float(round(n))
            toks = c / (6 * n) * np.linspace(0.1, 1.0, PTS)
            mu = np.log(E + A / n**AL + B / toks**BE)
            w = np.zeros(PTS)
            w[0] = rng.normal(0, AR)
            for i in range(1, PTS):
                w[i] = RHO * w[i - 1] + rng.normal(0, AR * np.sqrt(1 - RHO**2))
            y = np.exp(mu + rng.normal(0, OFF) + w + rng.normal(0, WHITE, PTS))
            rows += [f"r{k},{n:.0f},{i + 1},{toks[i]:.6g},{y[i]:.6f}" for i in range(PTS)]
            k += 1
    with open(path, "w") as f:
        f.write("\n".join(rows) + "\n")


def main():
    sets, extra = int(sys.argv[1]), sys.argv[2:]
    cover, width, fits = {p: 0 for p in TRUTH}, {p: [] for p in TRUTH}, 0
    with tempfile.TemporaryDirectory() as tmp:
        for s in range(sets):
            path = os.path.join(tmp, f"log{s}.csv")
            make(SEED0 + s, path)
            out = subprocess.run([S, "fit", path, "--use", "checkpoints", "--json", "--quiet"] + extra, capture_output=True, text=True)
            if out.returncode:
                print(out.stderr.strip()[:300])
                continue
            intervals, fits = json.loads(out.stdout)["intervals"], fits + 1
            for p, t in TRUTH.items():
                lo, hi = intervals[p]
                cover[p] += lo <= t <= hi
                width[p].append((hi - lo) / t)
    print(f"{fits} fits; 95% interval coverage (median relative width):",
          ", ".join(f"{p} {cover[p] / fits:.2f} ({np.median(width[p]):.3g})" for p in TRUTH))


if __name__ == "__main__":
    main()
