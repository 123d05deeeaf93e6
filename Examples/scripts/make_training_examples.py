"""Regenerates the synthetic long-format learning curves and the downstream-task ladder.

Run from the repository root: python3 Examples/scripts/make_training_examples.py
Each file is drawn from a known law with seeded noise (numpy default_rng), so the commands that read it
(`scaling curve`, `scaling fit --use checkpoints`, `scaling task`) can be checked against the truth here.
"""
import numpy as np

rng = np.random.default_rng(5)

# Learning curves: Hoffmann et al.'s law (E 1.69, A 406.4, B 410.7, alpha 0.34, beta 0.28) read at the
# tokens seen (a constant or warmup-stable-decay schedule, where checkpoints follow the final-loss law),
# plus a warmup bump 1.5*exp(-t/(0.01 D)) and loss x exp(0.004 z). Three runs to D = 20N, 100 points each
# and the initial loss at step 0; rows of the runs interleaved as a logger writing them in turn would.
E, A, B, alpha, beta = 1.69, 406.4, 410.7, 0.34, 0.28
runs = {"m40": 4e7, "m160": 1.6e8, "m640": 6.4e8}
rows = []
for p in range(101):
    for name, N in runs.items():
        D = 20 * N
        t = D * p / 100
        if p == 0:
            L = 10.8
        else:
            L = (E + A / N ** alpha + B / t ** beta + 1.5 * np.exp(-t / (0.01 * D))) * np.exp(0.004 * rng.standard_normal())
        rows.append(f"{name},{N:.6g},{t:.6g},{L:.5f}")
with open("Examples/data/learning_curves_synthetic.csv", "w") as f:
    f.write("# Synthetic long-format learning curves: Hoffmann et al. 2022 law at the tokens seen, warmup bump,\n")
    f.write("# 0.4% log-normal noise; made by Examples/scripts/make_training_examples.py\n")
    f.write("run,params,tokens,loss\n")
    f.write("\n".join(rows) + "\n")

# Downstream task ladder: task loss (bits) = 1.0 + 300/N^0.32 + 500/D^0.3 with 0.3% log-normal noise, and
# accuracy = 0.7/(1 + exp(8 (L - 1.5))) + 0.25 (four-way multiple choice: chance 0.25) plus 0.004 noise.
with open("Examples/data/task_synthetic.csv", "w") as f:
    f.write("# Synthetic downstream-task ladder: task loss from a Chinchilla-form law, accuracy a sigmoid in it\n")
    f.write("# with chance level 0.25; made by Examples/scripts/make_training_examples.py\n")
    f.write("params,tokens,task_loss,accuracy\n")
    for N in np.geomspace(2e7, 3e9, 7):
        for M in (10, 20, 40):
            D = M * N
            L = (1.0 + 300 / N ** 0.32 + 500 / D ** 0.3) * np.exp(0.003 * rng.standard_normal())
            acc = 0.7 / (1 + np.exp(8 * (L - 1.5))) + 0.25 + 0.004 * rng.standard_normal()
            f.write(f"{N:.6g},{D:.6g},{L:.5f},{acc:.4f}\n")
