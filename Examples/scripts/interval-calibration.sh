#!/usr/bin/env bash
# Re-measures the interval calibration: the priors κ₀ of ForecastCalibration.Prior (curves: 27
# schedule-blind forecasts of the 25M runs in Examples/data/multipower_25m.csv; ladders: the three
# published backtest splits of Examples/data/chinchilla_fig4_fitset.csv) and the coverage table of
# "How honest are the intervals?" (README and the DocC article "Reading intervals and backtests").
#
# Usage, from the repository root:  bash Examples/scripts/interval-calibration.sh
# The test IntervalHonestyTests/priors fails if the measured κ₀ moves away from the constants.
set -euo pipefail
cd "$(dirname "$0")/../.."
SCALINGLAWS_PRINT_CALIBRATION=1 swift test --filter 'IntervalHonestyTests|CalibratedSyntheticTests' 2>&1 \
    | grep -E '^\| |^measured priors|^synthetic ladders|passed after|failed after' | grep -vE '^(✔|✘) (Suite|Test run)'
