#!/usr/bin/env bash
# The seed experiment (issue 3): a 2-D constant-velocity filter tuned on thrown objects.
# 80,000 trajectories of 10 steps (a 40 x 40 grid of initial velocities x 50 noise draws), positions
# observed with noise std 0.1 (x) and 0.2 (y); dt, std_acc and both measurement stds fitted
#   1. with the one-step prediction loss and 10% observation dropout (the seed's setup), and
#   2. by maximum likelihood, for comparison.
# Usage: jobs/seed-experiment.sh [OUTDIR] [-- spark-submit options]   (default OUTDIR: out/seed-experiment)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="out/seed-experiment"
if [[ $# -gt 0 && "$1" != "--" ]]; then out="$1"; shift; fi
mkdir -p "$out"

if [[ ! -f "$out/throws.csv" ]]; then
  "$here/simulate.sh" --model conf/projectile.json --scenario projectile --grid 40 --repeats 50 --steps 10 \
    --noise-std 0.1,0.2 --seed 2026 --id-prefix throw- --output "$out/throws.csv" "$@"
fi
"$here/fit.sh" --input "$out/throws.csv" --model conf/projectile.json --output "$out/fit-prediction" --overwrite \
  --loss prediction --dropout 0.1 --seed 7 --curvature "$@"
"$here/fit.sh" --input "$out/throws.csv" --model conf/projectile.json --output "$out/fit-nll" --overwrite \
  --loss nll --curvature "$@"
echo "seed experiment: reports in $out/fit-prediction/report.json and $out/fit-nll/report.json"
