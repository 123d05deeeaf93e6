#!/usr/bin/env bash
# Times the CLI against pandas and polars on the same generated long-format logs, in one run, and prints
# a Markdown table: wall time and peak resident memory (/usr/bin/time) of each workload.
#
#   Benchmarks/peers/streaming-peers.sh            # 1M and 10M rows
#   SIZES="1000000" Benchmarks/peers/streaming-peers.sh
#
# Needs python3 with pandas and polars, and /usr/bin/time. Logs are written to a temporary directory
# (10M rows: 420 MB) and deleted at the end. Workloads (streaming-peers.py says what the peers compute):
#   curve     scaling curve LOG --run run0100 --tokens 1e12     (reads every curve, fits one)
#   envelope  scaling envelope LOG
#   final     scaling fit LOG --use final                    (the last point of each of 200 runs, fitted)
# and for the CLI alone (the peers have no such fits): isoflop, compare and backtest with --use final,
# and fit --use checkpoints (it fits every point: 10M points take about 12 s and 730 MB).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
sizes=${SIZES:-"1000000 10000000"}
work=$(mktemp -d "${TMPDIR:-/tmp}/scaling-peers.XXXXXX")
trap 'rm -rf "$work"' EXIT

# SCALING=/path/to/scaling times that binary (e.g. the README's --static-swift-stdlib build) instead.
if [ -z "${SCALING:-}" ]; then
    (cd "$root" && swift build -c release >/dev/null)
    SCALING="$root/.build/release/scaling"
fi
bin="$SCALING"

# "1.23 s, 45 MB" for one command (stdout discarded, stderr kept for a failure).
measure() {
    if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/err"; then
        echo "failed: $*" >&2
        cat "$work/err" >&2
        exit 1
    fi
    awk '{ printf "%.2f s, %.0f MB", $1, $2 / 1024 }' "$work/time"
}

echo "| workload | rows | scaling | pandas | polars |"
echo "| --- | ---: | ---: | ---: | ---: |"
for rows in $sizes; do
    log="$work/log-$rows.csv"
    python3 "$here/make-long-log.py" "$rows" "$log"
    cat "$log" >/dev/null   # the file in the page cache for every reader alike
    label=$(awk -v r="$rows" 'BEGIN { if (r >= 1e6) printf "%gM", r / 1e6; else printf "%d", r }')
    for workload in curve envelope final; do
        case $workload in
            curve) ours=("$bin" curve "$log" --run run0100 --tokens 1e12); name='`curve`' ;;
            envelope) ours=("$bin" envelope "$log"); name='`envelope`' ;;
            final) ours=("$bin" fit "$log" --use final); name='`fit --use final`' ;;
        esac
        scaling=$(measure "${ours[@]}")
        pandas=$(measure python3 "$here/streaming-peers.py" pandas "$workload" "$log")
        polars=$(measure python3 "$here/streaming-peers.py" polars "$workload" "$log")
        echo "| $name | $label | $scaling | $pandas | $polars |"
    done
    for command in isoflop compare backtest; do
        extra=()
        [ "$command" = backtest ] && extra=(--holdout-top 20% --by flops)
        echo "| \`$command --use final\` | $label | $(measure "$bin" "$command" "$log" --use final "${extra[@]}") | — | — |"
    done
    echo "| \`fit --use checkpoints\` | $label | $(measure "$bin" fit "$log" --use checkpoints) | — | — |"
    rm -f "$log"
done
