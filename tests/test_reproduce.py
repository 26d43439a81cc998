"A tiny reproduction grid through real papermill subprocesses (tiny preset, one seed)."
import json, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_tiny_main_table_through_papermill(tmp_path):
    env = {**os.environ, 'FAST_AED_CACHE': str(tmp_path / 'cache'), 'FAST_AED_PAPERMILL_DIR': str(ROOT / 'papermill_runs')}
    cmd = ['fast-aed', 'reproduce', 'main', '--preset', 'tiny', '--seeds', '1', '--reports', str(tmp_path / 'reports')]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = tmp_path / 'reports' / 'synthetic' / 'main'
    for run in ('student-small-seed0', 'student-base-seed0'):
        assert (out / f'{run}.ipynb').exists()
        m = json.loads((out / f'{run}.metrics.json').read_text())
        assert {'params', 'seed', 'git_revision', 'versions', 'metrics', 'timings', 'machine'} <= set(m)
        assert 0 <= m['metrics']['student']['micro_auc'] <= 1
    table = (out / 'table.md').read_text()
    assert 'teacher A' in table and 'student-small [MIX]' in table
    assert (out / 'table.png').exists() and (out / 'table.ipynb').exists()
    # a second run skips every finished grid point
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0 and '0 done, 2 skipped' in proc.stdout
