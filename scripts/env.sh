# Sourced by scripts/demo.sh and scripts/test.sh: create/refresh the virtual environment (the package, editable, with
# everything the notebooks, JupyterLab and the tests need) and set the environment.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${FAST_AED_VENV:-$ROOT/.venv}
if [ ! -x "$VENV/bin/python" ]; then
  echo "fast-aed: creating virtual environment $VENV" >&2
  "${PYTHON:-python3}" -m venv "$VENV"
fi
stamp="$VENV/.fast_aed_install"
want=$(cat "$ROOT/settings.ini" "$ROOT/constraints.txt" "$ROOT/setup.py" | sha1sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "fast-aed: installing into $VENV (CPU torch pinned by constraints.txt)" >&2
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel setuptools
  # constraints.txt pins torch/torchvision so that pip never pulls a multi-GB CUDA build here; the lab extra is
  # JupyterLab (and ipywidgets for its progress bars), the dev extra what the tests and nbdev need
  "$VENV/bin/python" -m pip install -q -c "$ROOT/constraints.txt" -e "$ROOT[dev,lab]"
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
export YOLO_OFFLINE=1 YOLO_AUTOINSTALL=0 YOLO_CONFIG_DIR="${YOLO_CONFIG_DIR:-$VENV/yolo_config}"
export MPLBACKEND=Agg PYTHONHASHSEED=0
mkdir -p "$YOLO_CONFIG_DIR"
cd "$ROOT"
