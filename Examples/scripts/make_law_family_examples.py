"""Regenerates the synthetic example CSVs for the data-constrained, BNSL and test-time laws.

Run from the repository root: python3 Examples/scripts/make_law_family_examples.py
Each file is drawn from a known law with seeded noise (numpy default_rng), so the command that fits it
can be checked against the truth written here.
"""
import numpy as np

rng = np.random.default_rng(20261123)

# Data-constrained (Muennighoff et al. 2023, released fit): a, b, e, alpha, beta, RD*, RN*.
a, b, e, alpha, beta, rd, rn = 6.255414, 7.3049974, 0.6254804, 0.3526596, 0.3526596, 15.387756, 5.309743
A, B, E = np.exp(a), np.exp(b), np.exp(e)
G = ((alpha * A) / (beta * B)) ** (1 / (alpha + beta))
def data_constrained(N, D, U):
    U = min(D, U)
    RD = max(D / U - 1, 0)
    UN = min(N, (U * G) ** (beta / alpha) * G)
    RN = max(N / UN - 1, 0)
    return E + A / (UN + UN * rn * (1 - np.exp(-RN / rn))) ** alpha + B / (U + U * rd * (1 - np.exp(-RD / rd))) ** beta
with open("Examples/data/data_constrained_synthetic.csv", "w") as f:
    f.write("# Synthetic runs from the data-constrained law of Muennighoff et al. 2023 (their released fit),\n")
    f.write("# 0.5% log-normal noise; made by Examples/scripts/make_law_family_examples.py\n")
    f.write("params,tokens,unique_tokens,loss\n")
    for N in np.geomspace(1e8, 4e9, 6):
        for U in (1e9, 5e9, 2e10):
            for epochs in (1, 2, 4, 8, 16, 40):
                D = U * epochs
                L = data_constrained(N, D, U) * np.exp(0.005 * rng.standard_normal())
                f.write(f"{N:.6g},{D:.6g},{U:.6g},{L:.6f}\n")

# Broken power law with one break (Caballero et al. 2022).
a0, b0, c0, c1, d1, f1 = 1.5, 10.0, 0.05, 0.4, 1e4, 0.3
with open("Examples/data/bnsl_synthetic.csv", "w") as f:
    f.write("# Synthetic curve from a one-break BNSL: a=1.5 b=10 c0=0.05 c1=0.4 d1=1e4 f1=0.3,\n")
    f.write("# 0.5% log-normal noise; made by Examples/scripts/make_law_family_examples.py\n")
    f.write("steps,loss\n")
    for x in np.geomspace(1e2, 1e6, 40):
        y = a0 + b0 * x ** (-c0) * (1 + (x / d1) ** (1 / f1)) ** (-c1 * f1)
        f.write(f"{x:.6g},{y * np.exp(0.005 * rng.standard_normal()):.6f}\n")

# Test-time compute: coverage against samples, sigmoid in ln(samples) with a floor.
floor, k, m = 0.05, 1.2, np.log(30)
with open("Examples/data/test_time_synthetic.csv", "w") as f:
    f.write("# Synthetic accuracy against samples: floor=0.05 k=1.2 m=ln(30), noise sd 0.01;\n")
    f.write("# made by Examples/scripts/make_law_family_examples.py\n")
    f.write("samples,accuracy\n")
    for s in 2.0 ** np.arange(0, 13):
        acc = floor + (1 - floor) / (1 + np.exp(-k * (np.log(s) - m)))
        f.write(f"{s:.0f},{min(max(acc + 0.01 * rng.standard_normal(), 0.001), 1):.6f}\n")

# Capability law (GPT-4 report): -ln(pass rate) = alpha * C^-k, i.e. pass = exp(-alpha * C^-k).
alpha_c, k_c = 30.0, 0.08
with open("Examples/data/capability_synthetic.csv", "w") as f:
    f.write("# Synthetic pass rates of small runs: pass = exp(-30 * C^-0.08), 2% log-normal noise;\n")
    f.write("# made by Examples/scripts/make_law_family_examples.py\n")
    f.write("flops,pass_rate\n")
    for c in np.geomspace(1e18, 1e22, 9):
        p = np.exp(-alpha_c * c ** (-k_c)) * np.exp(0.02 * rng.standard_normal())
        f.write(f"{c:.6g},{min(p, 1):.6f}\n")
