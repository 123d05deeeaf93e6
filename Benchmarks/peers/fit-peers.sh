#!/bin/sh
# Peer numbers for the README "Performance" table, measured in one run on this machine:
# whole `scaling` processes (release build) and the numpy/scipy recipes of fit_peers.py.
#
#   Benchmarks/peers/fit-peers.sh            # builds `scaling` in release first
#   SCALING=/path/to/scaling Benchmarks/peers/fit-peers.sh
#   REPEAT=50 SIZES=10000 Benchmarks/peers/fit-peers.sh
#
# The in-process Swift numbers of the same table come from the benchmark package, run right after:
#   cd Benchmarks && swift package benchmark --no-progress --filter "Chinchilla.*" --filter "Bootstrap.*" --filter "IsoFLOP.*"
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ -z "${SCALING:-}" ]; then
    (cd "$root" && swift build -c release --product scaling >/dev/null)
    SCALING="$root/.build/release/scaling"
fi
# One BLAS thread: on a machine busy with other work, numpy's threads made these timings scatter
# by a factor of ten.
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
python3 "$root/Benchmarks/peers/fit_peers.py" --cli "$SCALING" --repeat "${REPEAT:-30}" --sizes "${SIZES:-10000,30000,100000}"
