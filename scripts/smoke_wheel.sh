#!/usr/bin/env bash
# The package as a newcomer installs it: build the sdist and the wheel (the wheel is built from the sdist, so the sdist
# builds), install the wheel into a fresh virtual environment WITHOUT the dev extra (torch pinned by constraints.txt),
# and run, from a folder outside the checkout, the default path of the main commands on the tiny synthetic preset:
# data synth, run, eval --json and a one-point reproduce grid. Then the sdist is installed over it and checked.
# Usage: bash scripts/smoke_wheel.sh [WORK_FOLDER]   (default: a new folder under /tmp, removed on success)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TMP=${1:-$(mktemp -d "${TMPDIR:-/tmp}/fast-aed-smoke.XXXXXX")}
PY=${PYTHON:-python3}
start=$(date +%s)
step() { echo "[smoke $(( $(date +%s) - start )) s] $*" >&2; }
# pip, without the warnings of pip configurations whose local indexes lack a package (pip's exit status is kept)
pip_quiet() { "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; }; }
mkdir -p "$TMP"

step "building the sdist and the wheel into $TMP/dist"
"$PY" -m venv "$TMP/build-venv"
pip_quiet "$TMP/build-venv/bin/python" -m pip install -q build
"$TMP/build-venv/bin/python" -m build -q --outdir "$TMP/dist" "$ROOT" >/dev/null
wheel=$(ls "$TMP"/dist/fast_aed-*.whl)
sdist=$(ls "$TMP"/dist/fast_aed-*.tar.gz)

step "installing $(basename "$wheel") into a fresh environment, without the dev extra"
"$PY" -m venv "$TMP/venv"
pip_quiet "$TMP/venv/bin/python" -m pip install -q -c "$ROOT/constraints.txt" "$wheel"

# from outside the checkout, with nothing of it on the path: only the installed package answers
mkdir -p "$TMP/user"
cd "$TMP/user"
unset PYTHONPATH FAST_AED_PAPERMILL_DIR FAST_AED_CACHE
export PATH="$TMP/venv/bin:$PATH" FAST_AED_QUIET=1 MPLBACKEND=Agg OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export YOLO_OFFLINE=1 YOLO_AUTOINSTALL=0 YOLO_CONFIG_DIR="$TMP/yolo_config"
python - <<'EOF'
import fast_aed, pathlib, sys
from fast_aed.reproduce import papermill_dir
site = pathlib.Path(fast_aed.__file__).parent
assert 'site-packages' in str(site), f'fast_aed imported from {site}, not from the installed wheel'
assert papermill_dir() == site / 'papermill_runs', papermill_dir()
for module in ('nbdev', 'pytest', 'jupytext'):   # dev-only packages must not be needed
    try: __import__(module); sys.exit(f'{module} is installed: the environment is not a plain install')
    except ImportError: pass
print(f'fast_aed {fast_aed.__version__} from {site}; notebooks: {sorted(p.name for p in papermill_dir().glob("*.ipynb"))}')
EOF

step "fast-aed data synth --preset tiny"
fast-aed data synth --preset tiny --out data/tiny
step "fast-aed run (default settings)"
fast-aed run data/tiny > run.log
tail -n 13 run.log
step "fast-aed eval --json"
fast-aed eval data/tiny --json > eval.json
python -c "import json; r = json.load(open('eval.json')); print('student MIX micro AUC', r['micro_auc'])"
step "fast-aed reproduce: one grid point of the main table, tiny preset, one seed"
fast-aed reproduce main --preset tiny --seeds 1 --runs student-small
test -s papermill_runs/reports/synthetic-tiny/main/student-small-seed0.metrics.json
test -s papermill_runs/reports/synthetic-tiny/main/table.md

step "installing $(basename "$sdist") over it"
pip_quiet python -m pip install -q --no-deps --force-reinstall "$sdist"
python -c "from fast_aed.reproduce import papermill_dir; assert (papermill_dir() / 'experiment.ipynb').exists(); print(papermill_dir())"
fast-aed data synth --preset tiny --out data/tiny-sdist --seed 1
fast-aed data info data/tiny-sdist

step "passed in $(( $(date +%s) - start )) s"
[ $# -ge 1 ] || rm -rf "$TMP"
