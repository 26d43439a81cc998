#!/usr/bin/env bash
# One-shot GPU check (under 8 minutes on one NVIDIA GPU): the paper-configuration student timed at 640x360, batch 1
# and 32, in fp32, bf16 and compiled; the training loader in frames per second; and 200 steps of paper-scale training
# with bf16 autocast on the standard synthetic benchmark, whose teachers are fitted at the `run-tiny` settings. Writes
# one JSON (GPU, driver, torch and CUDA versions, every figure).
#   scripts/gpu_check.sh [OUT.json]   (default papermill_runs/reports/gpu/gpu_check_<UTC time>.json)
# GPU_CHECK_DIR: where the benchmark and its work folder go (default ${TMPDIR:-/tmp}/fast_aed_gpu_check; reused).
# FAST_AED: the command to run (default `fast-aed`; e.g. "python -m fast_aed.cli").
# Without a CUDA GPU it stops at once, before any work, with one line and exit status 2.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export YOLO_OFFLINE=1 YOLO_AUTOINSTALL=0
FAST_AED=${FAST_AED:-fast-aed}
$FAST_AED gpu-check --check-device
OUT=${1:-papermill_runs/reports/gpu/gpu_check_$(date -u +%Y%m%dT%H%M%SZ).json}
DATA=${GPU_CHECK_DIR:-${TMPDIR:-/tmp}/fast_aed_gpu_check}/standard
[ -f "$DATA/dataset.json" ] || $FAST_AED data synth --preset standard --out "$DATA"
[ -d "$DATA/work/maps/A" ] && [ -d "$DATA/work/maps/B" ] || {
  $FAST_AED teachers fit "$DATA" --config run-tiny
  $FAST_AED teachers maps "$DATA"
}
$FAST_AED gpu-check --data "$DATA" --out "$OUT" --steps 200
