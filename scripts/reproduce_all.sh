#!/usr/bin/env bash
# Regenerate every results table of the synthetic benchmark with 3 seeds, unattended: training grid points two at a
# time (one thread each on 2 cores), then the speed points alone with every core (the runner schedules them last so
# that their timings never share the CPU with training). Resumable: rerun after an interruption and finished grid
# points are skipped. Extra arguments (e.g. --reports DIR) go to the runner.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x .venv/bin/fast-aed ] || source scripts/env.sh
source .venv/bin/activate
export FAST_AED_QUIET=1 YOLO_OFFLINE=1 YOLO_AUTOINSTALL=0 MPLBACKEND=Agg PYTHONHASHSEED=0
export YOLO_CONFIG_DIR="${YOLO_CONFIG_DIR:-$PWD/.venv/yolo_config}"
exec fast-aed reproduce --seeds 3 --jobs 2 "$@"
